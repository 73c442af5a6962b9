/**
 * A cursor at the replay's epoch on the training charts (loss, accuracy) and the lambda_max
 * chart: a vertical line laid over each uPlot chart's plot area (its `.u-over` element), placed
 * from the chart's x data (epochs; uPlot's x scale spans their min to max). The charts belong to
 * the side panel; the cursor is added to them from outside and removed when the replay closes.
 */
import { useEffect } from "react";
import { useAppStore } from "../../state/store";

const CLASS = "replay-chart-cursor";

/** The x range of a chart's data. */
function span(xs: readonly number[] | undefined): [number, number] | null {
  if (!xs || xs.length < 2) return null;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const x of xs) {
    if (!Number.isFinite(x)) continue;
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  return hi > lo ? [lo, hi] : null;
}

function place(panelSelector: string, range: [number, number] | null, epoch: number | null): void {
  for (const over of document.querySelectorAll<HTMLElement>(`${panelSelector} .u-over`)) {
    let line = over.querySelector<HTMLElement>(`.${CLASS}`);
    if (epoch === null || range === null) {
      line?.remove();
      continue;
    }
    if (!line) {
      line = document.createElement("div");
      line.className = CLASS;
      line.setAttribute("aria-hidden", "true");
      over.appendChild(line);
    }
    const f = Math.min(1, Math.max(0, (epoch - range[0]) / (range[1] - range[0])));
    line.style.left = `${(f * 100).toFixed(3)}%`;
    line.dataset.epoch = String(epoch);
  }
}

/** Put the cursors at `epoch` (null: remove them). */
export function useChartCursors(epoch: number | null): void {
  const history = useAppStore((s) => s.history);
  const version = useAppStore((s) => s.historyVersion);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version marks in-place history updates
  useEffect(() => {
    const draw = () => {
      place(".vw-training", span(history.epoch), epoch);
      place(".vw-sharpness", span(history.sharpnessEpoch), epoch);
    };
    draw();
    // The charts are rebuilt (and their overlays with them) when their structure changes: redraw soon after.
    const t = window.setTimeout(draw, 300);
    return () => window.clearTimeout(t);
  }, [epoch, history, version]);
  useEffect(
    () => () => {
      for (const el of document.querySelectorAll(`.${CLASS}`)) el.remove();
    },
    [],
  );
}
