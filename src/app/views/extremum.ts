/** Where a surface is best: the minimum of a loss, the maximum of an accuracy. Pure. */

/** Accuracy-like metrics are better when higher. */
export function higherIsBetter(metric: string): boolean {
  return /accuracy/i.test(metric);
}

/**
 * Flat index of the smallest finite value (largest with `maximize`), first one on ties; -1 when
 * no value is finite.
 *
 * @example extremumIndex(new Float32Array([3, NaN, 1, 1])) // 2
 */
export function extremumIndex(values: ArrayLike<number>, maximize = false): number {
  let best = -1;
  let bestValue = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (best < 0 || (maximize ? v > bestValue : v < bestValue)) {
      best = i;
      bestValue = v;
    }
  }
  return best;
}
