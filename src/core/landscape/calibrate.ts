/**
 * Evaluation-path choice by measurement: the same small landscape tile timed with every path that
 * runs here, on the current backend; the fastest whose numbers agree with the backend's default
 * path is kept (a path that is fast but wrong is never chosen). experiment/calibrate.ts runs it
 * after choosing the backend.
 */
import { randomDirection } from "../directions/random";
import { initParameters } from "../model/init";
import { makeArchitecture, mlpLayout } from "../model/mlp";
import { createRng } from "../rng";
import type { LandscapeEvaluator } from "./evaluator";
import { availableEvaluators, defaultEvaluatorFor, EVALUATORS, type EvaluatorName } from "./evaluators";
import { prepareLandscape } from "./surfaces";
import { maxRelativeDifference } from "./timing";

/** Grid points in the calibration tile (8 x 8). */
const CALIBRATION_POINTS = 64;

export interface EvaluatorCalibration {
  /** The fastest evaluation path on the backend. */
  evaluator: EvaluatorName;
  /** Milliseconds per calibration tile, per path, or why the path was not usable. */
  evaluatorTimings: Partial<Record<EvaluatorName, number | string>>;
  /** Grid points per second of the chosen path on the calibration tile. */
  pointsPerSecond: number;
}

/**
 * The calibration work: the reference network's shape (MLP 2-64-64-2 ReLU) on 256 samples, a
 * 64-point tile of a filter-normalized random plane, timed with `evaluator` (median of 3 after a
 * warm-up). Small enough for a few milliseconds on the fast paths, shaped like real work so the
 * ranking of the paths carries over.
 */
export function timeTile(evaluator: LandscapeEvaluator): { ms: number; loss: Float32Array } {
  const rng = createRng(1);
  const n = 256;
  const x = Float32Array.from({ length: 2 * n }, () => rng.normal());
  const y = Float32Array.from({ length: n }, () => rng.int(2));
  const arch = makeArchitecture(2, 2, { hiddenSizes: [64, 64], activation: "relu" });
  const layout = mlpLayout(arch);
  const theta = initParameters(arch, "he", rng);
  const directions = [1, 2].map((seed) =>
    randomDirection(theta, layout, { normalization: "filter", bias: "zero", seed }),
  );
  const prepared = prepareLandscape(
    {
      arch,
      loss: "cross-entropy",
      layout,
      theta,
      directions,
      dataset: { task: "classification", inputSize: 2, outputSize: 2 },
      train: { x, y, count: n },
    },
    evaluator,
  );
  const grid = {
    axes: [
      { label: "x", min: -1, max: 1, count: 8 },
      { label: "y", min: -1, max: 1, count: 8 },
    ],
  };
  const tile = { ix0: 0, ix1: 8, iy0: 0, iy1: 8 };
  try {
    prepared.computeTile(grid, tile); // warm-up: shader compilation, wasm memory growth
    const times: number[] = [];
    let loss: Float32Array = new Float32Array(0);
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      loss = prepared.computeTile(grid, tile).train_loss as Float32Array;
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { ms: times[1], loss };
  } finally {
    prepared.dispose();
  }
}

/**
 * Time every evaluation path that runs here on the current backend and pick the fastest whose
 * numbers match the backend's default path within 1e-4 relative (a path that is fast but wrong
 * is never chosen). Falls back to the default path when nothing else could be measured.
 */
export function calibrateEvaluators(backend: string): EvaluatorCalibration {
  const fallback = defaultEvaluatorFor(backend).name as EvaluatorName;
  const evaluatorTimings: EvaluatorCalibration["evaluatorTimings"] = {};
  let reference: Float32Array | null = null;
  const order = [fallback, ...availableEvaluators().filter((n) => n !== fallback)];
  for (const name of order) {
    try {
      const { ms, loss } = timeTile(EVALUATORS[name]);
      if (reference) {
        const diff = maxRelativeDifference(loss, reference);
        if (!(diff <= 1e-4))
          throw new Error(`wrong numbers (max relative difference ${diff.toExponential(1)})`);
      } else reference = loss;
      evaluatorTimings[name] = ms;
    } catch (err) {
      evaluatorTimings[name] = (err as Error).message;
    }
  }
  const measured = Object.entries(evaluatorTimings).filter(
    (e): e is [EvaluatorName, number] => typeof e[1] === "number",
  );
  const [evaluator, ms] =
    measured.length > 0 ? measured.reduce((a, b) => (a[1] <= b[1] ? a : b)) : [fallback, Number.NaN];
  return { evaluator, evaluatorTimings, pointsPerSecond: (CALIBRATION_POINTS / ms) * 1000 };
}
