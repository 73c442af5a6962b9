/**
 * BatchNorm running statistics recomputed at given parameters over training data (update_bn, the
 * fold in update-bn.ts), for both model kinds with BN: ONNX graphs (their running mean and variance
 * constants, onnx/batch-norm.ts) and tfjs layers models (each BatchNormalization layer's moving
 * mean and variance, layers.ts). What a model trained in the lab carries (its statistics measured
 * at its final weights), and what any point gets under the "recompute" policy (naive-evaluator.ts).
 *
 * @example const trained = bnStatisticsAt(arch, theta, dataset.train); // arch with fresh statistics
 */
import type { DataSplit } from "../data/types";
import { recomputeBnStatistics, withBnStatistics } from "../onnx/batch-norm";
import type { OnnxArchitecture } from "../onnx/graph";
import { tf } from "../tf";
import { DEFAULT_BN_BATCH_SIZE, updateBnStatistics } from "../update-bn";
import { type ModelArchitecture, modelLayout } from "./architecture";
import { flatToTensors } from "./flat";
import type { LayersArchitecture } from "./layers";
import { layersForward } from "./layers-forward";

/** A model kind that may have BatchNorm, and so a `batchNorm` policy. */
export type BnArchitecture = OnnxArchitecture | LayersArchitecture;

/** Whether a model has BatchNorm (ONNX BatchNormalization nodes, BatchNormalization layers). */
export function hasBatchNorm(arch: ModelArchitecture): boolean {
  return batchNormModel(arch) !== null;
}

/** The model when it has BatchNorm (typed as a kind that may), else null. */
export function batchNormModel(arch: ModelArchitecture): BnArchitecture | null {
  if (arch.kind === "onnx") return arch.nodes.some((n) => n.op === "BatchNormalization") ? arch : null;
  if (arch.kind !== "layers") return null;
  return arch.layers.some((l) => l.type === "batchNormalization") ? arch : null;
}

/**
 * update_bn of a layers model at `params` over the rows of `x` ([count, inputSize]): keys
 * "<layer>/moving_mean" and "<layer>/moving_variance" (tfjs's weight names) -> values per channel.
 */
function recomputeLayersStatistics(
  arch: LayersArchitecture,
  params: readonly tf.Tensor[],
  x: tf.Tensor2D,
  batchSize: number,
): Map<string, Float32Array> {
  return updateBnStatistics(x.shape[0], batchSize, (start, b, record) => {
    tf.tidy(() => {
      layersForward(arch, params, tf.slice(x, [start, 0], [b, x.shape[1]]), {
        mode: "batch",
        record(layer, mean, variance) {
          const name = arch.layers[layer].name;
          record(`${name}/moving_mean`, mean.dataSync() as Float32Array);
          record(`${name}/moving_variance`, variance.dataSync() as Float32Array);
        },
      });
    });
  });
}

/** A layers model with these moving statistics (recomputeLayersStatistics's keys) in its BN layers. */
function withLayersStatistics(
  arch: LayersArchitecture,
  statistics: ReadonlyMap<string, Float32Array>,
): LayersArchitecture {
  return {
    ...arch,
    layers: arch.layers.map((l) => {
      if (l.type !== "batchNormalization") return l;
      const mean = statistics.get(`${l.name}/moving_mean`);
      const variance = statistics.get(`${l.name}/moving_variance`);
      return mean && variance
        ? { ...l, movingMean: Array.from(mean), movingVariance: Array.from(variance) }
        : l;
    }),
  };
}

/**
 * `arch` with the running statistics update_bn gives at `params` over the rows of `x`, in batches
 * of `batchSize` (the arch's own policy's when absent). Tensors are disposed; `params` and `x` are not.
 */
export function withStatisticsAt<A extends BnArchitecture>(
  arch: A,
  params: readonly tf.Tensor[],
  x: tf.Tensor2D,
  batchSize = arch.batchNorm?.batchSize ?? DEFAULT_BN_BATCH_SIZE,
): A {
  if (arch.kind === "onnx")
    return withBnStatistics(arch, recomputeBnStatistics(arch, params, x, batchSize)) as A;
  return withLayersStatistics(arch, recomputeLayersStatistics(arch, params, x, batchSize)) as A;
}

/** `arch` with the running statistics of flat parameters theta over a data split (update_bn). */
export function bnStatisticsAt<A extends BnArchitecture>(arch: A, theta: Float32Array, split: DataSplit): A {
  let out = arch;
  tf.tidy(() => {
    const params = flatToTensors(theta, modelLayout(arch));
    const x = tf.tensor2d(split.x.subarray(0, split.count * arch.inputSize), [split.count, arch.inputSize]);
    out = withStatisticsAt(arch, params, x);
  });
  return out;
}
