/**
 * The value -> [0, 1] map of a surface scale, as a plain function of its range: the scene's
 * fitted scale (scene/scale.ts) and the surface worker (workers/surface.worker.ts) both use it,
 * so heights and colours built off the main thread are exactly those of the scale on screen.
 *
 * value v -> (optional log10) -> clipped to [lo, hi] -> t = (v' - lo) / (hi - lo) in [0, 1];
 * non-finite values give NaN (holes); in log mode v <= 0 gives 0.
 */

/** What a scale is made of (lo and hi in transformed units: log10 when `log`). */
export interface ScaleRange {
  lo: number;
  hi: number;
  log: boolean;
}

/** v, or log10(v) in log mode (-Infinity for v <= 0); NaN for non-finite v. */
export function transformedValue(v: number, log: boolean): number {
  if (!Number.isFinite(v)) return Number.NaN;
  if (!log) return v;
  return v > 0 ? Math.log10(v) : Number.NEGATIVE_INFINITY;
}

/**
 * The normalize function of a scale range.
 *
 * @example scaleNormalizer({ lo: 0, hi: 2, log: false })(1) // 0.5
 */
export function scaleNormalizer({ lo, hi, log }: ScaleRange): (v: number) => number {
  const span = hi - lo;
  return (v) => {
    const t = transformedValue(v, log);
    if (t === Number.NEGATIVE_INFINITY) return Number.isFinite(v) ? 0 : Number.NaN;
    if (!Number.isFinite(t)) return Number.NaN;
    return Math.min(1, Math.max(0, (t - lo) / span));
  };
}
