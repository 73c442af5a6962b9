/** Axis ticks and number labels for the canvas views. Pure, no DOM. */

/**
 * "Nice" tick values (steps of 1, 2 or 5 times a power of ten) inside [lo, hi], about `count` of them.
 *
 * @example niceTicks(-1.05, 1.05, 5) // [-1, -0.5, 0, 0.5, 1]
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo) || !(count >= 1)) return [];
  const step = tickStep(lo, hi, count);
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(cleanZero(Number((k * step).toPrecision(12))));
  return ticks;
}

/** The nice step niceTicks uses. */
export function tickStep(lo: number, hi: number, count: number): number {
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  const nice = f >= 7.5 ? 10 : f >= 3.5 ? 5 : f >= 1.5 ? 2 : 1;
  return nice * power;
}

function cleanZero(v: number): number {
  return Object.is(v, -0) ? 0 : v;
}

/**
 * A tick label with as many decimals as the tick step needs.
 *
 * @example formatTick(0.5, 0.25) // "0.50"; formatTick(2, 1) // "2"
 */
export function formatTick(v: number, step: number): string {
  if (!Number.isFinite(v)) return "";
  const decimals =
    step > 0 && Number.isFinite(step) ? Math.max(0, Math.min(8, -Math.floor(Math.log10(step) + 1e-9))) : 2;
  return cleanZero(Number(v.toFixed(decimals)))
    .toFixed(decimals)
    .replace(/-/g, "\u2212");
}

/**
 * A readout value: 4 significant digits, exponent form for very small or large magnitudes.
 *
 * @example formatValue(0.012345) // "0.01235"; formatValue(NaN) // "—"
 */
export function formatValue(v: number, digits = 4): string {
  if (Number.isNaN(v)) return "\u2014";
  if (!Number.isFinite(v)) return v > 0 ? "\u221e" : "\u2212\u221e";
  if (v === 0) return "0";
  const a = Math.abs(v);
  const s =
    a < 1e-3 || a >= 1e5 ? v.toExponential(digits - 1).replace(/\.?0+e/, "e") : trim(v.toPrecision(digits));
  return s.replace(/-/g, "\u2212");
}

function trim(s: string): string {
  return s.includes(".") && !s.includes("e") ? s.replace(/\.?0+$/, "") : s;
}
