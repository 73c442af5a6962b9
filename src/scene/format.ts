/**
 * Number formatting and legend ticks for the scene's DOM overlays. Pure, no DOM.
 */
import type { ColormapName } from "./scale";
import { colormapLut, type SurfaceScale } from "./scale";

/**
 * Compact number: `digits` significant digits, exponent form outside [1e-3, 1e5).
 *
 * @example formatValue(0.01234) // "0.012"; formatValue(0.00013) // "1.3e-4"; formatValue(NaN) // "—"
 */
export function formatValue(v: number, digits = 2): string {
  if (Number.isNaN(v)) return "—";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "-∞";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) {
    const [mantissa, exponent] = v.toExponential(Math.max(0, digits - 1)).split("e");
    return `${trimZeros(mantissa)}e${exponent.replace("+", "")}`;
  }
  return trimZeros(v.toPrecision(digits));
}

function trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

/** Tick of a colour legend: position t in [0, 1] along the bar and its label. */
interface LegendTick {
  t: number;
  value: number;
  label: string;
}

/**
 * `count` evenly spaced ticks along the bar, labelled with scale.invert (values, also on log
 * scales), with just enough digits to tell neighbouring labels apart.
 *
 * @example legendTicks(scale, 5).map((t) => t.label) // ["0.012", "0.05", ...]
 */
export function legendTicks(scale: SurfaceScale, count = 5): LegendTick[] {
  const n = Math.max(2, Math.floor(count));
  const ts = Array.from({ length: n }, (_, k) => k / (n - 1));
  const values = ts.map((t) => scale.invert(t));
  let labels = values.map((v) => formatValue(v, 2));
  for (let digits = 3; digits <= 6 && new Set(labels).size < labels.length; digits++)
    labels = values.map((v) => formatValue(v, digits));
  return ts.map((t, k) => ({ t, value: values[k], label: labels[k] }));
}

/**
 * How many evenly spaced tick labels of `longest` characters fit side by side on a bar `width`
 * pixels wide at `fontPx` (at most `wanted`, at least 2: both ends). A label is taken as 0.64 em
 * per character (tabular digits) with 0.8 em between neighbours. The end labels sit inside the
 * bar (left- and right-aligned) and the others are centred on their ticks, so the first and last
 * intervals must hold one and a half labels and a gap.
 *
 * @example fittingTickCount(400, 6, 12, 5) // 5; fittingTickCount(150, 6, 12, 5) // 2
 */
export function fittingTickCount(width: number, longest: number, fontPx: number, wanted = 5): number {
  const most = Math.max(2, Math.floor(wanted));
  if (!(width > 0) || !(fontPx > 0)) return most;
  const label = Math.max(1, longest) * 0.64 * fontPx;
  const gap = 0.8 * fontPx;
  for (let n = most; n > 2; n--) if (width / (n - 1) >= 1.5 * label + gap) return n;
  return 2;
}

/** CSS linear-gradient (left to right) through `stops` colours of a colormap's LUT. */
export function gradientCss(colormap: ColormapName, stops = 16, direction = "to right"): string {
  const lut = colormapLut(colormap);
  const parts: string[] = [];
  for (let k = 0; k < stops; k++) {
    const t = k / (stops - 1);
    const i = Math.round(t * 255) * 3;
    parts.push(`rgb(${lut[i]}, ${lut[i + 1]}, ${lut[i + 2]}) ${(t * 100).toFixed(1)}%`);
  }
  return `linear-gradient(${direction}, ${parts.join(", ")})`;
}

/** "train_loss" -> "train loss". */
export function metricTitle(metric: string): string {
  return metric.replace(/_/g, " ");
}
