import { describe, expect, it } from "vitest";
import {
  accuracyColumns,
  anyFinite,
  boundLabel,
  historyLayout,
  lossColumns,
  sharpnessColumns,
  sharpnessLayout,
  sharpnessNote,
  sharpnessRange,
} from "../../src/app/views/history-data";
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

describe("sharpness chart data", () => {
  const base = { epoch: [0, 1, 2], trainLoss: [1, 0.5, 0.4] };
  const sgd = { optimizer: "sgd", bound: 40 };

  it("names the stability bound of each optimizer, and none for Adam", () => {
    expect(boundLabel("sgd")).toBe("2/lr");
    expect(boundLabel("momentum")).toBe("(2+2μ)/lr");
    expect(boundLabel("adam")).toBeNull();
    expect(boundLabel(undefined)).toBeNull();
  });

  it("shows the chart only with a finite lambda_max, and the bound line only when it fits the data", () => {
    expect(sharpnessLayout(base).show).toBe(false);
    expect(sharpnessLayout({ ...base, sharpnessEpoch: [0], lambdaMax: [null], stability: sgd }).show).toBe(
      false,
    );
    expect(sharpnessLayout({ ...base, sharpnessEpoch: [0, 1], lambdaMax: [3, 30], stability: sgd })).toEqual({
      show: true,
      bound: 40,
      boundLabel: "2/lr",
      log: false,
    });
    // 2/lr = 2000 against lambda_max <= 30: the line would flatten the curve, so only the note names it.
    const far = sharpnessLayout({
      ...base,
      sharpnessEpoch: [0, 1],
      lambdaMax: [3, 30],
      stability: { optimizer: "sgd", bound: 2000 },
    });
    expect(far).toMatchObject({ show: true, bound: null, boundLabel: "2/lr" });
    expect(sharpnessNote({ optimizer: "sgd", bound: 2000 }, far, String)).toBe("2/lr = 2000, far above");
    const adam = sharpnessLayout({
      ...base,
      sharpnessEpoch: [0],
      lambdaMax: [5],
      stability: { optimizer: "adam", bound: null },
    });
    expect(adam).toMatchObject({ bound: null, boundLabel: null });
    expect(sharpnessNote({ optimizer: "adam", bound: null }, adam, String)).toBe("Adam: no fixed bound");
    expect(sharpnessNote(null, adam, String)).toBe("");
  });

  it("switches to a log axis only for positive values spanning more than two decades", () => {
    const blowUp = { ...base, sharpnessEpoch: [0, 1, 2], lambdaMax: [0.5, 30, 4000], stability: sgd };
    expect(sharpnessLayout(blowUp).log).toBe(true);
    expect(sharpnessLayout({ ...blowUp, lambdaMax: [-0.1, 30, 4000] }).log).toBe(false);
    expect(sharpnessLayout({ ...blowUp, lambdaMax: [1, 30, 39] }).log).toBe(false);
  });

  it("copies the measurement epochs and lambda_max with gaps for non-finite values", () => {
    const h = { ...base, sharpnessEpoch: [0, 0.5, 1], lambdaMax: [2, Number.NaN, 0], stability: sgd };
    const linear = sharpnessColumns(h, sharpnessLayout(h));
    expect(linear).toEqual([
      [0, 0.5, 1],
      [2, null, 0],
    ]);
    expect(linear[0]).not.toBe(h.sharpnessEpoch);
    expect(sharpnessColumns(h, { show: true, bound: null, boundLabel: null, log: true })[1]).toEqual([
      2,
      null,
      null,
    ]);
    expect(
      sharpnessColumns({ ...base, sharpnessEpoch: [0, 1], lambdaMax: [3] }, sharpnessLayout(base)),
    ).toEqual([
      [0, 1],
      [3, null],
    ]);
    expect(sharpnessColumns(base, sharpnessLayout(base))).toEqual([[], []]);
  });

  it("widens the y range to the bound, from 0 on a linear axis", () => {
    expect(sharpnessRange(3, 30, 40, false)).toEqual([0, 40 * 1.08]);
    expect(sharpnessRange(3, 50, 40, false)).toEqual([0, 50 * 1.08]);
    const [lo, hi] = sharpnessRange(-2, 10, null, false);
    expect(lo).toBeLessThan(-2);
    expect(hi).toBeCloseTo(10.8, 12);
    expect(sharpnessRange(null, null, null, false)).toEqual([0, 1]);
    expect(sharpnessRange(null, null, 40, false)).toEqual([0, 40 * 1.08]);
    expect(sharpnessRange(0, 0, null, false)).toEqual([0, 1]);
    const [llo, lhi] = sharpnessRange(0.5, 4000, 40, true);
    expect(llo).toBeLessThan(0.5);
    expect(lhi).toBeGreaterThan(4000);
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
