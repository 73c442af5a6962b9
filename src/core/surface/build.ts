/**
 * Everything the 3D view draws of a surface, built in one call from the grid values: the mesh
 * arrays (positions, normals, colours, triangles, wireframe), the decimated index drawn while
 * the camera moves, the contour line segments and the bounding sphere. The surface worker
 * (workers/surface.worker.ts) runs it so that a 201 x 201 grid never blocks the page; the 3D
 * view runs it itself only when the worker is unavailable.
 *
 * @example
 * const built = buildSurface({ values, nx: 201, ny: 201, scale: { lo, hi, log: true },
 *   exaggeration: 1, lut: colormapLut("viridis"), levels: contourLevels(12), lodStride: 2 });
 */
import { contourPositions } from "./contours";
import {
  allocateSurfaceArrays,
  boundingSphereOf,
  fillLodIndex,
  type SurfaceArrays,
  updateSurfaceArrays,
} from "./mesh";
import { type ScaleRange, scaleNormalizer } from "./normalize";

export interface SurfaceRequest {
  /** [ny, nx] row-major values (x fastest); non-finite values are holes. */
  values: Float32Array;
  nx: number;
  ny: number;
  /** The colour and height scale's range (scene/scale.ts fits it). */
  scale: ScaleRange;
  exaggeration: number;
  /** 256 x 3 sRGB bytes of the colormap. */
  lut: Uint8Array;
  /** Contour levels in normalized units t; empty: no contour lines. */
  levels: readonly number[];
  /** Grid steps of the decimated index (lodStride); 1: none is built. */
  lodStride: number;
}

export interface SurfaceBuild extends SurfaceArrays {
  /** The decimated index (fillLodIndex), valid up to lodIndexCount; empty when lodStride is 1. */
  lodIndex: Uint32Array;
  lodIndexCount: number;
  /** Contour line segments in world space, [m * 2, 3] flat (contourPositions). */
  contours: Float32Array;
  /** Bounding sphere of the positions: [cx, cy, cz, r]. */
  sphere: [number, number, number, number];
  /**
   * The grid points that are holes (non-finite heights), ascending. The three indices depend on
   * nothing else, so two builds with equal `holes` have equal indices (no need to compare them).
   */
  holes: Int32Array;
}

/** Build the surface a request describes; throws (with what was wrong) on bad sizes or a bad LUT. */
export function buildSurface(request: SurfaceRequest): SurfaceBuild {
  const { values, nx, ny, exaggeration, lut, levels, lodStride } = request;
  const arrays = updateSurfaceArrays(allocateSurfaceArrays(nx, ny), values, {
    scale: { normalize: scaleNormalizer(request.scale) },
    exaggeration,
    lut,
  });
  let lodIndex = new Uint32Array(0);
  let lodIndexCount = 0;
  if (lodStride > 1) {
    lodIndex = new Uint32Array(arrays.index.length);
    lodIndexCount = fillLodIndex(arrays.heights, nx, ny, lodStride, lodIndex);
  }
  const contours =
    levels.length > 0 ? contourPositions(arrays.heights, nx, ny, levels, exaggeration) : new Float32Array(0);
  let holeCount = 0;
  for (let i = 0; i < arrays.heights.length; i++) if (!Number.isFinite(arrays.heights[i])) holeCount++;
  const holes = new Int32Array(holeCount);
  for (let i = 0, k = 0; i < arrays.heights.length; i++)
    if (!Number.isFinite(arrays.heights[i])) holes[k++] = i;
  return { ...arrays, lodIndex, lodIndexCount, contours, sphere: boundingSphereOf(arrays.positions), holes };
}
