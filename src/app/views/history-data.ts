/**
 * Training history columns -> uPlot columns for the loss, accuracy and sharpness charts. The
 * store grows its arrays in place, so every update copies them (uPlot keeps what it is given). Pure.
 */
import { logRange } from "./uplot-theme";

/** Columns of the training history; metrics may be missing (absent or null entries). */
export interface TrainingHistory {
  epoch: readonly number[];
  trainLoss: readonly (number | null)[];
  testLoss?: readonly (number | null)[];
  trainAccuracy?: readonly (number | null)[];
  testAccuracy?: readonly (number | null)[];
  /** Epoch of each sharpness measurement (its own x axis: measurements fall between epochs). */
  sharpnessEpoch?: readonly number[];
  /** lambda_max at sharpnessEpoch. */
  lambdaMax?: readonly (number | null)[];
  /** The job's optimizer and its stability bound (null for Adam). */
  stability?: { optimizer: string; bound: number | null } | null;
}

export function anyFinite(values: readonly (number | null)[] | undefined): boolean {
  if (!values) return false;
  for (const v of values) if (typeof v === "number" && Number.isFinite(v)) return true;
  return false;
}

/** Which series exist: decides the charts' structure (rebuilt only when this changes). */
export interface HistoryLayout {
  testLoss: boolean;
  accuracy: boolean;
  testAccuracy: boolean;
}

export function historyLayout(h: TrainingHistory): HistoryLayout {
  const testAccuracy = anyFinite(h.testAccuracy);
  return {
    testLoss: anyFinite(h.testLoss),
    accuracy: anyFinite(h.trainAccuracy) || testAccuracy,
    testAccuracy,
  };
}

/** Copy with non-finite (and, for log axes, non-positive) values as null gaps; padded/cut to `n`. */
export function column(
  values: readonly (number | null)[] | undefined,
  n: number,
  positiveOnly = false,
): (number | null)[] {
  const out: (number | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = values?.[i];
    out[i] = typeof v === "number" && Number.isFinite(v) && (!positiveOnly || v > 0) ? v : null;
  }
  return out;
}

/**
 * [epoch, train loss, test loss?] for uPlot.
 *
 * @example lossColumns({ epoch: [0, 1], trainLoss: [1, 0.5] }, { testLoss: false, ... }, true)
 */
export function lossColumns(
  h: TrainingHistory,
  layout: HistoryLayout,
  log: boolean,
): [number[], ...(number | null)[][]] {
  const n = h.epoch.length;
  const cols: [number[], ...(number | null)[][]] = [h.epoch.slice(0, n), column(h.trainLoss, n, log)];
  if (layout.testLoss) cols.push(column(h.testLoss, n, log));
  return cols;
}

/** [epoch, train accuracy, test accuracy?] for uPlot. */
export function accuracyColumns(
  h: TrainingHistory,
  layout: HistoryLayout,
): [number[], ...(number | null)[][]] {
  const n = h.epoch.length;
  const cols: [number[], ...(number | null)[][]] = [h.epoch.slice(0, n), column(h.trainAccuracy, n)];
  if (layout.testAccuracy) cols.push(column(h.testAccuracy, n));
  return cols;
}

/** Which sharpness chart to draw: decides its structure (rebuilt only when this changes). */
export interface SharpnessLayout {
  /** Some lambda_max is finite. */
  show: boolean;
  /** The stability bound to draw as a dashed line, when it fits the data's range; else null. */
  bound: number | null;
  /** "2/lr" or "(2+2μ)/lr"; null without a bound (Adam). */
  boundLabel: string | null;
  /** Log y axis: every value positive and spanning more than two decades (a blow-up). */
  log: boolean;
}

/** The bound is drawn when it is at most this many times the largest lambda_max (else the curve would be flat). */
const BOUND_FIT = 10;

/**
 * The name of an optimizer's stability bound (core/train/bound.ts), as the chart labels it.
 *
 * @example boundLabel("momentum") // "(2+2μ)/lr"
 */
export function boundLabel(optimizer: string | undefined): string | null {
  if (optimizer === "sgd") return "2/lr";
  if (optimizer === "momentum") return "(2+2μ)/lr";
  return null;
}

function finiteExtent(values: readonly (number | null)[] | undefined): [number, number] | null {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values ?? []) {
    if (typeof v !== "number" || !Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? [min, max] : null;
}

/** @example sharpnessLayout({ epoch: [], trainLoss: [], lambdaMax: [3, 30], stability: { optimizer: "sgd", bound: 40 } }) */
export function sharpnessLayout(h: TrainingHistory): SharpnessLayout {
  const extent = finiteExtent(h.lambdaMax);
  const label = boundLabel(h.stability?.optimizer);
  const raw = h.stability?.bound ?? null;
  const known = label !== null && raw !== null && Number.isFinite(raw) && raw > 0 ? raw : null;
  if (!extent) return { show: false, bound: known, boundLabel: known === null ? null : label, log: false };
  const [min, max] = extent;
  const bound = known !== null && known <= BOUND_FIT * Math.max(max, 0) ? known : null;
  const hi = Math.max(max, bound ?? max);
  return {
    show: true,
    bound,
    boundLabel: known === null ? null : label,
    log: min > 0 && hi / min > 100,
  };
}

/**
 * [measurement epoch, lambda_max] for uPlot: non-finite values (and non-positive ones on a log
 * axis) are gaps; lambda_max is padded/cut to the epochs.
 */
export function sharpnessColumns(h: TrainingHistory, layout: SharpnessLayout): [number[], (number | null)[]] {
  const x = (h.sharpnessEpoch ?? []).slice();
  return [x, column(h.lambdaMax, x.length, layout.log)];
}

/**
 * The y range of the sharpness chart: the data's, widened to the bound when it is drawn. Linear:
 * from 0 (or below, for negative values) to 8% above the top; log: logRange of the same span.
 *
 * @example sharpnessRange(3, 30, 40, false) // [0, 43.2]
 */
export function sharpnessRange(
  min: number | null,
  max: number | null,
  bound: number | null,
  log: boolean,
): [number, number] {
  const values = [min, max, bound].filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0) return log ? [0.1, 1] : [0, 1];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (log) return logRange(lo, hi);
  const top = hi > 0 ? hi * 1.08 : 0;
  const bottom = lo < 0 ? lo - 0.08 * Math.max(hi - lo, Math.abs(lo)) : 0;
  return top > bottom ? [bottom, top] : [bottom, bottom + 1];
}

/**
 * The chart's note: the bound's value, or why there is no line.
 *
 * @example sharpnessNote({ optimizer: "sgd", bound: 40 }, layout) // "2/lr = 40"
 */
export function sharpnessNote(
  stability: TrainingHistory["stability"],
  layout: SharpnessLayout,
  format: (v: number) => string,
): string {
  const label = layout.boundLabel;
  const bound = stability?.bound;
  if (!stability) return "";
  if (label === null || bound === null || bound === undefined)
    return stability.optimizer === "adam" ? "Adam: no fixed bound" : "";
  if (layout.show && layout.bound === null) return `${label} = ${format(bound)}, far above`;
  return `${label} = ${format(bound)}`;
}
