/**
 * Live training curves (uPlot): loss (linear or log axis) and, for classification, accuracy;
 * and, when training measured it, the sharpness lambda_max against the optimizer's stability
 * bound (SharpnessChart, a panel of its own). Each chart is created once per structure (which
 * series exist, log or linear) and receives setData when `version` says the history arrays grew
 * in place.
 */
import { useCallback, useId, useState } from "react";
import type uPlot from "uplot";
import {
  accuracyColumns,
  type HistoryLayout,
  historyLayout,
  lossColumns,
  type SharpnessLayout,
  sharpnessColumns,
  sharpnessLayout,
  sharpnessNote,
  sharpnessRange,
  type TrainingHistory,
} from "./history-data";
import { FONT, SERIES_COLORS, THEME } from "./theme";
import { axisNumber, bottomAxis, lineSeries, logScale, valueAxis } from "./uplot-theme";
import { type ChartOptions, useUplot } from "./useUplot";
import "./views.css";

export type { TrainingHistory } from "./history-data";

interface TrainingChartsProps {
  history: TrainingHistory;
  /** Bump when the history arrays grew in place. */
  version?: number;
  /** Start with a log loss axis. */
  defaultLog?: boolean;
  /** Cursor sync key shared with a SharpnessChart of the same history (default: this chart's own). */
  sync?: string;
  testId?: string;
}

/** @example <TrainingCharts history={history} version={historyVersion} /> */
export function TrainingCharts({
  history,
  version = 0,
  defaultLog = true,
  sync,
  testId,
}: TrainingChartsProps) {
  const [log, setLog] = useState(defaultLog);
  const layout = historyLayout(history);
  const toggleId = useId();
  const syncKey = sync ?? toggleId;
  const empty = history.epoch.length === 0;
  return (
    <div className="vw-panel vw-training" data-testid={testId}>
      <div className="vw-header">
        <span className="vw-title">training</span>
        <label className="vw-toggle" htmlFor={toggleId}>
          <input
            id={toggleId}
            type="checkbox"
            checked={log}
            onChange={(e) => setLog(e.currentTarget.checked)}
          />
          log loss
        </label>
      </div>
      <div className="vw-charts">
        <LossChart history={history} testLoss={layout.testLoss} log={log} version={version} sync={syncKey} />
        {layout.accuracy && (
          <AccuracyChart
            history={history}
            testAccuracy={layout.testAccuracy}
            version={version}
            sync={syncKey}
          />
        )}
        {empty && <p className="vw-message vw-overlay">No training yet.</p>}
      </div>
    </div>
  );
}

const epochSeries: uPlot.Series = { label: "epoch", value: (_u, v) => (v === null ? "" : String(v)) };
const epochAxis = () => bottomAxis("epoch");

function LossChart(props: {
  history: TrainingHistory;
  testLoss: boolean;
  log: boolean;
  version: number;
  sync: string;
}) {
  const { history, testLoss, log, version, sync } = props;
  const makeOptions = useCallback(
    (): ChartOptions => ({
      scales: { x: { time: false }, loss: log ? logScale() : {} },
      axes: [epochAxis(), valueAxis("loss", "loss", log)],
      series: [
        epochSeries,
        lineSeries("train loss", SERIES_COLORS.train, "loss"),
        ...(testLoss ? [lineSeries("test loss", SERIES_COLORS.test, "loss")] : []),
      ],
      cursor: cursorSyncedTo(sync),
    }),
    [testLoss, log, sync],
  );
  const makeData = useCallback(
    () => lossColumns(history, layoutOf(testLoss, false), log),
    [history, testLoss, log],
  );
  const ref = useUplot(makeOptions, makeData, version);
  return <div className="vw-chart" ref={ref} />;
}

function AccuracyChart(props: {
  history: TrainingHistory;
  testAccuracy: boolean;
  version: number;
  sync: string;
}) {
  const { history, testAccuracy, version, sync } = props;
  const makeOptions = useCallback(
    (): ChartOptions => ({
      scales: {
        x: { time: false },
        accuracy: { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max)] },
      },
      axes: [epochAxis(), valueAxis("accuracy", "accuracy", false)],
      series: [
        epochSeries,
        lineSeries("train accuracy", SERIES_COLORS.train, "accuracy"),
        ...(testAccuracy ? [lineSeries("test accuracy", SERIES_COLORS.test, "accuracy")] : []),
      ],
      cursor: cursorSyncedTo(sync),
    }),
    [testAccuracy, sync],
  );
  const makeData = useCallback(
    () => accuracyColumns(history, layoutOf(false, testAccuracy)),
    [history, testAccuracy],
  );
  const ref = useUplot(makeOptions, makeData, version);
  return <div className="vw-chart" ref={ref} />;
}

