/**
 * The arrays of a surface mesh, filled from a grid of values: plain typed arrays, no DOM and no
 * three, so that they can be built in a worker (workers/surface.worker.ts) and handed to the 3D
 * view, which wraps them in BufferAttributes (scene/SurfaceLayer.tsx).
 *
 * World frame: whatever the axis ranges, the grid spans the box [-1, 1] x [-1, 1] in world x and
 * z. Grid axis 0 ("x") runs along world +x; grid axis 1 ("y") runs along world -z, so with the
 * camera in front (+z) x goes right and y goes away from the viewer, as on a printed plot.
 * Height is world y = t * exaggeration * SURFACE_HEIGHT with t = scale.normalize(v) in [0, 1]:
 * the lowest value sits on y = 0, the clipped top on y = SURFACE_HEIGHT * exaggeration.
 *
 * Grids are flat row-major Float32Arrays with x fastest: index = iy * nx + ix.
 */

/** Half the side of the world box the grid spans ([-1, 1] in x and z). */
export const SURFACE_HALF_EXTENT = 1;
/** World height of the top of the scale (t = 1) at exaggeration 1: about a third of the width. */
export const SURFACE_HEIGHT = 0.65;

/** World x (or -z) of grid index k on an axis with n points: -1 .. 1. */
export function indexToWorld(k: number, n: number): number {
  return n > 1 ? -SURFACE_HALF_EXTENT + (2 * SURFACE_HALF_EXTENT * k) / (n - 1) : 0;
}

/** World height of a normalized value t in [0, 1] (NaN stays NaN). */
export function heightOf(t: number, exaggeration: number): number {
  return t * exaggeration * SURFACE_HEIGHT;
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
  /** The value -> t in [0, 1] map (a scene SurfaceScale, or scaleNormalizer of its range). */
  scale: { normalize(v: number): number };
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
 * Grid steps between the vertices of the decimated mesh drawn while the camera moves: 1 (no
 * decimation) up to `maxCells` cells per side, else enough to get under it.
 *
 * @example lodStride(201) // 2: a 101 x 101 mesh
 */
export function lodStride(n: number, maxCells = 100): number {
  return Math.max(1, Math.ceil((n - 1) / maxCells));
}

/**
 * Index of a decimated mesh over the same vertices: two triangles per block of `stride` x
 * `stride` cells (narrower blocks along the last row and column), with the corner order of the
 * full mesh. A block with a cell the full mesh leaves out (a corner that is a hole) keeps its
 * drawable cells one by one instead, so the holes have the same outline as in the full mesh.
 * Fills `out` (large enough for the full index: (nx - 1)(ny - 1) * 6) and returns the count.
 *
 * @example const count = fillLodIndex(arrays.heights, 201, 201, 2, new Uint32Array(200 * 200 * 6));
 */
export function fillLodIndex(
  heights: ArrayLike<number>,
  nx: number,
  ny: number,
  stride: number,
  out: Uint32Array,
): number {
  if (!Number.isInteger(stride) || stride < 1)
    throw new Error(`LOD stride must be a positive integer, got ${stride}`);
  if (out.length < (nx - 1) * (ny - 1) * 6)
    throw new Error(`LOD index needs ${(nx - 1) * (ny - 1) * 6} entries, got ${out.length}`);
  const finite = (i: number) => Number.isFinite(heights[i]);
  const cellOk = (ix: number, iy: number) => {
    const a = iy * nx + ix;
    return finite(a) && finite(a + 1) && finite(a + nx) && finite(a + nx + 1);
  };
  let m = 0;
  const quad = (a: number, b: number, c: number, d: number) => {
    out[m++] = a;
    out[m++] = b;
    out[m++] = c;
    out[m++] = b;
    out[m++] = d;
    out[m++] = c;
  };
  for (let y0 = 0; y0 < ny - 1; y0 += stride) {
    const y1 = Math.min(ny - 1, y0 + stride);
    for (let x0 = 0; x0 < nx - 1; x0 += stride) {
      const x1 = Math.min(nx - 1, x0 + stride);
      let whole = true;
      for (let iy = y0; iy < y1 && whole; iy++)
        for (let ix = x0; ix < x1 && whole; ix++) whole = cellOk(ix, iy);
      if (whole) {
        quad(y0 * nx + x0, y0 * nx + x1, y1 * nx + x0, y1 * nx + x1);
        continue;
      }
      for (let iy = y0; iy < y1; iy++)
        for (let ix = x0; ix < x1; ix++) {
          const a = iy * nx + ix;
          if (cellOk(ix, iy)) quad(a, a + 1, a + nx, a + nx + 1);
        }
    }
  }
  return m;
}

/**
 * Bounding sphere of vertex positions ([n, 3] flat), as three's BufferGeometry
 * computeBoundingSphere makes it: centre of the bounding box, radius to the farthest vertex.
 * [cx, cy, cz, r]; all zeros for no vertices.
 *
 * @example const [cx, cy, cz, r] = boundingSphereOf(arrays.positions);
 */
export function boundingSphereOf(positions: ArrayLike<number>): [number, number, number, number] {
  const n = Math.floor(positions.length / 3);
  if (n === 0) return [0, 0, 0, 0];
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let minZ = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  let maxZ = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n * 3; i += 3) {
    const x = positions[i];
    const y = positions[i + 1];
    const z = positions[i + 2];
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (z < minZ) minZ = z;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
    if (z > maxZ) maxZ = z;
  }
  const cx = (minX + maxX) * 0.5;
  const cy = (minY + maxY) * 0.5;
  const cz = (minZ + maxZ) * 0.5;
  let r2 = 0;
  for (let i = 0; i < n * 3; i += 3) {
    const dx = cx - positions[i];
    const dy = cy - positions[i + 1];
    const dz = cz - positions[i + 2];
    r2 = Math.max(r2, dx * dx + dy * dy + dz * dz);
  }
  return [cx, cy, cz, Math.sqrt(r2)];
}
