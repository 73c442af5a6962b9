import { describe, expect, it } from "vitest";
import { smallestEigenpair, topEigenpairs } from "../../src/core/curvature/eigen";
import type { HessianOperator } from "../../src/core/curvature/hvp";
import { makeQuadraticHvp, matrixWithSpectrum } from "../../src/core/curvature/quadratic";
import { dot } from "../../src/core/curvature/vectors";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

/**
 * Tolerances, stated once: power iteration stops on a relative change of the eigenvalue estimate
 * (PyHessian's rule), which for a spectral gap ratio r leaves an error of about tol r^2 / (1 - r^2);
 * with tol 1e-4 and the gaps below, the eigenvalues must come out within 1% (the HVPs are float32).
 */
const RELATIVE = 0.01;
const SPECTRUM_6 = [10, 5, 2, 1, 0.5, -3];
/** 50-D: top 20, 12, 8; bottom -6, -4; the rest spread evenly in [-2, 5]. */
const SPECTRUM_50 = [20, 12, 8, -6, -4, ...Array.from({ length: 45 }, (_, i) => -2 + (7 * i) / 44)];

function quadratic(spectrum: number[], seed: number) {
  const { matrix, eigenvectors, n } = matrixWithSpectrum(spectrum, seed);
  const op = makeQuadraticHvp(matrix, n, new Float32Array(n));
  const column = (k: number) => Float32Array.from({ length: n }, (_, i) => eigenvectors[i * n + k]);
  return { op, column, n };
}

function expectRelative(actual: number, expected: number, tol = RELATIVE): void {
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThan(tol);
}

/** A plain JS operator from a row-major symmetric matrix (no tensors). */
function matrixOperator(a: Float64Array, n: number): HessianOperator {
  return {
    dimension: n,
    hvp(v) {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += a[i * n + j] * v[j];
        out[i] = s;
      }
      return out;
    },
  };
}

