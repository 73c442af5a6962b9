/**
 * CSV of a landscape: one row per grid point in row-major order (x fastest), columns x, y (2-D
 * only) and every surface, the known ones first: train_loss, train_accuracy, test_loss,
 * test_accuracy. Accuracies stay fractions in [0, 1] (our units). Coordinates are the shortest
 * decimals of the float64 grid coordinates; values the shortest decimals that read back as the
 * same float32. Non-finite values are written "NaN", "Infinity", "-Infinity", which JavaScript's
 * Number(), Python's float(), numpy and pandas all parse. Lines end with "\n".
 *
 * @example surfaceToCsv(snapshot).split("\n")[0]; // "x,y,train_loss,train_accuracy,test_loss,test_accuracy"
 */
import { float32Text, float64Text } from "./numbers";
import { axisValues, checkSurfaceView, gridPoints, type SurfaceView, surfaceNames } from "./surface-view";

/** Quotes a header field only when it needs it (a comma, quote or line break in a surface name). */
function field(name: string): string {
  return /[",\r\n]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name;
}

export function surfaceToCsv(view: SurfaceView): string {
  checkSurfaceView(view);
  const axes = view.grid.axes;
  const names = surfaceNames(view);
  const xs = Array.from(axisValues(axes[0]), float64Text);
  const ys = axes.length === 2 ? Array.from(axisValues(axes[1]), float64Text) : null;
  const columns = names.map((n) => view.surfaces[n]);
  const header = [...(ys ? ["x", "y"] : ["x"]), ...names.map(field)].join(",");
  const lines = [header];
  const nx = axes[0].count;
  for (let i = 0; i < gridPoints(view); i++) {
    const cells = ys ? [xs[i % nx], ys[Math.floor(i / nx)]] : [xs[i]];
    for (const values of columns) cells.push(float32Text(values[i]));
    lines.push(cells.join(","));
  }
  return `${lines.join("\n")}\n`;
}
