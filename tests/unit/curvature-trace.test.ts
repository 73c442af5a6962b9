import { describe, expect, it } from "vitest";
import { spectralDensity } from "../../src/core/curvature/density";
import { makeQuadraticHvp, matrixWithSpectrum } from "../../src/core/curvature/quadratic";
import { meanEstimate, studentT975 } from "../../src/core/curvature/stats";
import { hutchinsonTrace } from "../../src/core/curvature/trace";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

const SPECTRUM_6 = [10, 5, 2, 1, 0.5, -3];
const SPECTRUM_50 = [20, 12, 8, -6, -4, ...Array.from({ length: 45 }, (_, i) => -2 + (7 * i) / 44)];
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

function quadratic(spectrum: number[], seed: number) {
  const { matrix, n } = matrixWithSpectrum(spectrum, seed);
  return makeQuadraticHvp(matrix, n, new Float32Array(n));
}

describe("Hutchinson's trace estimator", () => {
  it("its 95% confidence interval contains the true trace of a 6-D and a 50-D quadratic", async () => {
    const before = tf.memory().numTensors;
    for (const [spectrum, seed] of [
      [SPECTRUM_6, 1],
      [SPECTRUM_50, 2],
    ] as const) {
      const op = quadratic([...spectrum], seed);
      const truth = sum([...spectrum]);
      const r = await hutchinsonTrace(op, { seed: 1 });
      expect(r.ci95[0]).toBeLessThanOrEqual(truth);
      expect(r.ci95[1]).toBeGreaterThanOrEqual(truth);
      expect(r.samples).toBeGreaterThanOrEqual(10);
      expect(r.samples).toBeLessThanOrEqual(100);
      expect(r.values).toHaveLength(r.samples);
      expect(r.standardError).toBeGreaterThan(0);
      op.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("its 95% interval covers the true trace in about 95% of seeded runs (at least 34 of 40)", async () => {
    // The stopping rule makes the sample size random, so the nominal level is only approximate:
    // over 200 seeds the 6-D case missed 1% and the 50-D case 6.5% of the time.
    const op = quadratic(SPECTRUM_50, 2);
    let covered = 0;
    for (let seed = 100; seed < 140; seed++) {
      const r = await hutchinsonTrace(op, { seed });
      if (r.ci95[0] <= 97.5 && 97.5 <= r.ci95[1]) covered += 1;
    }
    expect(covered).toBeGreaterThanOrEqual(34);
    op.dispose();
  });

  it("is exact with one sample for a diagonal Hessian (z^T D z = tr D for every sign vector)", async () => {
    const n = 5;
    const diag = [3, -1, 2, 0.5, 4];
    const matrix = new Float64Array(n * n);
    diag.forEach((d, i) => {
      matrix[i * n + i] = d;
    });
    const op = makeQuadraticHvp(matrix, n, new Float32Array(n));
    const r = await hutchinsonTrace(op, { seed: 1 });
    expect(r.trace).toBeCloseTo(8.5, 5);
    expect(r.standardError).toBeCloseTo(0, 5);
    // Every sample is equal: the running mean stops changing once the rule may apply.
    expect(r.converged).toBe(true);
    expect(r.samples).toBe(10);
    const pyhessian = await hutchinsonTrace(op, { seed: 1, minSamples: 2 });
    expect(pyhessian.samples).toBe(2);
    op.dispose();
  });

  it("stops at maxIterations without converging, and rejects bad options", async () => {
    const op = quadratic(SPECTRUM_50, 2);
    const r = await hutchinsonTrace(op, { maxIterations: 4, tolerance: 1e-9 });
    expect(r.samples).toBe(4);
    expect(r.converged).toBe(false);
    await expect(hutchinsonTrace(op, { maxIterations: 0 })).rejects.toThrow(
      /maxIterations must be an integer >= 1/,
    );
    await expect(hutchinsonTrace(op, { tolerance: 0 })).rejects.toThrow(
      /tolerance must be a finite number > 0/,
    );
    op.dispose();
  });

  it("can be cancelled, and reports the running mean", async () => {
    const op = quadratic(SPECTRUM_6, 1);
    const controller = new AbortController();
    const means: number[] = [];
    const run = hutchinsonTrace(op, {
      signal: controller.signal,
      onProgress: (i, mean) => {
        means.push(mean);
        if (i === 3) controller.abort(new Error("stop"));
      },
    });
    await expect(run).rejects.toThrow(/stop/);
    expect(means).toHaveLength(3);
    op.dispose();
  });
});

describe("mean, standard error and Student-t interval", () => {
  it("matches textbook values", () => {
    expect(studentT975(1)).toBeCloseTo(12.706, 3);
    expect(studentT975(30)).toBeCloseTo(2.042, 3);
    expect(studentT975(31)).toBeCloseTo(2.0395, 3);
    expect(studentT975(120)).toBeCloseTo(1.9799, 3);
    const e = meanEstimate([1, 2, 3, 4]);
    expect(e.mean).toBe(2.5);
    expect(e.standardError).toBeCloseTo(Math.sqrt(5 / 3 / 4), 12);
    expect(e.ci95[1] - e.mean).toBeCloseTo(3.182 * e.standardError, 10);
    expect(meanEstimate([7]).ci95).toEqual([Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]);
    expect(() => meanEstimate([])).toThrow(/no samples/);
  });
});

describe("spectral density by stochastic Lanczos quadrature", () => {
  it("puts a peak of weight about 1/n at each eigenvalue of a 6-D quadratic, and integrates to 1", async () => {
    const before = tf.memory().numTensors;
    const op = quadratic(SPECTRUM_6, 1);
    const r = await spectralDensity(op, { runs: 8, seed: 1 });
    // Six steps span the whole space: the Ritz values are the eigenvalues.
    expect(r.steps.every((s) => s === 6)).toBe(true);
    const ritz = [...r.ritzValues[0]];
    [...SPECTRUM_6]
      .sort((a, b) => b - a)
      .forEach((l, i) => {
        expect(ritz[i]).toBeCloseTo(l, 3);
      });
    r.weights.forEach((w) => {
      expect(sum([...w])).toBeCloseTo(1, 6);
    });
    const dx = r.grid[1] - r.grid[0];
    expect(sum([...r.density]) * dx).toBeCloseTo(1, 6);
    // Before PyHessian's rescaling the mass is a little under 1: the grid ends 0.01 beyond the
    // extreme Ritz values, less than one standard deviation (0.0114), so the two end peaks lose
    // part of their tails. A wider margin recovers all of it.
    expect(r.mass).toBeGreaterThan(0.9);
    expect(r.mass).toBeLessThan(1);
    const wide = await spectralDensity(op, { runs: 8, seed: 1, overhead: 0.2 });
    expect(wide.mass).toBeCloseTo(1, 3);
    // Grid: the Ritz range -/+ 0.01, 10000 bins; variance 1e-5 times the width (PyHessian).
    expect(r.grid).toHaveLength(10000);
    expect(r.grid[0]).toBeCloseTo(-3.01, 4);
    expect(r.grid[r.grid.length - 1]).toBeCloseTo(10.01, 4);
    expect(r.variance).toBeCloseTo(1e-5 * 13.02, 9);
    // The mass near each eigenvalue averages to about 1/6 over 8 start vectors.
    for (const l of SPECTRUM_6) {
      let m = 0;
      r.grid.forEach((x, j) => {
        if (Math.abs(x - l) < 0.1) m += r.density[j] * dx;
      });
      expect(m).toBeGreaterThan(0.04);
      expect(m).toBeLessThan(0.4);
    }
    // SLQ's trace estimate, D * sum w theta, is an 8-sample Hutchinson-like estimate of 15.5.
    expect(Math.abs(r.traceEstimate - 15.5)).toBeLessThan(8);
    op.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("finds the edges of a 50-D spectrum with 30 steps", async () => {
    const op = quadratic(SPECTRUM_50, 2);
    const r = await spectralDensity(op, { steps: 30, runs: 2, bins: 2000, seed: 4 });
    expect(r.steps).toEqual([30, 30]);
    for (const values of r.ritzValues) {
      expect(values[0]).toBeCloseTo(20, 1);
      expect(values[values.length - 1]).toBeCloseTo(-6, 1);
    }
    const dx = r.grid[1] - r.grid[0];
    expect(sum([...r.density]) * dx).toBeCloseTo(1, 6);
    expect(r.density.every((d) => d >= 0 && Number.isFinite(d))).toBe(true);
    op.dispose();
  });

  it("rejects bad options", async () => {
    const op = quadratic(SPECTRUM_6, 1);
    await expect(spectralDensity(op, { bins: 1 })).rejects.toThrow(/bins must be an integer >= 2/);
    await expect(spectralDensity(op, { sigmaSquared: 0 })).rejects.toThrow(/sigmaSquared/);
    await expect(spectralDensity(op, { overhead: -1 })).rejects.toThrow(/overhead/);
    op.dispose();
  });
});
