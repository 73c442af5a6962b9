/**
 * The training charts' data: history columns (what uPlot takes), the sharpness measurements and
 * the stability bound. In its own module so that pure helpers (snapshot-history.ts) need not
 * import the store.
 */
import { stabilityBound } from "../core/train/bound";
import type { OptimizerName } from "../core/train/names";

/** Training history as columns (what uPlot takes); null where a metric is missing. */
export interface HistoryColumns {
  epoch: number[];
  step: number[];
  trainLoss: number[];
  testLoss: (number | null)[];
  trainAccuracy: (number | null)[];
  testAccuracy: (number | null)[];
  /** Epoch (fractional mid-epoch) of each sharpness measurement (training.sharpnessEvery > 0). */
  sharpnessEpoch: number[];
  /** lambda_max of the training-loss Hessian at sharpnessEpoch; null where not finite. */
  lambdaMax: (number | null)[];
  /** The running job's stability bound (core/train/bound.ts), set when the history is reset. */
  stability: HistoryStability | null;
}

/** lambda_max above which the job's optimizer is unstable on a quadratic: 2/lr, (2 + 2 mu)/lr, none for Adam. */
export interface HistoryStability {
  optimizer: OptimizerName;
  /** null for Adam (no fixed bound). */
  bound: number | null;
}

/** The training settings the stability bound depends on. */
export interface StabilitySettings {
  optimizer: OptimizerName;
  learningRate: number;
  momentum: number;
}

export function emptyHistory(training?: StabilitySettings): HistoryColumns {
  return {
    epoch: [],
    step: [],
    trainLoss: [],
    testLoss: [],
    trainAccuracy: [],
    testAccuracy: [],
    sharpnessEpoch: [],
    lambdaMax: [],
    stability: training ? { optimizer: training.optimizer, bound: stabilityBound(training) } : null,
  };
}
