/**
 * A paths lesson headless (the CLI's `landscape lesson mode-connectivity`, the tests): its one
 * paths experiment with runPaths, then the checks on the snapshot's `paths` section.
 *
 * @example const { snapshot, checks } = await runPathsLesson(parsePathsLesson(json), { backend: "wasm" });
 */
import { type PathsProgress, runPaths } from "../experiment/paths-run";
import type { LandscapeEvaluator } from "../landscape/evaluator";
import type { Snapshot } from "../snapshot/schema";
import type { CheckResult } from "./checks";
import { evaluatePathsChecks, type PathsLesson, pathsLessonConfig } from "./paths-lesson";

interface RunPathsLessonOptions {
  /** Name of the tfjs backend that runs, recorded in the snapshot. */
  backend: string;
  signal?: AbortSignal;
  onProgress?: (p: PathsProgress) => void;
  /** Absent: the fastest path for the backend. */
  evaluator?: LandscapeEvaluator;
  /** Replaces the run's top-level seed (to try a lesson over seeds). */
  seed?: number;
  /** Clock for the snapshot's createdAt (tests pin it). */
  now?: () => Date;
}

interface PathsLessonResult {
  /** The run's snapshot: the plane's landscape with the `paths` section. */
  snapshot: Snapshot;
  checks: CheckResult[];
  warnings: string[];
}

export async function runPathsLesson(
  lesson: PathsLesson,
  options: RunPathsLessonOptions,
): Promise<PathsLessonResult> {
  let config: ReturnType<typeof pathsLessonConfig>;
  try {
    config = pathsLessonConfig(lesson, options.seed);
  } catch (err) {
    throw new Error(`lesson ${lesson.id}, run ("${lesson.run.label}"): ${(err as Error).message}`);
  }
  const { snapshot, warnings } = await runPaths(config, {
    backend: options.backend,
    evaluator: options.evaluator,
    signal: options.signal,
    onProgress: options.onProgress,
    now: options.now,
  });
  if (!snapshot.paths) throw new Error(`lesson ${lesson.id}: the paths run wrote no paths section`);
  return { snapshot, checks: evaluatePathsChecks(lesson, snapshot.paths), warnings };
}
