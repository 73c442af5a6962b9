/**
 * uPlot settings for the app's dark panels: muted axis text, faint grid, the views' fonts, and
 * log axes with grid lines at decades only and a range padded to the data (not to whole decades).
 */
import type uPlot from "uplot";
import { FONT, LABEL_FONT, THEME } from "./theme";

/** An axis readable on --panel: values and label in --muted, grid lines barely visible. */
function darkAxis(extra: uPlot.Axis = {}): uPlot.Axis {
  return {
    stroke: THEME.muted,
    font: FONT,
    labelFont: LABEL_FONT,
    labelSize: 18,
    labelGap: 2,
    grid: { stroke: THEME.grid, width: 1 },
    ticks: { stroke: THEME.border, width: 1, size: 5 },
    ...extra,
  };
}

/** The x axis along the bottom: compact (values, then the label right below). */
export function bottomAxis(label: string): uPlot.Axis {
  return darkAxis({ label, size: 30, values: (_u, splits) => splits.map(axisNumber) });
}

/** A y axis; on a log scale, grid lines and ticks only at powers of ten. */
export function valueAxis(scale: string, label: string, log: boolean, extra: uPlot.Axis = {}): uPlot.Axis {
  // uPlot calls filter when the key is present, so leave it out on linear axes.
  const filter = log ? { filter: decades } : {};
  return darkAxis({
    scale,
    label,
    size: 56,
    values: (_u, splits) => splits.map(axisNumber),
    grid: { stroke: THEME.grid, width: 1, ...filter },
    ticks: { stroke: THEME.border, width: 1, size: 5, ...filter },
    ...extra,
  });
}

/** Keep splits at powers of ten when there are at least two of them (else keep all). */
export function decades(_u: uPlot, splits: number[]): (number | null)[] {
  const kept = splits.map((v) =>
    v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9 ? v : null,
  );
  return kept.filter((v) => v !== null).length >= 2 ? kept : splits;
}

/**
 * Log scale whose range is the data's, padded by about 10% in log space and widened to whole
 * leading digits (0.3 .. 6, not 0.3456 .. 5.43) so that the end ticks are round numbers.
 */
export function logScale(): uPlot.Scale {
  return { distr: 3, log: 10, range: (_u, min, max) => logRange(min, max) };
}

export function logRange(min: number, max: number): [number, number] {
  if (!(min > 0) || !(max > 0) || !Number.isFinite(min) || !Number.isFinite(max)) return [0.1, 1];
  const pad = Math.max(0.02, 0.1 * (Math.log10(max) - Math.log10(min)));
  const lo = 10 ** (Math.log10(min) - pad);
  const hi = 10 ** (Math.log10(max) + pad);
  const lp = 10 ** Math.floor(Math.log10(lo));
  const hp = 10 ** Math.floor(Math.log10(hi));
  return [Math.floor(lo / lp) * lp, Math.ceil(hi / hp) * hp];
}

/** A line series; non-finite values arrive as null and stay gaps (spanGaps off). */
export function lineSeries(
  label: string,
  stroke: string,
  scale: string,
  extra: uPlot.Series = {},
): uPlot.Series {
  return {
    label,
    stroke,
    scale,
    width: 1.75,
    spanGaps: false,
    points: { show: false },
    value: (_u, v) => axisNumber(v),
    ...extra,
  };
}

/** Numbers on axes and in the legend: short, with a unicode minus. */
export function axisNumber(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return "";
  const a = Math.abs(v);
  const s = a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(1) : String(Number(v.toPrecision(4)));
  return s.replace(/-/g, "\u2212");
}
