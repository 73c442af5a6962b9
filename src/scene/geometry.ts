/**
 * Surface geometry as plain typed arrays (no React, no three): the world frame, grid <-> world
 * coordinates, sampling, 1-D curves and the label occlusion test. The surface mesh arrays come
 * from core/surface/mesh.ts (built in the surface worker; the 3D view wraps them in
 * BufferAttributes).
 *
 * World frame: whatever the axis ranges, the grid spans the box [-1, 1] x [-1, 1] in world x and
 * z. Grid axis 0 ("x") runs along world +x; grid axis 1 ("y") runs along world -z, so with the
 * camera in front (+z) x goes right and y goes away from the viewer, as on a printed plot.
 * Height is world y = t * exaggeration * SURFACE_HEIGHT with t = scale.normalize(v) in [0, 1]:
 * the lowest value sits on y = 0, the clipped top on y = SURFACE_HEIGHT * exaggeration.
 *
 * Grids are flat row-major Float32Arrays with x fastest: index = iy * nx + ix.
 */
import {
  indexToWorld,
  SRGB_TO_LINEAR,
  SURFACE_HALF_EXTENT,
  SURFACE_HEIGHT,
  type SurfaceStyle,
} from "../core/surface/mesh";

// The mesh arrays themselves are built in core (also in the surface worker); re-exported here
// so the scene keeps one module for its geometry.
export {
  allocateSurfaceArrays,
  buildSurfaceArrays,
  heightOf,
  indexToWorld,
  SRGB_TO_LINEAR,
  SURFACE_HALF_EXTENT,
  SURFACE_HEIGHT,
  type SurfaceArrays,
  type SurfaceStyle,
  updateSurfaceArrays,
  wireStride,
} from "../core/surface/mesh";

/** The part of a snapshot axis the geometry needs ({ label, min, max, count } fits). */
export interface AxisRange {
  label?: string;
  min: number;
  max: number;
  count: number;
}

/** The two axes of a 2-D grid; for a 1-D landscape use `frameOf([axis])` (y becomes a dummy). */
export interface GridFrame {
  x: AxisRange;
  y: AxisRange;
}

/** A frame from snapshot axes; a single axis gets a one-point y axis at coordinate 0. */
export function frameOf(axes: readonly AxisRange[]): GridFrame {
  if (axes.length < 1 || axes.length > 2) throw new Error(`a grid has 1 or 2 axes, got ${axes.length}`);
  return { x: axes[0], y: axes[1] ?? { min: -1, max: 1, count: 1 } };
}

/** Axis coordinate -> world position in [-1, 1] (outside for coordinates beyond the range). */
function axisToWorld(axis: AxisRange, c: number): number {
  return -SURFACE_HALF_EXTENT + (2 * SURFACE_HALF_EXTENT * (c - axis.min)) / (axis.max - axis.min);
}

/** World position -> axis coordinate; the inverse of axisToWorld. */
function worldToAxis(axis: AxisRange, w: number): number {
  return axis.min + ((w + SURFACE_HALF_EXTENT) / (2 * SURFACE_HALF_EXTENT)) * (axis.max - axis.min);
}

/**
 * Grid coordinates (x, y) -> world (x, z).
 *
 * @example gridToWorld({ x: { min: -1, max: 1, count: 51 }, y: { min: -1, max: 1, count: 51 } }, 0, 1) // [0, -1]
 */
export function gridToWorld(frame: GridFrame, x: number, y: number): [number, number] {
  return [axisToWorld(frame.x, x), -axisToWorld(frame.y, y)];
}

/** World (x, z) -> grid coordinates (x, y); the inverse of gridToWorld. */
export function worldToGrid(frame: GridFrame, wx: number, wz: number): [number, number] {
  return [worldToAxis(frame.x, wx), worldToAxis(frame.y, -wz)];
}

/** Fractional index of coordinate c on an axis: 0 at min, count - 1 at max. */
export function coordToIndex(axis: AxisRange, c: number): number {
  return ((c - axis.min) / (axis.max - axis.min)) * (axis.count - 1);
}

/** Coordinate of grid index k on an axis: min + k (max - min) / (count - 1). */
export function indexToCoord(axis: AxisRange, k: number): number {
  return axis.count > 1 ? axis.min + (k * (axis.max - axis.min)) / (axis.count - 1) : 0;
}

/** Grid point nearest to grid coordinates (x, y), clamped into the grid. */
export function nearestGridPoint(frame: GridFrame, x: number, y: number): { ix: number; iy: number } {
  const clampIndex = (k: number, n: number) => Math.min(n - 1, Math.max(0, Math.round(k)));
  return {
    ix: clampIndex(coordToIndex(frame.x, x), frame.x.count),
    iy: frame.y.count > 1 ? clampIndex(coordToIndex(frame.y, y), frame.y.count) : 0,
  };
}

