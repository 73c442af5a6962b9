import { describe, expect, it } from "vitest";
import {
  allocateSurfaceArrays,
  buildSurfaceArrays,
  curveSegments,
  frameOf,
  gridToWorld,
  nearestGridPoint,
  SRGB_TO_LINEAR,
  SURFACE_HEIGHT,
  sampleBilinear,
  updateSurfaceArrays,
  worldToGrid,
} from "../../src/scene/geometry";
import {
  gridExtremum,
  higherIsBetter,
  pointOnSurface,
  readGrid,
  trajectoryWorld,
} from "../../src/scene/markers";
import { colormapLut, fitScale } from "../../src/scene/scale";

const lut = colormapLut("viridis");
const linear = (values: Float32Array, clipQuantile = 1) => fitScale([values], { log: false, clipQuantile });
const style = (values: Float32Array, exaggeration = 1, clipQuantile = 1) => ({
  scale: linear(values, clipQuantile),
  exaggeration,
  lut,
});
/** Vertices referenced by the valid part of the index buffer. */
const usedVertices = (index: Uint32Array, count: number) => new Set(Array.from(index.subarray(0, count)));

describe("surface arrays", () => {
  it("have one vertex per grid point and span the box [-1, 1] x [-1, 1] whatever the axis ranges", () => {
    const values = new Float32Array(4 * 3).map((_, i) => i);
    const a = buildSurfaceArrays(values, 4, 3, style(values));
    expect(a.positions.length).toBe(4 * 3 * 3);
    expect(a.colors.length).toBe(4 * 3 * 3);
    expect(a.normals.length).toBe(4 * 3 * 3);
    expect(a.heights.length).toBe(12);
    // First vertex: ix = 0, iy = 0 -> world (-1, z = +1); last: (1, z = -1).
    expect([a.positions[0], a.positions[2]]).toEqual([-1, 1]);
    expect([a.positions[33], a.positions[35]]).toEqual([1, -1]);
    // Second vertex is one step along x (x fastest).
    expect(a.positions[3]).toBeCloseTo(-1 / 3, 6);
  });

  it("put the lowest value at height 0 and the top of the scale at SURFACE_HEIGHT * exaggeration", () => {
    const values = new Float32Array([2, 4, 6, 10]);
    const a = buildSurfaceArrays(values, 2, 2, style(values, 1.5));
    const heights = [1, 4, 7, 10].map((p) => a.positions[p]);
    expect(heights[0]).toBe(0);
    expect(heights[1]).toBeCloseTo(0.25 * 1.5 * SURFACE_HEIGHT, 6);
    expect(heights[2]).toBeCloseTo(0.5 * 1.5 * SURFACE_HEIGHT, 6);
    expect(heights[3]).toBeCloseTo(1.5 * SURFACE_HEIGHT, 6);
  });

  it("clip values above the scale's quantile to the top", () => {
    const values = new Float32Array([0, 1, 2, 3, 4, 5, 6, 7, 100]);
    const a = buildSurfaceArrays(values, 3, 3, style(values, 1, 0.75));
    expect(a.heights[8]).toBe(1);
    expect(a.heights[7]).toBe(1);
    expect(a.positions[8 * 3 + 1]).toBeCloseTo(SURFACE_HEIGHT, 6);
    expect(a.heights[3]).toBeCloseTo(0.5, 6);
  });

  it("take vertex colours from the colormap LUT, converted to linear RGB", () => {
    const values = new Float32Array([0, 1, 2, 3]);
    const a = buildSurfaceArrays(values, 2, 2, style(values));
    for (let i = 0; i < 4; i++) {
      const k = Math.round((i / 3) * 255) * 3;
      expect(a.colors[i * 3]).toBe(SRGB_TO_LINEAR[lut[k]]);
      expect(a.colors[i * 3 + 1]).toBe(SRGB_TO_LINEAR[lut[k + 1]]);
      expect(a.colors[i * 3 + 2]).toBe(SRGB_TO_LINEAR[lut[k + 2]]);
    }
    expect(SRGB_TO_LINEAR[0]).toBe(0);
    expect(SRGB_TO_LINEAR[255]).toBeCloseTo(1, 6);
    expect(SRGB_TO_LINEAR[128]).toBeCloseTo(0.2158, 3);
  });

  it("draw two triangles per cell, counter-clockwise seen from above", () => {
    const values = new Float32Array(9).fill(1);
    const a = buildSurfaceArrays(values, 3, 3, style(values));
    expect(a.indexCount).toBe(4 * 6);
    const [i0, i1, i2] = a.index;
    const p = (i: number) => [a.positions[i * 3], a.positions[i * 3 + 1], a.positions[i * 3 + 2]];
    const [u, v] = [p(i1).map((c, k) => c - p(i0)[k]), p(i2).map((c, k) => c - p(i0)[k])];
    const normalY = u[2] * v[0] - u[0] * v[2];
    expect(normalY).toBeGreaterThan(0);
  });

  it("leave out every cell touching a NaN: the centre of a 3 x 3 grid removes all four", () => {
    const values = new Float32Array([1, 2, 3, 4, Number.NaN, 6, 7, 8, 9]);
    const a = buildSurfaceArrays(values, 3, 3, style(values));
    expect(a.indexCount).toBe(0);
  });

  it("leave out exactly the cells touching a NaN corner or an infinite value", () => {
    const corner = new Float32Array([Number.NaN, 2, 3, 4, 5, 6, 7, 8, 9]);
    const a = buildSurfaceArrays(corner, 3, 3, style(corner));
    expect(a.indexCount).toBe(3 * 6);
    expect(usedVertices(a.index, a.indexCount).has(0)).toBe(false);

    // 4 x 4 grid (9 cells); an infinite value at (1, 1) touches 4 cells, a NaN at (3, 3) one more.
    const values = new Float32Array(16).map((_, i) => i);
    values[1 * 4 + 1] = Number.POSITIVE_INFINITY;
    values[3 * 4 + 3] = Number.NaN;
    const b = buildSurfaceArrays(values, 4, 4, style(values));
    expect(b.indexCount).toBe((9 - 4 - 1) * 6);
    const used = usedVertices(b.index, b.indexCount);
    expect(used.has(5)).toBe(false);
    expect(used.has(15)).toBe(false);
    expect(Number.isNaN(b.heights[5])).toBe(true);
    expect(b.positions[5 * 3 + 1]).toBe(0);
  });

  it("draw no wireframe edge to a hole", () => {
    const values = new Float32Array([1, 2, 3, 4, Number.NaN, 6, 7, 8, 9]);
    const a = buildSurfaceArrays(values, 3, 3, style(values));
    // 12 edges on a 3 x 3 grid, 4 of them touch the centre.
    expect(a.lineIndexCount).toBe(8 * 2);
    expect(usedVertices(a.lineIndex, a.lineIndexCount).has(4)).toBe(false);
  });

  it("update in place: the same array objects, new contents", () => {
    const values = new Float32Array(9).fill(Number.NaN);
    values[0] = 1;
    const s = style(new Float32Array([0, 2]));
    const a = buildSurfaceArrays(values, 3, 3, s);
    expect(a.indexCount).toBe(0);
    const { positions, normals, colors, heights, index, lineIndex } = a;
    values.set([1, 1, 1, 1, 2, 1, 1, 1, 1]);
    const b = updateSurfaceArrays(a, values, s);
    expect(b).toBe(a);
    expect(b.positions).toBe(positions);
    expect(b.normals).toBe(normals);
    expect(b.colors).toBe(colors);
    expect(b.heights).toBe(heights);
    expect(b.index).toBe(index);
    expect(b.lineIndex).toBe(lineIndex);
    expect(b.indexCount).toBe(24);
    expect(b.heights[4]).toBe(1);
  });

  it("compute unit normals that point up on a flat surface and tilt against the slope", () => {
    const flat = new Float32Array(9).fill(3);
    const a = buildSurfaceArrays(flat, 3, 3, style(new Float32Array([0, 6])));
    for (let i = 0; i < 9; i++)
      expect([a.normals[i * 3], a.normals[i * 3 + 1], a.normals[i * 3 + 2]]).toEqual([0, 1, 0]);
    // Rising along x: the normal leans towards -x.
    const ramp = new Float32Array([0, 1, 2, 0, 1, 2, 0, 1, 2]);
    const b = buildSurfaceArrays(ramp, 3, 3, style(ramp));
    expect(b.normals[4 * 3]).toBeLessThan(0);
    expect(Math.hypot(b.normals[12], b.normals[13], b.normals[14])).toBeCloseTo(1, 6);
  });

  it("reject values that do not match the grid size and grids smaller than 2 x 2", () => {
    const values = new Float32Array(5);
    expect(() => buildSurfaceArrays(values, 3, 3, style(values))).toThrow(/5 values, expected 3 x 3 = 9/);
    expect(() => allocateSurfaceArrays(1, 5)).toThrow(/at least 2 x 2/);
  });
});

