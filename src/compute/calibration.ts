/**
 * Which backend, evaluation path and training path this device runs, and how they were chosen:
 * the remembered calibration (localStorage, remembered-choice.ts) when it was measured on the
 * backend that runs now, else the backend's defaults; and the calibration itself, timed in a
 * throwaway worker so running jobs are not disturbed.
 */
import type { BackendName } from "../core/backend";
import { MARK_CALIBRATION_START } from "../state/marks";
import { startComputeWorker } from "./bridge";
import type { ComputePool } from "./pool";
import { EVALUATOR_KEY, forget, rememberChoice, storedEvaluator } from "./remembered-choice";

export interface CalibrationReport {
  backend: string;
  timings: Record<string, number | string>;
  evaluator: string;
  evaluatorTimings: Record<string, number | string>;
  pointsPerSecond: number;
  /** The training path chosen (kernel/training-path.ts) and milliseconds per step of each. */
  training: string;
  trainingTimings: Record<string, number | string>;
}

/** The paths the pool now runs: the evaluator's name and whether a calibration chose it. */
interface AppliedPaths {
  evaluator: string;
  source: "calibrated" | "default";
  /** Why the remembered calibration was not used although it was for this backend (it failed). */
  dropped?: string;
}

/**
 * Use the evaluation path (and training path) calibrated on this device when it was measured on
 * `backend`; otherwise (or when the workers cannot run it, which forgets it) the backend's
 * default evaluation path and the "auto" training path. `stopped`: the lab was stopped meanwhile
 * (a failure then is the stop, not a path that cannot run, and is rethrown).
 */
export async function applyRememberedPaths(
  pool: ComputePool,
  backend: string,
  stopped: () => boolean,
): Promise<AppliedPaths> {
  const remembered = storedEvaluator();
  let dropped: string | undefined;
  if (remembered && remembered.backend === backend) {
    try {
      await pool.selectTrainingPath(remembered.training ?? null);
      return { evaluator: await pool.selectEvaluator(remembered.evaluator), source: "calibrated" };
    } catch (err) {
      if (stopped()) throw err;
      forget(EVALUATOR_KEY);
      dropped = (err as Error).message;
    }
  }
  await pool.selectTrainingPath(null);
  return { evaluator: await pool.selectEvaluator(null), source: "default", dropped };
}

/**
 * Time the candidate backends, then every evaluation and training path on the fastest backend, in
 * a throwaway worker, and remember the choice for the next start.
 */
export async function calibrateDevice(): Promise<CalibrationReport> {
  performance.mark(MARK_CALIBRATION_START);
  const w = startComputeWorker();
  try {
    await w.api.init(["wasm", "cpu"]);
    const candidates: BackendName[] = ["wasm", "webgl", "webgpu"];
    const result = await Promise.race([w.api.calibrate(candidates), w.failed]);
    rememberChoice({
      backend: result.backend,
      evaluator: result.evaluator,
      pointsPerSecond: result.pointsPerSecond,
      training: result.training,
    });
    return result;
  } finally {
    w.terminate();
  }
}
