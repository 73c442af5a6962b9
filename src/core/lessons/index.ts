/**
 * Lessons about flat and sharp minima: two experiments side by side, a claim in plain words, the
 * numbers behind it and machine-checkable statements. schema.ts, checks.ts, catalog.ts and
 * roughness.ts are tfjs-free (main thread); metrics.ts and run.ts use tfjs (workers, CLI).
 *
 * @example const { metrics, checks } = await runLesson(parseLesson(json), { backend: "wasm" });
 */
export { LESSONS, type LessonEntry } from "./catalog";
export {
  type CheckResult,
  checkText,
  evaluateChecks,
  formatNumber,
  METRIC_SHORT,
  METRIC_WORDS,
  maxRelativeDifference,
} from "./checks";
export { type LessonMetricsOptions, lessonMetrics } from "./metrics";
export { surfaceRoughness } from "./roughness";
export {
  type LessonProgress,
  type LessonResult,
  lessonRunConfig,
  type RunLessonOptions,
  runLesson,
} from "./run";
export {
  CHECK_RELATIONS,
  type CheckRelation,
  LESSON_FORMAT,
  LESSON_METRICS,
  LESSON_VERSION,
  type Lesson,
  type LessonCheck,
  type LessonCheckInput,
  type LessonInput,
  type LessonMetricName,
  type LessonMetrics,
  lessonCheckSchema,
  lessonMeasure,
  lessonSchema,
  parseLesson,
} from "./schema";