describe("grid and world coordinates", () => {
  const frame = frameOf([
    { label: "a", min: -0.5, max: 1.5, count: 21 },
    { label: "b", min: 10, max: 20, count: 11 },
  ]);

  it("map the axis ranges onto [-1, 1], y running towards -z", () => {
    expect(gridToWorld(frame, -0.5, 10)).toEqual([-1, 1]);
    expect(gridToWorld(frame, 1.5, 20)).toEqual([1, -1]);
    expect(gridToWorld(frame, 0.5, 15)).toEqual([0, -0]);
  });

  it("round-trip through worldToGrid", () => {
    for (const [x, y] of [
      [0, 12],
      [-0.3, 19.5],
      [1.2, 10.1],
      [3, 30],
    ]) {
      const [wx, wz] = gridToWorld(frame, x, y);
      const [gx, gy] = worldToGrid(frame, wx, wz);
      expect(gx).toBeCloseTo(x, 9);
      expect(gy).toBeCloseTo(y, 9);
    }
  });

  it("find the nearest grid point, clamped into the grid", () => {
    expect(nearestGridPoint(frame, 0.04, 12.6)).toEqual({ ix: 5, iy: 3 });
    expect(nearestGridPoint(frame, -9, 99)).toEqual({ ix: 0, iy: 10 });
  });

  it("give a 1-D grid a dummy y axis at world z = 0", () => {
    const f = frameOf([{ label: "t", min: 0, max: 1, count: 5 }]);
    expect(f.y.count).toBe(1);
    expect(nearestGridPoint(f, 0.74, 123)).toEqual({ ix: 3, iy: 0 });
    expect(() => frameOf([])).toThrow(/1 or 2 axes/);
  });
});

