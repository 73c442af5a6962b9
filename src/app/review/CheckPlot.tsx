/**
 * "Is my plot right?": a button beside the exports that reviews what is shown (the checks of
 * core/diagnose/review.ts, the model's own loss at theta computed by the workers) and lists what
 * looks suspicious in plain words, or says that nothing does. The list is for the landscape it was
 * made for: a new landscape clears it.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { Lab } from "../../compute/lab";
import type { LandscapeReview } from "../../compute/landscape-review";
import { gridPointCount } from "../../core/landscape/grid";
import { useAppStore } from "../../state/store";
import { useDismiss } from "../useDismiss";
import "./check-plot.css";

/** Up to 4 significant digits. */
const num = (v: number) => String(Number(v.toPrecision(4)));

export function CheckPlot({ lab }: { lab: Lab | null }) {
  const landscape = useAppStore((s) => s.landscape);
  const imported = useAppStore((s) => s.imported);
  const phase = useAppStore((s) => s.job.phase);
  const [open, setOpen] = useState(false);
  const [review, setReview] = useState<LandscapeReview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const shown = landscape?.snapshot ?? imported?.snapshot ?? null;
  const complete =
    imported !== null ||
    (landscape !== null && landscape.done >= gridPointCount(landscape.snapshot.grid) && phase !== "sampling");
  const busy = phase === "training" || phase === "sampling";

  // A review describes one landscape: another one (or none) clears it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `shown` is the trigger, not read
  useEffect(() => {
    setReview(null);
    setError(null);
  }, [shown]);

  const close = useCallback(() => setOpen(false), []);
  useDismiss(open, root, close);

  const run = async () => {
    if (!lab) return;
    setRunning(true);
    setError(null);
    try {
      setReview(await lab.review());
    } catch (err) {
      setError(`the check failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setRunning(false);
    }
  };

  const toggle = () => {
    const next = !open;
    setOpen(next);
    if (next && review === null && !running) void run();
  };

  const origin = landscape && review?.originLoss != null ? originValue(landscape.snapshot) : null;

  return (
    <div className="check-plot" ref={root}>
      <button
        type="button"
        data-testid="check-plot"
        aria-expanded={open}
        disabled={!lab || !complete || busy}
        title="Is my plot right? Checks the landscape shown: the surface at the origin against the model's own loss, the directions' normalization, the range, the grid step against the curvature, holes, accuracy units, the trajectory off the plane"
        onClick={toggle}
      >
        Check plot{review && review.findings.length > 0 ? ` (${review.findings.length})` : ""}
      </button>
      {open ? (
        <div
          className="check-plot-panel"
          role="dialog"
          aria-label="Is my plot right?"
          data-testid="check-plot-panel"
        >
          <h3>Is my plot right?</h3>
          {running ? (
            <p data-testid="check-plot-running">checking… (the model's loss at theta is computed)</p>
          ) : null}
          {error ? (
            <p className="check-plot-error" role="alert">
              {error}
            </p>
          ) : null}
          {review && !running ? (
            <>
              <p className="check-plot-subject">
                {review.subject}: {review.checks} checks
                {review.originLoss !== null
                  ? `; the model's own train loss at theta is ${num(review.originLoss)}${origin !== null ? `, the surface there ${num(origin)}` : ""}`
                  : "; an imported surface file has no model, so the checks that need one were skipped"}
              </p>
              {review.findings.length === 0 ? (
                <p data-testid="check-plot-clean">Nothing looks suspicious.</p>
              ) : (
                <ul data-testid="check-plot-findings">
                  {review.findings.map((f, i) => (
                    // Several findings may share a check (one per axis): the index keeps them apart.
                    // biome-ignore lint/suspicious/noArrayIndexKey: the list is replaced whole
                    <li key={i} data-testid="check-plot-finding" data-check={f.check}>
                      <strong>{f.check}</strong> {f.message}
                    </li>
                  ))}
                </ul>
              )}
              <button type="button" onClick={() => void run()} data-testid="check-plot-again">
                Check again
              </button>
            </>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/** The train-loss surface's value at the grid point (0, 0), when there is one. */
function originValue(s: {
  grid: { axes: readonly { min: number; max: number; count: number }[] };
  surfaces: Record<string, Float32Array>;
}): number | null {
  const loss = s.surfaces.train_loss;
  if (!loss) return null;
  let flat = 0;
  let stride = 1;
  for (const a of s.grid.axes) {
    const k = Math.round((-a.min / (a.max - a.min)) * (a.count - 1));
    const at = a.min + (k * (a.max - a.min)) / (a.count - 1);
    if (k < 0 || k >= a.count || Math.abs(at) > 1e-9 * (a.max - a.min)) return null;
    flat += k * stride;
    stride *= a.count;
  }
  return loss[flat];
}
