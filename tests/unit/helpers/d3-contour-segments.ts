/**
 * The contour segments as the 3D view and the contour map made them before the direct marching
 * squares of src/core/surface/contours.ts: d3-contour's rings, cut back into segments, keeping a
 * segment if the grid cell containing its midpoint has four finite corners. The reference the
 * tests compare the new extractor with.
 *
 * d3-contour runs marching squares on the values and returns rings in its own pixel space, where
 * grid point (ix, iy) sits at (ix + 0.5, iy + 0.5); it treats NaN as -Infinity and closes rings
 * along the grid border. Neither the border pieces nor the rings around holes are level lines.
 */
import { contours } from "d3-contour";

/**
 * Level-line segments in grid index space: [m, 4] (fx0, fy0, fx1, fy1) fractional indices, plus
 * the level of each segment. Segments are exactly on the grid edges they cross, so consecutive
 * segments of a closed ring share endpoints.
 *
 * @example d3ContourSegments(t, 51, 51, [0.25, 0.5]).segments
 */
export function d3ContourSegments(
  values: ArrayLike<number>,
  nx: number,
  ny: number,
  levels: readonly number[],
): { segments: Float32Array; levels: Float32Array } {
  if (!Number.isInteger(nx) || !Number.isInteger(ny) || nx < 2 || ny < 2)
    throw new Error(`contours need at least 2 x 2 grid points, got ${nx} x ${ny}`);
  if (values.length !== nx * ny)
    throw new Error(`surface has ${values.length} values, expected ${nx} x ${ny} = ${nx * ny}`);
  const finiteLevels = levels.filter((l) => Number.isFinite(l));
  if (finiteLevels.length === 0) return { segments: new Float32Array(0), levels: new Float32Array(0) };

  // Cells whose four corners are finite: the only places a level line is drawn.
  const cellOk = new Uint8Array((nx - 1) * (ny - 1));
  for (let iy = 0; iy < ny - 1; iy++) {
    for (let ix = 0; ix < nx - 1; ix++) {
      const a = iy * nx + ix;
      cellOk[iy * (nx - 1) + ix] =
        Number.isFinite(values[a]) &&
        Number.isFinite(values[a + 1]) &&
        Number.isFinite(values[a + nx]) &&
        Number.isFinite(values[a + nx + 1])
          ? 1
          : 0;
    }
  }

  // d3-contour reads values with +v; a plain array of numbers (NaN kept) is what it expects.
  const input = Array.from(values as ArrayLike<number>, (v) => (Number.isFinite(v) ? v : Number.NaN));
  const generator = contours().size([nx, ny]).thresholds(finiteLevels);
  const out: number[] = [];
  const outLevels: number[] = [];
  for (const multi of generator(input)) {
    for (const polygon of multi.coordinates) {
      for (const ring of polygon) {
        for (let j = 1; j < ring.length; j++) {
          const x0 = ring[j - 1][0] - 0.5;
          const y0 = ring[j - 1][1] - 0.5;
          const x1 = ring[j][0] - 0.5;
          const y1 = ring[j][1] - 0.5;
          if (x0 === x1 && y0 === y1) continue;
          // The cell a marching-squares segment crosses contains its midpoint.
          const mx = (x0 + x1) / 2;
          const my = (y0 + y1) / 2;
          if (mx < 0 || my < 0 || mx > nx - 1 || my > ny - 1) continue;
          const cx = Math.min(nx - 2, Math.floor(mx));
          const cy = Math.min(ny - 2, Math.floor(my));
          if (!cellOk[cy * (nx - 1) + cx]) continue;
          // Border pieces run along the outermost half-cell, outside [0, n - 1].
          if (
            Math.min(x0, x1) < 0 ||
            Math.min(y0, y1) < 0 ||
            Math.max(x0, x1) > nx - 1 ||
            Math.max(y0, y1) > ny - 1
          )
            continue;
          out.push(x0, y0, x1, y1);
          outLevels.push(multi.value);
        }
      }
    }
  }
  return { segments: new Float32Array(out), levels: new Float32Array(outLevels) };
}
