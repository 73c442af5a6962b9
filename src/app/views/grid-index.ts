/**
 * Grid indices and extents of a landscape's axes. Axis coordinate k: min + k (max - min) / (count - 1);
 * 2-D surfaces are row-major with x fastest (index = iy * nx + ix). Pure, no DOM.
 */
import type { GridAxis } from "../../core/landscape/grid";
import type { Extent } from "./frame";

/**
 * Index of the grid coordinate nearest to `v`, clamped to the axis (ties round up).
 *
 * @example nearestIndex({ label: "x", min: -1, max: 1, count: 5 }, 0.3) // 3 (coordinate 0.5)
 */
export function nearestIndex(axis: GridAxis, v: number): number {
  if (!(axis.count >= 2) || !(axis.max > axis.min))
    throw new Error(
      `axis "${axis.label}" needs count >= 2 and min < max, got ${axis.count} on [${axis.min}, ${axis.max}]`,
    );
  if (Number.isNaN(v)) throw new Error(`cannot find the grid index of NaN on axis "${axis.label}"`);
  const k = Math.round(((v - axis.min) / (axis.max - axis.min)) * (axis.count - 1));
  return Math.min(axis.count - 1, Math.max(0, k));
}

/** Distance between neighbouring grid coordinates. */
function axisStep(axis: GridAxis): number {
  return (axis.max - axis.min) / (axis.count - 1);
}

/**
 * The extent a heatmap of the grid covers: every grid point is the centre of one cell, so the
 * picture reaches half a step beyond the first and last coordinates.
 *
 * @example gridExtent([x, y]) // { xMin: x.min - step / 2, ... }
 */
export function gridExtent(axes: readonly GridAxis[]): Extent {
  if (axes.length !== 2) throw new Error(`a heatmap needs a 2-D grid, got ${axes.length} axes`);
  const [ax, ay] = axes;
  const hx = axisStep(ax) / 2;
  const hy = axisStep(ay) / 2;
  return { xMin: ax.min - hx, xMax: ax.max + hx, yMin: ay.min - hy, yMax: ay.max + hy };
}
