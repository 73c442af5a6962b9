import { beforeAll, describe, expect, it } from "vitest";
import { spectralDensity } from "../../src/core/curvature/density";
import { smallestEigenpair, topEigenpairs } from "../../src/core/curvature/eigen";
import { type CurvatureProblem, makeHvp } from "../../src/core/curvature/hvp";
import { epsilonSharpness } from "../../src/core/curvature/sharpness";
import { hutchinsonTrace } from "../../src/core/curvature/trace";
import { dot } from "../../src/core/curvature/vectors";
import { moons } from "../../src/core/data/classification2d";
import { symmetricEigen } from "../../src/core/directions/pca";
import { initParameters } from "../../src/core/model/init";
import { makeArchitecture } from "../../src/core/model/mlp";
import { createRng } from "../../src/core/rng";
import { tf } from "../../src/core/tf";
import { trainModel } from "../../src/core/train/train";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

/**
 * A small real network: MLP 2-12-12-2 tanh (218 parameters) on 64 moons points, trained briefly
 * with full-batch Adam so that theta sits near (not at) a minimum. The reference is the explicit
 * Hessian assembled column by column from H e_i, symmetrized, and diagonalized by Jacobi.
 */
const arch = makeArchitecture(2, 2, { hiddenSizes: [12, 12], activation: "tanh" });
const train = moons(64, { noise: 0.1 }, createRng(3));
const dataset = {
  name: "moons",
  task: "classification" as const,
  inputSize: 2,
  outputSize: 2,
  classes: 2,
  train,
  test: { x: new Float32Array(0), y: new Float32Array(0), count: 0 },
};
interface Reference {
  problem: CurvatureProblem;
  values: Float64Array;
  vectors: Float64Array;
  trace: number;
  /** max |H_ij - H_ji| / max |H_ii| before symmetrizing. */
  asymmetry: number;
}
const dim = 218;
const points: Record<"initial" | "trained", Reference> = {} as Record<"initial" | "trained", Reference>;

function explicitHessian(problem: CurvatureProblem): Reference {
  const op = makeHvp(problem);
  const n = op.dimension;
  const h = new Float64Array(n * n);
  const e = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    e.fill(0);
    e[i] = 1;
    const column = op.hvp(e);
    for (let j = 0; j < n; j++) h[j * n + i] = column[j];
  }
  op.dispose();
  let asymmetry = 0;
  let scale = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      asymmetry = Math.max(asymmetry, Math.abs(h[i * n + j] - h[j * n + i]));
      const s = (h[i * n + j] + h[j * n + i]) / 2;
      h[i * n + j] = s;
      h[j * n + i] = s;
    }
    scale = Math.max(scale, Math.abs(h[i * n + i]));
  }
  let trace = 0;
  for (let i = 0; i < n; i++) trace += h[i * n + i];
  return { problem, ...symmetricEigen(h, n), trace, asymmetry: asymmetry / scale };
}

