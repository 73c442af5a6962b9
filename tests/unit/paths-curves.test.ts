import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeDataset } from "../../src/core/data/make";
import { parseDatasetSpec } from "../../src/core/data/spec";
import { pointInSubspace } from "../../src/core/directions/vector";
import { defaultEvaluatorFor } from "../../src/core/landscape/evaluators";
import { sampleLandscape } from "../../src/core/landscape/surfaces";
import { initParameters } from "../../src/core/model/init";
import { makeArchitecture } from "../../src/core/model/mlp";
import {
  type Curve,
  combine,
  curveCoefficientRows,
  curveCoefficients,
  curveLength,
  curvePoint,
  initialBends,
} from "../../src/core/paths/curves";
import { evaluateCombinations } from "../../src/core/paths/evaluate";
import { interpolate } from "../../src/core/paths/linear";
import { evaluateCurve } from "../../src/core/paths/path";
import { curvePlane, planeGrid, planeLandscapeProblem } from "../../src/core/paths/plane";
import { pathSection } from "../../src/core/paths/section";
import { trainCurve } from "../../src/core/paths/train-curve";
import { createRng } from "../../src/core/rng";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";
import { referenceLoss } from "./helpers/reference-mlp";

withWasmBackend();

function randomVector(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

const dist = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
};

