/**
 * BatchNorm running statistics recomputed from data at given parameters, as
 * dnn-mode-connectivity's `utils.bn_update` (and torch.optim.swa_utils.update_bn) do: forget the
 * statistics, run the training data through the network in train mode batch by batch, and fold
 * each BN layer's batch mean and unbiased batch variance into its running ones with momentum
 * b / (n + b) (n samples seen before, b in this batch): a cumulative average weighted by batch size.
 * In train mode every BN layer normalizes with its batch's own statistics, so the layers after it
 * see what they see in PyTorch's update_bn.
 *
 * A point theta + x d1 + y d2 (or w(t) on a path) interpolates the weights, not the statistics:
 * with the file's statistics a point far from theta is normalized with numbers measured at theta
 * (stale). Recomputing them per point is what the references do for curves and planes through
 * BN networks. The batches and the fold are update-bn.ts's (shared with tfjs layers models).
 *
 * @example const stats = recomputeBnStatistics(arch, params, x, 128); const atTheta = withBnStatistics(arch, stats);
 */
import { tf } from "../tf";
import { updateBnStatistics } from "../update-bn";
import type { OnnxArchitecture, OnnxNode } from "./graph";
import { onnxForward } from "./interpret";

/** The running mean and variance constants of every BatchNormalization node, in graph order. */
export function batchNormStatistics(
  arch: OnnxArchitecture,
): { node: OnnxNode; mean: string; variance: string }[] {
  return arch.nodes
    .filter((n) => n.op === "BatchNormalization")
    .map((node) => ({ node, mean: node.inputs[3] ?? "", variance: node.inputs[4] ?? "" }));
}

/**
 * The running statistics update_bn gives at `params` over the rows of `x` ([count, inputSize]):
 * constant name -> values (one per channel). Tensors are disposed; `params` and `x` are not.
 */
export function recomputeBnStatistics(
  arch: OnnxArchitecture,
  params: readonly tf.Tensor[],
  x: tf.Tensor2D,
  batchSize: number,
): Map<string, Float32Array> {
  return updateBnStatistics(x.shape[0], batchSize, (start, b, record) => {
    tf.tidy(() => {
      onnxForward(arch, params, tf.slice(x, [start, 0], [b, x.shape[1]]), {
        mode: "batch",
        record(node, mean, variance) {
          const names = [node.inputs[3], node.inputs[4]];
          [mean, variance].forEach((t, k) => {
            if (names[k]) record(names[k], t.dataSync() as Float32Array);
          });
        },
      });
    });
  });
}

/** `arch` with these running statistics in place of its constants of the same names. */
export function withBnStatistics(
  arch: OnnxArchitecture,
  statistics: ReadonlyMap<string, Float32Array>,
): OnnxArchitecture {
  return {
    ...arch,
    constants: arch.constants.map((c) => {
      const values = statistics.get(c.name);
      if (!values) return c;
      if (values.length !== c.values.length)
        throw new Error(`BN statistic ${c.name}: ${values.length} values for ${c.values.length}`);
      return { ...c, values: Array.from(values) };
    }),
  };
}
