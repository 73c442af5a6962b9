import { describe, expect, it } from "vitest";
import { sliceData, sliceSpec } from "../../src/app/views/slice-chart";
import {
  alignSeries,
  centreIndex,
  centreSlices,
  columnSlice,
  rowSlice,
  withGaps,
} from "../../src/app/views/slices";

const axis = (min: number, max: number, count: number, label = "a") => ({ label, min, max, count });

/** value = 10 * iy + ix on an nx x ny grid. */
function indexSurface(nx: number, ny: number): Float32Array {
  return Float32Array.from({ length: nx * ny }, (_, i) => 10 * Math.floor(i / nx) + (i % nx));
}

describe("centre index", () => {
  it("is the exact middle of an odd symmetric axis", () => {
    expect(centreIndex(axis(-1, 1, 5))).toBe(2);
    expect(centreIndex(axis(-1, 1, 51))).toBe(25);
  });

  it("is the nearer of the two middle points of an even axis (ties round up)", () => {
    expect(centreIndex(axis(-1, 1, 4))).toBe(2); // coordinates -1, -1/3, 1/3, 1
    expect(centreIndex(axis(-1, 2, 4))).toBe(1); // -1, 0, 1, 2
    expect(centreIndex(axis(-1.5, 0.5, 4))).toBe(2); // -1.5, -5/6, -1/6, 0.5
  });

  it("clamps to the nearest end when 0 is outside the axis", () => {
    expect(centreIndex(axis(0.5, 2, 7))).toBe(0);
    expect(centreIndex(axis(-3, -1, 7))).toBe(6);
  });
});

describe("centre slices", () => {
  it("take the row through y = 0 along x and the column through x = 0 along y", () => {
    const axes = [axis(-1, 1, 3, "x"), axis(-2, 2, 5, "y")];
    const { alongX, alongY } = centreSlices(indexSurface(3, 5), axes);
    expect(Array.from(alongX.values)).toEqual([20, 21, 22]);
    expect(Array.from(alongX.coords)).toEqual([-1, 0, 1]);
    expect(alongX.at).toBe(0);
    expect(Array.from(alongY.values)).toEqual([1, 11, 21, 31, 41]);
    expect(Array.from(alongY.coords)).toEqual([-2, -1, 0, 1, 2]);
    expect(alongY.at).toBe(0);
  });

  it("use the nearest row and column on even grids and report where they are", () => {
    const axes = [axis(-1, 1, 4, "x"), axis(-1, 2, 4, "y")];
    const { alongX, alongY } = centreSlices(indexSurface(4, 4), axes);
    expect(Array.from(alongX.values)).toEqual([10, 11, 12, 13]);
    expect(alongX.at).toBe(0);
    expect(Array.from(alongY.values)).toEqual([2, 12, 22, 32]);
    expect(alongY.at).toBeCloseTo(1 / 3, 12);
  });

  it("copy values, keeping NaN", () => {
    const v = new Float32Array([1, Number.NaN, 3, 4]);
    const row = rowSlice(v, 2, 2, 0);
    row[0] = 99;
    expect(v[0]).toBe(1);
    expect(Array.from(columnSlice(v, 2, 2, 1))).toEqual([Number.NaN, 4]);
  });

  it("reject a wrong shape, index or dimension", () => {
    expect(() => rowSlice(new Float32Array(5), 2, 2, 0)).toThrow(/5 values, expected 2 x 2/);
    expect(() => rowSlice(new Float32Array(4), 2, 2, 2)).toThrow(/row 2 is outside 0..1/);
    expect(() => columnSlice(new Float32Array(4), 2, 2, -1)).toThrow(/column -1 is outside/);
    expect(() => centreSlices(new Float32Array(3), [axis(-1, 1, 3)])).toThrow(/2-D grid, got 1 axes/);
  });
});

