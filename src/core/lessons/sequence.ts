/**
 * The order of a lesson's work, one copy for the CLI (run.ts: runExperiment in this process) and
 * the app (compute/lesson-job.ts: the workers): both runs, then each run's numbers, then the
 * checks. Each side supplies how a run is made and measured; no tfjs here.
 *
 * @example const result = await lessonSequence(lesson, { run: (i) => runOne(i), measure: (s) => numbers(s) });
 */
import type { Snapshot } from "../snapshot/schema";
import { type CheckResult, evaluateChecks } from "./checks";
import type { Lesson, LessonMetrics } from "./schema";

interface LessonSteps {
  /** Run i of the lesson; null: it did not finish (cancelled or failed) and the lesson stops there. */
  run(i: number): Promise<Snapshot | null>;
  /** The lesson's numbers of run i's snapshot. */
  measure(snapshot: Snapshot, i: number): Promise<LessonMetrics>;
  /** Every run has finished; the measuring starts. */
  measuring?(snapshots: readonly Snapshot[]): void;
  /** The numbers of the runs measured so far (in run order). */
  measured?(metrics: readonly LessonMetrics[]): void;
}

interface LessonOutcome {
  snapshots: Snapshot[];
  metrics: LessonMetrics[];
  checks: CheckResult[];
}

/** Run, measure and check a lesson; null when a run did not finish. A step that throws rejects. */
export async function lessonSequence(lesson: Lesson, steps: LessonSteps): Promise<LessonOutcome | null> {
  const snapshots: Snapshot[] = [];
  for (const i of lesson.runs.keys()) {
    const snapshot = await steps.run(i);
    if (!snapshot) return null;
    snapshots.push(snapshot);
  }
  steps.measuring?.(snapshots);
  const metrics: LessonMetrics[] = [];
  for (const [i, snapshot] of snapshots.entries()) {
    metrics.push(await steps.measure(snapshot, i));
    steps.measured?.(metrics);
  }
  // The roughness checks compare the two train-loss surfaces (absent on a surface-less run).
  const surfaces = snapshots.map((s) => s.surfaces.train_loss).filter((s): s is Float32Array => !!s);
  const checks = evaluateChecks(lesson, metrics, surfaces.length === snapshots.length ? surfaces : undefined);
  return { snapshots, metrics, checks };
}
