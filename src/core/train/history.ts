/** Training records, in a module without tfjs so the main thread can import the types. */

/** Metrics over the whole splits after an epoch (epoch 0: at initialization). */
export interface HistoryEntry {
  epoch: number;
  step: number;
  trainLoss: number;
  trainAccuracy?: number;
  testLoss?: number;
  testAccuracy?: number;
}

export interface Checkpoint {
  epoch: number;
  step: number;
  parameters: Float32Array;
}
