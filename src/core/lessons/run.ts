/**
 * A whole lesson headless: both runs with runExperiment (each config with the lesson's measure
 * as its `curvature` section, so each snapshot carries the numbers' curvature report), then the
 * metrics of each snapshot, then the checks (in the order of sequence.ts, which the app shares).
 *
 * @example const { metrics, checks } = await runLesson(parseLesson(json), { backend: "wasm" });
 */

import { resolveConfig } from "../config/resolve";
import type { ExperimentConfig } from "../config/schema";
import type { DataReaders } from "../data/files";
import type { ExperimentProgress } from "../experiment/prepare";
import { runExperiment } from "../experiment/run";
import type { LandscapeEvaluator } from "../landscape/evaluator";
import type { Snapshot } from "../snapshot/schema";
import type { CheckResult } from "./checks";
import { lessonMetrics } from "./metrics";
import { type Lesson, type LessonMetrics, lessonMeasure } from "./schema";
import { lessonSequence } from "./sequence";

/** Progress of one run of the lesson (run 0 or 1, and its label). */
interface LessonProgress extends ExperimentProgress {
  run: number;
  label: string;
}

interface RunLessonOptions {
  /** Name of the tfjs backend that runs, recorded in the snapshots. */
  backend: string;
  signal?: AbortSignal;
  onProgress?: (p: LessonProgress) => void;
  /** Absent: the fastest path for the backend. */
  evaluator?: LandscapeEvaluator;
  /** Replaces the top-level `seed` of both configs (to try a lesson over seeds). */
  seed?: number;
  /** Clock for the snapshots' createdAt (tests pin it). */
  now?: () => Date;
  /** Reads the shipped datasets (digits, iris) a run's config names (runExperiment's files). */
  files?: DataReaders;
}

interface LessonResult {
  snapshots: Snapshot[];
  metrics: LessonMetrics[];
  checks: CheckResult[];
  /** Things that did not stop the runs (e.g. a divergence), prefixed by the run's label. */
  warnings: string[];
}

/**
 * The resolved config of run `i`: its config with the measure as the curvature section (and
 * the seed replaced when asked).
 */
function lessonRunConfig(lesson: Lesson, i: number, seed?: number): ExperimentConfig {
  const run = lesson.runs[i];
  if (!run) throw new Error(`lesson ${lesson.id} has no run ${i}`);
  const config: Record<string, unknown> = { ...run.config, curvature: lessonMeasure(lesson) };
  if (seed !== undefined) config.seed = seed;
  try {
    return resolveConfig(config);
  } catch (err) {
    throw new Error(`lesson ${lesson.id}, runs[${i}] ("${run.label}"): ${(err as Error).message}`);
  }
}

/**
 * Run both experiments of a lesson, one after the other, compute their metrics and evaluate the
 * checks. Cancelling through `signal` rejects with its reason.
 */
export async function runLesson(lesson: Lesson, options: RunLessonOptions): Promise<LessonResult> {
  const configs = lesson.runs.map((_, i) => lessonRunConfig(lesson, i, options.seed));
  const warnings: string[] = [];
  const progressOf = (i: number) => (p: ExperimentProgress) =>
    options.onProgress?.({ ...p, run: i, label: lesson.runs[i].label });
  const outcome = await lessonSequence(lesson, {
    run: async (i) => {
      const result = await runExperiment(configs[i], {
        backend: options.backend,
        evaluator: options.evaluator,
        signal: options.signal,
        now: options.now,
        files: options.files,
        onProgress: progressOf(i),
      });
      for (const w of result.warnings) warnings.push(`${lesson.runs[i].label}: ${w}`);
      return result.snapshot;
    },
    measure: (snapshot, i) =>
      lessonMetrics(snapshot, lesson, { signal: options.signal, onProgress: progressOf(i) }),
  });
  // runExperiment resolves with a snapshot or rejects, so every run finishes here.
  if (!outcome) throw new Error(`lesson ${lesson.id}: a run ended without a snapshot`);
  return { ...outcome, warnings };
}
