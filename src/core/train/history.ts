/** Training records, in a module without tfjs so the main thread can import the types. */

/** Metrics over the whole splits after an epoch (epoch 0: at initialization). */
export interface HistoryEntry {
  epoch: number;
  step: number;
  trainLoss: number;
  trainAccuracy?: number;
  testLoss?: number;
  testAccuracy?: number;
  /**
   * Sharpness measurements taken since the previous entry (training.sharpnessEvery > 0 only),
   * so that the existing per-epoch stream also carries them to live charts.
   */
  sharpness?: SharpnessEntry[];
}

export interface Checkpoint {
  epoch: number;
  step: number;
  parameters: Float32Array;
}

/** lambda_max of the training-loss Hessian at one point of the run. */
export interface SharpnessEntry {
  /** Optimizer steps taken when it was measured (0: at initialization). */
  step: number;
  /** Epochs completed then, fractional mid-epoch (step / steps per epoch): history's epoch axis. */
  epoch: number;
  /** Largest (algebraic) Hessian eigenvalue; NaN when the Hessian-vector products were not finite. */
  lambdaMax: number;
  /** Hessian-vector products the power iteration spent. */
  iterations: number;
  /** Whether the power iteration met its tolerance before its iteration cap. */
  converged: boolean;
}

/** Sharpness tracked during training (Cohen et al. 2021's edge-of-stability plots) and how. */
export interface SharpnessTrack {
  /** Measured every this many optimizer steps, at step 0 and at the last step. */
  every: number;
  /** Training samples in the measured loss (all of them, or a fixed seeded subset). */
  samples: number;
  /** Coupled L2 weight decay included in the objective: H = H_loss + weightDecay I. */
  weightDecay: number;
  learningRate: number;
  /**
   * Largest lambda_max at which the optimizer is stable on a quadratic: 2/lr for gradient
   * descent, (2 + 2 momentum)/lr for heavy-ball momentum; null for Adam (no fixed bound).
   */
  bound: number | null;
  entries: SharpnessEntry[];
}
