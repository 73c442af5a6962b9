/**
 * Backend choice by measurement, then the evaluation and training paths on the chosen backend:
 * initialize each candidate tfjs backend, time the same small landscape tile on it (after a
 * warm-up run, which includes shader compilation), keep the fastest whose numbers agree; then
 * time the evaluation paths (landscape/calibrate.ts) and the training paths (train/calibrate.ts).
 * The app runs it in a throwaway worker; the worker supplies which backends to skip (a software
 * GPU, workers/software-gpu.ts).
 */
import { type BackendName, initBackend } from "../backend";
import { calibrateEvaluators, type EvaluatorCalibration, timeTile } from "../landscape/calibrate";
import { defaultEvaluatorFor } from "../landscape/evaluators";
import { tf } from "../tf";
import { calibrateTraining, type TrainingCalibration } from "../train/calibrate";

interface CalibrationResult extends EvaluatorCalibration {
  backend: BackendName;
  /** Milliseconds per calibration tile, or why the backend was not usable. */
  timings: Partial<Record<BackendName, number | string>>;
  /** The fastest training path (train/calibrate.ts) and its timings. */
  training: TrainingCalibration["training"];
  trainingTimings: TrainingCalibration["trainingTimings"];
}

/** A backend that takes longer than this to initialize or to run the tile is skipped. */
const BACKEND_TIMEOUT_MS = 8000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/**
 * Time `candidates` in turn and keep the fastest that agrees with the first one measured; `skip`
 * says why a backend is not timed here (null: time it).
 */
export async function calibrateBackends(
  candidates: readonly BackendName[],
  skip: (name: BackendName) => Promise<string | null> = async () => null,
): Promise<CalibrationResult> {
  const timings: CalibrationResult["timings"] = {};
  const original = tf.getBackend() as BackendName;
  let reference: Float32Array | null = null;
  for (const name of candidates) {
    try {
      const reason = await skip(name);
      if (reason) throw new Error(reason);
      await withTimeout(initBackend([name]), BACKEND_TIMEOUT_MS, `${name} initialization`);
      const t0 = performance.now();
      const { ms, loss } = timeTile(defaultEvaluatorFor(name));
      if (performance.now() - t0 > BACKEND_TIMEOUT_MS) throw new Error("too slow");
      // A backend must also be right: the same tile within 1e-3 relative of the first one measured.
      if (reference) {
        const ref = reference;
        const bad = loss.findIndex((v, i) => !(Math.abs(v - ref[i]) <= 1e-3 * Math.max(1, Math.abs(ref[i]))));
        if (bad >= 0) throw new Error(`wrong numbers (point ${bad}: ${loss[bad]} vs ${ref[bad]})`);
      } else reference = loss;
      timings[name] = ms;
    } catch (err) {
      timings[name] = (err as Error).message;
    }
  }
  const measured = Object.entries(timings).filter(
    (e): e is [BackendName, number] => typeof e[1] === "number",
  );
  const best = measured.length > 0 ? measured.reduce((a, b) => (a[1] <= b[1] ? a : b))[0] : original;
  await initBackend([best]);
  return { backend: best, timings, ...calibrateEvaluators(best), ...calibrateTraining() };
}