describe("curve coefficients", () => {
  it("sum to 1 and are non-negative for every t and bend count, for Bezier and polychain", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("bezier" as const, "polychain" as const),
        fc.integer({ min: 1, max: 12 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (kind, bends, t) => {
          const c = curveCoefficients(kind, bends, t);
          expect(c.length).toBe(bends + 2);
          const sum = c.reduce((s, v) => s + v, 0);
          expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
          for (const v of c) expect(v).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("of the quadratic Bezier are (1 - t)^2, 2t(1 - t) and t^2", () => {
    for (const t of [0, 0.1, 0.25, 0.5, 0.9, 1]) {
      const c = curveCoefficients("bezier", 1, t);
      expect(c[0]).toBeCloseTo((1 - t) ** 2, 14);
      expect(c[1]).toBeCloseTo(2 * t * (1 - t), 14);
      expect(c[2]).toBeCloseTo(t ** 2, 14);
    }
  });

  it("are one-hot at the polychain's nodes t_j = j / (k + 1)", () => {
    expect(Array.from(curveCoefficients("polychain", 3, 0.25))).toEqual([0, 1, 0, 0, 0]);
    expect(Array.from(curveCoefficients("polychain", 3, 0.5))).toEqual([0, 0, 1, 0, 0]);
    expect(Array.from(curveCoefficients("polychain", 3, 0.75))).toEqual([0, 0, 0, 1, 0]);
    expect(Array.from(curveCoefficients("polychain", 1, 0.25))).toEqual([0.5, 0.5, 0]);
  });

  it("as rows hold one row of K = bends + 2 values per t", () => {
    const rows = curveCoefficientRows("bezier", 1, [0, 0.5, 1]);
    expect(Array.from(rows)).toEqual([1, 0, 0, 0.25, 0.5, 0.25, 0, 0, 1]);
  });
});

describe("curve points", () => {
  const theta1 = randomVector(37, 1);
  const theta2 = randomVector(37, 2);
  const bends = [randomVector(37, 3), randomVector(37, 4), randomVector(37, 5)];

  it("w(0) and w(1) are exactly the endpoints, for both kinds and any number of bends", () => {
    for (const kind of ["bezier", "polychain"] as const) {
      for (let k = 1; k <= 3; k++) {
        const curve: Curve = { kind, points: [theta1, ...bends.slice(0, k), theta2] };
        expect(Array.from(curvePoint(curve, 0))).toEqual(Array.from(theta1));
        expect(Array.from(curvePoint(curve, 1))).toEqual(Array.from(theta2));
      }
    }
  });

  it("a 3-bend polychain (bends at t = 0.25, 0.5, 0.75) at t = 0.5 is bend 2", () => {
    const curve: Curve = { kind: "polychain", points: [theta1, ...bends, theta2] };
    expect(Array.from(curvePoint(curve, 0.5))).toEqual(Array.from(bends[1]));
    expect(Array.from(curvePoint(curve, 0.25))).toEqual(Array.from(bends[0]));
    expect(Array.from(curvePoint(curve, 0.75))).toEqual(Array.from(bends[2]));
  });

  it("a polychain between its nodes is the linear interpolation of the neighbouring points", () => {
    const curve: Curve = { kind: "polychain", points: [theta1, ...bends, theta2] };
    const w = curvePoint(curve, 0.6); // 40% of the way from bend 2 (t = 0.5) to bend 3 (t = 0.75)
    const expected = interpolate(bends[1], bends[2], 0.4);
    for (let i = 0; i < w.length; i++) expect(w[i]).toBeCloseTo(expected[i], 5);
  });

  it("a Bezier whose bend is the midpoint of the line equals linear interpolation for all t", () => {
    const mid = interpolate(theta1, theta2, 0.5);
    const curve: Curve = { kind: "bezier", points: [theta1, mid, theta2] };
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (t) => {
        const w = curvePoint(curve, t);
        const lin = interpolate(theta1, theta2, t);
        for (let i = 0; i < w.length; i++) expect(Math.abs(w[i] - lin[i])).toBeLessThan(1e-5);
      }),
      { numRuns: 100 },
    );
  });

  it("initial bends put both kinds exactly on the straight segment, at any t", () => {
    for (const kind of ["bezier", "polychain"] as const) {
      for (const k of [1, 2, 4]) {
        const curve: Curve = { kind, points: [theta1, ...initialBends(theta1, theta2, k), theta2] };
        for (const t of [0.1, 0.37, 0.5, 0.83]) {
          const w = curvePoint(curve, t);
          const lin = interpolate(theta1, theta2, t);
          for (let i = 0; i < w.length; i++) expect(Math.abs(w[i] - lin[i])).toBeLessThan(1e-5);
        }
      }
    }
  });

  it("the curve length is |theta2 - theta1| on the straight line and the sum of the segments for a polychain", () => {
    const line: Curve = { kind: "bezier", points: [theta1, ...initialBends(theta1, theta2, 1), theta2] };
    expect(curveLength(line)).toBeCloseTo(dist(theta1, theta2), 4);
    const chain: Curve = { kind: "polychain", points: [theta1, ...bends, theta2] };
    const segments =
      dist(theta1, bends[0]) + dist(bends[0], bends[1]) + dist(bends[1], bends[2]) + dist(bends[2], theta2);
    expect(curveLength(chain)).toBeCloseTo(segments, 4);
    // A bent Bezier is longer than the chord.
    const bent: Curve = { kind: "bezier", points: [theta1, bends[0], theta2] };
    expect(curveLength(bent)).toBeGreaterThan(dist(theta1, theta2));
  });

  it("combine is the weighted sum of the points", () => {
    const w = combine([theta1, theta2], [0.25, 0.75]);
    for (let i = 0; i < w.length; i++) expect(w[i]).toBeCloseTo(0.25 * theta1[i] + 0.75 * theta2[i], 5);
  });
});

describe("curve input checks", () => {
  const a = randomVector(5, 1);
  const b = randomVector(5, 2);
  it("rejects an unknown curve kind", () => {
    expect(() => curveCoefficients("spline" as "bezier", 1, 0.5)).toThrow(/unknown curve kind "spline"/);
    expect(() => curvePoint({ kind: "arc" as "bezier", points: [a, a, b] }, 0.5)).toThrow(
      /unknown curve kind/,
    );
  });
  it("rejects fewer than one bend", () => {
    expect(() => curveCoefficients("bezier", 0, 0.5)).toThrow(/bends must be an integer >= 1, got 0/);
    expect(() => initialBends(a, b, 0)).toThrow(/bends must be an integer >= 1/);
    expect(() => curvePoint({ kind: "bezier", points: [a, b] }, 0.5)).toThrow(/at least one bend/);
  });
  it("rejects t outside [0, 1] or not finite", () => {
    expect(() => curveCoefficients("bezier", 1, 1.5)).toThrow(/t must be in \[0, 1\], got 1.5/);
    expect(() => curveCoefficients("polychain", 1, Number.NaN)).toThrow(/t must be a finite number/);
  });
  it("rejects points of different lengths and NaN in a point", () => {
    expect(() => curvePoint({ kind: "bezier", points: [a, randomVector(4, 3), b] }, 0.5)).toThrow(
      /bend1 has 4 values but theta1 has 5/,
    );
    const bad = a.slice();
    bad[2] = Number.NaN;
    expect(() => curvePoint({ kind: "bezier", points: [a, bad, b] }, 0.5)).toThrow(
      /bend1: value NaN at index 2 is not finite/,
    );
    expect(() => initialBends(a, randomVector(6, 1), 1)).toThrow(/theta2 has 6 values but theta1 has 5/);
  });
  it("rejects a length with fewer than one segment", () => {
    expect(() => curveLength({ kind: "bezier", points: [a, b, b] }, 0)).toThrow(
      /segments must be an integer >= 1/,
    );
  });
});

// A small model for training and the plane.
const dataset = makeDataset(parseDatasetSpec({ name: "moons", trainCount: 64, testCount: 32 }), 3);
const arch = makeArchitecture(2, 2, { hiddenSizes: [8], activation: "relu" });
const model = { arch, loss: "cross-entropy" as const, dataset };
const thetaA = initParameters(arch, "auto", createRng(1));
const thetaB = initParameters(arch, "auto", createRng(2));

describe("curve training", () => {
  it("trains only the bends, keeps the endpoints fixed, is deterministic and leaves no tensor behind", async () => {
    const before = tf.memory().numTensors;
    const settings = { epochs: 5, batchSize: 16, learningRate: 0.05, seed: 7 };
    const progress: number[] = [];
    const r1 = await trainCurve({
      model,
      endpoints: [thetaA, thetaB],
      kind: "bezier",
      settings,
      onProgress: (p) => progress.push(p.epoch),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(r1.status).toBe("completed");
    expect(r1.steps).toBe(5 * 4);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    expect(r1.curve.points).toHaveLength(3);
    expect(Array.from(r1.curve.points[0])).toEqual(Array.from(thetaA));
    expect(Array.from(r1.curve.points[2])).toEqual(Array.from(thetaB));
    const start = initialBends(thetaA, thetaB, 1)[0];
    expect(dist(r1.curve.points[1], start)).toBeGreaterThan(1e-3);
    const r2 = await trainCurve({ model, endpoints: [thetaA, thetaB], kind: "bezier", settings });
    expect(Array.from(r2.curve.points[1])).toEqual(Array.from(r1.curve.points[1]));
    const section = pathSection(evaluateCurve(model, r1.curve, { count: 3 }), { training: r1 });
    expect(section.training?.steps).toBe(20);
    expect(section.training?.history).toHaveLength(5);
    expect(section.training?.settings.learningRate).toBe(0.05);
  });

  it("lowers the loss along the curve between two untrained networks (polychain, 2 bends, L2)", async () => {
    const untrained = evaluateCurve(model, {
      kind: "polychain",
      points: [thetaA, ...initialBends(thetaA, thetaB, 2), thetaB],
    });
    const r = await trainCurve({
      model,
      endpoints: [thetaA, thetaB],
      kind: "polychain",
      bends: 2,
      settings: { epochs: 30, batchSize: 32, learningRate: 0.05, seed: 1, l2: 1e-4 },
    });
    const trained = evaluateCurve(model, r.curve);
    const mean = (v: Float32Array) => v.reduce((s, x) => s + x, 0) / v.length;
    expect(mean(trained.values.train_loss)).toBeLessThan(mean(untrained.values.train_loss) - 0.05);
  });

  it("a cancelled run rejects with the abort reason and leaves no tensor behind", async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const promise = trainCurve({
      model,
      endpoints: [thetaA, thetaB],
      kind: "bezier",
      settings: { epochs: 1000, batchSize: 8 },
      signal: controller.signal,
      onProgress: (p) => {
        if (p.epoch === 2) controller.abort(new Error("stopped by the test"));
      },
    });
    await expect(promise).rejects.toThrow(/stopped by the test/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("rejects bad settings and bad endpoints with a clear message", async () => {
    const base = {
      model,
      endpoints: [thetaA, thetaB] as [Float32Array, Float32Array],
      kind: "bezier" as const,
    };
    await expect(trainCurve({ ...base, bends: 0 })).rejects.toThrow(/bends must be an integer >= 1/);
    await expect(trainCurve({ ...base, kind: "circle" as "bezier" })).rejects.toThrow(/unknown curve kind/);
    await expect(trainCurve({ ...base, settings: { epochs: 0 } })).rejects.toThrow(
      /epochs must be an integer >= 1/,
    );
    await expect(trainCurve({ ...base, settings: { l2: -1 } })).rejects.toThrow(/l2 must be >= 0/);
    await expect(trainCurve({ ...base, endpoints: [thetaA, thetaB.subarray(1)] })).rejects.toThrow(
      /theta2 has \d+ values but theta1 has \d+/,
    );
    const nan = thetaB.slice();
    nan[0] = Number.NaN;
    await expect(trainCurve({ ...base, endpoints: [thetaA, nan] })).rejects.toThrow(
      /theta2: value NaN at index 0/,
    );
  });
});

describe("curve evaluation", () => {
  const bend = randomVector(thetaA.length, 9);
  const curve: Curve = { kind: "bezier", points: [thetaA, bend, thetaB] };

  it("scores each t as the network at w(t) (checked against an independent float64 forward pass)", () => {
    const before = tf.memory().numTensors;
    const r = evaluateCurve(model, curve, { count: 5 });
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(r.t)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    r.t.forEach((t, i) => {
      const w = curvePoint(curve, t);
      const ref = referenceLoss(
        arch,
        "cross-entropy",
        w,
        dataset.train.x,
        dataset.train.y,
        dataset.train.count,
      );
      expect(r.values.train_loss[i]).toBeCloseTo(ref.loss, 4);
      expect(r.values.train_accuracy?.[i]).toBeCloseTo(ref.accuracy, 5);
    });
    expect(r.values.test_loss).toHaveLength(5);
    expect(r.length).toBeCloseTo(curveLength(curve), 8);
  });

  it("uses 61 values of t by default and refuses fewer than 2 or t outside [0, 1]", () => {
    expect(evaluateCurve(model, curve).t).toHaveLength(61);
    expect(() => evaluateCurve(model, curve, { count: 1 })).toThrow(
      /count of t values must be an integer >= 2, got 1/,
    );
    expect(() => evaluateCurve(model, curve, { t: [0, 0.5, 1.2] })).toThrow(/t must be in \[0, 1\], got 1.2/);
    expect(() =>
      evaluateCurve(model, { kind: "bezier", points: [thetaA, bend.subarray(1), thetaB] }),
    ).toThrow(/bend1 has \d+ values but theta1 has \d+/);
  });

  it("builds a plain section object whose arrays are copies", () => {
    const r = evaluateCurve(model, curve, { count: 5 });
    const section = pathSection(r, { plane: curvePlane(curve) });
    expect(section.kind).toBe("bezier");
    expect(section.bends).toBe(1);
    expect(section.labels).toEqual(["theta1", "bend1", "theta2"]);
    expect(section.plane?.normalization).toBe("none");
    r.values.train_loss[0] = 123;
    r.points[1][0] = 123;
    expect(section.values.train_loss[0]).not.toBe(123);
    expect(section.points[1][0]).not.toBe(123);
    // Nothing but data: a structured clone keeps everything.
    expect(structuredClone(section)).toEqual(section);
  });
});

describe("the plane of a curve", () => {
  const bend = interpolate(thetaA, thetaB, 0.3);
  const offset = randomVector(thetaA.length, 11);
  for (let i = 0; i < bend.length; i++) bend[i] += 0.5 * offset[i];
  const curve: Curve = { kind: "bezier", points: [thetaA, bend, thetaB] };

  it("has orthonormal directions, theta1 at the origin, theta2 on the x axis and the bend above it", () => {
    const plane = curvePlane(curve);
    const [u, v] = plane.directions;
    const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, xi, i) => s + xi * y[i], 0);
    expect(dot(u, u)).toBeCloseTo(1, 5);
    expect(dot(v, v)).toBeCloseTo(1, 5);
    expect(Math.abs(dot(u, v))).toBeLessThan(1e-5);
    const d = dist(thetaA, thetaB);
    const p = plane.points;
    expect([p[0], p[1]]).toEqual([0, 0]);
    expect(p[4]).toBeCloseTo(d, 4);
    expect(p[5]).toBeCloseTo(0, 4);
    expect(p[3]).toBeGreaterThan(0);
    // The bend is recovered from its plane coordinates.
    const rebuilt = pointInSubspace(plane.origin, plane.directions, [p[2], p[3]]);
    for (let i = 0; i < bend.length; i++) expect(rebuilt[i]).toBeCloseTo(bend[i], 4);
    // A quadratic Bezier lies in the plane of its three points.
    for (const off of plane.curve.offPlane) expect(off).toBeLessThan(1e-3 * d);
    expect(plane.curve.coords[0]).toBe(0);
    expect(plane.segment[2 * 60]).toBeCloseTo(d, 4);
    // The range covers every point with a margin.
    expect(plane.range.x[0]).toBeLessThan(0);
    expect(plane.range.x[1]).toBeGreaterThan(d);
    expect(plane.range.y[1]).toBeGreaterThan(p[3]);
  });

  it("gives a landscape problem whose value at the bend's coordinates is the loss of the bend", async () => {
    const plane = curvePlane(curve);
    const bx = plane.points[2];
    const by = plane.points[3];
    const grid = planeGrid(plane, 3, 3);
    grid.axes[0] = { ...grid.axes[0], min: bx - 1, max: bx + 1 };
    grid.axes[1] = { ...grid.axes[1], min: by - 1, max: by + 1 };
    const before = tf.memory().numTensors;
    const s = await sampleLandscape(
      planeLandscapeProblem(model, plane),
      grid,
      defaultEvaluatorFor(tf.getBackend()),
    );
    expect(tf.memory().numTensors).toBe(before);
    const direct = evaluateCombinations(model, [bend], new Float32Array([1]));
    expect(s.train_loss?.[4]).toBeCloseTo(direct.values.train_loss[0], 4);
  });

  it("projects every bend of a polychain and names the bend spanning the plane", () => {
    const b2 = randomVector(thetaA.length, 12);
    const chain: Curve = { kind: "polychain", points: [thetaA, bend, b2, offset, thetaB] };
    const plane = curvePlane(chain);
    expect(plane.bendIndex).toBe(1); // bend 2 of 3
    expect(plane.points).toHaveLength(10);
    expect(plane.pointsOffPlane[2]).toBe(0);
    expect(plane.pointsOffPlane[1]).toBeGreaterThan(0);
  });

  it("refuses a bend on the straight line and coinciding endpoints", () => {
    const line: Curve = { kind: "bezier", points: [thetaA, ...initialBends(thetaA, thetaB, 1), thetaB] };
    expect(() => curvePlane(line)).toThrow(/bend 1 lies on the line through theta1 and theta2/);
    expect(() => curvePlane({ kind: "bezier", points: [thetaA, bend, thetaA] })).toThrow(
      /theta1 and theta2 coincide/,
    );
    expect(() => curvePlane(curve, { bendIndex: 1 })).toThrow(/bendIndex must be an integer in \[0, 0\]/);
  });
});
