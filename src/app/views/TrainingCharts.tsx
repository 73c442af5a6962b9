/**
 * Live training curves (uPlot): loss (linear or log axis) and, for classification, accuracy.
 * Each chart is created once per structure (which series exist, log or linear) and receives
 * setData when `version` says the history arrays grew in place.
 */
import { useCallback, useId, useState } from "react";
import type uPlot from "uplot";
import {
  accuracyColumns,
  type HistoryLayout,
  historyLayout,
  lossColumns,
  type TrainingHistory,
} from "./history-data";
import { SERIES_COLORS } from "./theme";
import { bottomAxis, lineSeries, logScale, valueAxis } from "./uplot-theme";
import { type ChartOptions, useUplot } from "./useUplot";
import "./views.css";

export type { TrainingHistory } from "./history-data";

export interface TrainingChartsProps {
  history: TrainingHistory;
  /** Bump when the history arrays grew in place. */
  version?: number;
  /** Start with a log loss axis. */
  defaultLog?: boolean;
  testId?: string;
}

/** @example <TrainingCharts history={history} version={historyVersion} /> */
export function TrainingCharts({ history, version = 0, defaultLog = true, testId }: TrainingChartsProps) {
  const [log, setLog] = useState(defaultLog);
  const layout = historyLayout(history);
  const toggleId = useId();
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
        <LossChart history={history} testLoss={layout.testLoss} log={log} version={version} sync={toggleId} />
        {layout.accuracy && (
          <AccuracyChart
            history={history}
            testAccuracy={layout.testAccuracy}
            version={version}
            sync={toggleId}
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

/** The loss and accuracy charts share one cursor (same epoch under the mouse in both). */
function cursorSyncedTo(key: string): uPlot.Cursor {
  return { points: { size: 6 }, sync: { key, setSeries: false } };
}

function layoutOf(testLoss: boolean, testAccuracy: boolean): HistoryLayout {
  return { testLoss, accuracy: true, testAccuracy };
}