describe("sampling and markers", () => {
  it("interpolate bilinearly and skip non-finite corners", () => {
    const g = new Float32Array([0, 1, 2, 3]);
    expect(sampleBilinear(g, 2, 2, 0.5, 0.5)).toBeCloseTo(1.5, 6);
    expect(sampleBilinear(g, 2, 2, 1, 0)).toBe(1);
    expect(sampleBilinear(g, 2, 2, -5, 9)).toBe(2);
    const holey = new Float32Array([0, Number.NaN, 2, 4]);
    expect(sampleBilinear(holey, 2, 2, 0.5, 0.5)).toBeCloseTo(2, 6);
    expect(Number.isNaN(sampleBilinear(holey, 2, 2, 1, 0))).toBe(true);
  });

  it("find the grid minimum for losses and the maximum for accuracies, ignoring NaN", () => {
    const v = new Float32Array([3, Number.NaN, 1, 7, Number.NEGATIVE_INFINITY]);
    expect(gridExtremum(v, "min")).toBe(2);
    expect(gridExtremum(v, "max")).toBe(3);
    expect(gridExtremum(new Float32Array([Number.NaN]), "min")).toBe(-1);
    expect(higherIsBetter("test_accuracy")).toBe(true);
    expect(higherIsBetter("train_loss")).toBe(false);
  });

  it("drape points and the trajectory on the surface", () => {
    const frame = frameOf([
      { label: "x", min: -1, max: 1, count: 3 },
      { label: "y", min: -1, max: 1, count: 3 },
    ]);
    const heights = new Float32Array([0, 0, 0, 0, 1, 0, 0, 0, 0]);
    const centre = pointOnSurface(frame, heights, 0, 0, 2, 0.01);
    expect(centre[0]).toBe(0);
    expect(centre[1]).toBeCloseTo(2 * SURFACE_HEIGHT + 0.01, 6);
    const { path, dots } = trajectoryWorld(frame, heights, new Float32Array([-1, -1, 0, 0, 1, 0]), 1, 0);
    expect(dots.length).toBe(9);
    expect(dots[4]).toBeCloseTo(SURFACE_HEIGHT, 6);
    expect([dots[0], dots[2]]).toEqual([-1, 1]);
    // Legs are split per grid cell: the start, one piece per leg here; the path ends on the last dot.
    expect(path.length / 3).toBe(3);
    expect(Array.from(path.slice(-3))).toEqual(Array.from(dots.slice(-3)));
    // A leg across two cells gets a point in between, draped at the surface's height there.
    const diagonal = trajectoryWorld(frame, heights, new Float32Array([-1, -1, 1, 1]), 1, 0).path;
    expect(diagonal.length / 3).toBe(3);
    expect(diagonal[4]).toBeCloseTo(SURFACE_HEIGHT, 6);
    expect(() => trajectoryWorld(frame, heights, new Float32Array(3), 1, 0)).toThrow(/\[n, 2\]/);
  });

  it("read every surface at the nearest grid point", () => {
    const frame = frameOf([
      { label: "x", min: 0, max: 2, count: 3 },
      { label: "y", min: 0, max: 1, count: 2 },
    ]);
    const r = readGrid(
      frame,
      { train_loss: new Float32Array([0, 1, 2, 3, 4, 5]), acc: new Float32Array(6) },
      1.2,
      0.9,
    );
    expect(r).toEqual({ ix: 1, iy: 1, x: 1, y: 1, values: { train_loss: 4, acc: 0 } });
  });
});

describe("1-D curves", () => {
  it("become line segments in the plane z = 0 with gaps at NaN", () => {
    const values = new Float32Array([0, 1, Number.NaN, 3, 4]);
    const { positions, colors, count } = curveSegments(values, style(values));
    expect(count).toBe(2);
    expect(Array.from(positions.subarray(0, 6))).toEqual(
      [-1, 0, 0, -0.5, (1 / 4) * SURFACE_HEIGHT, 0].map(Math.fround),
    );
    expect(positions[6]).toBe(0.5);
    expect(colors[0]).toBe(SRGB_TO_LINEAR[lut[0]]);
    expect(() => curveSegments(new Float32Array(1), style(values))).toThrow(/at least 2 points/);
  });
});
