import { describe, expect, it } from "vitest";
import { contourLevels, contourSegments } from "../../src/app/views/contour-lines";
import { extremumIndex, higherIsBetter } from "../../src/app/views/extremum";
import { heatmapRgba, normalizedValues } from "../../src/app/views/heatmap";
import { colormapLut, fitScale } from "../../src/scene/scale";

/** A LUT whose entry i is (i, 255 - i, 7), so colours tell which entry was used. */
function rampLut(): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) lut.set([i, 255 - i, 7], i * 3);
  return lut;
}

const identity = (v: number) => v;

describe("heatmap RGBA buffer", () => {
  it("colours each grid point from the LUT and flips rows so y grows upwards", () => {
    // 2 x 2 grid: row iy = 0 (bottom) is [0, 1/3], row iy = 1 (top) is [2/3, 1].
    const rgba = heatmapRgba(new Float32Array([0, 1 / 3, 2 / 3, 1]), 2, 2, identity, rampLut());
    const pixel = (row: number, col: number) =>
      Array.from(rgba.slice((row * 2 + col) * 4, (row * 2 + col) * 4 + 4));
    expect(pixel(0, 0)).toEqual([170, 85, 7, 255]); // image top-left = grid (0, 1)
    expect(pixel(0, 1)).toEqual([255, 0, 7, 255]);
    expect(pixel(1, 0)).toEqual([0, 255, 7, 255]); // image bottom-left = grid (0, 0)
    expect(pixel(1, 1)).toEqual([85, 170, 7, 255]);
  });

  it("makes NaN, infinite and unnormalizable values fully transparent", () => {
    const scale = fitScale([new Float32Array([1, 2])], { log: true, clipQuantile: 1 });
    const values = new Float32Array([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2]);
    const rgba = heatmapRgba(values, 4, 1, scale.normalize, colormapLut("viridis"));
    expect([rgba[3], rgba[7], rgba[11], rgba[15]]).toEqual([0, 0, 0, 255]);
    const top = colormapLut("viridis").slice(255 * 3);
    expect(Array.from(rgba.slice(12, 15))).toEqual(Array.from(top));
  });

  it("clamps normalized values outside [0, 1] to the ends of the LUT", () => {
    const rgba = heatmapRgba(new Float32Array([-3, 5]), 2, 1, identity, rampLut());
    expect(Array.from(rgba)).toEqual([0, 255, 7, 255, 255, 0, 7, 255]);
  });

  it("reuses the output buffer when it has the right size", () => {
    const out = new Uint8ClampedArray(4 * 4);
    const rgba = heatmapRgba(new Float32Array(4), 2, 2, identity, rampLut(), out);
    expect(rgba).toBe(out);
    expect(heatmapRgba(new Float32Array(4), 2, 2, identity, rampLut(), new Uint8ClampedArray(3))).not.toBe(
      out,
    );
  });

  it("rejects a surface of the wrong size or a bad LUT", () => {
    expect(() => heatmapRgba(new Float32Array(5), 2, 2, identity, rampLut())).toThrow(
      /5 values, expected 2 x 2/,
    );
    expect(() => heatmapRgba(new Float32Array(4), 2, 2, identity, new Uint8Array(10))).toThrow(/256 RGB/);
    expect(() => heatmapRgba(new Float32Array(0), 0, 2, identity, rampLut())).toThrow(/positive integers/);
  });

  it("normalizes a surface for contouring, keeping holes as NaN", () => {
    const scale = fitScale([new Float32Array([0, 10])], { log: false, clipQuantile: 1 });
    expect(Array.from(normalizedValues(new Float32Array([0, 5, Number.NaN, 10]), scale.normalize))).toEqual([
      0,
      0.5,
      Number.NaN,
      1,
    ]);
  });
});

describe("contour lines on the canvas", () => {
  /** t = distance from the centre of an n x n grid over [-1, 1]^2. */
  function cone(n: number): Float64Array {
    const t = new Float64Array(n * n);
    for (let iy = 0; iy < n; iy++)
      for (let ix = 0; ix < n; ix++)
        t[iy * n + ix] = Math.hypot(-1 + (2 * ix) / (n - 1), -1 + (2 * iy) / (n - 1));
    return t;
  }

  it("uses the 3D view's level spacing k / (count + 1)", () => {
    expect(contourLevels(3)).toEqual([0.25, 0.5, 0.75]);
    expect(contourLevels(0)).toEqual([]);
    expect(contourLevels(Number.NaN)).toEqual([]);
  });

  it("puts the segments of a circular level on the circle, in grid-index space", () => {
    const n = 41;
    const segments = contourSegments(cone(n), n, n, [0.5]);
    expect(segments.length).toBeGreaterThan(40);
    for (let k = 0; k < segments.length; k += 2) {
      const x = -1 + (2 * segments[k]) / (n - 1);
      const y = -1 + (2 * segments[k + 1]) / (n - 1);
      expect(Math.hypot(x, y)).toBeCloseTo(0.5, 1);
    }
  });

  it("draws no ring around holes and nothing along the border", () => {
    const n = 21;
    const t = cone(n);
    t[10 * n + 10] = Number.NaN; // the centre, where t = 0
    const segments = contourSegments(t, n, n, [0.05]);
    expect(segments.length).toBe(0);
    for (const v of contourSegments(cone(n), n, n, [1.2])) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(n - 1);
    }
  });

  it("returns nothing for no levels and rejects bad sizes", () => {
    expect(contourSegments(cone(5), 5, 5, []).length).toBe(0);
    expect(() => contourSegments(new Float64Array(3), 1, 3, [0.5])).toThrow(/at least 2 x 2/);
    expect(() => contourSegments(new Float64Array(3), 2, 2, [0.5])).toThrow(/3 values, expected 2 x 2/);
  });
});

describe("best point of a surface", () => {
  it("finds the minimum of a loss and the maximum of an accuracy, skipping non-finite values", () => {
    const v = new Float32Array([3, Number.NaN, 1, 1, Number.NEGATIVE_INFINITY, 7]);
    expect(extremumIndex(v)).toBe(2);
    expect(extremumIndex(v, true)).toBe(5);
    expect(extremumIndex(new Float32Array([Number.NaN]))).toBe(-1);
    expect(extremumIndex(new Float32Array(0))).toBe(-1);
  });

  it("treats accuracy metrics as higher-is-better", () => {
    expect(higherIsBetter("test_accuracy")).toBe(true);
    expect(higherIsBetter("train_loss")).toBe(false);
  });
});
