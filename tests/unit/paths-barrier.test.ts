import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeDataset } from "../../src/core/data/make";
import { parseDatasetSpec } from "../../src/core/data/spec";
import { naiveEvaluator } from "../../src/core/landscape/naive-evaluator";
import { initParameters } from "../../src/core/model/init";
import { makeArchitecture } from "../../src/core/model/mlp";
import { barrier, errorOf } from "../../src/core/paths/barrier";
import { pathBarriers } from "../../src/core/paths/evaluate";
import { alphaGrid, interpolate } from "../../src/core/paths/linear";
import { evaluateLinearPath } from "../../src/core/paths/path";
import { pathSection } from "../../src/core/paths/section";
import { createRng } from "../../src/core/rng";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";
import { referenceLoss } from "./helpers/reference-mlp";

withWasmBackend();

describe("barrier definitions", () => {
  it("linear-excess is the height above the chord, midpoint-mean the height above the endpoints' mean", () => {
    // L(0) = 0.1, L(1) = 0.5; at t = 0.25 the chord is 0.2, the mean 0.3.
    const b = barrier([0, 0.25, 0.5, 1], [0.1, 0.9, 0.6, 0.5]);
    expect(b.linearExcess).toBeCloseTo(0.7, 12);
    expect(b.linearExcessAt).toBe(0.25);
    expect(b.midpointMean).toBeCloseTo(0.6, 12);
    expect(b.midpointMeanAt).toBe(0.25);
    expect(b.start).toBeCloseTo(0.1, 12);
    expect(b.end).toBeCloseTo(0.5, 12);
  });

  it("the two definitions differ when the endpoints differ: a monotone path has no linear-excess barrier", () => {
    const b = barrier([0, 0.5, 1], [0, 0.5, 1]);
    expect(b.linearExcess).toBe(0);
    expect(b.midpointMean).toBe(0.5); // >= |L(0) - L(1)| / 2
  });

  it("ignores t outside [0, 1] and accepts the t values in any order", () => {
    const b = barrier([1.5, 1, -0.5, 0.5, 0], [99, 0.2, 99, 0.7, 0.2]);
    expect(b.linearExcess).toBeCloseTo(0.5, 12);
    expect(b.midpointMean).toBeCloseTo(0.5, 12);
  });

  it("is 0 for a constant metric (the path from a point to itself)", () => {
    const b = barrier([0, 0.3, 0.6, 1], [0.42, 0.42, 0.42, 0.42]);
    expect(b.linearExcess).toBe(0);
    expect(b.midpointMean).toBe(0);
  });

  it("is symmetric in the endpoints: swapping them and reversing the t grid gives the same barriers", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 3, maxLength: 30 }),
        (values) => {
          const n = values.length;
          const t = values.map((_, i) => (i === n - 1 ? 1 : i / (n - 1)));
          const reversedT = t.map((ti) => 1 - ti).reverse();
          const reversedValues = [...values].reverse();
          const ab = barrier(t, values);
          const ba = barrier(reversedT, reversedValues);
          expect(ba.linearExcess).toBeCloseTo(ab.linearExcess, 9);
          expect(ba.midpointMean).toBeCloseTo(ab.midpointMean, 9);
          expect(ab.linearExcess).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("gives error barriers from accuracies through 1 - accuracy", () => {
    const acc = new Float32Array([1, 0.5, 0.75]);
    expect(Array.from(errorOf(acc))).toEqual([0, 0.5, 0.25]);
    const b = pathBarriers([0, 0.5, 1], {
      train_loss: new Float32Array([0, 1, 0]),
      train_accuracy: new Float32Array([1, 0.5, 1]),
    });
    expect(b.train_error?.linearExcess).toBeCloseTo(0.5, 6);
    expect(b.test_loss).toBeUndefined();
  });

  it("propagates NaN and refuses t values without both endpoints", () => {
    expect(barrier([0, 0.5, 1], [0, Number.NaN, 0]).linearExcess).toBeNaN();
    expect(() => barrier([0, 0.5], [1, 2])).toThrow(/must include both endpoints 0 and 1 \(found 0, no 1\)/);
    expect(() => barrier([0, 1], [1])).toThrow(/2 t values but 1 metric values/);
  });
});

describe("alpha grids", () => {
  it("are equally spaced and always contain 0 and 1", () => {
    const g = alphaGrid(-0.5, 1.5, 21);
    expect(g).toHaveLength(21);
    expect(g[0]).toBe(-0.5);
    expect(g[20]).toBe(1.5);
    expect(Array.from(g)).toContain(0);
    expect(Array.from(g)).toContain(1);
    const odd = alphaGrid(-0.3, 1.2, 4); // -0.3, 0.2, 0.7, 1.2 plus 0 and 1
    expect(Array.from(odd).map((v) => Number(v.toFixed(6)))).toEqual([-0.3, 0, 0.2, 0.7, 1, 1.2]);
  });

  it("reject a count below 2 and a range that misses an endpoint", () => {
    expect(() => alphaGrid(0, 1, 1)).toThrow(/alpha count must be an integer >= 2, got 1/);
    expect(() => alphaGrid(0.2, 1, 5)).toThrow(/alpha range must contain \[0, 1\]/);
    expect(() => alphaGrid(0, Number.NaN, 5)).toThrow(/alpha max must be a finite number/);
  });
});

