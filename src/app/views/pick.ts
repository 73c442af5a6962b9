/**
 * Picking on a heatmap: canvas position -> nearest grid point -> the values of every surface
 * there. Pure, no DOM.
 */
import { axisValue, type GridAxis } from "../../core/landscape/grid";
import type { PickedPoint, SurfaceMetric } from "../../state/types";
import { fromCanvasX, fromCanvasY, insideRect, type PlotFrame } from "./frame";
import { nearestIndex } from "./grid-index";

export const SURFACE_METRICS: readonly SurfaceMetric[] = [
  "train_loss",
  "test_loss",
  "train_accuracy",
  "test_accuracy",
];

export interface GridPoint {
  ix: number;
  iy: number;
  /** Flat index iy * nx + ix. */
  index: number;
  /** Grid coordinates of the point. */
  x: number;
  y: number;
}

/**
 * The grid point nearest to canvas position (cx, cy) in CSS pixels, or null outside the plot area.
 *
 * @example pickGridPoint(frame, snapshot.grid.axes, event.offsetX, event.offsetY)
 */
export function pickGridPoint(
  frame: PlotFrame,
  axes: readonly GridAxis[],
  cx: number,
  cy: number,
): GridPoint | null {
  if (axes.length !== 2) throw new Error(`picking needs a 2-D grid, got ${axes.length} axes`);
  if (!insideRect(frame, cx, cy)) return null;
  const [ax, ay] = axes;
  const ix = nearestIndex(ax, fromCanvasX(frame, cx));
  const iy = nearestIndex(ay, fromCanvasY(frame, cy));
  return { ix, iy, index: iy * ax.count + ix, x: axisValue(ax, ix), y: axisValue(ay, iy) };
}

/** The value of each known surface at flat grid index `index` (surfaces without one are left out). */
export function valuesAt(
  surfaces: Readonly<Record<string, Float32Array>>,
  index: number,
): Partial<Record<SurfaceMetric, number>> {
  const values: Partial<Record<SurfaceMetric, number>> = {};
  for (const metric of SURFACE_METRICS) {
    const surface = surfaces[metric];
    if (surface && index >= 0 && index < surface.length) values[metric] = surface[index];
  }
  return values;
}

/** A PickedPoint for the grid point: its coordinates and every surface's value there. */
export function pickedPoint(surfaces: Readonly<Record<string, Float32Array>>, point: GridPoint): PickedPoint {
  return { x: point.x, y: point.y, values: valuesAt(surfaces, point.index) };
}
