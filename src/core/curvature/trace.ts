/**
 * Hutchinson's trace estimator (Hutchinson 1990; PyHessian's `trace`): for Rademacher vectors z
 * (entries +-1), E[z^T H z] = tr(H), with variance 2 sum_{i != j} H_ij^2. Samples z^T H z are drawn
 * until the running mean changes by less than `tolerance` relative to the previous mean
 * (|m_n - m_{n-1}| / (|m_{n-1}| + 1e-6) < tol, PyHessian's rule) or maxIterations is reached.
 *
 * One departure, for an honest interval: the rule is checked only once minSamples samples are in
 * (default 10; PyHessian's effective minimum is 2, pass minSamples: 2 to reproduce it exactly),
 * because its stop can come by chance after very few samples.
 */
import { createRng, deriveSeed } from "../rng";
import type { HessianOperator } from "./hvp";
import { assertInteger, assertPositive, type LoopOptions, makeTicker } from "./loop";
import { meanEstimate } from "./stats";
import { dot, rademacherVector } from "./vectors";

interface TraceOptions extends LoopOptions {
  /** Default 100 (PyHessian). */
  maxIterations?: number;
  /** Relative change of the running mean that stops sampling. Default 1e-3 (PyHessian). */
  tolerance?: number;
  /** Samples before the stopping rule applies. Default 10. */
  minSamples?: number;
  /** Seed of the Rademacher vectors. Default 0. */
  seed?: number;
}

interface TraceResult {
  /** The estimate of tr(H): the mean of the samples. */
  trace: number;
  /** Standard error of the mean (sample sd / sqrt(n)). */
  standardError: number;
  /** 95% confidence interval: mean -/+ t_{0.975, n-1} standard error. */
  ci95: [number, number];
  /** Number of samples z^T H z (= H v products). */
  samples: number;
  /** Every sample, in order. */
  values: Float64Array;
  /** Whether the stopping rule fired before maxIterations. */
  converged: boolean;
}

/**
 * Estimate tr(H) by Hutchinson's method. Progress reports (samples, running mean).
 *
 * @example const { trace, ci95 } = await hutchinsonTrace(op, { seed: 1 });
 */
export async function hutchinsonTrace(op: HessianOperator, options: TraceOptions = {}): Promise<TraceResult> {
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-3;
  const minSamples = Math.min(options.minSamples ?? 10, maxIterations);
  assertInteger(maxIterations, 1, "maxIterations");
  assertPositive(tolerance, "tolerance");
  assertInteger(minSamples, 1, "minSamples");
  const rng = createRng(deriveSeed(options.seed ?? 0, "hutchinson"));
  const tick = makeTicker(options.signal);
  const values: number[] = [];
  let sum = 0;
  let previous = 0;
  let converged = false;
  for (let i = 0; i < maxIterations; i++) {
    await tick();
    const z = rademacherVector(op.dimension, rng);
    const sample = dot(op.hvp(z), z);
    if (!Number.isFinite(sample)) throw new Error(`hutchinson: sample ${i + 1} (z^T H z) is not finite`);
    values.push(sample);
    sum += sample;
    const mean = sum / values.length;
    options.onProgress?.(values.length, mean);
    if (
      values.length >= minSamples &&
      values.length >= 2 &&
      Math.abs(mean - previous) / (Math.abs(previous) + 1e-6) < tolerance
    ) {
      converged = true;
      break;
    }
    previous = mean;
  }
  const est = meanEstimate(values);
  return {
    trace: est.mean,
    standardError: est.standardError,
    ci95: est.ci95,
    samples: est.samples,
    values: Float64Array.from(values),
    converged,
  };
}
