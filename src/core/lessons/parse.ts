/**
 * Any lesson file: a flatness lesson (two experiments side by side, schema.ts) or a paths lesson
 * (one paths experiment, paths-lesson.ts), told apart by its "kind" (absent: flatness). No tfjs.
 *
 * @example const lesson = parseAnyLesson(await (await fetch("lessons/mode-connectivity.json")).json(), "mode-connectivity.json");
 */
import { type PathsLesson, parsePathsLesson } from "./paths-lesson";
import { type Lesson, parseLesson } from "./schema";

export type AnyLesson = Lesson | PathsLesson;

export function isPathsLesson(lesson: AnyLesson): lesson is PathsLesson {
  return lesson.kind === "paths";
}

/** Check a lesson file of either kind; errors name the file and every problem (parseLesson, parsePathsLesson). */
export function parseAnyLesson(json: unknown, source?: string): AnyLesson {
  const kind = typeof json === "object" && json !== null ? (json as { kind?: unknown }).kind : undefined;
  if (kind === "paths") return parsePathsLesson(json, source);
  if (kind !== undefined && kind !== "flatness") {
    throw new Error(
      `invalid ${source ? `lesson ${source}` : "lesson"} (1 problem):\n  kind: must be "flatness" (the default) or "paths", got ${JSON.stringify(kind)}`,
    );
  }
  return parseLesson(json, source);
}
