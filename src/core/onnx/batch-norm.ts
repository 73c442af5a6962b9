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
 * BN networks. Our batches are the data in its stored order (no shuffling, so the result is
 * deterministic); a last batch of one sample joins the batch before it (train-mode BN needs two
 * values per channel).
 *
 * @example const stats = recomputeBnStatistics(arch, params, x, 128); const atTheta = withBnStatistics(arch, stats);
 */
import { tf } from "../tf";
import type { OnnxArchitecture, OnnxNode } from "./graph";
import { onnxForward } from "./interpret";

/** How a model's BN running statistics are taken at an evaluated point. */
export interface BatchNormPolicy {
  /** "file": the statistics the model carries (measured at its own weights); "recompute": update_bn at every point. */
  statistics: "file" | "recompute";
  /** Samples per batch when recomputing (dnn-mode-connectivity's loaders use 128). */
  batchSize: number;
}

export const DEFAULT_BN_BATCH_SIZE = 128;

/** The running mean and variance constants of every BatchNormalization node, in graph order. */
export function batchNormStatistics(
  arch: OnnxArchitecture,
): { node: OnnxNode; mean: string; variance: string }[] {
  return arch.nodes
    .filter((n) => n.op === "BatchNormalization")
    .map((node) => ({ node, mean: node.inputs[3] ?? "", variance: node.inputs[4] ?? "" }));
}

/** Batch boundaries over `count` samples: [start, end) pairs, a last batch of one merged into the one before. */
function batches(count: number, batchSize: number): [number, number][] {
  if (!Number.isInteger(batchSize) || batchSize < 2)
    throw new Error(`the BN statistics' batch size must be an integer of at least 2, got ${batchSize}`);
  if (count < 2) throw new Error(`recomputing BN statistics needs at least 2 training samples, got ${count}`);
  const out: [number, number][] = [];
  for (let start = 0; start < count; start += batchSize)
    out.push([start, Math.min(count, start + batchSize)]);
  const last = out[out.length - 1];
  if (out.length > 1 && last[1] - last[0] === 1) {
    out.pop();
    out[out.length - 1][1] = count;
  }
  return out;
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
  const count = x.shape[0];
  const running = new Map<string, Float32Array>();
  let seen = 0;
  for (const [start, end] of batches(count, batchSize)) {
    const b = end - start;
    const momentum = b / (seen + b);
    tf.tidy(() => {
      onnxForward(arch, params, tf.slice(x, [start, 0], [b, x.shape[1]]), {
        mode: "batch",
        record(node, mean, variance) {
          const names = [node.inputs[3], node.inputs[4]];
          [mean, variance].forEach((t, k) => {
            const name = names[k];
            if (!name) return;
            const values = t.dataSync() as Float32Array;
            const r = running.get(name) ?? new Float32Array(values.length);
            // r <- (1 - m) r + m v; the first batch (m = 1) replaces the reset statistics.
            for (let i = 0; i < r.length; i++) r[i] = (1 - momentum) * r[i] + momentum * values[i];
            running.set(name, r);
          });
        },
      });
    });
    seen += b;
  }
  return running;
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
