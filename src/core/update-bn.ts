/**
 * dnn-mode-connectivity's `utils.bn_update` (and torch.optim.swa_utils.update_bn) as one fold,
 * shared by every model kind with BatchNorm (ONNX graphs: onnx/batch-norm.ts; tfjs layers models:
 * model/bn-statistics.ts): forget the running statistics, run the training data through the
 * network in train mode batch by batch (each BN layer normalizing with its batch's own statistics,
 * so the layers after it see what they see in PyTorch), and fold each layer's batch mean and
 * unbiased batch variance into the running ones with momentum b / (n + b) (n samples seen before,
 * b in this batch): a cumulative average weighted by batch size. Batches are the rows in their
 * stored order (no shuffling, so the result is deterministic); a last batch of one sample joins
 * the batch before it (train-mode BN needs two values per channel).
 *
 * @example const stats = updateBnStatistics(count, 128, (start, size, record) => { ...record("bn/moving_mean", mean) });
 */

/** How a model's BN running statistics are taken at an evaluated point (its `batchNorm` setting). */
export interface BatchNormPolicy {
  /** "file": the statistics the model carries (measured at its own weights); "recompute": update_bn at every point. */
  statistics: "file" | "recompute";
  /** Samples per batch when recomputing (dnn-mode-connectivity's loaders use 128). */
  batchSize: number;
}

export const DEFAULT_BN_BATCH_SIZE = 128;

/** Batch boundaries over `count` samples: [start, end) pairs, a last batch of one merged into the one before. */
function bnBatches(count: number, batchSize: number): [number, number][] {
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
 * The running statistics update_bn ends with over `count` rows: `runBatch(start, size, record)`
 * runs rows [start, start + size) in train mode and hands every statistic of the batch to
 * `record(key, values)` (a BN layer's mean and its unbiased variance, under the keys its running
 * statistics have). Returns key -> values, one per channel.
 */
export function updateBnStatistics(
  count: number,
  batchSize: number,
  runBatch: (start: number, size: number, record: (key: string, values: Float32Array) => void) => void,
): Map<string, Float32Array> {
  const running = new Map<string, Float32Array>();
  let seen = 0;
  for (const [start, end] of bnBatches(count, batchSize)) {
    const b = end - start;
    const momentum = b / (seen + b);
    runBatch(start, b, (key, values) => {
      const r = running.get(key) ?? new Float32Array(values.length);
      // r <- (1 - m) r + m v; the first batch (m = 1) replaces the reset statistics.
      for (let i = 0; i < r.length; i++) r[i] = (1 - momentum) * r[i] + momentum * values[i];
      running.set(key, r);
    });
    seen += b;
  }
  return running;
}
