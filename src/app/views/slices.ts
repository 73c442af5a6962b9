/**
 * 1-D cuts through a landscape for the slice chart: the centre row (y = 0, along x) and the
 * centre column (x = 0, along y) of a 2-D surface, and the conversion of values into uPlot
 * columns (null = gap). Pure, no DOM.
 */
import { axisValues, type GridAxis } from "../../core/landscape/grid";
import { nearestIndex } from "./grid-index";

/** Index of the grid coordinate nearest to 0 (clamped: an axis not containing 0 gives its nearest end). */
export function centreIndex(axis: GridAxis): number {
  return nearestIndex(axis, 0);
}

/** Row iy of a [ny, nx] surface (x fastest), copied. */
export function rowSlice(values: Float32Array, nx: number, ny: number, iy: number): Float32Array {
  checkShape(values, nx, ny);
  if (!Number.isInteger(iy) || iy < 0 || iy >= ny) throw new Error(`row ${iy} is outside 0..${ny - 1}`);
  return values.slice(iy * nx, (iy + 1) * nx);
}

/** Column ix of a [ny, nx] surface (x fastest), copied. */
export function columnSlice(values: Float32Array, nx: number, ny: number, ix: number): Float32Array {
  checkShape(values, nx, ny);
  if (!Number.isInteger(ix) || ix < 0 || ix >= nx) throw new Error(`column ${ix} is outside 0..${nx - 1}`);
  const column = new Float32Array(ny);
  for (let iy = 0; iy < ny; iy++) column[iy] = values[iy * nx + ix];
  return column;
}

function checkShape(values: Float32Array, nx: number, ny: number): void {
  if (values.length !== nx * ny)
    throw new Error(`surface has ${values.length} values, expected ${nx} x ${ny} = ${nx * ny}`);
}

interface Slice {
  /** Coordinates along the slice. */
  coords: Float64Array;
  values: Float32Array;
  /** The fixed coordinate of the other axis (the grid value nearest to 0). */
  at: number;
}

/**
 * The two centre slices of a 2-D surface: along x through the row nearest y = 0, and along y
 * through the column nearest x = 0.
 *
 * @example const { alongX, alongY } = centreSlices(snapshot.surfaces.train_loss, snapshot.grid.axes);
 */
export function centreSlices(
  values: Float32Array,
  axes: readonly GridAxis[],
): { alongX: Slice; alongY: Slice } {
  if (axes.length !== 2) throw new Error(`centre slices need a 2-D grid, got ${axes.length} axes`);
  const [ax, ay] = axes;
  const iy = centreIndex(ay);
  const ix = centreIndex(ax);
  const ys = axisValues(ay);
  const xs = axisValues(ax);
  return {
    alongX: { coords: xs, values: rowSlice(values, ax.count, ay.count, iy), at: ys[iy] },
    alongY: { coords: ys, values: columnSlice(values, ax.count, ay.count, ix), at: xs[ix] },
  };
}

/**
 * uPlot values: non-finite -> null (a gap in the line); with `positiveOnly` (log axes) values
 * <= 0 are gaps too.
 *
 * @example withGaps(new Float32Array([1, NaN, 2])) // [1, null, 2]
 */
export function withGaps(
  values: ArrayLike<number | null | undefined>,
  positiveOnly = false,
): (number | null)[] {
  const out: (number | null)[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = typeof v === "number" && Number.isFinite(v) && (!positiveOnly || v > 0) ? v : null;
  }
  return out;
}

/**
 * Put series with different x coordinates on one shared, sorted x column (what uPlot needs).
 * Where a series has no point the value is undefined (uPlot draws across it), while null
 * values (gaps) stay null. Equal x columns are shared as they are.
 *
 * @example alignSeries([{ x: [0, 1], y: [1, 2] }, { x: [0, 0.5], y: [3, null] }])
 * // [[0, 0.5, 1], [1, undefined, 2], [3, null, undefined]]
 */
export function alignSeries(
  series: readonly { x: ArrayLike<number>; y: readonly (number | null)[] }[],
): [number[], ...(number | null | undefined)[][]] {
  for (const [k, s] of series.entries())
    if (s.x.length !== s.y.length)
      throw new Error(`series ${k} has ${s.x.length} x values but ${s.y.length} y values`);
  if (series.length === 0) return [[]];
  const first = Array.from(series[0].x);
  if (series.every((s) => sameValues(s.x, first))) return [first, ...series.map((s) => [...s.y])];
  const xs = Array.from(new Set(series.flatMap((s) => Array.from(s.x)))).sort((a, b) => a - b);
  const position = new Map(xs.map((x, i) => [x, i]));
  const columns = series.map((s) => {
    const column: (number | null | undefined)[] = new Array(xs.length).fill(undefined);
    for (let i = 0; i < s.x.length; i++) column[position.get(s.x[i]) as number] = s.y[i];
    return column;
  });
  return [xs, ...columns];
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
