import { useAppStore } from "../../state/store";

const RUNNING = new Set(["training", "sampling"]);

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/**
 * The running job: phase, done/total and detail, or how it ended. `data-phase` is the job's
 * phase, so tests can wait for data-phase="done".
 */
export function ProgressBar() {
  const job = useAppStore((s) => s.job);
  const { progress } = job;
  const fraction =
    progress && progress.total > 0 ? Math.min(1, Math.max(0, progress.done / progress.total)) : null;
  const running = RUNNING.has(job.phase);
  let text: string;
  if (job.phase === "error") text = job.error ?? "failed";
  else if (job.phase === "idle") text = "ready";
  else if (job.phase === "cancelled") text = "cancelled";
  else if (job.phase === "done") text = `done${progress?.detail ? `: ${progress.detail}` : ""}`;
  else if (progress) {
    const count =
      progress.total > 0
        ? ` ${progress.done}/${progress.total}${progress.unit ? ` ${progress.unit}` : ""}`
        : "";
    text = `${progress.phase}${count}${progress.detail ? ` · ${progress.detail}` : ""}`;
  } else text = `${job.phase}...`;

  return (
    <div
      className="ctl-progress"
      data-testid="progress"
      data-phase={job.phase}
      role="progressbar"
      aria-label="job progress"
      aria-valuemin={0}
      aria-valuemax={progress?.total ?? undefined}
      aria-valuenow={running && progress ? progress.done : undefined}
      aria-valuetext={text}
    >
      <div className="ctl-progress-track">
        <div
          className={`ctl-progress-fill phase-${job.phase}`}
          style={{ transform: `scaleX(${(job.phase === "done" ? 1 : (fraction ?? 0)).toFixed(3)})` }}
        />
      </div>
      <div className="ctl-progress-text">
        <span className="ctl-progress-status">{text}</span>
        {job.backend && <span className="ctl-progress-backend">{job.backend}</span>}
        {running && job.startedAt !== null && <Elapsed since={job.startedAt} />}
      </div>
    </div>
  );
}

/** Time since the job started; updated with each progress report (no timer of its own). */
function Elapsed({ since }: { since: number }) {
  useAppStore((s) => s.job.progress);
  return <span className="ctl-progress-elapsed">{seconds(Date.now() - since)}</span>;
}