/**
 * Bilinear interpolation of a grid at fractional indices (fx, fy), clamped to the grid. Non-finite
 * corners are left out (the finite ones are re-weighted), so points next to a hole still get a
 * value; NaN only when every corner with weight is non-finite.
 *
 * @example sampleBilinear(heights, 51, 51, 25.5, 10) // halfway between two points of row 10
 */
export function sampleBilinear(
  values: ArrayLike<number>,
  nx: number,
  ny: number,
  fx: number,
  fy: number,
): number {
  const x = Math.min(nx - 1, Math.max(0, fx));
  const y = Math.min(ny - 1, Math.max(0, fy));
  const x0 = Math.min(nx - 1, Math.floor(x));
  const y0 = Math.min(ny - 1, Math.floor(y));
  const x1 = Math.min(nx - 1, x0 + 1);
  const y1 = Math.min(ny - 1, y0 + 1);
  const ax = x - x0;
  const ay = y - y0;
  let sum = 0;
  let weight = 0;
  const add = (ix: number, iy: number, w: number) => {
    const v = values[iy * nx + ix];
    if (w > 0 && Number.isFinite(v)) {
      sum += w * v;
      weight += w;
    }
  };
  add(x0, y0, (1 - ax) * (1 - ay));
  add(x1, y0, ax * (1 - ay));
  add(x0, y1, (1 - ax) * ay);
  add(x1, y1, ax * ay);
  // A point exactly on a vertex gives weight 1 to that vertex only.
  return weight > 0 ? sum / weight : Number.NaN;
}

/**
 * A 1-D landscape as line segments (pairs of endpoints) in the plane z = 0: x from the axis,
 * height from the scale, one colour per endpoint. Pieces touching a non-finite value are left out.
 *
 * @example const { positions, colors, count } = curveSegments(loss, { scale, exaggeration: 1, lut });
 */
export function curveSegments(
  values: Float32Array,
  style: SurfaceStyle,
): { positions: Float32Array; colors: Float32Array; count: number } {
  const n = values.length;
  if (n < 2) throw new Error(`a curve needs at least 2 points, got ${n}`);
  const k = style.exaggeration * SURFACE_HEIGHT;
  const positions = new Float32Array((n - 1) * 6);
  const colors = new Float32Array((n - 1) * 6);
  let count = 0;
  let prev = style.scale.normalize(values[0]);
  for (let i = 1; i < n; i++) {
    const t = style.scale.normalize(values[i]);
    if (Number.isFinite(prev) && Number.isFinite(t)) {
      const p = count * 6;
      positions.set([indexToWorld(i - 1, n), prev * k, 0, indexToWorld(i, n), t * k, 0], p);
      const c0 = Math.round(prev * 255) * 3;
      const c1 = Math.round(t * 255) * 3;
      const lut = style.lut;
      colors.set(
        [
          SRGB_TO_LINEAR[lut[c0]],
          SRGB_TO_LINEAR[lut[c0 + 1]],
          SRGB_TO_LINEAR[lut[c0 + 2]],
          SRGB_TO_LINEAR[lut[c1]],
          SRGB_TO_LINEAR[lut[c1 + 1]],
          SRGB_TO_LINEAR[lut[c1 + 2]],
        ],
        p,
      );
      count++;
    }
    prev = t;
  }
  return { positions, colors, count };
}

/** What the label occlusion test needs of a drawn surface. */
export interface Heightfield {
  /** Normalized heights t (NaN for holes), [ny, nx] row-major. */
  heights: ArrayLike<number>;
  nx: number;
  ny: number;
  exaggeration: number;
}

/**
 * Does the segment from `from` to `to` (world points) pass below the surface? Marches `steps`
 * samples over the first `reach` fraction of the segment (the end is left out so that a point
 * lying on the surface does not hide itself); holes and points outside the grid never occlude.
 *
 * @example segmentBelowSurface(camera.position.toArray(), [0, 0, 1.2], field) // false when visible
 */
export function segmentBelowSurface(
  from: readonly number[],
  to: readonly number[],
  field: Heightfield,
  steps = 64,
  reach = 0.95,
): boolean {
  const { heights, nx, ny } = field;
  const k = field.exaggeration * SURFACE_HEIGHT;
  for (let s = 1; s <= steps; s++) {
    const a = (s / steps) * reach;
    const x = from[0] + a * (to[0] - from[0]);
    const y = from[1] + a * (to[1] - from[1]);
    const z = from[2] + a * (to[2] - from[2]);
    if (
      x < -SURFACE_HALF_EXTENT ||
      x > SURFACE_HALF_EXTENT ||
      z < -SURFACE_HALF_EXTENT ||
      z > SURFACE_HALF_EXTENT
    )
      continue;
    const fx = ((x + SURFACE_HALF_EXTENT) / (2 * SURFACE_HALF_EXTENT)) * (nx - 1);
    const fy = ((SURFACE_HALF_EXTENT - z) / (2 * SURFACE_HALF_EXTENT)) * (ny - 1);
    const t = sampleBilinear(heights, nx, ny, fx, fy);
    if (Number.isFinite(t) && y < t * k) return true;
  }
  return false;
}
