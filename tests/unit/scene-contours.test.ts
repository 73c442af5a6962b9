import { describe, expect, it } from "vitest";
import { contourLevels, contourPositions, gridContourSegments } from "../../src/scene/contours";
import { SURFACE_HEIGHT } from "../../src/scene/geometry";
import { d3ContourSegments } from "./helpers/d3-contour-segments";

/** A cone t = distance from the centre on an n x n grid over [-1, 1]^2 (so t = r in world units). */
function cone(n: number): Float32Array {
  const v = new Float32Array(n * n);
  for (let iy = 0; iy < n; iy++)
    for (let ix = 0; ix < n; ix++) {
      const x = -1 + (2 * ix) / (n - 1);
      const y = -1 + (2 * iy) / (n - 1);
      v[iy * n + ix] = Math.hypot(x, y);
    }
  return v;
}

/** Endpoints of the segments of one level, as "x,y" keys rounded to 1e-4. */
function endpointCounts(segments: Float32Array, levels: Float32Array, level: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let s = 0; s < levels.length; s++) {
    if (levels[s] !== Math.fround(level)) continue;
    for (const k of [0, 2]) {
      const key = `${segments[s * 4 + k].toFixed(4)},${segments[s * 4 + k + 1].toFixed(4)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

describe("contour levels", () => {
  it("are evenly spaced strictly inside (0, 1)", () => {
    expect(contourLevels(3)).toEqual([0.25, 0.5, 0.75]);
    expect(contourLevels(0)).toEqual([]);
    expect(contourLevels(-2)).toEqual([]);
  });
});

describe("contour lines", () => {
  const n = 41;
  const spacing = 2 / (n - 1);
  const centre = (n - 1) / 2;

  it("of a cone are closed rings at the radius of each level", () => {
    const { segments, levels } = gridContourSegments(cone(n), n, n, [0.3, 0.6]);
    expect(segments.length).toBe(levels.length * 4);
    for (const level of [0.3, 0.6]) {
      const counts = endpointCounts(segments, levels, level);
      expect(counts.size).toBeGreaterThan(20);
      // Closed: every endpoint is shared by exactly two segments.
      for (const c of counts.values()) expect(c).toBe(2);
      for (const key of counts.keys()) {
        const [x, y] = key.split(",").map(Number);
        const r = Math.hypot(x - centre, y - centre) * spacing;
        // Linear interpolation of a cone along grid edges: off by well under a grid cell.
        expect(Math.abs(r - level)).toBeLessThan(0.2 * spacing);
      }
    }
  });

  it("are cut where a ring would run along the border", () => {
    // Level 1.2 > 1: the circle leaves the square; only its four corner arcs remain.
    const { segments } = gridContourSegments(cone(n), n, n, [1.2]);
    expect(segments.length).toBeGreaterThan(0);
    for (const c of segments) {
      expect(c).toBeGreaterThanOrEqual(0);
      expect(c).toBeLessThanOrEqual(n - 1);
    }
  });

  it("of a constant surface are empty, also at a level equal to the constant", () => {
    const flat = new Float32Array(25).fill(0.5);
    expect(gridContourSegments(flat, 5, 5, [0.25, 0.5, 0.75]).segments.length).toBe(0);
  });

  it("survive NaN: no line runs through or around a hole", () => {
    const v = cone(n);
    for (let iy = 5; iy < 12; iy++) for (let ix = 18; ix < 23; ix++) v[iy * n + ix] = Number.NaN;
    v[0] = Number.POSITIVE_INFINITY;
    const { segments, levels } = gridContourSegments(v, n, n, [0.3, 0.6]);
    expect(levels.length).toBeGreaterThan(0);
    for (let s = 0; s < levels.length; s++) {
      const mx = (segments[s * 4] + segments[s * 4 + 2]) / 2;
      const my = (segments[s * 4 + 1] + segments[s * 4 + 3]) / 2;
      const cx = Math.floor(mx);
      const cy = Math.floor(my);
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ])
        expect(Number.isFinite(v[(cy + dy) * n + cx + dx])).toBe(true);
    }
    // A plateau with a hole in it has no level lines at all (d3 alone would ring the hole).
    const plateau = new Float32Array(100).fill(0.2);
    plateau[44] = Number.NaN;
    expect(gridContourSegments(plateau, 10, 10, [0.1, 0.5]).segments.length).toBe(0);
    const allNaN = new Float32Array(9).fill(Number.NaN);
    expect(gridContourSegments(allNaN, 3, 3, [0.5]).segments.length).toBe(0);
  });

  it("reject a size that does not match the values", () => {
    expect(() => gridContourSegments(new Float32Array(8), 3, 3, [0.5])).toThrow(
      /8 values, expected 3 x 3 = 9/,
    );
    expect(() => gridContourSegments(new Float32Array(3), 3, 1, [0.5])).toThrow(/at least 2 x 2/);
  });

  it("lie on the surface in world space, slightly lifted", () => {
    const positions = contourPositions(cone(n), n, n, [0.5], 2, 0.01);
    expect(positions.length % 6).toBe(0);
    expect(positions.length).toBeGreaterThan(0);
    for (let i = 0; i < positions.length; i += 3) {
      expect(positions[i + 1]).toBeCloseTo(0.5 * 2 * SURFACE_HEIGHT + 0.01, 5);
      // World radius of the level-0.5 ring: half the box.
      expect(Math.hypot(positions[i], positions[i + 2])).toBeCloseTo(0.5, 1);
    }
  });
});

/** Segments as sorted "level|x0,y0,x1,y1" keys (the two extractors emit them in different orders). */
function segmentKeys({ segments, levels }: { segments: Float32Array; levels: Float32Array }): string[] {
  const keys: string[] = [];
  for (let s = 0; s < levels.length; s++)
    keys.push(`${levels[s]}|${Array.from(segments.subarray(s * 4, s * 4 + 4)).join(",")}`);
  return keys.sort();
}

/** A seeded uniform [0, 1) generator (Park-Miller), for reproducible test surfaces. */
function uniform(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
}

describe("contour segments from marching squares", () => {
  const levels12 = contourLevels(12);
  const hills = (n: number) => {
    const v = new Float32Array(n * n);
    for (let iy = 0; iy < n; iy++)
      for (let ix = 0; ix < n; ix++) {
        const x = -1 + (2 * ix) / (n - 1);
        const y = -1 + (2 * iy) / (n - 1);
        const t = 0.3 * (x * x + 0.5 * y * y) + 0.1 * Math.sin(9 * x) * Math.cos(7 * y) + 0.2;
        v[iy * n + ix] = Math.min(1, Math.max(0, t));
      }
    return v;
  };
  const random = uniform(7);
  const surfaces: [string, Float32Array, number, number, number[]][] = [
    ["a cone", cone(41), 41, 41, [0.3, 0.6, 0.9, 1.2]],
    ["smooth hills, 12 levels, 101 x 101", hills(101), 101, 101, levels12],
    [
      "uniform noise on a 37 x 23 grid (saddles everywhere)",
      new Float32Array(37 * 23).map(random),
      37,
      23,
      levels12,
    ],
    [
      "hills with 5% holes and infinities",
      hills(61).map((t, i) => (random() < 0.05 ? [Number.NaN, Number.POSITIVE_INFINITY][i % 2] : t)),
      61,
      61,
      levels12,
    ],
    ["hills clipped to a plateau", hills(61).map((t) => Math.min(t, 0.35)), 61, 61, levels12],
    ["unsorted and repeated levels", hills(31), 31, 31, [0.5, 0.25, Number.NaN, 0.5]],
  ];

  for (const [name, values, nx, ny, levels] of surfaces)
    it(`are exactly the segments cut from d3-contour's rings: ${name}`, () => {
      const fast = gridContourSegments(values, nx, ny, levels);
      const reference = d3ContourSegments(values, nx, ny, levels);
      expect(fast.segments.length).toBe(fast.levels.length * 4);
      expect(fast.levels.length).toBeGreaterThan(0);
      expect(segmentKeys(fast)).toEqual(segmentKeys(reference));
    });

  it("keep, unlike d3-contour, a line along a grid edge whose two ends lie exactly on the level", () => {
    // Two neighbours exactly at the level, everything else below: d3-contour's ring around them
    // has no area, counts as a hole in nothing and is dropped; here the edge is a level line.
    const v = new Float32Array(25).fill(0.1);
    v[12] = 0.5;
    v[13] = 0.5;
    const fast = segmentKeys(gridContourSegments(v, 5, 5, [0.5]));
    expect(fast).toEqual(["0.5|2,2,3,2", "0.5|3,2,2,2"]);
    expect(segmentKeys(d3ContourSegments(v, 5, 5, [0.5]))).toEqual([]);
  });

  it("take a few milliseconds on a 201 x 201 grid with 12 levels", () => {
    const v = hills(201);
    gridContourSegments(v, 201, 201, levels12);
    const start = performance.now();
    for (let i = 0; i < 5; i++) gridContourSegments(v, 201, 201, levels12);
    // About 2 ms here (d3-contour's rings: 12-27 ms); a generous bound for busy machines.
    expect((performance.now() - start) / 5).toBeLessThan(40);
  });
});
