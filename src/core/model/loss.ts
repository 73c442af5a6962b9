import type { DataSplit, Dataset } from "../data/types";
import { tf } from "../tf";
import type { LossKind } from "./types";

/**
 * A data split as tensors for evaluation and training. x [N, in]; target: one-hot labels
 * [N, C] for cross-entropy, targets [N, out] for mse; labels [N] int32 (classification only).
 */
export type DataTensors = {
  x: tf.Tensor2D;
  target: tf.Tensor2D;
  labels?: tf.Tensor1D;
  count: number;
};

export function lossKindFor(task: Dataset["task"]): LossKind {
  return task === "classification" ? "cross-entropy" : "mse";
}

/** Upload a split. The caller disposes the result with disposeDataTensors. */
export function dataTensors(
  split: DataSplit,
  dataset: Pick<Dataset, "task" | "inputSize" | "outputSize">,
): DataTensors {
  const n = split.count;
  return tf.tidy((): DataTensors => {
    const x = tf.tensor2d(split.x, [n, dataset.inputSize]);
    if (dataset.task === "classification") {
      const labels = tf.tensor1d(Int32Array.from(split.y), "int32");
      const target = tf.oneHot(labels, dataset.outputSize).toFloat() as tf.Tensor2D;
      return { x, target, labels, count: n };
    }
    return { x, target: tf.tensor2d(split.y, [n, dataset.outputSize]), count: n };
  });
}

export function disposeDataTensors(d: DataTensors): void {
  d.x.dispose();
  d.target.dispose();
  d.labels?.dispose();
}

/**
 * Mean loss over the last two axes, so outputs [N, C] give a scalar and batched outputs
 * [P, N, C] give [P].
 * cross-entropy: mean over samples of -log softmax(logits)[label] (target is one-hot);
 * mse: mean over all output elements of (out - y)^2.
 */
export function meanLoss(kind: LossKind, outputs: tf.Tensor, target: tf.Tensor2D): tf.Tensor {
  const n = target.shape[0];
  if (kind === "cross-entropy") {
    return tf.div(tf.neg(tf.sum(tf.mul(tf.logSoftmax(outputs), target), [-2, -1])), n);
  }
  return tf.mean(tf.square(tf.sub(outputs, target)), [-2, -1]);
}

/** Mean of argmax(logits) == label over the sample axis: [N, C] -> scalar, [P, N, C] -> [P]. */
export function meanAccuracy(logits: tf.Tensor, labels: tf.Tensor1D): tf.Tensor {
  return tf.mean(tf.cast(tf.equal(tf.argMax(logits, -1), labels), "float32"), -1);
}
