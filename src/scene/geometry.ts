/**
 * Surface geometry as plain typed arrays (no React, no three): the 3D view copies nothing, it
 * wraps these arrays in BufferAttributes once and marks them dirty after each in-place update.
 *
 * World frame: whatever the axis ranges, the grid spans the box [-1, 1] x [-1, 1] in world x and
 * z. Grid axis 0 ("x") runs along world +x; grid axis 1 ("y") runs along world -z, so with the
 * camera in front (+z) x goes right and y goes away from the viewer, as on a printed plot.
 * Height is world y = t * exaggeration * SURFACE_HEIGHT with t = scale.normalize(v) in [0, 1]:
 * the lowest value sits on y = 0, the clipped top on y = SURFACE_HEIGHT * exaggeration.
 *
 * Grids are flat row-major Float32Arrays with x fastest: index = iy * nx + ix.
 */
import type { SurfaceScale } from "./scale";

/** Half the side of the world box the grid spans ([-1, 1] in x and z). */
export const SURFACE_HALF_EXTENT = 1;
/** World height of the top of the scale (t = 1) at exaggeration 1: about a third of the width. */
export const SURFACE_HEIGHT = 0.65;

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
export function axisToWorld(axis: AxisRange, c: number): number {
  return -SURFACE_HALF_EXTENT + (2 * SURFACE_HALF_EXTENT * (c - axis.min)) / (axis.max - axis.min);
}

