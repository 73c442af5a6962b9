/**
 * Spectral density of the Hessian by stochastic Lanczos quadrature (SLQ; Ghorbani, Krishnan and
 * Xiao 2019; PyHessian's `density` and `density_generate`).
 *
 * For a unit vector q, the spectral measure mu_q = sum_i (q . u_i)^2 delta(lambda_i) has
 * expectation (1/D) sum_i delta(lambda_i), the eigenvalue density, when q is a normalized
 * Rademacher vector. m Lanczos steps from q give T_m, whose eigenvalues theta_k and squared first
 * eigenvector components w_k are the m-point Gauss quadrature of mu_q. Averaging `runs` such
 * quadratures and smoothing each node by a Gaussian gives
 *   phi(t) = (1 / runs) sum_runs sum_k w_k N(t; theta_k, s2),
 * evaluated on `bins` points between the mean smallest and mean largest Ritz value, -/+ overhead.
 * As in PyHessian, the variance is s2 = sigmaSquared * max(1, lambda_max - lambda_min) with the
 * grid's end points, and the result is rescaled so that sum(phi) * dx = 1. `mass` is that sum
 * before rescaling (about 1 when the grid resolves the Gaussians).
 *
 * Departures: Lanczos stops early on breakdown (an invariant subspace: the nodes are then exact;
 * PyHessian restarts from a random vector, which only adds nodes of weight 0) and never runs more
 * steps than the dimension; reorthogonalization is done twice per step.
 */
import { createRng, deriveSeed } from "../rng";
import type { HessianOperator } from "./hvp";
import { lanczos, ritzPairs } from "./lanczos";
import { assertInteger, assertPositive, type LoopOptions } from "./loop";
import { rademacherVector } from "./vectors";

interface DensityOptions extends LoopOptions {
  /** Lanczos steps per run (PyHessian's iter). Default 100 (capped at the dimension). */
  steps?: number;
  /** Independent start vectors (PyHessian's n_v). Default 1. */
  runs?: number;
  /** Grid points. Default 10000 (PyHessian's num_bins). */
  bins?: number;
  /** Base Gaussian variance, scaled by max(1, grid width). Default 1e-5 (PyHessian). */
  sigmaSquared?: number;
  /** Margin added on both sides of the Ritz range. Default 0.01 (PyHessian). */
  overhead?: number;
  /** Seed of the Rademacher start vectors. Default 0. */
  seed?: number;
}

interface DensityResult {
  /** Eigenvalue grid, evenly spaced, length bins. */
  grid: Float64Array;
  /** Density on the grid; sum(density) * (grid[1] - grid[0]) = 1. */
  density: Float64Array;
  /** Ritz values of each run (descending). */
  ritzValues: Float64Array[];
  /** Quadrature weights of each run (sum 1 per run). */
  weights: Float64Array[];
  /** The Gaussian variance actually used. */
  variance: number;
  /** sum(phi) * dx before the rescaling: about 1 when the grid resolves the Gaussians. */
  mass: number;
  /** D * sum_k w_k theta_k averaged over runs: an SLQ estimate of tr(H) (Hutchinson-like). */
  traceEstimate: number;
  /** Lanczos steps taken in each run. */
  steps: number[];
}

/**
 * SLQ spectral density. Progress reports (total Lanczos steps so far, latest alpha).
 *
 * @example const { grid, density } = await spectralDensity(op, { steps: 80, runs: 2, seed: 1 });
 */
export async function spectralDensity(
  op: HessianOperator,
  options: DensityOptions = {},
): Promise<DensityResult> {
  const steps = options.steps ?? 100;
  const runs = options.runs ?? 1;
  const bins = options.bins ?? 10000;
  const sigmaSquared = options.sigmaSquared ?? 1e-5;
  const overhead = options.overhead ?? 0.01;
  assertInteger(steps, 1, "steps");
  assertInteger(runs, 1, "runs");
  assertInteger(bins, 2, "bins");
  assertPositive(sigmaSquared, "sigmaSquared");
  if (!Number.isFinite(overhead) || overhead < 0) throw new Error(`overhead must be >= 0, got ${overhead}`);
  const rng = createRng(deriveSeed(options.seed ?? 0, "slq"));
  const ritzValues: Float64Array[] = [];
  const weights: Float64Array[] = [];
  const stepsTaken: number[] = [];
  let done = 0;
  for (let r = 0; r < runs; r++) {
    const run = await lanczos(op, rademacherVector(op.dimension, rng), steps, {
      signal: options.signal,
      onProgress: (j, a) => options.onProgress?.(done + j, a),
    });
    done += run.steps;
    const ritz = ritzPairs(run);
    ritzValues.push(ritz.values);
    weights.push(ritz.weights);
    stepsTaken.push(run.steps);
  }
  let hi = 0;
  let lo = 0;
  let trace = 0;
  ritzValues.forEach((values, r) => {
    hi += values[0] / runs;
    lo += values[values.length - 1] / runs;
    for (let k = 0; k < values.length; k++) trace += (op.dimension * weights[r][k] * values[k]) / runs;
  });
  hi += overhead;
  lo -= overhead;
  if (!(hi > lo)) {
    // Every Ritz value equal and no overhead: widen so the grid has a width.
    hi += 0.5;
    lo -= 0.5;
  }
  const grid = new Float64Array(bins);
  const dx = (hi - lo) / (bins - 1);
  for (let j = 0; j < bins; j++) grid[j] = lo + j * dx;
  const variance = sigmaSquared * Math.max(1, hi - lo);
  const density = new Float64Array(bins);
  const norm = 1 / Math.sqrt(2 * Math.PI * variance);
  // Only grid points within 12 standard deviations of a node get a contribution (exp(-72) ~ 0).
  const reach = 12 * Math.sqrt(variance);
  ritzValues.forEach((values, r) => {
    for (let k = 0; k < values.length; k++) {
      const w = weights[r][k] / runs;
      if (w === 0) continue;
      const from = Math.max(0, Math.floor((values[k] - reach - lo) / dx));
      const to = Math.min(bins - 1, Math.ceil((values[k] + reach - lo) / dx));
      for (let j = from; j <= to; j++) {
        density[j] += w * norm * Math.exp(-((grid[j] - values[k]) ** 2) / (2 * variance));
      }
    }
  });
  let sum = 0;
  for (let j = 0; j < bins; j++) sum += density[j];
  const mass = sum * dx;
  if (mass > 0) for (let j = 0; j < bins; j++) density[j] /= mass;
  return { grid, density, ritzValues, weights, variance, mass, traceEstimate: trace, steps: stepsTaken };
}