interface SharpnessChartProps {
  history: TrainingHistory;
  /** Bump when the history arrays grew in place. */
  version?: number;
  /** Cursor sync key of the TrainingCharts of the same history. */
  sync?: string;
  testId?: string;
}

const LAMBDA_COLOR = "#b07aa1";

/**
 * lambda_max of the training loss against epoch, with the optimizer's stability bound as a
 * dashed line (Cohen et al. 2021: full-batch GD sharpens until lambda_max reaches 2/lr and then
 * hovers there, the edge of stability). Renders nothing until there is a finite measurement.
 *
 * @example <SharpnessChart history={history} version={historyVersion} />
 */
export function SharpnessChart({ history, version = 0, sync, testId }: SharpnessChartProps) {
  const layout = sharpnessLayout(history);
  const ownSync = useId();
  if (!layout.show) return null;
  const note = sharpnessNote(history.stability, layout, axisNumber);
  return (
    <div className="vw-panel vw-sharpness" data-testid={testId}>
      <div className="vw-header">
        <span className="vw-title">
          sharpness λ<sub>max</sub>
          {layout.log && <span className="vw-tag">log</span>}
        </span>
        {note && <span className="vw-note">{note}</span>}
      </div>
      <div className="vw-charts">
        <LambdaChart
          history={history}
          bound={layout.bound}
          boundLabel={layout.boundLabel}
          log={layout.log}
          version={version}
          sync={sync ?? ownSync}
        />
      </div>
    </div>
  );
}

function LambdaChart(props: {
  history: TrainingHistory;
  bound: number | null;
  boundLabel: string | null;
  log: boolean;
  version: number;
  sync: string;
}) {
  const { history, bound, boundLabel, log, version, sync } = props;
  const makeOptions = useCallback(
    (): ChartOptions => ({
      scales: {
        x: { time: false },
        lambda: {
          ...(log ? { distr: 3, log: 10 } : {}),
          range: (_u, min, max) => sharpnessRange(min, max, bound, log),
        },
      },
      axes: [epochAxis(), valueAxis("lambda", "λmax", log)],
      series: [epochSeries, lineSeries("λmax", LAMBDA_COLOR, "lambda", { points: { show: true, size: 4 } })],
      cursor: cursorSyncedTo(sync),
      hooks: bound !== null && boundLabel ? { draw: [(u) => drawBound(u, bound, boundLabel)] } : {},
    }),
    [bound, boundLabel, log, sync],
  );
  const makeData = useCallback(
    () => sharpnessColumns(history, { show: true, bound, boundLabel, log } satisfies SharpnessLayout),
    [history, bound, boundLabel, log],
  );
  const ref = useUplot(makeOptions, makeData, version);
  return <div className="vw-chart" ref={ref} />;
}

/**
 * The stability bound: a dashed line across the plot with its name at the left end, above it
 * (early in training lambda_max is usually still below the bound, so the left end is free), on a
 * halo of the panel's colour so that it stays readable where the curve crosses it.
 */
function drawBound(u: uPlot, bound: number, label: string): void {
  const y = u.valToPos(bound, "lambda", true);
  const { left, top, width, height } = u.bbox;
  if (!Number.isFinite(y) || y < top - 1 || y > top + height + 1) return;
  const ratio = u.width > 0 ? u.ctx.canvas.width / u.width : 1;
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = THEME.warn;
  ctx.lineWidth = 1.25 * ratio;
  ctx.setLineDash([6 * ratio, 4 * ratio]);
  ctx.beginPath();
  ctx.moveTo(left, y);
  ctx.lineTo(left + width, y);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.font = FONT.replace(/^12px/, `${Math.round(11 * ratio)}px`);
  ctx.textAlign = "left";
  // Above the line, or below it when the line runs along the top edge.
  const above = y - top > 14 * ratio;
  ctx.textBaseline = above ? "bottom" : "top";
  const tx = left + 6 * ratio;
  const ty = above ? y - 3 * ratio : y + 3 * ratio;
  ctx.lineJoin = "round";
  ctx.lineWidth = 3 * ratio;
  ctx.strokeStyle = THEME.panel;
  ctx.strokeText(label, tx, ty);
  ctx.fillStyle = THEME.warn;
  ctx.fillText(label, tx, ty);
  ctx.restore();
}

/** The loss and accuracy charts share one cursor (same epoch under the mouse in both). */
function cursorSyncedTo(key: string): uPlot.Cursor {
  return { points: { size: 6 }, sync: { key, setSeries: false } };
}

function layoutOf(testLoss: boolean, testAccuracy: boolean): HistoryLayout {
  return { testLoss, accuracy: true, testAccuracy };
}
