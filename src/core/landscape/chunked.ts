import type { DataTensors } from "../model/loss";
import { meanAccuracy, meanLoss } from "../model/loss";
import type { LossKind } from "../model/types";
import { tf } from "../tf";
import { checkCoords, type PreparedEvaluation } from "./evaluator";

/** Floats one activation tensor [P, N, width] may hold; bounds the vectors done at once. */
export const ACTIVATION_BUDGET = 1 << 22;

/** How many vectors fit in one chunk for N samples and the widest layer. */
export function chunkSize(samples: number, widths: readonly number[]): number {
  return Math.max(1, Math.floor(ACTIVATION_BUDGET / (samples * Math.max(...widths))));
}

/** Loss [P] and accuracy [P] (classification) of stacked outputs [P, N, C]. Call inside tf.tidy. */
export function batchMetrics(kind: LossKind, out: tf.Tensor, data: DataTensors): tf.Tensor[] {
  const loss = meanLoss(kind, out, data.target);
  return data.labels ? [loss, meanAccuracy(out, data.labels)] : [loss];
}

/** Run `compute` in tf.tidy and read its [loss, accuracy?] tensors back, disposing them. */
export function readMetrics(compute: () => tf.Tensor[]): [Float32Array, Float32Array | null] {
  const [lossT, accT] = tf.tidy(compute);
  try {
    return [lossT.dataSync() as Float32Array, accT ? (accT.dataSync() as Float32Array) : null];
  } finally {
    tf.dispose([lossT, accT]);
  }
}

/**
 * A prepared evaluation that runs coordinates [P, K] through `evaluateChunk` at most `chunk`
 * vectors at a time (bounded memory), concatenating the metrics.
 */
export function chunkedEvaluation(
  k: number,
  chunk: number,
  hasAccuracy: boolean,
  evaluateChunk: (coords: Float32Array, p: number) => [Float32Array, Float32Array | null],
  dispose: () => void,
): PreparedEvaluation {
  return {
    evaluate(coords) {
      const p = checkCoords(coords, k);
      const loss = new Float32Array(p);
      const accuracy = hasAccuracy ? new Float32Array(p) : null;
      for (let start = 0; start < p; start += chunk) {
        const count = Math.min(chunk, p - start);
        const [l, a] = evaluateChunk(coords.subarray(start * k, (start + count) * k), count);
        loss.set(l, start);
        if (accuracy && a) accuracy.set(a, start);
      }
      return { loss, accuracy };
    },
    dispose,
  };
}