beforeAll(async () => {
  const initial = initParameters(arch, "auto", createRng(4));
  const trained = await trainModel({
    arch,
    loss: "cross-entropy",
    dataset,
    initial,
    settings: {
      optimizer: "adam",
      learningRate: 0.02,
      momentum: 0.9,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0,
      batchSize: "full",
      epochs: 150,
      checkpointEvery: 0,
      seed: 1,
    },
  });
  const problem = (theta: Float32Array): CurvatureProblem => ({
    arch,
    loss: "cross-entropy",
    theta,
    dataset,
    train,
  });
  points.initial = explicitHessian(problem(initial));
  points.trained = explicitHessian(problem(trained.parameters));
}, 60_000);

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe.each(["initial", "trained"] as const)(
  "curvature of a small real MLP at its %s point against the explicit Hessian",
  (which) => {
    it("assembles a symmetric Hessian from H e_i (double backprop is consistent)", () => {
      const ref = points[which];
      expect(ref.values).toHaveLength(dim);
      expect(ref.asymmetry).toBeLessThan(1e-4);
      // The top eigenvalue dominates the most negative one (power iteration then finds lambda_max).
      expect(ref.values[0]).toBeGreaterThan(Math.abs(ref.values[dim - 1]));
    });

    it("power iteration's top eigenvalue agrees within 1% (tolerance 1e-4), and the second one too", async () => {
      const ref = points[which];
      const before = tf.memory().numTensors;
      const op = makeHvp(ref.problem);
      const top = Float32Array.from({ length: dim }, (_, i) => ref.vectors[i * dim]);
      // The residual rule cannot stop on a mixture of the two top eigenvectors.
      const single = await topEigenpairs(op, { tolerance: 1e-4, criterion: "residual", seed: 1 });
      expect(relative(single.values[0], ref.values[0])).toBeLessThan(0.01);
      expect(Math.abs(dot(single.vectors[0], top))).toBeGreaterThan(0.99);
      // PyHessian's rule with deflation: both top eigenvalues, sorted by magnitude.
      const r = await topEigenpairs(op, { topK: 2, tolerance: 1e-4, seed: 1 });
      expect(relative(r.values[0], ref.values[0])).toBeLessThan(0.01);
      expect(relative(r.values[1], ref.values[1])).toBeLessThan(0.01);
      op.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it("the smallest eigenvalue by the shift trick and by Lanczos matches within 1% of lambda_max", async () => {
      // Tolerance relative to lambda_max: near a minimum lambda_min is ~0 and power iteration on the
      // shifted operator (a cluster of eigenvalues near -0.51 lambda_max) stops on its relative-change
      // rule a little early, so its sign is not reliable when |lambda_min| < ~0.3% lambda_max.
      // Lanczos (80 steps, full reorthogonalization) is far more accurate at the same cost.
      const ref = points[which];
      const before = tf.memory().numTensors;
      const op = makeHvp(ref.problem);
      const lambdaMin = ref.values[dim - 1];
      const scale = ref.values[0];
      const shift = await smallestEigenpair(op, { tolerance: 1e-4, seed: 1 });
      expect(Math.abs(shift.value - lambdaMin) / scale).toBeLessThan(0.01);
      const lanczos = await smallestEigenpair(op, { method: "lanczos", maxIterations: 80, seed: 1 });
      expect(Math.abs(lanczos.value - lambdaMin) / scale).toBeLessThan(1e-3);
      expect(relative(lanczos.lambdaMax, scale)).toBeLessThan(1e-3);
      op.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it("Hutchinson's 95% interval contains the explicit Hessian's trace (for at least 4 of 5 seeds)", async () => {
      // A 95% interval misses 1 time in 20, so one seed alone would be a coin with a 5% bias;
      // two misses in five happen with probability ~2%.
      const ref = points[which];
      const before = tf.memory().numTensors;
      const op = makeHvp(ref.problem);
      let covered = 0;
      for (let seed = 1; seed <= 5; seed++) {
        const r = await hutchinsonTrace(op, { seed });
        if (r.ci95[0] <= ref.trace && ref.trace <= r.ci95[1]) covered += 1;
      }
      expect(covered).toBeGreaterThanOrEqual(4);
      op.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it("the SLQ density integrates to 1 and spans the spectrum", async () => {
      const ref = points[which];
      const before = tf.memory().numTensors;
      const op = makeHvp(ref.problem);
      const r = await spectralDensity(op, { steps: 60, runs: 2, seed: 1 });
      const dx = r.grid[1] - r.grid[0];
      expect(r.density.reduce((s, d) => s + d, 0) * dx).toBeCloseTo(1, 6);
      expect(r.mass).toBeGreaterThan(0.9);
      expect(r.mass).toBeLessThanOrEqual(1 + 1e-9);
      for (const values of r.ritzValues) expect(relative(values[0], ref.values[0])).toBeLessThan(0.01);
      expect(r.grid[0]).toBeLessThanOrEqual(ref.values[dim - 1] + 0.01 * ref.values[0]);
      op.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  },
);

describe("curvature options on a real MLP", () => {
  it("PyHessian's relative-change rule can stop on the second of two close eigenvalues; the residual shows it", async () => {
    // At the initial point lambda_1 = 1.554 and lambda_2 = 1.449 (ratio 0.93). From seed 1 the
    // estimate creeps up so slowly that the rule (tolerance 1e-4) stops near lambda_2; its
    // relative residual (~5e-3) stays well above a converged pair's: that is how a caller can tell.
    const { problem, values } = points.initial;
    expect(values[1] / values[0]).toBeGreaterThan(0.9);
    const op = makeHvp(problem);
    const r = await topEigenpairs(op, { tolerance: 1e-4, seed: 1 });
    expect(relative(r.values[0], values[1])).toBeLessThan(0.01);
    expect(r.residuals[0]).toBeGreaterThan(1e-3);
    // The residual rule needs more iterations at this gap (0.93^k), but gets there.
    const strict = await topEigenpairs(op, {
      tolerance: 1e-3,
      criterion: "residual",
      maxIterations: 300,
      seed: 1,
    });
    expect(strict.converged[0]).toBe(true);
    expect(strict.residuals[0]).toBeLessThan(1e-3);
    expect(relative(strict.values[0], values[0])).toBeLessThan(1e-3);
    op.dispose();
    // At the trained point (ratio 0.54) PyHessian's defaults are within 1% from any seed tried.
    const t = makeHvp(points.trained.problem);
    for (const seed of [1, 2, 3]) {
      const d = await topEigenpairs(t, { seed });
      expect(relative(d.values[0], points.trained.values[0])).toBeLessThan(0.01);
    }
    t.dispose();
  });

  it("weight decay shifts every eigenvalue by wd; epsilon-sharpness is positive and leaves no tensor", async () => {
    const before = tf.memory().numTensors;
    const { problem, values } = points.trained;
    const op = makeHvp(problem, { weightDecay: 0.5 });
    const r = await topEigenpairs(op, { tolerance: 1e-4, seed: 1 });
    expect(relative(r.values[0], values[0] + 0.5)).toBeLessThan(0.01);
    op.dispose();
    const plain = makeHvp(problem);
    const s = await epsilonSharpness(plain, { epsilon: 1e-3, seed: 1 });
    expect(s.sharpness).toBeGreaterThan(0);
    plain.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
