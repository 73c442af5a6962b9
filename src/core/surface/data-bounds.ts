/**
 * The box the data plot shows, and on which the worker evaluates the decision boundary: both
 * must use exactly this function so the boundary image lines up with the points. Pure.
 */
import { type PlotData, plotPoint } from "./plot-data";

/** [xmin, xmax, ymin, ymax]. */
export type Box = [number, number, number, number];

/**
 * Bounding box of the train and test points (see plotPoint) grown by `margin` times its size on
 * each side. Non-finite points are skipped; no finite point gives [-1, 1, -1, 1]. A flat side
 * counts as 1e-6 wide. The worker evaluates decision boundaries on exactly this box.
 *
 * @example dataBounds(snapshot.data, 0.1) // [-1.32, 1.28, -1.2, 1.25]
 */
export function dataBounds(data: PlotData, margin = 0.1): Box {
  if (!Number.isFinite(margin) || margin < 0)
    throw new Error(`margin must be a finite number >= 0, got ${margin}`);
  let x0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (const split of [data.train, data.test]) {
    if (!split) continue;
    for (let i = 0; i < split.count; i++) {
      const [x, y] = plotPoint(data, split, i);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (!(x1 >= x0)) return [-1, 1, -1, 1];
  const mx = margin * Math.max(x1 - x0, 1e-6);
  const my = margin * Math.max(y1 - y0, 1e-6);
  return [x0 - mx, x1 + mx, y0 - my, y1 + my];
}
