/**
 * Contour lines of a grid as line segments, straight from marching squares: no rings, no
 * polygons, one pass over the cells.
 *
 * The lines are those d3-contour draws (the 3D view and the contour map drew d3-contour's rings
 * before): the same case table (saddles included), the same linear interpolation along the grid
 * edges, each segment in the direction d3-contour's rings run; in d3-contour's pixel space grid
 * point (ix, iy) sits at (ix + 0.5, iy + 0.5), here at (ix, iy). Of d3-contour's output only
 * what is a level line is kept: a segment is kept if the grid cell that contains its midpoint has
 * four finite corners (the cells the surface mesh draws), so nothing runs along the grid border
 * or around a hole. Non-finite values count as below every level (d3-contour: NaN is -Infinity).
 * tests/unit/scene-contours.test.ts checks the segments equal those cut from d3-contour's rings.
 */
import { heightOf, indexToWorld } from "./mesh";

/**
 * `count` evenly spaced levels strictly inside (0, 1): k / (count + 1), k = 1..count.
 *
 * @example contourLevels(3) // [0.25, 0.5, 0.75]
 */
export function contourLevels(count: number): number[] {
  const n = Number.isFinite(count) ? Math.max(0, Math.floor(count)) : 0;
  return Array.from({ length: n }, (_, k) => (k + 1) / (n + 1));
}

/**
 * Marching-squares cases, d3-contour's table: case = t0 | t1 << 1 | t2 << 2 | t3 << 3 with t the
 * "value >= level" bits of the corners (ix, iy + 1), (ix + 1, iy + 1), (ix + 1, iy), (ix, iy).
 * Each line runs from one cell edge to another: B (row iy + 1), L (column ix), R (column ix + 1),
 * T (row iy) — d3's local points (1, 1.5), (0.5, 1), (1.5, 1), (1, 0.5).
 */
const B = 0;
const L = 1;
const R = 2;
const T = 3;
const CASES: readonly (readonly number[])[] = [
  [],
  [B, L],
  [R, B],
  [R, L],
  [T, R],
  [B, L, T, R],
  [T, B],
  [T, L],
  [L, T],
  [B, T],
  [L, T, R, B],
  [R, T],
  [L, R],
  [B, R],
  [L, B],
  [],
];

/**
 * d3-contour's interpolation of a point at coordinate `x` on an edge between values v0 and v1
 * (non-finite values as -Infinity), written the same way so the numbers agree to the last bit.
 */
function smooth1(x: number, v0: number, v1: number, value: number): number {
  const a = value - v0;
  const b = v1 - v0;
  const d = Number.isFinite(a) || Number.isFinite(b) ? a / b : Math.sign(a) / Math.sign(b);
  return Number.isNaN(d) ? x : x + d - 0.5;
}

/** A Float32Array that grows by doubling. */
class Growing {
  data: Float32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Float32Array(Math.max(16, capacity));
  }
  reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    const next = new Float32Array(Math.max(this.data.length * 2, this.length + extra));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  result(): Float32Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * Level-line segments in grid index space: [m, 4] (fx0, fy0, fx1, fy1) fractional indices, plus
 * the level of each segment. Segments are exactly on the grid edges they cross, so consecutive
 * segments of a closed line share endpoints. Non-finite levels are ignored; the segments come
 * cell by cell (row-major), in ascending level order within a cell.
 *
 * @example gridContourSegments(t, 51, 51, contourLevels(8)).segments
 */
