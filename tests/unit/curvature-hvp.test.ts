import { describe, expect, it } from "vitest";
import { makeFunctionHvp, makeHvp } from "../../src/core/curvature/hvp";
import { makeQuadraticHvp, matrixWithSpectrum } from "../../src/core/curvature/quadratic";
import { expTwice } from "../../src/core/curvature/twice";
import { moons } from "../../src/core/data/classification2d";
import { flatToTensors } from "../../src/core/model/flat";
import { mlpForward } from "../../src/core/model/forward";
import { initParameters } from "../../src/core/model/init";
import { parameterCount } from "../../src/core/model/layout";
import { dataTensors, meanLoss } from "../../src/core/model/loss";
import { makeArchitecture, mlpLayout } from "../../src/core/model/mlp";
import { ACTIVATIONS } from "../../src/core/model/types";
import { createRng } from "../../src/core/rng";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

/** ||a - b|| / ||b|| in float64. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

function matVec(a: Float64Array, n: number, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i] += a[i * n + j] * v[j];
  return out;
}

function randomUnit(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const v = Float32Array.from({ length: n }, () => rng.normal());
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/** Central difference of the gradient along v: (g(theta + eps v) - g(theta - eps v)) / (2 eps). */
function finiteDifferenceHv(
  op: { theta: Float32Array; gradient(at?: Float32Array): Float32Array },
  v: Float32Array,
  eps: number,
): Float64Array {
  const plus = op.gradient(op.theta.map((t, i) => t + eps * v[i]));
  const minus = op.gradient(op.theta.map((t, i) => t - eps * v[i]));
  return Float64Array.from(plus, (p, i) => (p - minus[i]) / (2 * eps));
}

const moonsProblem = () => {
  const arch = makeArchitecture(2, 2, { hiddenSizes: [12, 12], activation: "tanh" });
  return {
    arch,
    loss: "cross-entropy" as const,
    theta: initParameters(arch, "auto", createRng(4)),
    dataset: { task: "classification" as const, inputSize: 2, outputSize: 2 },
    train: moons(64, { noise: 0.1 }, createRng(3)),
  };
};

