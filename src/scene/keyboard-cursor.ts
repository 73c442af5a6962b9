/**
 * The keyboard cursor of the 3D view and the contour map: a grid point (ix, iy) moved by whole
 * grid steps, clamped into the grid. Pure functions, no DOM, no three.
 *
 * Grid index iy * nx + ix, as everywhere (x fastest). A 1-D grid has ny = 1.
 */
import { type GridFrame, indexToCoord } from "./geometry";
import type { GridReading } from "./markers";

export interface GridCursor {
  ix: number;
  iy: number;
}

/** Index of the grid point nearest to coordinate 0 when the axis holds it, else the middle one. */
function homeIndex(axis: { min: number; max: number; count: number }): number {
  if (axis.count <= 1) return 0;
  const lo = Math.min(axis.min, axis.max);
  const hi = Math.max(axis.min, axis.max);
  if (!(lo <= 0 && 0 <= hi) || axis.max === axis.min) return Math.floor((axis.count - 1) / 2);
  const k = Math.round(((0 - axis.min) / (axis.max - axis.min)) * (axis.count - 1));
  return Math.min(axis.count - 1, Math.max(0, k));
}

/**
 * Where the cursor starts: the trained point (grid coordinates 0, 0) when the grid holds it, else
 * the centre of the grid (per axis).
 *
 * @example homeCursor({ x: { min: -1, max: 1, count: 41 }, y: { min: -1, max: 1, count: 41 } }) // { ix: 20, iy: 20 }
 */
export function homeCursor(frame: GridFrame): GridCursor {
  return { ix: homeIndex(frame.x), iy: homeIndex(frame.y) };
}

/** The cursor clamped into an nx x ny grid (whole indices). */
export function clampCursor(c: GridCursor, nx: number, ny: number): GridCursor {
  const clamp = (k: number, n: number) => Math.min(Math.max(0, n - 1), Math.max(0, Math.round(k)));
  return { ix: clamp(c.ix, nx), iy: clamp(c.iy, ny) };
}

/**
 * The cursor moved by (dx, dy) grid steps, clamped into the grid.
 *
 * @example moveCursor({ ix: 0, iy: 3 }, -1, 5, 41, 41) // { ix: 0, iy: 8 }
 */
export function moveCursor(c: GridCursor, dx: number, dy: number, nx: number, ny: number): GridCursor {
  return clampCursor({ ix: c.ix + dx, iy: c.iy + dy }, nx, ny);
}

/** True when both cursors are on the same grid point. */
export function sameCursor(a: GridCursor, b: GridCursor): boolean {
  return a.ix === b.ix && a.iy === b.iy;
}

/**
 * The reading at a grid point: its coordinates and every surface's value there (NaN where a
 * surface is shorter than the grid).
 *
 * @example readAt(frame, snapshot.surfaces, { ix: 20, iy: 20 }).values.train_loss
 */
export function readAt(
  frame: GridFrame,
  surfaces: Readonly<Record<string, ArrayLike<number>>>,
  c: GridCursor,
): GridReading {
  const { ix, iy } = clampCursor(c, frame.x.count, frame.y.count);
  const i = iy * frame.x.count + ix;
  const values: Record<string, number> = {};
  for (const [name, surface] of Object.entries(surfaces))
    values[name] = i < surface.length ? surface[i] : Number.NaN;
  return { ix, iy, x: indexToCoord(frame.x, ix), y: indexToCoord(frame.y, iy), values };
}

/** A move on the screen: right (+1) / left (-1) and away from the viewer (+1) / towards (-1). */
export interface ScreenStep {
  right: number;
  away: number;
}

/**
 * A screen-relative step of the 3D view's cursor as grid steps (dx, dy), snapped to the grid axis
 * closest to the direction on screen. `azimuth` is the camera's angle around the vertical axis
 * (OrbitControls' theta, atan2(offset.x, offset.z) of camera minus target): 0 is the home side
 * (+z), where grid x runs right and grid y away from the viewer (geometry.ts).
 *
 * @example screenStepToGrid({ right: 1, away: 0 }, 0) // { dx: 1, dy: 0 }
 * @example screenStepToGrid({ right: 1, away: 0 }, Math.PI / 2) // { dx: 0, dy: 1 } (camera at +x)
 */
export function screenStepToGrid(step: ScreenStep, azimuth: number): { dx: number; dy: number } {
  const a = Number.isFinite(azimuth) ? azimuth : 0;
  const s = Math.sin(a);
  const c = Math.cos(a);
  // World: right = (cos a, 0, -sin a), away = (-sin a, 0, -cos a); grid (x, y) = (world x, -world z).
  const gx = step.right * c - step.away * s;
  const gy = step.right * s + step.away * c;
  const length = Math.hypot(gx, gy);
  if (length < 1e-9) return { dx: 0, dy: 0 };
  // Whole steps along the dominant axis, as many as the step is long (Shift moves five).
  const n = Math.round(length);
  return Math.abs(gx) >= Math.abs(gy) ? { dx: Math.sign(gx) * n, dy: 0 } : { dx: 0, dy: Math.sign(gy) * n };
}

/**
 * A screen-relative step of the cursor on a 1-D curve (drawn in the plane z = 0): left and right
 * move along the curve (mirrored when the camera looks from behind), away and towards do nothing.
 *
 * @example screenStepToCurve({ right: 5, away: 0 }, Math.PI) // -5
 */
export function screenStepToCurve(step: ScreenStep, azimuth: number): number {
  const behind = Number.isFinite(azimuth) && Math.cos(azimuth) < 0;
  return behind ? -step.right : step.right;
}