/** World position -> axis coordinate; the inverse of axisToWorld. */
export function worldToAxis(axis: AxisRange, w: number): number {
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

/** World x (or -z) of grid index k on an axis with n points: -1 .. 1. */
export function indexToWorld(k: number, n: number): number {
  return n > 1 ? -SURFACE_HALF_EXTENT + (2 * SURFACE_HALF_EXTENT * k) / (n - 1) : 0;
}

/** World height of a normalized value t in [0, 1] (NaN stays NaN). */
export function heightOf(t: number, exaggeration: number): number {
  return t * exaggeration * SURFACE_HEIGHT;
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

/** sRGB byte -> linear float: three expects vertex colours in linear space. */
export const SRGB_TO_LINEAR: Float32Array = (() => {
  const table = new Float32Array(256);
  for (let i = 0; i < 256; i++) {
    const c = i / 255;
    table[i] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }
  return table;
})();

/** How values become heights and colours. */
export interface SurfaceStyle {
  scale: SurfaceScale;
  /** Height multiplier (1 = SURFACE_HEIGHT at the top of the scale). */
  exaggeration: number;
  /** 256 x 3 sRGB bytes, from colormapLut. */
  lut: Uint8Array;
}

/**
 * Typed arrays of a surface mesh on an nx x ny grid, reused across updates.
 * `index` holds up to 2 triangles per grid cell; only the first `indexCount` entries are valid
 * (draw range). `lineIndex` holds the grid lines of the wireframe overlay (pairs of vertices,
 * every `lineStride`-th row and column), valid up to `lineIndexCount`.
 */
export interface SurfaceArrays {
  nx: number;
  ny: number;
  /** [nx * ny, 3] world positions; holes get y = 0 (never drawn). */
  positions: Float32Array;
  /** [nx * ny, 3] unit normals from central differences of the heights. */
  normals: Float32Array;
  /** [nx * ny, 3] linear RGB from the colormap; holes are black (never drawn). */
  colors: Float32Array;
  /** [nx * ny] normalized values t in [0, 1], NaN for holes. */
  heights: Float32Array;
  index: Uint32Array;
  indexCount: number;
  lineIndex: Uint32Array;
  lineIndexCount: number;
  lineStride: number;
}

/** Rows/columns between wireframe lines: every one up to about 60 cells, then thinned. */
export function wireStride(n: number): number {
  return Math.max(1, Math.ceil((n - 1) / 60));
}

/** Allocate the arrays of an nx x ny surface (x/z positions filled, heights empty). */
export function allocateSurfaceArrays(nx: number, ny: number): SurfaceArrays {
  if (!Number.isInteger(nx) || !Number.isInteger(ny) || nx < 2 || ny < 2)
    throw new Error(`a surface needs at least 2 x 2 grid points, got ${nx} x ${ny}`);
  const n = nx * ny;
  const positions = new Float32Array(n * 3);
  for (let iy = 0; iy < ny; iy++) {
    for (let ix = 0; ix < nx; ix++) {
      const p = (iy * nx + ix) * 3;
      positions[p] = indexToWorld(ix, nx);
      positions[p + 2] = -indexToWorld(iy, ny);
    }
  }
  const strideX = wireStride(nx);
  const strideY = wireStride(ny);
  const rows = Math.ceil((ny - 1) / strideY) + 1;
  const cols = Math.ceil((nx - 1) / strideX) + 1;
  return {
    nx,
    ny,
    positions,
    normals: new Float32Array(n * 3),
    colors: new Float32Array(n * 3),
    heights: new Float32Array(n).fill(Number.NaN),
    index: new Uint32Array((nx - 1) * (ny - 1) * 6),
    indexCount: 0,
    lineIndex: new Uint32Array((rows * (nx - 1) + cols * (ny - 1)) * 2),
    lineIndexCount: 0,
    lineStride: Math.max(strideX, strideY),
  };
}

/**
 * Build the arrays of a surface: allocate, then fill from the values.
 *
 * @example const a = buildSurfaceArrays(loss, 51, 51, { scale, exaggeration: 1, lut: colormapLut("viridis") });
 */
export function buildSurfaceArrays(
  values: Float32Array,
  nx: number,
  ny: number,
  style: SurfaceStyle,
): SurfaceArrays {
  return updateSurfaceArrays(allocateSurfaceArrays(nx, ny), values, style);
}

/**
 * Refill existing arrays in place from new values (progressive refinement, a new scale, colormap
 * or exaggeration): same array objects, new contents. Returns `arrays`.
 */
export function updateSurfaceArrays(
  arrays: SurfaceArrays,
  values: Float32Array,
  style: SurfaceStyle,
): SurfaceArrays {
  const { nx, ny, positions, normals, colors, heights, index, lineIndex } = arrays;
  const n = nx * ny;
  if (values.length !== n)
    throw new Error(`surface has ${values.length} values, expected ${nx} x ${ny} = ${n}`);
  if (style.lut.length !== 256 * 3)
    throw new Error(`colormap LUT must hold 256 x 3 bytes, got ${style.lut.length}`);
  const k = style.exaggeration * SURFACE_HEIGHT;
  const lut = style.lut;
  for (let i = 0; i < n; i++) {
    const t = style.scale.normalize(values[i]);
    heights[i] = t;
    const p = i * 3;
    if (Number.isFinite(t)) {
      positions[p + 1] = t * k;
      const c = Math.round(t * 255) * 3;
      colors[p] = SRGB_TO_LINEAR[lut[c]];
      colors[p + 1] = SRGB_TO_LINEAR[lut[c + 1]];
      colors[p + 2] = SRGB_TO_LINEAR[lut[c + 2]];
    } else {
      positions[p + 1] = 0;
      colors[p] = 0;
      colors[p + 1] = 0;
      colors[p + 2] = 0;
    }
  }

  // Normals from the world-space slopes: n = (-dh/dx, 1, -dh/dz), one-sided next to holes/edges.
  const dxWorld = (2 * SURFACE_HALF_EXTENT) / (nx - 1);
  const dzWorld = -(2 * SURFACE_HALF_EXTENT) / (ny - 1);
  const finite = (ix: number, iy: number) => Number.isFinite(heights[iy * nx + ix]);
  for (let iy = 0; iy < ny; iy++) {
    for (let ix = 0; ix < nx; ix++) {
      const i = iy * nx + ix;
      const p = i * 3;
      let gx = 0;
      let gz = 0;
      if (Number.isFinite(heights[i])) {
        const l = ix > 0 && finite(ix - 1, iy) ? ix - 1 : ix;
        const r = ix < nx - 1 && finite(ix + 1, iy) ? ix + 1 : ix;
        if (r > l) gx = ((heights[iy * nx + r] - heights[iy * nx + l]) * k) / ((r - l) * dxWorld);
        const d = iy > 0 && finite(ix, iy - 1) ? iy - 1 : iy;
        const u = iy < ny - 1 && finite(ix, iy + 1) ? iy + 1 : iy;
        if (u > d) gz = ((heights[u * nx + ix] - heights[d * nx + ix]) * k) / ((u - d) * dzWorld);
      }
      const inv = 1 / Math.hypot(gx, 1, gz);
      normals[p] = gx === 0 ? 0 : -gx * inv;
      normals[p + 1] = inv;
      normals[p + 2] = gz === 0 ? 0 : -gz * inv;
    }
  }

  // Two triangles per cell whose four corners are all finite, counter-clockwise seen from +y.
  let m = 0;
  for (let iy = 0; iy < ny - 1; iy++) {
    for (let ix = 0; ix < nx - 1; ix++) {
      const a = iy * nx + ix;
      const b = a + 1;
      const c = a + nx;
      const d = c + 1;
      if (
        !Number.isFinite(heights[a]) ||
        !Number.isFinite(heights[b]) ||
        !Number.isFinite(heights[c]) ||
        !Number.isFinite(heights[d])
      )
        continue;
      index[m++] = a;
      index[m++] = b;
      index[m++] = c;
      index[m++] = b;
      index[m++] = d;
      index[m++] = c;
    }
  }
  arrays.indexCount = m;

  // Wireframe overlay: grid lines along every stride-th row and column (and the last ones).
  const sx = wireStride(nx);
  const sy = wireStride(ny);
  let q = 0;
  const edge = (a: number, b: number) => {
    if (Number.isFinite(heights[a]) && Number.isFinite(heights[b])) {
      lineIndex[q++] = a;
      lineIndex[q++] = b;
    }
  };
  for (let iy = 0; iy < ny; iy++) {
    if (iy % sy !== 0 && iy !== ny - 1) continue;
    for (let ix = 0; ix < nx - 1; ix++) edge(iy * nx + ix, iy * nx + ix + 1);
  }
  for (let ix = 0; ix < nx; ix++) {
    if (ix % sx !== 0 && ix !== nx - 1) continue;
    for (let iy = 0; iy < ny - 1; iy++) edge(iy * nx + ix, (iy + 1) * nx + ix);
  }
  arrays.lineIndexCount = q;
  return arrays;
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