export function gridContourSegments(
  values: ArrayLike<number>,
  nx: number,
  ny: number,
  levels: readonly number[],
): { segments: Float32Array; levels: Float32Array } {
  if (!Number.isInteger(nx) || !Number.isInteger(ny) || nx < 2 || ny < 2)
    throw new Error(`contours need at least 2 x 2 grid points, got ${nx} x ${ny}`);
  if (values.length !== nx * ny)
    throw new Error(`surface has ${values.length} values, expected ${nx} x ${ny} = ${nx * ny}`);
  const sorted = levels.filter((l) => Number.isFinite(l)).sort((a, b) => a - b);
  if (sorted.length === 0) return { segments: new Float32Array(0), levels: new Float32Array(0) };

  // Values as doubles, non-finite ones as -Infinity (below every level, d3-contour's `valid`).
  const n = nx * ny;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = values[i];
    v[i] = Number.isFinite(x) ? x : Number.NEGATIVE_INFINITY;
  }
  // Cells whose four corners are finite: the only places a level line is drawn.
  const cellOk = new Uint8Array((nx - 1) * (ny - 1));
  for (let iy = 0; iy < ny - 1; iy++) {
    for (let ix = 0; ix < nx - 1; ix++) {
      const a = iy * nx + ix;
      cellOk[iy * (nx - 1) + ix] =
        v[a] > Number.NEGATIVE_INFINITY &&
        v[a + 1] > Number.NEGATIVE_INFINITY &&
        v[a + nx] > Number.NEGATIVE_INFINITY &&
        v[a + nx + 1] > Number.NEGATIVE_INFINITY
          ? 1
          : 0;
    }
  }

  const out = new Growing(4096);
  const outLevels = new Growing(1024);
  // The endpoint of a case-table point in cell (ix, iy), in grid index space (d3's pixel space
  // minus 0.5, as the old ring cutting did).
  let px = 0;
  let py = 0;
  const point = (p: number, ix: number, iy: number, level: number) => {
    const a = iy * nx + ix;
    if (p === T) {
      px = smooth1(1.0 + ix, v[a], v[a + 1], level) - 0.5;
      py = 0.5 + iy - 0.5;
    } else if (p === B) {
      px = smooth1(1.0 + ix, v[a + nx], v[a + nx + 1], level) - 0.5;
      py = 1.5 + iy - 0.5;
    } else if (p === L) {
      px = 0.5 + ix - 0.5;
      py = smooth1(1.0 + iy, v[a], v[a + nx], level) - 0.5;
    } else {
      px = 1.5 + ix - 0.5;
      py = smooth1(1.0 + iy, v[a + 1], v[a + nx + 1], level) - 0.5;
    }
  };
  const segmentsOf = (ix: number, iy: number, level: number) => {
    const a = iy * nx + ix;
    const code =
      (v[a + nx] >= level ? 1 : 0) |
      (v[a + nx + 1] >= level ? 2 : 0) |
      (v[a + 1] >= level ? 4 : 0) |
      (v[a] >= level ? 8 : 0);
    const lines = CASES[code];
    for (let k = 0; k < lines.length; k += 2) {
      point(lines[k], ix, iy, level);
      const x0 = px;
      const y0 = py;
      point(lines[k + 1], ix, iy, level);
      const x1 = px;
      const y1 = py;
      if (x0 === x1 && y0 === y1) continue;
      // The cell a segment crosses contains its midpoint (for a segment along a cell edge that
      // may be the neighbouring cell: the rule of the old ring cutting, kept as it was).
      const mx = (x0 + x1) / 2;
      const my = (y0 + y1) / 2;
      if (mx < 0 || my < 0 || mx > nx - 1 || my > ny - 1) continue;
      const cx = Math.min(nx - 2, Math.floor(mx));
      const cy = Math.min(ny - 2, Math.floor(my));
      if (!cellOk[cy * (nx - 1) + cx]) continue;
      out.reserve(4);
      out.data[out.length++] = x0;
      out.data[out.length++] = y0;
      out.data[out.length++] = x1;
      out.data[out.length++] = y1;
      outLevels.reserve(1);
      outLevels.data[outLevels.length++] = level;
    }
  };

  // One pass over the cells; a cell with corner range [lo, hi] is crossed by the levels in
  // (lo, hi] (all corners below a level: case 0; all at or above it: case 15).
  const count = sorted.length;
  for (let iy = 0; iy < ny - 1; iy++) {
    for (let ix = 0; ix < nx - 1; ix++) {
      const a = iy * nx + ix;
      const v0 = v[a];
      const v1 = v[a + 1];
      const v2 = v[a + nx];
      const v3 = v[a + nx + 1];
      const lo = Math.min(v0, v1, v2, v3);
      const hi = Math.max(v0, v1, v2, v3);
      if (hi < sorted[0] || lo >= sorted[count - 1]) continue;
      // First level above lo (binary search), then every level up to hi.
      let first = 0;
      let last = count;
      while (first < last) {
        const mid = (first + last) >> 1;
        if (sorted[mid] > lo) last = mid;
        else first = mid + 1;
      }
      for (let k = first; k < count && sorted[k] <= hi; k++) segmentsOf(ix, iy, sorted[k]);
    }
  }
  return { segments: out.result(), levels: outLevels.result() };
}

/**
 * Contour lines of normalized heights t (see updateSurfaceArrays) as world-space segment
 * endpoints, [m * 2, 3] flat, lifted `lift` above the surface. A level line sits at height
 * heightOf(level), which is exactly on the mesh along the grid edges it crosses.
 *
 * @example const positions = contourPositions(arrays.heights, 51, 51, contourLevels(10), 1.5);
 */
export function contourPositions(
  heights: ArrayLike<number>,
  nx: number,
  ny: number,
  levels: readonly number[],
  exaggeration: number,
  lift = 0.004,
): Float32Array {
  const { segments, levels: segmentLevels } = gridContourSegments(heights, nx, ny, levels);
  const m = segmentLevels.length;
  const positions = new Float32Array(m * 6);
  for (let s = 0; s < m; s++) {
    const y = heightOf(segmentLevels[s], exaggeration) + lift;
    const o = s * 6;
    positions[o] = indexToWorld(segments[s * 4], nx);
    positions[o + 1] = y;
    positions[o + 2] = -indexToWorld(segments[s * 4 + 1], ny);
    positions[o + 3] = indexToWorld(segments[s * 4 + 2], nx);
    positions[o + 4] = y;
    positions[o + 5] = -indexToWorld(segments[s * 4 + 3], ny);
  }
  return positions;
}
