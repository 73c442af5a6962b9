import type { Rng } from "../rng";
import { permutation } from "../rng";
import type { DataSplit } from "./types";

/**
 * Label noise (Zhang et al. 2017's "partially corrupted labels", here always to a different
 * class): exactly round(fraction * count) rows, chosen uniformly without replacement, get a label
 * drawn uniformly from the other classes - 1 classes. x is shared, y is a new array; the input
 * split is not modified. `changed` lists the rows whose label changed, ascending.
 *
 * @example const { split, changed } = applyLabelNoise(train, 3, 0.2, createRng(deriveSeed(seed, "label-noise")));
 */
export function applyLabelNoise(
  split: DataSplit,
  classes: number,
  fraction: number,
  rng: Rng,
): { split: DataSplit; changed: Int32Array } {
  if (!(fraction >= 0 && fraction < 1))
    throw new Error(`labelNoise must be a number in [0, 1), got ${fraction}`);
  if (!Number.isInteger(classes) || classes < 2)
    throw new Error(`labelNoise needs at least 2 classes, got ${classes}`);
  const n = split.count;
  const k = Math.round(fraction * n);
  const y = Float32Array.from(split.y);
  if (k === 0) return { split: { x: split.x, y, count: n }, changed: new Int32Array(0) };
  const changed = permutation(n, rng).slice(0, k).sort();
  for (const row of changed) {
    const label = y[row];
    if (!Number.isInteger(label) || label < 0 || label >= classes)
      throw new Error(`labelNoise: row ${row} has label ${label}, not a class index below ${classes}`);
    y[row] = (label + 1 + rng.int(classes - 1)) % classes;
  }
  return { split: { x: split.x, y, count: n }, changed };
}
