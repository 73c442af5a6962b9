/**
 * The open lesson above its surfaces: the claim in plain words, what to look at, the caveat
 * where the effect is not guaranteed, the numbers (a flatness lesson: both runs' metrics; a paths
 * lesson: every path's barriers, end losses and length) and the lesson's checks (✓ / ✗ with the
 * numbers behind each verdict). Reads the store; the lab computes.
 */
import { memo } from "react";
import { formatNumber, METRIC_WORDS } from "../core/lessons/checks";
import { isPathsLesson } from "../core/lessons/parse";
import { PATH_METRIC_WORDS, PATH_SHORT } from "../core/lessons/paths-lesson";
import { LESSON_METRICS, type LessonMetricName } from "../core/lessons/schema";
import { useAppStore } from "../state/store";
import type { LessonView } from "../state/types";

/** A paths lesson's numbers: one column per path the run made, one row per metric. */
function PathsNumbers({ view }: { view: LessonView }) {
  const numbers = view.pathNumbers;
  if (!numbers) return null;
  return (
    <table className="lesson-metrics" data-testid="lesson-metrics">
      <thead>
        <tr>
          <th />
          {numbers.paths.map((p) => (
            <th key={p}>{PATH_SHORT[p]}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {numbers.rows.map((r) => (
          <tr key={r.metric}>
            <th scope="row">{PATH_METRIC_WORDS[r.metric]}</th>
            {r.values.map((v, i) => (
              <td key={numbers.paths[i]}>{formatNumber(v)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Rows worth showing: a metric some run has a number for. */
function shownMetrics(view: LessonView): LessonMetricName[] {
  return LESSON_METRICS.filter((m) => view.metrics.some((r) => r !== null && r[m] !== null));
}

function statusText(view: LessonView): string {
  switch (view.status) {
    case "running":
    case "measuring":
      return view.step;
    case "done":
      return `${view.checks?.filter((c) => c.holds).length ?? 0} of ${view.checks?.length ?? 0} checks hold`;
    case "cancelled":
      return "cancelled";
    case "error":
      return `failed: ${view.error ?? "unknown error"}`;
  }
}

/** Memoised: it reads the store itself, so a redraw of the landscape panel (a growing landscape) leaves it alone. */
export const LessonCard = memo(function LessonCard({ onClose }: { onClose(): void }) {
  const view = useAppStore((s) => s.lesson);
  if (!view) return null;
  const { lesson } = view;
  const rows = shownMetrics(view);
  return (
    <section
      className="lesson-card"
      data-testid="lesson"
      data-lesson-id={lesson.id}
      data-status={view.status}
      aria-label="Lesson"
    >
      <div className="lesson-head">
        <h2>{lesson.title}</h2>
        <span className={`lesson-status lesson-${view.status}`} data-testid="lesson-status">
          {statusText(view)}
        </span>
        <button
          type="button"
          className="lesson-close"
          data-testid="lesson-close"
          onClick={onClose}
          title="close the lesson"
        >
          ×
        </button>
      </div>
      <p className="lesson-claim">{lesson.claim}</p>
      <p className="lesson-look">
        <strong>Look at:</strong> {lesson.lookAt}
      </p>
      {lesson.caveat ? (
        <p className="lesson-caveat">
          <strong>Caveat:</strong> {lesson.caveat}
        </p>
      ) : null}
      <div className="lesson-body">
        {view.checks ? (
          <ul className="lesson-checks" data-testid="lesson-checks">
            {view.checks.map((c) => (
              <li key={c.text} className={c.holds ? "check-holds" : "check-fails"} data-holds={c.holds}>
                <span aria-hidden="true">{c.holds ? "✓" : "✗"}</span> {c.text}
                <span className="check-detail"> ({c.detail})</span>
              </li>
            ))}
          </ul>
        ) : null}
        {isPathsLesson(lesson) ? (
          <PathsNumbers view={view} />
        ) : rows.length > 0 ? (
          <table className="lesson-metrics" data-testid="lesson-metrics">
            <thead>
              <tr>
                <th />
                {lesson.runs.map((r) => (
                  <th key={r.label}>{r.label}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((m) => (
                <tr key={m}>
                  <th scope="row">{METRIC_WORDS[m]}</th>
                  {view.metrics.map((r, i) => (
                    <td key={lesson.runs[i].label}>{r ? formatNumber(r[m]) : "…"}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </div>
      {lesson.reference ? <p className="lesson-reference">{lesson.reference}</p> : null}
    </section>
  );
});