describe("power iteration with deflation (PyHessian's eigenvalues)", () => {
  it("recovers the dominant eigenvalues of 0.5 x^T A x in 6-D, by magnitude, with orthonormal eigenvectors", async () => {
    const before = tf.memory().numTensors;
    const { op, column } = quadratic(SPECTRUM_6, 1);
    const r = await topEigenpairs(op, { topK: 3, tolerance: 1e-4, seed: 1 });
    // By magnitude: 10, 5, then -3 (ahead of 2).
    expectRelative(r.values[0], 10);
    expectRelative(r.values[1], 5);
    expectRelative(r.values[2], -3);
    expect(r.converged).toEqual([true, true, true]);
    expect(Math.abs(dot(r.vectors[0], column(0)))).toBeGreaterThan(0.999);
    expect(Math.abs(dot(r.vectors[2], column(5)))).toBeGreaterThan(0.99);
    for (let i = 0; i < 3; i++) {
      expect(dot(r.vectors[i], r.vectors[i])).toBeCloseTo(1, 5);
      for (let j = 0; j < i; j++) expect(Math.abs(dot(r.vectors[i], r.vectors[j]))).toBeLessThan(1e-5);
    }
    r.residuals.forEach((res) => {
      expect(res).toBeLessThan(0.05);
    });
    r.iterations.forEach((it) => {
      expect(it).toBeGreaterThan(1);
      expect(it).toBeLessThanOrEqual(100);
    });
    op.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("recovers the top three of a 50-D spectrum", async () => {
    const { op } = quadratic(SPECTRUM_50, 2);
    const r = await topEigenpairs(op, { topK: 3, tolerance: 1e-4, seed: 3 });
    expectRelative(r.values[0], 20);
    expectRelative(r.values[1], 12);
    expectRelative(r.values[2], 8);
    op.dispose();
  });

  it("uses PyHessian's defaults (100 iterations, tolerance 1e-3) and reports when they are not met", async () => {
    // Two nearly equal top eigenvalues converge slowly: 3 iterations cannot meet 1e-6.
    const { op } = quadratic([1, 0.999, 0.5, 0.1], 4);
    const capped = await topEigenpairs(op, { maxIterations: 3, tolerance: 1e-6 });
    expect(capped.iterations[0]).toBe(3);
    expect(capped.converged[0]).toBe(false);
    const defaults = await topEigenpairs(op);
    expect(defaults.converged[0]).toBe(true);
    expect(defaults.iterations[0]).toBeLessThanOrEqual(100);
    op.dispose();
  });

  it("is reproducible for a seed, and a warm start from the answer converges at once with the same sign", async () => {
    const { op } = quadratic(SPECTRUM_50, 2);
    const a = await topEigenpairs(op, { tolerance: 1e-4, seed: 7 });
    const b = await topEigenpairs(op, { tolerance: 1e-4, seed: 7 });
    expect(b.values).toEqual(a.values);
    const warm = await topEigenpairs(op, { tolerance: 1e-4, warmStart: a.vectors });
    expect(warm.iterations[0]).toBeLessThanOrEqual(3);
    expect(dot(warm.vectors[0], a.vectors[0])).toBeGreaterThan(0.999);
    expectRelative(warm.values[0], 20);
    op.dispose();
  });

  it("with criterion residual, stops only when ||H v - lambda v|| / |lambda| < tolerance", async () => {
    const { op } = quadratic(SPECTRUM_50, 2);
    const r = await topEigenpairs(op, {
      criterion: "residual",
      tolerance: 1e-4,
      maxIterations: 300,
      seed: 3,
    });
    expect(r.converged[0]).toBe(true);
    expect(r.residuals[0]).toBeLessThan(1e-4);
    expectRelative(r.values[0], 20, 1e-5);
    await expect(topEigenpairs(op, { criterion: "other" as "residual" })).rejects.toThrow(
      /criterion must be/,
    );
    op.dispose();
  });

  it("returns 0 for a zero Hessian instead of NaN", async () => {
    const r = await topEigenpairs(matrixOperator(new Float64Array(9), 3));
    expect(r.values).toEqual([0]);
    expect(r.converged).toEqual([true]);
  });

  it("rejects bad options with a message", async () => {
    const op = matrixOperator(new Float64Array([2, 0, 0, 1]), 2);
    await expect(topEigenpairs(op, { topK: 3 })).rejects.toThrow(/topK: asked for 3 eigenpairs/);
    await expect(topEigenpairs(op, { topK: 0 })).rejects.toThrow(/topK must be an integer >= 1/);
    await expect(topEigenpairs(op, { tolerance: -1 })).rejects.toThrow(/tolerance/);
    await expect(topEigenpairs(op, { warmStart: [new Float32Array(5)] })).rejects.toThrow(
      /warmStart\[0\] has length 5/,
    );
    await expect(smallestEigenpair(op, { lambdaMax: Number.NaN })).rejects.toThrow(
      /lambdaMax must be finite/,
    );
  });

  it("stops when aborted, reports progress, and leaves no tensor behind", async () => {
    const before = tf.memory().numTensors;
    const { op } = quadratic(SPECTRUM_50, 2);
    const controller = new AbortController();
    const seen: number[] = [];
    const run = topEigenpairs(op, {
      tolerance: 1e-12,
      signal: controller.signal,
      onProgress: (i, estimate) => {
        seen.push(estimate);
        if (i === 5) controller.abort(new Error("cancelled by the test"));
      },
    });
    await expect(run).rejects.toThrow(/cancelled by the test/);
    expect(seen).toHaveLength(5);
    op.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("the smallest eigenvalue", () => {
  it("shift trick: power iteration on H - 0.51 lambda_max I returns the most negative eigenvalue (6-D and 50-D)", async () => {
    const before = tf.memory().numTensors;
    const six = quadratic(SPECTRUM_6, 1);
    const r6 = await smallestEigenpair(six.op, { tolerance: 1e-4, seed: 1 });
    expect(r6.method).toBe("shift");
    expectRelative(r6.lambdaMax, 10);
    expect(r6.shift).toBeCloseTo(0.51 * r6.lambdaMax, 10);
    expectRelative(r6.value, -3);
    expect(Math.abs(dot(r6.vector, six.column(5)))).toBeGreaterThan(0.99);
    expect(r6.residual).toBeLessThan(0.1);
    six.op.dispose();
    const fifty = quadratic(SPECTRUM_50, 2);
    const estimates: number[] = [];
    const r50 = await smallestEigenpair(fifty.op, {
      tolerance: 1e-4,
      seed: 1,
      lambdaMax: 20,
      onProgress: (_, estimate) => estimates.push(estimate),
    });
    expectRelative(r50.value, -6);
    // Progress reports lambda estimates (mu + s), one per H v product.
    expect(estimates).toHaveLength(r50.iterations);
    expectRelative(estimates[estimates.length - 1], -6);
    fifty.op.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("shift trick: falls back to the shift lambda_max on a well-conditioned positive definite Hessian", async () => {
    // lambda_min = 3 >= 0.02 lambda_max: H - 0.51 lambda_max I is still dominated by the top end.
    const { op } = quadratic([10, 8, 6, 4, 3], 5);
    const r = await smallestEigenpair(op, { tolerance: 1e-5, seed: 2 });
    expect(r.shift).toBeCloseTo(r.lambdaMax, 10);
    expectRelative(r.value, 3);
    op.dispose();
  });

  it("shift trick: a negative dominant eigenvalue is itself the smallest", async () => {
    const { op } = quadratic([-10, 2, 1, -1], 6);
    const r = await smallestEigenpair(op, { tolerance: 1e-5, seed: 2 });
    expect(r.shift).toBe(0);
    expectRelative(r.value, -10);
    op.dispose();
  });

  it("Lanczos: the smallest Ritz value after a full-dimension run is exact; 30 steps give it within 1% in 50-D", async () => {
    const six = quadratic(SPECTRUM_6, 1);
    const r6 = await smallestEigenpair(six.op, { method: "lanczos", seed: 1 });
    expect(r6.method).toBe("lanczos");
    expect(r6.iterations).toBeLessThanOrEqual(6);
    expectRelative(r6.value, -3, 1e-4);
    expectRelative(r6.lambdaMax, 10, 1e-4);
    expect(r6.converged).toBe(true);
    six.op.dispose();
    const fifty = quadratic(SPECTRUM_50, 2);
    const r50 = await smallestEigenpair(fifty.op, { method: "lanczos", maxIterations: 30, seed: 1 });
    expect(r50.iterations).toBe(30);
    expectRelative(r50.value, -6);
    expectRelative(r50.lambdaMax, 20);
    expect(Math.abs(dot(r50.vector, fifty.column(3)))).toBeGreaterThan(0.99);
    fifty.op.dispose();
  });
});
