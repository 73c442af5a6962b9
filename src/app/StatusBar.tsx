import { type EvaluationInfo, useAppStore } from "../state/store";
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

/** "· evaluation path wasm-kernel (calibrated), 9,270 points/s": which path samples, and how fast it ran. */
export function evaluationText(e: EvaluationInfo): string {
  const speed =
    e.pointsPerSecond !== null && Number.isFinite(e.pointsPerSecond)
      ? `, ${Math.round(e.pointsPerSecond).toLocaleString("en-US")} points/s`
      : "";
  const source = e.source === "model" ? "the path for this model kind" : e.source;
  return `· evaluation path ${e.name} (${source})${speed}`;
}

/** "· trained by wasm-kernel": the code that trained the shown landscape's model (kernel/training-path.ts). */
export function trainingText(path: string): string {
  return `· trained by ${path}${path === "wasm-kernel" ? " (WebAssembly SIMD)" : ""}`;
}

export function StatusBar({ status }: { status: LabStatus }) {
  const state =
    status.kind === "ready" && !status.selfCheck.startsWith("self-check ok") ? "error" : status.kind;
  const evaluation = useAppStore((s) => s.job.evaluation);
  const training = useAppStore((s) => {
    const path = (s.landscape?.snapshot.producer as { training?: unknown } | undefined)?.training;
    return typeof path === "string" ? path : null;
  });
  return (
    <footer className="status-bar" data-testid="status" data-state={state} role="status" aria-live="polite">
      <span className={`status-dot status-${state}`} aria-hidden="true" />
      <span className="status-text">{statusText(status)}</span>
      {evaluation ? (
        <span className="status-extra" data-testid="evaluation" data-evaluator={evaluation.name}>
          {evaluationText(evaluation)}
        </span>
      ) : null}
      {training ? (
        <span className="status-extra" data-testid="training-path" data-path={training}>
          {trainingText(training)}
        </span>
      ) : null}
    </footer>
  );
}
