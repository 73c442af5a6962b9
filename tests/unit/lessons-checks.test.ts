/**
 * Lesson checks (sentences, verdicts, the numbers behind them) and the roughness measure, on small
 * literal fixtures.
 */
import { describe, expect, it } from "vitest";
import {
  checkText,
  evaluateChecks,
  formatNumber,
  maxRelativeDifference,
} from "../../src/core/lessons/checks";
import { surfaceRoughness } from "../../src/core/lessons/roughness";
import { type LessonCheckInput, type LessonMetrics, parseLesson } from "../../src/core/lessons/schema";

const config = (lr: number, optimizer = "sgd") => ({
  data: { name: "moons", trainCount: 16, testCount: 8 },
  model: { hiddenSizes: [4], activation: "relu" },
  training: { optimizer, momentum: 0, learningRate: lr, batchSize: "full", epochs: 5 },
  grid: { x: { count: 5 }, y: { count: 5 } },
});

function lesson(checks: LessonCheckInput[], optimizer = "sgd") {
  return parseLesson({
    format: "loss-landscape-lesson",
    version: 1,
    id: "fixture",
    title: "Fixture",
    claim: "c",
    lookAt: "l",
    runs: [
      { label: "small lr", config: config(0.05, optimizer) },
      { label: "large lr", config: config(0.25, optimizer) },
    ],
    measure: { topK: 1, traceSamples: 10, epsSharpness: [1e-3], averageRadius: [0.3] },
    checks,
  });
}

const metrics = (over: Partial<LessonMetrics> = {}): LessonMetrics => ({
  trainLoss: 0.02,
  testLoss: 0.03,
  trainAccuracy: 1,
  testAccuracy: 0.95,
  gap: 0.01,
  lambdaMax: 10,
  trace: 20,
  epsSharpness: 0.5,
  averageSharpness: 0.1,
  roughness: 0.05,
  sharpnessDecay: null,
  dirichletEnergy: null,
  rankOneResidual: null,
  learningRate: 0.05,
  bound: 40,
  ...over,
});

const one = (check: LessonCheckInput, m: LessonMetrics[], surfaces?: Float32Array[]) =>
  evaluateChecks(lesson([check]), m, surfaces)[0];

describe("checkText", () => {
  it("says each relation in plain words, naming the runs by their labels", () => {
    const l = lesson([
      { relation: "greater", metric: "lambdaMax", run: 0, than: 1, factor: 1.2 },
      { relation: "less", metric: "trace", run: 1, than: 0 },
      { relation: "atMostBound", run: 1, factor: 1.1 },
      { relation: "equal", metric: "trainLoss", tolerance: 1e-4 },
      { relation: "atMost", metric: "trainLoss", run: "both", value: 0.05 },
      { relation: "atLeast", metric: "trainAccuracy", run: 0, value: 0.98 },
      { relation: "surfacesEqual", tolerance: 1e-3 },
      { relation: "surfacesDiffer", tolerance: 0.01 },
    ]);
    expect(l.checks.map((c) => checkText(c, l))).toEqual([
      '"small lr" has a higher top Hessian eigenvalue lambda_max than "large lr", by a factor of at least 1.2',
      '"large lr" has a lower Hessian trace than "small lr"',
      '"large lr" has top Hessian eigenvalue lambda_max at most 1.1 x 2/lr (the edge of stability of gradient descent)',
      "both runs have the same train loss (within 0.01%)",
      "both runs have train loss at most 0.05",
      '"small lr" has train accuracy at least 0.98',
      "the two train-loss surfaces are the same (every point within 0.1% of each other)",
      "the two train-loss surfaces differ (somewhere by more than 1%)",
    ]);
  });
});

