import { describe, expect, it } from "vitest";
import { makeFunctionHvp, makeHvp } from "../../src/core/curvature/hvp";
import { makeQuadraticHvp, matrixWithSpectrum } from "../../src/core/curvature/quadratic";
import { averageSharpness, epsilonSharpness, samSharpness } from "../../src/core/curvature/sharpness";
import { moons } from "../../src/core/data/classification2d";
import { initParameters } from "../../src/core/model/init";
import { makeArchitecture } from "../../src/core/model/mlp";
import { createRng } from "../../src/core/rng";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

/** f(x) = a sum(x_i^2). */
const squares = (a: number) => (x: tf.Tensor1D) => tf.mul(a, tf.sum(tf.square(x))) as tf.Scalar;

const mlpProblem = () => {
  const arch = makeArchitecture(2, 2, { hiddenSizes: [8], activation: "tanh" });
  return {
    arch,
    loss: "cross-entropy" as const,
    theta: initParameters(arch, "auto", createRng(2)),
    dataset: { task: "classification" as const, inputSize: 2, outputSize: 2 },
    train: moons(48, { noise: 0.1 }, createRng(5)),
  };
};

describe("epsilon-sharpness (Keskar et al. 2017)", () => {
  it("of a x^2 at 0 is 100 a eps^2 (L = 0 and the box is |delta| <= eps), in 1-D and 4-D", async () => {
    const before = tf.memory().numTensors;
    for (const [a, eps] of [
      [2, 1e-3],
      [0.5, 5e-4],
      [30, 1e-2],
    ]) {
      const op = makeFunctionHvp(squares(a), new Float32Array(1));
      const r = await epsilonSharpness(op, { epsilon: eps, seed: 1 });
      // Tolerance: float32 values of size a eps^2; relative 1e-3.
      expect(Math.abs(r.sharpness - 100 * a * eps * eps) / (100 * a * eps * eps)).toBeLessThan(1e-3);
      expect(Math.abs(r.delta[0])).toBeCloseTo(eps, 9);
      expect(r.loss).toBe(0);
      op.dispose();
    }
    const op4 = makeFunctionHvp(squares(2), new Float32Array(4));
    const r4 = await epsilonSharpness(op4, { epsilon: 1e-3, seed: 2 });
    expect(r4.sharpness).toBeCloseTo(100 * 2 * 4 * 1e-6, 7);
    op4.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("scales the box by |theta_i| + 1 and divides by 1 + L away from 0", async () => {
    const a = 2;
    const eps = 1e-3;
    const op = makeFunctionHvp(squares(a), Float32Array.from([0.5]));
    const r = await epsilonSharpness(op, { epsilon: eps });
    // The max of a (0.5 + d)^2 over |d| <= 1.5 eps is at d = +1.5 eps; L = a / 4.
    const expected = (100 * (a * (0.5 + 1.5 * eps) ** 2 - a * 0.25)) / (1 + a * 0.25);
    expect(Math.abs(r.sharpness - expected) / expected).toBeLessThan(1e-3);
    expect(r.delta[0]).toBeCloseTo(1.5 * eps, 6);
    op.dispose();
  });

  it("is never negative: concave, linear, flat, indefinite and MLP losses", async () => {
    const functions: [string, (x: tf.Tensor1D) => tf.Scalar, Float32Array][] = [
      ["concave -x^2 at its maximum", squares(-1), new Float32Array(3)],
      [
        "linear",
        (x) => tf.sum(tf.mul(tf.tensor1d([1, -2, 3]), x)) as tf.Scalar,
        Float32Array.from([1, 2, 3]),
      ],
      ["constant", (x) => tf.mul(0, tf.sum(x)) as tf.Scalar, new Float32Array(2)],
      ["cos at its maximum", (x) => tf.sum(tf.cos(x)) as tf.Scalar, new Float32Array(2)],
    ];
    for (const [name, f, theta] of functions) {
      const op = makeFunctionHvp(f, theta);
      const r = await epsilonSharpness(op, { epsilon: 1e-2, seed: 3 });
      expect(r.sharpness, name).toBeGreaterThanOrEqual(0);
      op.dispose();
    }
    const { matrix, n } = matrixWithSpectrum([4, 1, -3, -5], 3);
    const saddle = makeQuadraticHvp(matrix, n, new Float32Array(n));
    expect((await epsilonSharpness(saddle, { epsilon: 1e-2 })).sharpness).toBeGreaterThan(0);
    saddle.dispose();
    const mlp = makeHvp(mlpProblem());
    const r = await epsilonSharpness(mlp, { epsilon: 1e-3, seed: 4 });
    expect(r.sharpness).toBeGreaterThan(0);
    expect(r.maxLoss).toBeGreaterThan(r.loss);
    // The maximizer lies in the box.
    r.delta.forEach((d, i) => {
      expect(Math.abs(d)).toBeLessThanOrEqual(1e-3 * (Math.abs(mlp.theta[i]) + 1) * (1 + 1e-6));
    });
    mlp.dispose();
  });

  it("reports progress, stops when aborted and rejects bad options", async () => {
    const op = makeFunctionHvp(squares(1), new Float32Array(2));
    const controller = new AbortController();
    let calls = 0;
    const run = epsilonSharpness(op, {
      signal: controller.signal,
      onProgress: (_, best) => {
        expect(best).toBeGreaterThanOrEqual(0);
        calls += 1;
        if (calls === 4) controller.abort(new Error("enough"));
      },
    });
    await expect(run).rejects.toThrow(/enough/);
    await expect(epsilonSharpness(op, { epsilon: 0 })).rejects.toThrow(/epsilon must be a finite number > 0/);
    await expect(epsilonSharpness(op, { restarts: -1 })).rejects.toThrow(/restarts/);
    const nan = makeFunctionHvp((x) => tf.div(tf.sum(x), 0) as tf.Scalar, new Float32Array(1));
    await expect(epsilonSharpness(nan)).rejects.toThrow(/loss at theta is NaN/);
    nan.dispose();
    op.dispose();
  });
});

describe("average sharpness", () => {
  it("of 0.5 x^T A x at 0 along N(0, I) directions is 0.5 r^2 tr(A) on average (95% interval)", async () => {
    const spectrum = [10, 5, 2, 1, 0.5, -3];
    const { matrix, n } = matrixWithSpectrum(spectrum, 1);
    const op = makeQuadraticHvp(matrix, n, new Float32Array(n));
    const r = await averageSharpness(op, {
      radius: 0.1,
      samples: 200,
      seed: 1,
      normalization: "none",
      layout: [{ name: "x", shape: [n, 1] }],
    });
    const expected = 0.5 * 0.01 * 15.5;
    expect(r.ci95[0]).toBeLessThanOrEqual(expected);
    expect(r.ci95[1]).toBeGreaterThanOrEqual(expected);
    expect(r.values).toHaveLength(200);
    expect(r.sharpness).toBe(r.mean);
    op.dispose();
  });

  it("uses filter-normalized directions of the MLP's own layout, is seeded, and is 0 at radius 0", async () => {
    const before = tf.memory().numTensors;
    const op = makeHvp(mlpProblem());
    const a = await averageSharpness(op, { radius: 0.2, samples: 5, seed: 3 });
    const b = await averageSharpness(op, { radius: 0.2, samples: 5, seed: 3 });
    expect([...b.values]).toEqual([...a.values]);
    expect(a.values.every(Number.isFinite)).toBe(true);
    const zero = await averageSharpness(op, { radius: 0, samples: 3 });
    expect([...zero.values]).toEqual([0, 0, 0]);
    op.dispose();
    const generic = makeFunctionHvp(squares(1), new Float32Array(2));
    await expect(averageSharpness(generic, { radius: 1 })).rejects.toThrow(/no layout; pass options.layout/);
    await expect(averageSharpness(generic, { radius: -1 })).rejects.toThrow(/radius/);
    generic.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("worst-case sharpness in an L2 ball (SAM)", () => {
  it("one step is L(theta + rho g / ||g||) - L(theta) = rho ||g|| + 0.5 rho^2 g^T A g / ||g||^2 on a quadratic", async () => {
    const { matrix, n } = matrixWithSpectrum([10, 5, 2, 1, 0.5, -3], 1);
    const x0 = Float32Array.from([0.2, -0.1, 0.3, 0, 0.1, -0.2]);
    const op = makeQuadraticHvp(matrix, n, x0);
    const g = Float64Array.from(op.gradient());
    const gn = Math.hypot(...g);
    let gag = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) gag += g[i] * matrix[i * n + j] * g[j];
    const rho = 0.05;
    const expected = rho * gn + (0.5 * rho * rho * gag) / (gn * gn);
    const one = await samSharpness(op, { rho });
    expect(Math.abs(one.firstStep - expected) / expected).toBeLessThan(1e-3);
    expect(one.sharpness).toBe(one.firstStep);
    expect(Math.hypot(...one.delta)).toBeCloseTo(rho, 6);
    // More projected steps can only keep or raise the best value, and stay in the ball,
    // below the bound rho ||g|| + 0.5 rho^2 lambda_max.
    const many = await samSharpness(op, { rho, steps: 10 });
    expect(many.increases).toHaveLength(10);
    expect(many.sharpness).toBeGreaterThanOrEqual(one.firstStep - 1e-7);
    expect(many.sharpness).toBeLessThanOrEqual(rho * gn + 0.5 * rho * rho * 10 + 1e-6);
    expect(Math.hypot(...many.delta)).toBeLessThanOrEqual(rho * (1 + 1e-6));
    op.dispose();
  });

  it("is 0 at a stationary point (the first-order step cannot leave it) and positive on an MLP", async () => {
    const op = makeFunctionHvp(squares(3), new Float32Array(3));
    const r = await samSharpness(op, { rho: 0.1, steps: 3 });
    expect(r.sharpness).toBe(0);
    expect(r.increases).toEqual([]);
    op.dispose();
    const mlp = makeHvp(mlpProblem());
    const m = await samSharpness(mlp, { rho: 0.05, steps: 2 });
    expect(m.sharpness).toBeGreaterThan(0);
    await expect(samSharpness(mlp, { rho: 0 })).rejects.toThrow(/rho must be a finite number > 0/);
    mlp.dispose();
  });
});
