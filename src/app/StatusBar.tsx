import type { WorkerStatus } from "./useComputeWorker";

/** One line of text per state; `data-state` lets tests wait without parsing the text. */
export function statusText(status: WorkerStatus): string {
  switch (status.kind) {
    case "starting":
      return "starting compute worker…";
    case "ready": {
      const { init, check } = status;
      const details = [
        init.simd === undefined ? "" : init.simd ? "SIMD" : "no SIMD",
        init.threads === undefined ? "" : `${init.threads} thread${init.threads === 1 ? "" : "s"}`,
      ].filter((d) => d !== "");
      const backend = `${init.backend} backend${details.length > 0 ? ` (${details.join(", ")})` : ""}`;
      const verdict = check.ok ? "self-check ok" : `self-check FAILED (${check.error})`;
      return `worker ready: ${backend}, ${verdict} in ${Math.round(check.ms)} ms`;
    }
    case "error":
      return `compute worker error: ${status.message}`;
  }
}

export function StatusBar({ status }: { status: WorkerStatus }) {
  const state = status.kind === "ready" && !status.check.ok ? "error" : status.kind;
  return (
    <footer className="status-bar" data-testid="status" data-state={state} role="status" aria-live="polite">
      <span className={`status-dot status-${state}`} aria-hidden="true" />
      <span className="status-text">{statusText(status)}</span>
    </footer>
  );
}
