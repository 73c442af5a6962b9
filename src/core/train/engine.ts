/**
 * What the training loop (train.ts) needs from the code that computes: one optimizer step on a
 * mini-batch, the loss and accuracy of a whole split, and the parameters. Two engines give the
 * same numbers within float32 rounding: tfjs (tfjs-engine.ts, every model kind) and the
 * WebAssembly kernel (kernel-engine.ts, MLPs).
 */
import type { TrainingPath } from "../kernel/training-path";

export interface TrainEngine {
  readonly path: TrainingPath;
  /**
   * One step on these rows of the training split: the mean batch loss at the current parameters,
   * then (when it is finite) the gradient (SAM's, when on) and the optimizer update. A
   * non-finite loss is returned with no update made.
   */
  step(rows: Int32Array): number;
  /** Mean loss and (classification) accuracy over a whole split at the current parameters. */
  metrics(split: "train" | "test"): { loss: number; accuracy?: number };
  /** A copy of the current parameters, flat. */
  parameters(): Float32Array;
  dispose(): void;
}
