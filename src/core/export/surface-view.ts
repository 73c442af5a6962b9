/**
 * The part of a snapshot every surface export reads: the grid axes and the surfaces, row-major
 * with x fastest (index = iy * nx + ix). A Snapshot is a SurfaceView, and so is an
 * ImportedSurface, so an imported reference file can be exported again (e.g. HDF5 -> VTK).
 *
 * @example checkSurfaceView(snapshot); const { name, values } = pickSurface(snapshot, "test_loss");
 */
import { KNOWN_SURFACES } from "../snapshot/schema";
import { axisCoordinate } from "../snapshot/summary";

export interface SurfaceAxis {
  label: string;
  min: number;
  max: number;
  count: number;
}

export interface SurfaceView {
  grid: { axes: readonly SurfaceAxis[] };
  /** Row-major over the axes, x fastest; accuracies as fractions in [0, 1]. */
  surfaces: Readonly<Record<string, Float32Array>>;
}

/**
 * Throws an Error naming the first thing that makes the view unusable for an export: not 1 or 2
 * axes, a count that is not an integer >= 2, min/max not finite or not increasing, no surfaces, or
 * a surface whose length is not the number of grid points.
 */
export function checkSurfaceView(view: SurfaceView, what = "snapshot"): void {
  const { axes } = view.grid;
  if (axes.length < 1 || axes.length > 2) {
    throw new Error(`${what}: a landscape has 1 or 2 grid axes, got ${axes.length}`);
  }
  axes.forEach((a, i) => {
    if (!Number.isInteger(a.count) || a.count < 2) {
      throw new Error(`${what}: grid.axes[${i}].count must be an integer >= 2, got ${a.count}`);
    }
    if (!Number.isFinite(a.min) || !Number.isFinite(a.max) || !(a.min < a.max)) {
      throw new Error(`${what}: grid.axes[${i}] needs finite min < max, got min ${a.min} and max ${a.max}`);
    }
  });
  const names = Object.keys(view.surfaces);
  if (names.length === 0) throw new Error(`${what}: no surfaces to export`);
  const points = gridPoints(view);
  for (const name of names) {
    const n = view.surfaces[name].length;
    if (n !== points) {
      throw new Error(
        `${what}: surface ${name} has ${n} values, expected ${points} (grid ${axes.map((a) => a.count).join(" x ")})`,
      );
    }
  }
}

/** Number of grid points: nx, or nx * ny. */
export function gridPoints(view: SurfaceView): number {
  return view.grid.axes.reduce((n, a) => n * a.count, 1);
}

/**
 * The coordinates of an axis, min + k (max - min) / (count - 1), with the last one exactly max
 * (as numpy.linspace, which the reference tool uses).
 *
 * @example axisValues({ label: "x", min: -1, max: 1, count: 3 }); // Float64Array [-1, 0, 1]
 */
export function axisValues(axis: SurfaceAxis): Float64Array {
  const out = new Float64Array(axis.count);
  for (let k = 0; k < axis.count; k++) out[k] = axisCoordinate(axis, k);
  out[axis.count - 1] = axis.max;
  return out;
}

/** Surface names in a stable order: the known ones (train_loss, train_accuracy, ...) first, then the rest as stored. */
export function surfaceNames(view: SurfaceView): string[] {
  const names = Object.keys(view.surfaces);
  const known = (KNOWN_SURFACES as readonly string[]).filter((n) => names.includes(n));
  return [...known, ...names.filter((n) => !known.includes(n))];
}

/**
 * One surface by name; metric defaults to train_loss (or the first surface when there is none).
 * Throws an Error listing the available names when the metric is absent.
 */
export function pickSurface(view: SurfaceView, metric?: string): { name: string; values: Float32Array } {
  const names = surfaceNames(view);
  const name = metric ?? (names.includes("train_loss") ? "train_loss" : names[0]);
  const values = name === undefined ? undefined : view.surfaces[name];
  if (name === undefined || values === undefined) {
    throw new Error(`no surface "${metric}"; the snapshot has ${names.join(", ") || "no surfaces"}`);
  }
  return { name, values };
}
