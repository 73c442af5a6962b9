/**
 * Contour lines of a 2-D surface for the canvas view, in fractional grid-index space.
 *
 * d3-contour runs marching squares on the normalized values t in [0, 1] and returns rings in its
 * own pixel space, where grid point (ix, iy) sits at (ix + 0.5, iy + 0.5). It treats NaN as
 * -Infinity and closes rings along the grid border; neither those border pieces nor the rings
 * around holes are level lines, so rings are cut into segments and a segment is kept only when
 * the grid cell it crosses has four finite corners. Levels use the same spacing as the 3D view
 * (k / (count + 1)), so both views draw the same lines.
 */
import { contours } from "d3-contour";

/**
 * `count` evenly spaced levels strictly inside (0, 1).
 *
 * @example contourLevels(3) // [0.25, 0.5, 0.75]
 */
export function contourLevels(count: number): number[] {
  const n = Number.isFinite(count) ? Math.max(0, Math.floor(count)) : 0;
  return Array.from({ length: n }, (_, k) => (k + 1) / (n + 1));
}

/**
 * Level-line segments [m, 4] (fx0, fy0, fx1, fy1) in fractional grid indices (ix, iy) of the
 * normalized surface `t` [ny, nx], x fastest.
 *
 * @example contourSegments(t, 51, 51, contourLevels(8))
 */
export function contourSegments(
  t: ArrayLike<number>,
  nx: number,
  ny: number,
  levels: readonly number[],
): Float32Array {
  if (!Number.isInteger(nx) || !Number.isInteger(ny) || nx < 2 || ny < 2)
    throw new Error(`contours need at least 2 x 2 grid points, got ${nx} x ${ny}`);
  if (t.length !== nx * ny)
    throw new Error(`surface has ${t.length} values, expected ${nx} x ${ny} = ${nx * ny}`);
  const finiteLevels = levels.filter((l) => Number.isFinite(l));
  if (finiteLevels.length === 0) return new Float32Array(0);

  const cellOk = new Uint8Array((nx - 1) * (ny - 1));
  for (let iy = 0; iy < ny - 1; iy++) {
    for (let ix = 0; ix < nx - 1; ix++) {
      const a = iy * nx + ix;
      cellOk[iy * (nx - 1) + ix] =
        Number.isFinite(t[a]) &&
        Number.isFinite(t[a + 1]) &&
        Number.isFinite(t[a + nx]) &&
        Number.isFinite(t[a + nx + 1])
          ? 1
          : 0;
    }
  }

  // d3-contour only indexes the values (typed arrays work), so no copy.
  const generator = contours().size([nx, ny]).thresholds(finiteLevels);
  const out: number[] = [];
  for (const multi of generator(t as unknown as number[])) {
    for (const polygon of multi.coordinates) {
      for (const ring of polygon) {
        for (let j = 1; j < ring.length; j++) {
          const x0 = ring[j - 1][0] - 0.5;
          const y0 = ring[j - 1][1] - 0.5;
          const x1 = ring[j][0] - 0.5;
          const y1 = ring[j][1] - 0.5;
          if (x0 === x1 && y0 === y1) continue;
          // Border pieces run along the outermost half-cell, outside [0, n - 1].
          if (
            Math.min(x0, x1) < 0 ||
            Math.min(y0, y1) < 0 ||
            Math.max(x0, x1) > nx - 1 ||
            Math.max(y0, y1) > ny - 1
          )
            continue;
          // The cell a marching-squares segment crosses contains its midpoint.
          const cx = Math.min(nx - 2, Math.floor((x0 + x1) / 2));
          const cy = Math.min(ny - 2, Math.floor((y0 + y1) / 2));
          if (!cellOk[cy * (nx - 1) + cx]) continue;
          out.push(x0, y0, x1, y1);
        }
      }
    }
  }
  return new Float32Array(out);
}
