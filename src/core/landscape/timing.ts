/**
 * Timing of evaluation paths on the same work, for the calibration that picks a device's fastest
 * path and for the benchmarks (Node and browser workers print the same table from these numbers).
 */
import type { LandscapeEvaluator } from "./evaluator";
import type { Grid } from "./grid";
import { type LandscapeProblem, sampleLandscape } from "./surfaces";

interface EvaluatorTiming {
  /** Best wall time of one full-grid pass, milliseconds. */
  ms: number;
  /** The train loss surface of the last pass, [grid points], for the agreement check. */
  trainLoss: Float32Array;
}

/**
 * Sample the whole grid `repeats` times with one evaluator (the data upload included, as a real
 * job pays it) and keep the best time: the least disturbed by other work on a shared machine.
 *
 * @example const { ms } = await timeEvaluator(problem, grid, wasmKernelEvaluator, 2);
 */
export async function timeEvaluator(
  problem: LandscapeProblem,
  grid: Grid,
  evaluator: LandscapeEvaluator,
  repeats: number,
): Promise<EvaluatorTiming> {
  if (!Number.isInteger(repeats) || repeats < 1)
    throw new Error(`repeats must be an integer >= 1, got ${repeats}`);
  let ms = Number.POSITIVE_INFINITY;
  let trainLoss: Float32Array = new Float32Array(0);
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const surfaces = await sampleLandscape(problem, grid, evaluator);
    ms = Math.min(ms, performance.now() - t0);
    trainLoss = surfaces.train_loss ?? new Float32Array(0);
  }
  return { ms, trainLoss };
}

/**
 * Largest |a_i - ref_i| / max(|ref_i|, 1e-12); NaN where exactly one side is not finite counts as
 * Infinity (a path that loses points must not look equal).
 */
export function maxRelativeDifference(a: Float32Array, ref: Float32Array): number {
  if (a.length !== ref.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < ref.length; i++) {
    if (Number.isFinite(a[i]) !== Number.isFinite(ref[i])) return Number.POSITIVE_INFINITY;
    if (!Number.isFinite(ref[i])) continue;
    m = Math.max(m, Math.abs(a[i] - ref[i]) / Math.max(1e-12, Math.abs(ref[i])));
  }
  return m;
}
