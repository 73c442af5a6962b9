/**
 * Where the markers of the 3D view go: the grid extremum of a metric, points draped on the
 * surface, the trajectory polyline, and what a click or hover at a world position reads.
 * Pure functions on typed arrays (no React, no three).
 */
import {
  coordToIndex,
  type GridFrame,
  gridToWorld,
  heightOf,
  indexToCoord,
  nearestGridPoint,
  sampleBilinear,
} from "./geometry";

/** Marker colours (exported so a panel can show a key): distinct from the perceptual colormaps. */
export const MARKER_COLORS = {
  /** The trained parameters theta (grid coordinate 0, 0). */
  trained: "#ffffff",
  /** The best grid point of the shown metric (min loss, max accuracy). */
  optimum: "#ff3d7f",
  trajectory: "#ffa726",
  hover: "#e6e9ee",
} as const;

/** World radius of the marker spheres (the grid spans 2 world units). */
export const MARKER_RADIUS = 0.032;

/** Accuracies are better when high; everything else (losses) when low. */
export function higherIsBetter(metric: string): boolean {
  return /acc/i.test(metric);
}

/**
 * Index of the smallest (or, with `max`, largest) finite value, or -1 when none is finite.
 *
 * @example gridExtremum(new Float32Array([3, NaN, 1]), "min") // 2
 */
export function gridExtremum(values: ArrayLike<number>, mode: "min" | "max"): number {
  let best = -1;
  let bestValue = mode === "min" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (mode === "min" ? v < bestValue : v > bestValue) {
      best = i;
      bestValue = v;
    }
  }
  return best;
}

/**
 * World position [x, y, z] of grid coordinates (x, y) lying on the surface: height from the
 * normalized heights (t in [0, 1], NaN holes) interpolated bilinearly, plus `lift`. Outside the
 * grid the height of the nearest edge is used; inside a hole the height is NaN.
 */
export function pointOnSurface(
  frame: GridFrame,
  heights: ArrayLike<number>,
  x: number,
  y: number,
  exaggeration: number,
  lift = 0,
): [number, number, number] {
  const nx = frame.x.count;
  const ny = frame.y.count;
  const t = sampleBilinear(heights, nx, ny, coordToIndex(frame.x, x), ny > 1 ? coordToIndex(frame.y, y) : 0);
  const [wx, wz] = gridToWorld(frame, x, y);
  return [wx, heightOf(t, exaggeration) + lift, ny > 1 ? wz : 0];
}

/**
 * The optimizer's path draped on the surface. `coords` is [n, 2] row-major grid coordinates of
 * the checkpoints. Each leg is split into pieces about one grid cell long so that the line
 * follows the surface instead of cutting through hills. Points over holes fall back to
 * `fallbackT` (normalized, e.g. the checkpoint's own loss) or to the floor.
 *
 * @returns path: [m, 3] world points of the polyline; dots: [n, 3] world points of the checkpoints.
 */
export function trajectoryWorld(
  frame: GridFrame,
  heights: ArrayLike<number>,
  coords: Float32Array,
  exaggeration: number,
  lift: number,
  fallbackT?: (checkpoint: number) => number,
): { path: Float32Array; dots: Float32Array } {
  if (coords.length % 2 !== 0)
    throw new Error(`trajectory coords must be [n, 2], got ${coords.length} numbers`);
  const n = coords.length / 2;
  const dots = new Float32Array(n * 3);
  const cellX = (frame.x.max - frame.x.min) / Math.max(1, frame.x.count - 1);
  const cellY = (frame.y.max - frame.y.min) / Math.max(1, frame.y.count - 1);
  const points: number[] = [];
  const put = (x: number, y: number, checkpoint: number, into: number[] | null, at = 0) => {
    let p = pointOnSurface(frame, heights, x, y, exaggeration, lift);
    if (!Number.isFinite(p[1])) {
      const t = fallbackT ? fallbackT(checkpoint) : Number.NaN;
      p = [p[0], heightOf(Number.isFinite(t) ? t : 0, exaggeration) + lift, p[2]];
    }
    if (into) into.push(p[0], p[1], p[2]);
    else dots.set(p, at);
  };
  for (let i = 0; i < n; i++) {
    const x = coords[2 * i];
    const y = coords[2 * i + 1];
    put(x, y, i, null, i * 3);
    if (i === 0) {
      put(x, y, i, points);
      continue;
    }
    const x0 = coords[2 * i - 2];
    const y0 = coords[2 * i - 1];
    const steps = Math.min(
      200,
      Math.max(1, Math.ceil(Math.max(Math.abs(x - x0) / cellX, Math.abs(y - y0) / cellY))),
    );
    for (let s = 1; s <= steps; s++) {
      const a = s / steps;
      put(x0 + a * (x - x0), y0 + a * (y - y0), a < 0.5 ? i - 1 : i, points);
    }
  }
  return { path: new Float32Array(points), dots };
}

/** A grid point picked or hovered: its grid coordinates and the values of every surface there. */
export interface GridReading {
  ix: number;
  iy: number;
  /** Grid coordinates of the grid point (snapped), not of the cursor. */
  x: number;
  y: number;
  values: Record<string, number>;
}

/**
 * Read every surface at the grid point nearest to grid coordinates (x, y).
 *
 * @example readGrid(frame, snapshot.surfaces, 0.1, -0.2).values.train_loss
 */
export function readGrid(
  frame: GridFrame,
  surfaces: Readonly<Record<string, ArrayLike<number>>>,
  x: number,
  y: number,
): GridReading {
  const { ix, iy } = nearestGridPoint(frame, x, y);
  const i = iy * frame.x.count + ix;
  const values: Record<string, number> = {};
  for (const [name, surface] of Object.entries(surfaces)) values[name] = surface[i];
  return { ix, iy, x: indexToCoord(frame.x, ix), y: indexToCoord(frame.y, iy), values };
}
