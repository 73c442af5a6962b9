/**
 * Contour lines for the canvas view: the same level lines as the 3D view (scene/contours.ts),
 * in fractional grid-index space [m, 4] (fx0, fy0, fx1, fy1), so both views always agree.
 */
import { contourLevels, gridContourSegments } from "../../scene/contours";

export { contourLevels };

/** @example contourSegments(t, 51, 51, contourLevels(8)) */
export function contourSegments(
  t: ArrayLike<number>,
  nx: number,
  ny: number,
  levels: readonly number[],
): Float32Array {
  return gridContourSegments(t, nx, ny, levels).segments;
}