describe("evaluateChecks", () => {
  it("greater and less hold only beyond the factor, and give the ratio", () => {
    const m = [metrics({ lambdaMax: 15 }), metrics({ lambdaMax: 10 })];
    const greater = (factor: number) =>
      one({ relation: "greater", metric: "lambdaMax", run: 0, than: 1, factor }, m);
    expect(greater(1.2)).toMatchObject({
      holds: true,
      detail: "lambda_max 15 vs 10, ratio 1.5 (needs > 1.2)",
    });
    expect(greater(1.5).holds).toBe(false); // strictly more than the factor
    expect(greater(2).holds).toBe(false);
    const less = (factor: number) =>
      one({ relation: "less", metric: "lambdaMax", run: 1, than: 0, factor }, m);
    expect(less(1.4)).toMatchObject({
      holds: true,
      detail: "lambda_max 10 vs 15, ratio 0.6667 (needs < 0.7143)",
    });
    expect(less(1.6).holds).toBe(false);
  });

  it("atMostBound compares with factor x 2/lr of that run", () => {
    const m = [metrics(), metrics({ lambdaMax: 8.4, bound: 8 })];
    expect(one({ relation: "atMostBound", run: 1, factor: 1.1 }, m)).toMatchObject({
      holds: true,
      detail: "lambda_max 8.4, 2/lr 8: 1.05 x 2/lr (needs <= 1.1)",
    });
    expect(one({ relation: "atMostBound", run: 1 }, m).holds).toBe(false);
  });

  it("a missing number never holds, and says which one is missing", () => {
    const m = [metrics(), metrics({ lambdaMax: null, bound: null })];
    expect(one({ relation: "greater", metric: "lambdaMax", run: 0, than: 1 }, m)).toMatchObject({
      holds: false,
      detail: "lambda_max of run 1 not available",
    });
    expect(one({ relation: "atMostBound", run: 0 }, [metrics({ bound: null }), metrics()]).detail).toMatch(
      /stability bound of run 0 .*not available/,
    );
    expect(
      one({ relation: "atMost", metric: "trainLoss", run: "both", value: 1 }, [
        metrics(),
        metrics({ trainLoss: Number.NaN }),
      ]),
    ).toMatchObject({ holds: false, detail: "train loss of run 1 not available" });
    expect(one({ relation: "surfacesEqual", tolerance: 1 }, [metrics(), metrics()])).toMatchObject({
      holds: false,
      detail: "the train-loss surfaces not available",
    });
  });

  it("equal uses a tolerance relative to the larger value", () => {
    const eq = (a: number, b: number, tolerance: number) =>
      one({ relation: "equal", metric: "trainLoss", tolerance }, [
        metrics({ trainLoss: a }),
        metrics({ trainLoss: b }),
      ]);
    expect(eq(1, 1.00005, 1e-4).holds).toBe(true);
    expect(eq(1, 1.001, 1e-4)).toMatchObject({
      holds: false,
      detail: expect.stringMatching(/relative difference 9\.99e-4/),
    });
    expect(eq(0, 0, 1e-9).holds).toBe(true);
  });

  it("atMost and atLeast check one run or both", () => {
    const m = [metrics({ trainLoss: 0.01 }), metrics({ trainLoss: 0.2 })];
    expect(one({ relation: "atMost", metric: "trainLoss", run: 0, value: 0.05 }, m).holds).toBe(true);
    expect(one({ relation: "atMost", metric: "trainLoss", run: "both", value: 0.05 }, m)).toMatchObject({
      holds: false,
      detail: "train loss 0.01 and 0.2 (needs <= 0.05)",
    });
    expect(one({ relation: "atLeast", metric: "trainLoss", run: "both", value: 0.01 }, m).holds).toBe(true);
  });

  it("surfacesEqual and surfacesDiffer compare the train-loss surfaces point by point", () => {
    const a = Float32Array.of(1, 2, 4, 8);
    const b = Float32Array.of(1, 2, 4.04, 8);
    const m = [metrics(), metrics()];
    expect(one({ relation: "surfacesEqual", tolerance: 0.01 }, m, [a, b])).toMatchObject({
      holds: true,
      detail: "max relative difference 0.009901 at point 2 (4 vs 4.04) (needs <= 0.01)",
    });
    expect(one({ relation: "surfacesEqual", tolerance: 1e-3 }, m, [a, b]).holds).toBe(false);
    expect(one({ relation: "surfacesDiffer", tolerance: 1e-3 }, m, [a, b]).holds).toBe(true);
    expect(one({ relation: "surfacesDiffer", tolerance: 1e-3 }, m, [a, a]).holds).toBe(false);
    expect(one({ relation: "surfacesEqual", tolerance: 1 }, m, [a, Float32Array.of(1)])).toMatchObject({
      holds: false,
      detail: "surfaces of 4 and 1 points cannot be compared",
    });
  });

  it("wants the metrics of exactly two runs", () => {
    expect(() => evaluateChecks(lesson([{ relation: "atMostBound", run: 0 }]), [metrics()])).toThrow(
      /2 runs, got metrics for 1/,
    );
  });
});