describe("linear paths on a model", () => {
  const dataset = makeDataset(parseDatasetSpec({ name: "circles", trainCount: 48, testCount: 24 }), 4);
  const arch = makeArchitecture(2, 2, { hiddenSizes: [10, 6], activation: "tanh" });
  const model = { arch, loss: "cross-entropy" as const, dataset };
  const a = initParameters(arch, "auto", createRng(1));
  const b = initParameters(arch, "auto", createRng(2));
  for (const v of [a, b]) for (let i = 0; i < v.length; i++) v[i] *= 3; // a bumpier path

  it("scores each alpha as the interpolated network (checked against an independent float64 forward pass)", () => {
    const r = evaluateLinearPath(model, a, b, { min: -0.5, max: 1.5, count: 9 });
    expect(r.kind).toBe("linear");
    expect(Array.from(r.t)).toEqual([-0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5]);
    r.t.forEach((alpha, i) => {
      const w = interpolate(a, b, alpha);
      const ref = referenceLoss(arch, "cross-entropy", w, dataset.test.x, dataset.test.y, dataset.test.count);
      expect(r.values.test_loss?.[i]).toBeCloseTo(ref.loss, 4);
      expect(r.values.test_accuracy?.[i]).toBeCloseTo(ref.accuracy, 5);
    });
    const ref0 = referenceLoss(
      arch,
      "cross-entropy",
      a,
      dataset.train.x,
      dataset.train.y,
      dataset.train.count,
    );
    expect(r.barriers.train_loss.start).toBeCloseTo(ref0.loss, 4);
    let d2 = 0;
    for (let i = 0; i < a.length; i++) d2 += (a[i] - b[i]) ** 2;
    expect(r.length).toBeCloseTo(Math.sqrt(d2), 3);
  });

  it("gives the same numbers with the default (batched) evaluator as with the naive one", () => {
    const fast = evaluateLinearPath(model, a, b, { count: 11 });
    const slow = evaluateLinearPath(model, a, b, { count: 11, evaluator: naiveEvaluator });
    fast.values.train_loss.forEach((v, i) => {
      expect(v).toBeCloseTo(slow.values.train_loss[i], 4);
    });
    expect(fast.evaluator).not.toBe("naive");
  });

  it("has barrier 0 from a point to itself", () => {
    const r = evaluateLinearPath(model, a, a, { count: 11 });
    for (const key of ["train_loss", "train_error", "test_loss", "test_error"] as const) {
      expect(Math.abs(r.barriers[key]?.linearExcess ?? Number.NaN)).toBeLessThan(1e-5);
      expect(Math.abs(r.barriers[key]?.midpointMean ?? Number.NaN)).toBeLessThan(1e-5);
    }
    expect(r.length).toBe(0);
  });

  it("has the same barriers after swapping the endpoints (the reversed alpha grid)", () => {
    const ab = evaluateLinearPath(model, a, b, { min: -0.5, max: 1.5, count: 21 });
    const ba = evaluateLinearPath(model, b, a, { min: -0.5, max: 1.5, count: 21 });
    // Real barriers, not trivial zeros.
    expect(ab.barriers.test_error?.linearExcess).toBeGreaterThan(0.05);
    expect(ab.barriers.train_loss.midpointMean).toBeGreaterThan(0.1);
    for (const key of ["train_loss", "train_error", "test_loss", "test_error"] as const) {
      expect(ba.barriers[key]?.linearExcess).toBeCloseTo(ab.barriers[key]?.linearExcess ?? Number.NaN, 4);
      expect(ba.barriers[key]?.midpointMean).toBeCloseTo(ab.barriers[key]?.midpointMean ?? Number.NaN, 4);
    }
    // The values themselves mirror: L_ba(alpha) = L_ab(1 - alpha).
    const n = ab.t.length;
    ab.values.train_loss.forEach((v, i) => {
      expect(ba.values.train_loss[n - 1 - i]).toBeCloseTo(v, 4);
    });
  });

  it("leaves no tensor behind", () => {
    const before = tf.memory().numTensors;
    evaluateLinearPath(model, a, b, { count: 15 });
    evaluateLinearPath(model, a, b, { count: 15, evaluator: naiveEvaluator });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("builds a plain section with the Goodfellow labels for init -> solution", () => {
    const r = evaluateLinearPath(model, a, b, { count: 5, labels: ["init", "solution"] });
    const s = pathSection(r);
    expect(s.kind).toBe("linear");
    expect(s.bends).toBe(0);
    expect(s.labels).toEqual(["init", "solution"]);
    expect(structuredClone(s)).toEqual(s);
  });

  it("rejects vectors of different length, NaN, a bad count and explicit alphas without the endpoints", () => {
    expect(() => evaluateLinearPath(model, a, b.subarray(3))).toThrow(
      /theta_b has \d+ values but theta_a has \d+/,
    );
    const nan = b.slice();
    nan[5] = Number.NaN;
    expect(() => evaluateLinearPath(model, a, nan)).toThrow(/theta_b: value NaN at index 5 is not finite/);
    expect(() => evaluateLinearPath(model, a, b, { count: 1 })).toThrow(
      /alpha count must be an integer >= 2/,
    );
    expect(() => evaluateLinearPath(model, a, b, { alphas: [0.5] })).toThrow(/at least 2 alpha values/);
    expect(() => evaluateLinearPath(model, a, b, { alphas: [0.2, 0.5] })).toThrow(/both endpoints/);
    const wrong = makeArchitecture(2, 2, { hiddenSizes: [4], activation: "tanh" });
    expect(() => evaluateLinearPath({ ...model, arch: wrong }, a, b)).toThrow(
      /theta_a: expected \d+ values \(sum of layout sizes\)/,
    );
  });
});
