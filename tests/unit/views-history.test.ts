import { describe, expect, it } from "vitest";
import { accuracyColumns, anyFinite, historyLayout, lossColumns } from "../../src/app/views/history-data";
import { logRange } from "../../src/app/views/uplot-theme";

describe("training history columns", () => {
  const history = {
    epoch: [0, 1, 2],
    trainLoss: [1, 0.5, Number.NaN],
    testLoss: [null, 0.7, 0],
    trainAccuracy: [0.5, 0.8, 0.9],
    testAccuracy: [null, null, null],
  };

  it("decide which series exist from the finite values", () => {
    expect(historyLayout(history)).toEqual({ testLoss: true, accuracy: true, testAccuracy: false });
    expect(historyLayout({ epoch: [], trainLoss: [] })).toEqual({
      testLoss: false,
      accuracy: false,
      testAccuracy: false,
    });
    expect(anyFinite([null, Number.NaN])).toBe(false);
    expect(anyFinite(undefined)).toBe(false);
  });

  it("copy the columns with gaps for missing values and for non-positive losses on a log axis", () => {
    const layout = historyLayout(history);
    const linear = lossColumns(history, layout, false);
    expect(linear).toEqual([
      [0, 1, 2],
      [1, 0.5, null],
      [null, 0.7, 0],
    ]);
    expect(linear[0]).not.toBe(history.epoch);
    expect(lossColumns(history, layout, true)[2]).toEqual([null, 0.7, null]);
    expect(accuracyColumns(history, layout)).toEqual([
      [0, 1, 2],
      [0.5, 0.8, 0.9],
    ]);
  });

  it("pad short metric columns to the epoch count", () => {
    const grown = { epoch: [0, 1, 2], trainLoss: [1, 0.5] };
    expect(lossColumns(grown, historyLayout(grown), false)).toEqual([
      [0, 1, 2],
      [1, 0.5, null],
    ]);
  });
});

describe("log axis range", () => {
  it("pads the data range and rounds its ends to whole leading digits", () => {
    const [lo, hi] = logRange(0.3456, 5.43);
    expect(lo).toBeCloseTo(0.2, 12);
    expect(hi).toBeCloseTo(8, 12); // padded 0.262 .. 7.15
    expect(logRange(0.01, 0.01)[0]).toBeLessThan(0.01);
    expect(logRange(0.01, 0.01)[1]).toBeGreaterThan(0.01);
  });

  it("falls back to [0.1, 1] without positive finite data", () => {
    expect(logRange(0, 1)).toEqual([0.1, 1]);
    expect(logRange(Number.NaN, Number.NaN)).toEqual([0.1, 1]);
  });
});