describe("maxRelativeDifference", () => {
  it("treats 0 vs 0 and NaN vs NaN as equal, and finite vs non-finite as infinitely different", () => {
    expect(maxRelativeDifference([0, 1], [0, 1])).toEqual({ value: 0, index: 0 });
    expect(maxRelativeDifference([Number.NaN, 2], [Number.NaN, 1])).toEqual({ value: 0.5, index: 1 });
    expect(maxRelativeDifference([1, Number.POSITIVE_INFINITY], [1, Number.POSITIVE_INFINITY]).value).toBe(0);
    expect(maxRelativeDifference([1, 3], [1, Number.NaN])).toEqual({
      value: Number.POSITIVE_INFINITY,
      index: 1,
    });
    expect(maxRelativeDifference([], [])).toEqual({ value: 0, index: -1 });
    expect(() => maxRelativeDifference([1], [1, 2])).toThrow(/1 and 2 points/);
  });
});

describe("formatNumber", () => {
  it("prints 4 significant digits, exponents for tiny and huge values, n/a for null", () => {
    expect([1234.56, 0.012345, 1e-5, 2.5e6, 0, null, Number.NaN, -3].map(formatNumber)).toEqual([
      "1235",
      "0.01235",
      "1.00e-5",
      "2.50e+6",
      "0",
      "n/a",
      "NaN",
      "-3",
    ]);
  });
});

describe("surfaceRoughness", () => {
  const sample = (n: number, f: (x: number, y: number) => number) => {
    const v = new Float32Array(n * n);
    for (let j = 0; j < n; j++)
      for (let i = 0; i < n; i++) v[j * n + i] = f(-1 + (2 * i) / (n - 1), -1 + (2 * j) / (n - 1));
    return v;
  };
  const bowl = (x: number, y: number) => 1 + x * x + 0.5 * y * y;
  // A bowl with kinks: |.| terms switch slope abruptly along oblique lines, as ReLU units do.
  const cuts = [-0.77, -0.41, 0.13, 0.52, 0.88];
  const kinked = (x: number, y: number) =>
    bowl(x, y) +
    cuts.reduce(
      (s, c, i) => s + 0.15 * Math.abs(x - c + 0.1 * y) + 0.15 * Math.abs(y + (i % 2 ? c : -c) - 0.05 * x),
      0,
    );

  it("is 0 for a constant or linear surface and small for a smooth bowl", () => {
    expect(
      surfaceRoughness(
        sample(9, () => 3),
        9,
        9,
      ),
    ).toBe(0);
    expect(
      surfaceRoughness(
        sample(9, (x, y) => 2 * x - y),
        9,
        9,
      ),
    ).toBeLessThan(1e-6);
    expect(surfaceRoughness(sample(31, bowl), 31, 31)).toBeLessThan(1e-4); // third differences of a quadratic vanish
  });

  it("is larger with kinks, and falls like h (kinks) rather than h^2 (smooth) on finer grids", () => {
    const smooth = (n: number) =>
      surfaceRoughness(
        sample(n, (x, y) => Math.cosh(1.5 * x) + Math.cosh(y)),
        n,
        n,
      ) as number;
    const rough = (n: number) => surfaceRoughness(sample(n, kinked), n, n) as number;
    expect(rough(31)).toBeGreaterThan(5 * smooth(31));
    expect(smooth(61) / smooth(31)).toBeLessThan(0.3); // ~ (1/2)^2
    expect(rough(61) / rough(31)).toBeGreaterThan(0.35); // ~ 1/2
  });

  it("does not change when the surface is shifted or scaled", () => {
    const a = surfaceRoughness(sample(21, kinked), 21, 21) as number;
    const b = surfaceRoughness(
      sample(21, (x, y) => 7 * kinked(x, y) - 3),
      21,
      21,
    ) as number;
    expect(b).toBeCloseTo(a, 4);
  });

  it("works on 1-D lines, skips non-finite points, and is null when an axis is too short", () => {
    const line = Float32Array.from({ length: 11 }, (_, i) => Math.abs(i - 5));
    expect(surfaceRoughness(line, 11)).toBeGreaterThan(0);
    const holed = sample(11, kinked);
    holed[60] = Number.NaN;
    holed[3] = Number.POSITIVE_INFINITY;
    expect(Number.isFinite(surfaceRoughness(holed, 11, 11))).toBe(true);
    expect(surfaceRoughness(new Float32Array(9), 3, 3)).toBeNull();
    expect(surfaceRoughness(new Float32Array(0), 0, 0)).toBeNull();
    expect(() => surfaceRoughness(new Float32Array(5), 3, 3)).toThrow(/5 values for a 3 x 3 grid/);
  });
});