describe("Hessian-vector products by double backprop", () => {
  it("returns A v, A x and 0.5 x^T A x for a quadratic with a known matrix", () => {
    const before = tf.memory().numTensors;
    const { matrix, n } = matrixWithSpectrum([10, 5, 2, 1, 0.5, -3], 1);
    const x = Float32Array.from([0.3, -1, 2, 0.5, 0, -0.7]);
    const op = makeQuadraticHvp(matrix, n, x);
    const v = randomUnit(n, 2);
    expect(relativeError(op.hvp(v), matVec(matrix, n, v))).toBeLessThan(1e-5);
    const ax = matVec(matrix, n, x);
    expect(relativeError(op.gradient(), ax)).toBeLessThan(1e-5);
    const xAx = ax.reduce((s, a, i) => s + a * x[i], 0);
    expect(op.loss()).toBeCloseTo(0.5 * xAx, 4);
    expect(op.hvpCount).toBe(1);
    op.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("equals the central finite difference of the gradient on a non-quadratic function (relative 1e-3)", () => {
    const before = tf.memory().numTensors;
    // f(x) = sum(cos(x) * x^2) + (sum x)^3 / 6 + sum(e^(x/2)): a full Hessian, different at every point.
    const f = (x: tf.Tensor1D) =>
      tf.add(tf.sum(tf.mul(tf.cos(x), tf.square(x))), tf.div(tf.pow(tf.sum(x), 3), 6)) as tf.Scalar;
    const theta = Float32Array.from([0.4, -0.2, 1.1, 0.7, -0.9]);
    const g = (x: tf.Tensor1D) => tf.add(f(x), tf.sum(expTwice(tf.mul(0.5, x)))) as tf.Scalar;
    const op = makeFunctionHvp(g, theta);
    for (const seed of [1, 2, 3]) {
      const v = randomUnit(theta.length, seed);
      expect(relativeError(op.hvp(v), finiteDifferenceHv(op, v, 1e-2))).toBeLessThan(1e-3);
    }
    op.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("equals the central finite difference of the gradient on a real MLP (relative 1e-3)", () => {
    const before = tf.memory().numTensors;
    const problem = moonsProblem();
    const op = makeHvp(problem);
    expect(op.dimension).toBe(parameterCount(mlpLayout(problem.arch)));
    expect(op.layout).toEqual(mlpLayout(problem.arch));
    for (const seed of [1, 2]) {
      const v = randomUnit(op.dimension, seed);
      // eps 1e-2 on a unit v: truncation O(eps^2) and float32 rounding O(1e-7 / eps) both ~1e-4.
      expect(relativeError(op.hvp(v), finiteDifferenceHv(op, v, 1e-2))).toBeLessThan(1e-3);
    }
    op.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("is exact for every activation, residual layers and the mse loss (tfjs's stock tanh, sigmoid, elu, leaky_relu and logSoftmax gradients are not twice differentiable)", () => {
    const before = tf.memory().numTensors;
    const train = moons(24, { noise: 0.1 }, createRng(8));
    for (const activation of ACTIVATIONS) {
      for (const loss of ["cross-entropy", "mse"] as const) {
        const arch = makeArchitecture(2, 2, { hiddenSizes: [5, 5], activation, residual: true });
        const regression = loss === "mse";
        const problem = {
          arch,
          loss,
          // Glorot init plus small biases, so relu units sit on both sides of their kinks.
          theta: initParameters(arch, "glorot", createRng(11)).map((t, i) => t + 0.05 * Math.sin(i)),
          dataset: {
            task: regression ? ("regression" as const) : ("classification" as const),
            inputSize: 2,
            outputSize: 2,
          },
          train: regression ? { ...train, y: train.x.map((x) => Math.sin(3 * x)) } : train,
        };
        const op = makeHvp(problem);
        // The objective is the model's own loss (model/forward.ts + model/loss.ts).
        const reference = tf.tidy(() => {
          const d = dataTensors(problem.train, problem.dataset);
          const params = flatToTensors(problem.theta, mlpLayout(arch));
          return meanLoss(loss, mlpForward(arch, params, d.x), d.target).dataSync()[0];
        });
        expect(op.loss()).toBeCloseTo(reference, 6);
        const v = randomUnit(op.dimension, 3);
        // Piecewise-linear activations: a step of 1e-2 can carry a pre-activation across its kink,
        // where the gradient jumps; 1e-3 stays on one side at this point.
        const eps = activation === "relu" || activation === "leaky_relu" ? 1e-3 : 1e-2;
        const err = relativeError(op.hvp(v), finiteDifferenceHv(op, v, eps));
        expect(err, `${activation} / ${loss}`).toBeLessThan(1e-3);
        op.dispose();
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("evaluates at another point when asked, and adds weight decay as wd I", () => {
    const problem = moonsProblem();
    const plain = makeHvp(problem);
    const decayed = makeHvp(problem, { weightDecay: 0.1 });
    const v = randomUnit(plain.dimension, 5);
    const hv = plain.hvp(v);
    const hvDecayed = decayed.hvp(v);
    expect(
      relativeError(
        hvDecayed,
        hv.map((h, i) => h + 0.1 * v[i]),
      ),
    ).toBeLessThan(1e-5);
    const shifted = problem.theta.map((t) => t + 0.01);
    expect(plain.loss(shifted)).not.toBe(plain.loss());
    expect(
      relativeError(plain.hvp(v, shifted), finiteDifferenceHv({ ...plain, theta: shifted }, v, 1e-2)),
    ).toBeLessThan(1e-3);
    plain.dispose();
    decayed.dispose();
  });

  it("analyses a given batch instead of the whole split", () => {
    const problem = moonsProblem();
    const batch = { x: problem.train.x.slice(0, 16), y: problem.train.y.slice(0, 8), count: 8 };
    const full = makeHvp(problem);
    const part = makeHvp(problem, { data: batch });
    expect(part.loss()).not.toBeCloseTo(full.loss(), 6);
    full.dispose();
    part.dispose();
  });

  it("rejects bad input with a message that says what is wrong", () => {
    const before = tf.memory().numTensors;
    const problem = moonsProblem();
    expect(() => makeHvp({ ...problem, theta: new Float32Array(3) })).toThrow(/expected \d+ values/);
    const nan = problem.theta.slice();
    nan[7] = Number.NaN;
    expect(() => makeHvp({ ...problem, theta: nan })).toThrow(/not finite/);
    expect(() =>
      makeHvp(problem, { data: { x: new Float32Array(0), y: new Float32Array(0), count: 0 } }),
    ).toThrow(/empty/);
    expect(() => makeHvp(problem, { weightDecay: -1 })).toThrow(/weightDecay/);
    expect(() =>
      makeHvp(problem, { data: { x: new Float32Array(6), y: new Float32Array(2), count: 2 } }),
    ).toThrow(/x has 6 values \(expected 4\)/);
    expect(() => makeFunctionHvp((x) => tf.sum(x), new Float32Array(0))).toThrow(/empty/);
    expect(() =>
      makeQuadraticHvp([1, 0, 0, Number.POSITIVE_INFINITY], 2, Float32Array.from([1, Number.NaN])),
    ).toThrow(/not finite/);
    const op = makeFunctionHvp((x) => tf.sum(tf.square(x)), new Float32Array(4));
    expect(() => op.hvp(new Float32Array(3))).toThrow(/length 4, got 3/);
    const vector = makeFunctionHvp((x) => tf.square(x) as unknown as tf.Scalar, new Float32Array(2));
    expect(() => vector.loss()).toThrow(/must return a scalar/);
    vector.dispose();
    op.dispose();
    expect(() => op.gradient()).toThrow(/disposed/);
    op.dispose(); // twice is harmless
    expect(tf.memory().numTensors).toBe(before);
  });
});
