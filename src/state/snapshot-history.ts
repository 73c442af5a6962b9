/**
 * The training charts of a landscape read from its snapshot (a restored, imported or library
 * landscape, a paths plane): the `training` section's per-epoch columns and, when sharpness was
 * tracked, lambda_max with its stability bound. Pure: the store puts the result in place.
 *
 * @example store.getState().setHistory(historyOfSnapshot(snapshot))
 */
import type { HistoryEntry } from "../core/train/history";
import type { OptimizerName } from "../core/train/names";
import { emptyHistory, type HistoryColumns } from "./history";

type Columns = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === "number" ? v : Number.NaN);
const orNull = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** The columns of `training.history` as entries (sharpness not included); [] when there are none. */
export function historyEntries(training: unknown): HistoryEntry[] {
  const h = (training as { history?: Columns } | undefined)?.history;
  const epoch = h?.epoch;
  if (!h || !Array.isArray(epoch)) return [];
  const column = (key: string): unknown[] | undefined => {
    const c = h[key];
    return Array.isArray(c) && c.length === epoch.length ? c : undefined;
  };
  const step = column("step");
  const trainLoss = column("trainLoss");
  const optional = {
    trainAccuracy: column("trainAccuracy"),
    testLoss: column("testLoss"),
    testAccuracy: column("testAccuracy"),
  };
  return epoch.map((e, i) => {
    const entry: HistoryEntry = { epoch: num(e), step: num(step?.[i]), trainLoss: num(trainLoss?.[i]) };
    for (const [key, c] of Object.entries(optional) as [keyof typeof optional, unknown[] | undefined][])
      if (c) entry[key] = num(c[i]);
    return entry;
  });
}

/**
 * History columns of a snapshot: its training history, its sharpness measurements and the
 * stability bound they were measured against (from the snapshot's own training config).
 */
export function historyOfSnapshot(snapshot: { config: unknown; training?: unknown }): HistoryColumns {
  const training = (snapshot.config as { training?: Columns } | undefined)?.training;
  const optimizer = training?.optimizer;
  const sharpness = (snapshot.training as { sharpness?: Columns } | undefined)?.sharpness;
  const out = emptyHistory(
    typeof optimizer === "string" && typeof training?.learningRate === "number"
      ? {
          optimizer: optimizer as OptimizerName,
          learningRate: training.learningRate,
          momentum: typeof training.momentum === "number" ? training.momentum : 0,
        }
      : undefined,
  );
  for (const e of historyEntries(snapshot.training)) {
    out.epoch.push(e.epoch);
    out.step.push(e.step);
    out.trainLoss.push(e.trainLoss);
    out.testLoss.push(e.testLoss ?? null);
    out.trainAccuracy.push(e.trainAccuracy ?? null);
    out.testAccuracy.push(e.testAccuracy ?? null);
  }
  const epochs = sharpness?.epoch;
  const lambda = sharpness?.lambdaMax;
  if (Array.isArray(epochs) && Array.isArray(lambda) && epochs.length === lambda.length) {
    for (let i = 0; i < epochs.length; i++) {
      out.sharpnessEpoch.push(num(epochs[i]));
      out.lambdaMax.push(orNull(lambda[i]));
    }
  }
  // The bound the measurements were made against, as recorded (it also covers Adam's null).
  if (out.stability && sharpness && "bound" in sharpness)
    out.stability = { ...out.stability, bound: orNull(sharpness.bound) };
  return out;
}
