import { useAppStore } from "../state/store";
import type { LabStatus } from "./useLab";

/** One line of text per state; `data-state` lets tests wait without parsing the text. */
export function statusText(status: LabStatus): string {
  switch (status.kind) {
    case "starting":
      return "starting compute workers…";
    case "ready":
      return `worker ready: ${status.backend} backend, ${status.workers} worker${status.workers === 1 ? "" : "s"}, ${status.selfCheck}`;
    case "error":
      return `compute worker error: ${status.message}`;
  }
}

export function StatusBar({ status }: { status: LabStatus }) {
  const state =
    status.kind === "ready" && !status.selfCheck.startsWith("self-check ok") ? "error" : status.kind;
  const evaluator = useAppStore(
    (s) => (s.landscape?.snapshot.producer as { evaluator?: string } | undefined)?.evaluator,
  );
  return (
    <footer className="status-bar" data-testid="status" data-state={state} role="status" aria-live="polite">
      <span className={`status-dot status-${state}`} aria-hidden="true" />
      <span className="status-text">{statusText(status)}</span>
      {evaluator ? <span className="status-extra">· evaluation path {evaluator}</span> : null}
    </footer>
  );
}