describe("uPlot columns", () => {
  it("turn non-finite values into null gaps, and non-positive ones too on log axes", () => {
    const v = new Float32Array([1, Number.NaN, Number.POSITIVE_INFINITY, 0, -2]);
    expect(withGaps(v)).toEqual([1, null, null, 0, -2]);
    expect(withGaps(v, true)).toEqual([1, null, null, null, null]);
    expect(withGaps([])).toEqual([]);
  });

  it("share equal x columns and merge different ones with undefined where a series has no point", () => {
    expect(
      alignSeries([
        { x: [0, 1], y: [1, 2] },
        { x: [0, 1], y: [3, null] },
      ]),
    ).toEqual([
      [0, 1],
      [1, 2],
      [3, null],
    ]);
    expect(
      alignSeries([
        { x: [0, 1], y: [1, 2] },
        { x: [0, 0.5], y: [3, null] },
      ]),
    ).toEqual([
      [0, 0.5, 1],
      [1, undefined, 2],
      [3, null, undefined],
    ]);
    expect(alignSeries([])).toEqual([[]]);
    expect(() => alignSeries([{ x: [0], y: [1, 2] }])).toThrow(/1 x values but 2 y values/);
  });
});

describe("slice chart spec", () => {
  const surfaces1d = {
    train_loss: new Float32Array([1, 0.5, Number.NaN]),
    test_loss: new Float32Array([1.2, 0, 0.9]),
    train_accuracy: new Float32Array([0.5, 0.9, 0.6]),
  };
  const grid1d = { axes: [axis(-1, 1, 3, "alpha")] };

  it("plots every surface of a 1-D landscape, losses left and accuracies right", () => {
    const spec = sliceSpec({ grid: grid1d, surfaces: surfaces1d }, "train_loss", false);
    expect(spec.series.map((s) => [s.label, s.scale])).toEqual([
      ["train loss", "loss"],
      ["test loss", "loss"],
      ["train accuracy", "accuracy"],
    ]);
    expect(spec.scales).toEqual(["loss", "accuracy"]);
    expect(spec.xLabel).toBe("alpha");
    expect(sliceData({ grid: grid1d, surfaces: surfaces1d }, "train_loss", spec)).toEqual([
      [-1, 0, 1],
      [1, 0.5, null],
      [1.2000000476837158, 0, 0.8999999761581421],
      [0.5, 0.8999999761581421, 0.6000000238418579],
    ]);
  });

  it("leaves non-positive losses out on a log axis and rebuilds the chart only when the structure changes", () => {
    const linear = sliceSpec({ grid: grid1d, surfaces: surfaces1d }, "train_loss", false);
    const log = sliceSpec({ grid: grid1d, surfaces: surfaces1d }, "train_loss", true);
    expect(log.logLoss).toBe(true);
    expect(log.key).not.toBe(linear.key);
    expect(sliceSpec({ grid: grid1d, surfaces: surfaces1d }, "train_loss", true).key).toBe(log.key);
    expect(sliceData({ grid: grid1d, surfaces: surfaces1d }, "train_loss", log)[2]).toEqual([
      1.2000000476837158,
      null,
      0.8999999761581421,
    ]);
  });

  it("plots a 2-D landscape's two centre slices of the chosen metric", () => {
    const snapshot = {
      grid: { axes: [axis(-1, 1, 3, "d1"), axis(-1, 1, 3, "d2")] },
      surfaces: { train_loss: indexSurface(3, 3) },
    };
    const spec = sliceSpec(snapshot, "train_loss", false);
    expect(spec.series.map((s) => s.label)).toEqual(["along d1 (d2 = 0)", "along d2 (d1 = 0)"]);
    expect(sliceData(snapshot, "train_loss", spec)).toEqual([
      [-1, 0, 1],
      [10, 11, 12],
      [1, 11, 21],
    ]);
    expect(sliceSpec(snapshot, "test_loss", false).series).toEqual([]);
  });

  it("builds a 2-D landscape's chart before its first surface arrives, with the same key and only gaps", () => {
    const grid = { axes: [axis(-1, 1, 3, "d1"), axis(-1, 1, 3, "d2")] };
    const pending = sliceSpec({ grid, surfaces: {} }, "train_loss", false);
    const filled = sliceSpec({ grid, surfaces: { train_loss: indexSurface(3, 3) } }, "train_loss", false);
    expect(pending.series.map((s) => s.label)).toEqual(["along d1 (d2 = 0)", "along d2 (d1 = 0)"]);
    expect(pending.key).toBe(filled.key); // the first picture only calls setData
    expect(sliceData({ grid, surfaces: {} }, "train_loss", pending)).toEqual([
      [-1, 0, 1],
      [null, null, null],
      [null, null, null],
    ]);
  });
});
