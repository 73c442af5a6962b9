import { describe, expect, it } from "vitest";
import {
  argmax,
  boundaryRgba,
  CLASS_COLORS,
  classColor,
  classRgb,
  confidence,
} from "../../src/app/views/palette";
import { dataBounds } from "../../src/core/surface/data-bounds";
import type { PlotData } from "../../src/core/surface/plot-data";

function classification(train: number[][], test?: number[][]): PlotData {
  const split = (pts: number[][]) => ({
    x: Float32Array.from(pts.flatMap((p) => [p[0], p[1]])),
    y: Float32Array.from(pts.map((p) => p[2] ?? 0)),
    count: pts.length,
  });
  return { task: "classification", inputSize: 2, classes: 2, train: split(train), test: test && split(test) };
}

describe("dataBounds", () => {
  it("is the box of train and test points grown by the margin on each side", () => {
    const data = classification(
      [
        [0, 0],
        [2, 1],
      ],
      [[-2, 3]],
    );
    const box = dataBounds(data, 0.1);
    for (const [k, v] of [-2.4, 2.4, -0.3, 3.3].entries()) expect(box[k]).toBeCloseTo(v, 12);
    expect(dataBounds(data, 0)).toEqual([-2, 2, 0, 3]);
  });

  it("uses x and the target as the box of 1-D regression data", () => {
    const data: PlotData = {
      task: "regression",
      inputSize: 1,
      outputSize: 1,
      train: { x: Float32Array.from([-1, 1]), y: Float32Array.from([5, 7]), count: 2 },
    };
    expect(dataBounds(data, 0.5)).toEqual([-2, 2, 4, 8]);
  });

  it("skips non-finite points and falls back to [-1, 1]^2 without any finite point", () => {
    const data = classification([
      [Number.NaN, 0],
      [1, 1],
      [3, Number.POSITIVE_INFINITY],
      [2, 3],
    ]);
    expect(dataBounds(data, 0)).toEqual([1, 2, 1, 3]);
    expect(dataBounds(classification([]), 0.1)).toEqual([-1, 1, -1, 1]);
    expect(dataBounds(classification([[Number.NaN, 1]]), 0.1)).toEqual([-1, 1, -1, 1]);
  });

  it("gives a flat side a tiny width instead of an empty box", () => {
    const [x0, x1, y0, y1] = dataBounds(classification([[1, 2]]), 0.1);
    expect(x1).toBeGreaterThan(x0);
    expect(y1).toBeGreaterThan(y0);
  });

  it("is deterministic", () => {
    const pts = Array.from({ length: 50 }, (_, i) => [Math.sin(i * 1.7) * 3, Math.cos(i * 0.9) * 2, i % 3]);
    const data = { ...classification(pts.slice(0, 40), pts.slice(40)), name: "t", outputSize: 3 };
    expect(dataBounds(data, 0.1)).toEqual(dataBounds(data, 0.1));
  });

  it("rejects a negative or non-finite margin", () => {
    expect(() => dataBounds(classification([]), -0.1)).toThrow(/margin must be a finite number >= 0/);
    expect(() => dataBounds(classification([]), Number.NaN)).toThrow(/margin/);
  });
});

describe("class colours", () => {
  it("come from Tableau 10 and repeat after 10 classes", () => {
    expect(classColor(0)).toBe(CLASS_COLORS[0]);
    expect(classColor(10)).toBe(classColor(0));
    expect(classColor(-1)).toBe(CLASS_COLORS[9]);
    expect(classRgb(0)).toEqual([0x4e, 0x79, 0xa7]);
  });
});

describe("decision-boundary image", () => {
  it("picks the most probable class, first on ties, ignoring non-finite entries", () => {
    expect(argmax(new Float32Array([0.2, 0.7, 0.1]), 0, 3)).toBe(1);
    expect(argmax(new Float32Array([9, 0.5, 0.5]), 1, 2)).toBe(0);
    expect(argmax(new Float32Array([Number.NaN, 0.1]), 0, 2)).toBe(1);
    expect(argmax(new Float32Array([Number.NaN, Number.NaN]), 0, 2)).toBe(-1);
  });

  it("measures confidence from chance (0) to certainty (1)", () => {
    expect(confidence(0.5, 2)).toBe(0);
    expect(confidence(1, 2)).toBe(1);
    expect(confidence(0.75, 2)).toBe(0.5);
    expect(confidence(0.2, 3)).toBe(0);
    expect(confidence(1, 1)).toBe(1);
    expect(confidence(Number.NaN, 2)).toBe(0);
  });

  it("colours each pixel by its argmax class with alpha by confidence, y rows flipped upwards", () => {
    // 2 x 2 grid, 2 classes; row j = 0 is the bottom of the picture.
    const probabilities = Float32Array.from([1, 0, 0.5, 0.5, 0, 1, 0.25, 0.75]);
    const rgba = boundaryRgba(probabilities, 2, 2, 1);
    const pixel = (row: number, col: number) =>
      Array.from(rgba.slice((row * 2 + col) * 4, (row * 2 + col) * 4 + 4));
    expect(pixel(1, 0)).toEqual([...classRgb(0), 255]); // grid (0, 0): class 0, certain
    expect(pixel(1, 1)).toEqual([...classRgb(0), 0]); // grid (1, 0): a tie at chance
    expect(pixel(0, 0)).toEqual([...classRgb(1), 255]); // grid (0, 1): class 1, certain
    expect(pixel(0, 1)).toEqual([...classRgb(1), 128]); // grid (1, 1): 0.75 of 2 classes
  });

  it("scales alpha by maxAlpha and leaves all-NaN pixels transparent", () => {
    const rgba = boundaryRgba(Float32Array.from([1, 0, Number.NaN, Number.NaN, 0, 1, 1, 0]), 2, 2, 0.5);
    expect(rgba[1 * 2 * 4 + 3]).toBe(128);
    expect(Array.from(rgba.slice((1 * 2 + 1) * 4, (1 * 2 + 1) * 4 + 4))).toEqual([0, 0, 0, 0]);
  });

  it("rejects probabilities of the wrong size and bad class counts", () => {
    expect(() => boundaryRgba(new Float32Array(7), 2, 2)).toThrow(/7 probabilities, expected 2 x 2 x 2 = 8/);
    expect(() => boundaryRgba(new Float32Array(8), 2, 0)).toThrow(/positive integer number of classes/);
    expect(() => boundaryRgba(new Float32Array(8), 1.5, 2)).toThrow(/resolution must be a positive integer/);
  });
});
