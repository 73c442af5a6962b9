/**
 * "Is my plot right?" for what the page shows: the review of core/diagnose/review.ts, with the
 * model's own train loss at theta computed by the workers (the page never runs tfjs): the
 * snapshot's plane sampled on a 2 x 2 grid whose first point is the origin. An imported surface
 * file has no model, so its review skips that check (and says so).
 */
import { type Finding, REVIEW_CHECKS, reviewLandscape } from "../core/diagnose/review";
import type { Snapshot } from "../core/snapshot/schema";
import type { ComputePool } from "./pool";

export interface LandscapeReview {
  /** What was reviewed: the shown snapshot's name and time, or the imported file's name. */
  subject: string;
  /** The model's own train loss at theta, or null when there is no model (an imported surface). */
  originLoss: number | null;
  findings: Finding[];
  /** How many checks ran. */
  checks: number;
}

/** The model's train loss at theta, by the workers' evaluation path. */
async function originLossOf(pool: ComputePool, s: Snapshot, signal?: AbortSignal): Promise<number> {
  const corner = {
    ...s,
    // pool.sample records its evaluator in producer: keep the shown snapshot's untouched.
    producer: { ...s.producer },
    grid: { axes: s.grid.axes.map((a) => ({ ...a, min: 0, max: 1, count: 2 })) },
  };
  const surfaces = await pool.sample(corner, { coarsePerAxis: 0, signal });
  const loss = surfaces.train_loss?.[0];
  if (loss === undefined) throw new Error("the workers returned no train loss at theta");
  return loss;
}

/** Reviews a snapshot (with the origin check) or a bare surface view (without it). */
export async function reviewShown(
  pool: ComputePool,
  shown:
    | { kind: "snapshot"; snapshot: Snapshot; name: string }
    | { kind: "surface"; view: Parameters<typeof reviewLandscape>[0]; name: string },
  signal?: AbortSignal,
): Promise<LandscapeReview> {
  if (shown.kind === "surface") {
    return {
      subject: shown.name,
      originLoss: null,
      findings: reviewLandscape(shown.view),
      checks: REVIEW_CHECKS.length,
    };
  }
  const originLoss = await originLossOf(pool, shown.snapshot, signal);
  return {
    subject: shown.name,
    originLoss,
    findings: reviewLandscape(shown.snapshot, { originLoss }),
    checks: REVIEW_CHECKS.length,
  };
}
