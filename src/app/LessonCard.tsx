/**
 * The open lesson above its two surfaces: the claim in plain words, what to look at, the caveat
 * where the effect is not guaranteed, the numbers of both runs and the lesson's checks (✓ / ✗
 * with the numbers behind each verdict). Reads the store; the lab computes.
 */
import { formatNumber, METRIC_WORDS } from "../core/lessons/checks";
import { LESSON_METRICS, type LessonMetricName } from "../core/lessons/schema";
import { useAppStore } from "../state/store";
import type { LessonView } from "../state/types";

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

export function LessonCard({ onClose }: { onClose(): void }) {
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
        {rows.length > 0 ? (
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
}
