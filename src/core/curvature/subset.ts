/**
 * The training samples a curvature estimate looks at: all of them, or a seeded subset when a cap
 * is set (to bound the cost of each H v product on a large training set).
 */
import type { DataSplit } from "../data/types";
import { createRng, deriveSeed } from "../rng";

interface SampleSubset {
  split: DataSplit;
  /** Samples used. */
  samples: number;
  /** Samples in the whole split. */
  total: number;
  /** Indices into the split, ascending; absent when every sample is used. */
  indices?: number[];
}

/**
 * All of `split` when maxSamples is absent or >= its count; otherwise maxSamples distinct samples
 * drawn without replacement (partial Fisher-Yates with createRng(deriveSeed(seed, "curvature-subset")))
 * and kept in their original order. `yWidth` is 1 for class labels, else the target width.
 *
 * @example trainingSubset(dataset.train, 1, 256, 7).split.count // <= 256
 */
export function trainingSubset(
  split: DataSplit,
  yWidth: number,
  maxSamples: number | undefined,
  seed: number,
): SampleSubset {
  const total = split.count;
  if (maxSamples === undefined || maxSamples >= total) return { split, samples: total, total };
  if (!Number.isInteger(maxSamples) || maxSamples < 1)
    throw new Error(`maxSamples must be an integer >= 1, got ${maxSamples}`);
  const rng = createRng(deriveSeed(seed, "curvature-subset"));
  const order = Array.from({ length: total }, (_, i) => i);
  for (let i = 0; i < maxSamples; i++) {
    const j = i + rng.int(total - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const indices = order.slice(0, maxSamples).sort((a, b) => a - b);
  const xWidth = split.x.length / total;
  const x = new Float32Array(maxSamples * xWidth);
  const y = new Float32Array(maxSamples * yWidth);
  indices.forEach((src, dst) => {
    x.set(split.x.subarray(src * xWidth, (src + 1) * xWidth), dst * xWidth);
    y.set(split.y.subarray(src * yWidth, (src + 1) * yWidth), dst * yWidth);
  });
  return { split: { x, y, count: maxSamples }, samples: maxSamples, total, indices };
}
