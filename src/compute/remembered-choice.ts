/**
 * What a device remembers between visits (localStorage): the tfjs backend, the evaluation path and
 * the training path the first-use calibration found fastest. Storage may be unavailable (private mode, blocked):
 * reads then find nothing and writes apply to this session only.
 */
import type { BackendName } from "../core/backend";

export const BACKEND_KEY = "loss-landscape-lab.backend";
/** The calibrated evaluation path, remembered with the backend it was measured on. */
export const EVALUATOR_KEY = "loss-landscape-lab.evaluator";

interface StoredEvaluator {
  backend: string;
  evaluator: string;
  pointsPerSecond: number;
  /** The training path the calibration found fastest (absent in older records: auto). */
  training?: string;
}

export function storedBackend(): BackendName | null {
  try {
    const v = localStorage.getItem(BACKEND_KEY);
    return v === "wasm" || v === "webgl" || v === "webgpu" || v === "cpu" ? v : null;
  } catch {
    return null;
  }
}

export function storedEvaluator(): StoredEvaluator | null {
  try {
    const v = JSON.parse(localStorage.getItem(EVALUATOR_KEY) ?? "null") as Partial<StoredEvaluator> | null;
    if (v && typeof v.backend === "string" && typeof v.evaluator === "string") {
      const stored: StoredEvaluator = {
        backend: v.backend,
        evaluator: v.evaluator,
        pointsPerSecond: Number(v.pointsPerSecond),
      };
      if (typeof v.training === "string") stored.training = v.training;
      return stored;
    }
  } catch {
    // unreadable or unavailable storage: calibrate again
  }
  return null;
}

/** Remember the calibration's choice of backend and evaluation path. */
export function rememberChoice(choice: StoredEvaluator): void {
  try {
    localStorage.setItem(BACKEND_KEY, choice.backend);
    localStorage.setItem(EVALUATOR_KEY, JSON.stringify(choice));
  } catch {
    // storage may be unavailable (private mode); the choice then applies to this session only
  }
}

/** Forget a remembered backend (BACKEND_KEY) or evaluation path (EVALUATOR_KEY). */
export function forget(key: typeof BACKEND_KEY | typeof EVALUATOR_KEY): void {
  try {
    localStorage.removeItem(key);
  } catch {
    // storage unavailable: nothing was remembered either
  }
}
