/**
 * Training history columns -> uPlot columns for the loss and accuracy charts. The store grows
 * its arrays in place, so every update copies them (uPlot keeps what it is given). Pure.
 */

/** Columns of the training history; metrics may be missing (absent or null entries). */
export interface TrainingHistory {
  epoch: readonly number[];
  trainLoss: readonly (number | null)[];
  testLoss?: readonly (number | null)[];
  trainAccuracy?: readonly (number | null)[];
  testAccuracy?: readonly (number | null)[];
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
