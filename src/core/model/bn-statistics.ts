/**
 * An ONNX model with its BatchNorm running statistics recomputed at flat parameters theta over a
 * data split (update_bn, onnx/batch-norm.ts): what a model trained in the lab carries (its
 * statistics measured at its final weights), and what any point gets under the "recompute" policy.
 *
 * @example const trained = bnStatisticsAt(arch, theta, dataset.train); // arch with fresh statistics
 */
import type { DataSplit } from "../data/types";
import { DEFAULT_BN_BATCH_SIZE, recomputeBnStatistics, withBnStatistics } from "../onnx/batch-norm";
import type { OnnxArchitecture } from "../onnx/graph";
import { tf } from "../tf";
import { modelLayout } from "./architecture";
import { flatToTensors } from "./flat";

/** Whether a graph has BatchNormalization nodes (whose statistics a policy applies to). */
export function hasBatchNorm(arch: OnnxArchitecture): boolean {
  return arch.nodes.some((n) => n.op === "BatchNormalization");
}

export function bnStatisticsAt(
  arch: OnnxArchitecture,
  theta: Float32Array,
  split: DataSplit,
): OnnxArchitecture {
  let statistics = new Map<string, Float32Array>();
  tf.tidy(() => {
    const params = flatToTensors(theta, modelLayout(arch));
    const x = tf.tensor2d(split.x.subarray(0, split.count * arch.inputSize), [split.count, arch.inputSize]);
    statistics = recomputeBnStatistics(arch, params, x, arch.batchNorm?.batchSize ?? DEFAULT_BN_BATCH_SIZE);
  });
  return withBnStatistics(arch, statistics);
}
