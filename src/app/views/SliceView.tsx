/**
 * Line chart of 1-D cuts through a landscape (uPlot): the whole 1-D landscape (train and test,
 * loss on the left axis and accuracy on the right), or a 2-D landscape's two centre slices.
 * Non-finite values are gaps. In-place surface updates (`version`) only call setData.
 */
import { useCallback, useMemo } from "react";
import type uPlot from "uplot";
import type { DrawnLandscape, DrawnSnapshot, SurfaceViewOptions } from "../../state/types";
import { type SliceChartSpec, sliceData, sliceSpec } from "./slice-chart";
import { axisNumber, bottomAxis, lineSeries, logScale, valueAxis } from "./uplot-theme";
import { type ChartOptions, useUplot } from "./useUplot";
import { ViewMessage } from "./ViewMessage";
import "./views.css";

interface SliceViewProps {
  /** null before there is a landscape: a short message instead. */
  view: DrawnLandscape | null;
  options: SurfaceViewOptions;
  /** Bump when the surface arrays were updated in place. */
  version?: number;
  testId?: string;
}

function chartOptions(spec: SliceChartSpec): ChartOptions {
  const scales: uPlot.Scales = { x: { time: false } };
  const axes: uPlot.Axis[] = [bottomAxis(spec.xLabel)];
  spec.scales.forEach((scale, k) => {
    const side = k === 0 ? 3 : 1;
    // The second y axis draws no grid of its own: one set of horizontal lines reads better.
    const grid = k === 0 ? undefined : { show: false };
    if (scale === "loss") {
      scales.loss = spec.logLoss ? logScale() : {};
      axes.push(
        valueAxis("loss", spec.logLoss ? "loss (log)" : "loss", spec.logLoss, {
          side,
          ...(grid && { grid }),
        }),
      );
    } else {
      scales.accuracy = { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max)] };
      axes.push(valueAxis("accuracy", "accuracy", false, { side, ...(grid && { grid }) }));
    }
  });
  return {
    scales,
    axes,
    series: [
      { label: spec.xLabel, value: (_u, v) => axisNumber(v) },
      ...spec.series.map((s) => lineSeries(s.label, s.color, s.scale, { dash: s.dash })),
    ],
    legend: { live: true },
    cursor: { points: { size: 6 } },
  };
}

/** @example <SliceView view={landscape} options={viewOptions} version={landscapeVersion} /> */
export function SliceView({ view, options, version = 0, testId }: SliceViewProps) {
  if (!view) return <ViewMessage testId={testId} text="No landscape yet." />;
  return <SliceBody snapshot={view.snapshot} options={options} version={version} testId={testId} />;
}

interface SliceBodyProps {
  snapshot: DrawnSnapshot;
  options: SurfaceViewOptions;
  version: number;
  testId?: string;
}

function SliceBody({ snapshot, options, version, testId }: SliceBodyProps) {
  // The surfaces arrive after the snapshot (and are replaced by the fine pass): depend on them too.
  const surfaceNames = Object.keys(snapshot.surfaces).join(",");
  // biome-ignore lint/correctness/useExhaustiveDependencies: surfaceNames marks surfaces added to the same snapshot
  const spec = useMemo(
    () => sliceSpec(snapshot, options.metric, options.logScale),
    [snapshot, surfaceNames, options.metric, options.logScale],
  );
  const empty = spec.series.length === 0;
  return (
    <div className="vw-panel" data-testid={testId}>
      <div className="vw-header">
        <span className="vw-title">
          {snapshot.grid.axes.length === 1
            ? "1-D landscape"
            : `centre slices · ${options.metric.replace(/_/g, " ")}`}
        </span>
      </div>
      {empty ? (
        <p className="vw-message">{`This landscape has no ${options.metric.replace(/_/g, " ")} surface.`}</p>
      ) : (
        <SliceChart snapshot={snapshot} metric={options.metric} spec={spec} version={version} />
      )}
    </div>
  );
}

interface SliceChartProps {
  snapshot: DrawnSnapshot;
  metric: string;
  spec: SliceChartSpec;
  version: number;
}

function SliceChart({ snapshot, metric, spec, version }: SliceChartProps) {
  // Rebuild the chart only when its structure changes; `spec` objects with the same key are equal.
  // biome-ignore lint/correctness/useExhaustiveDependencies: spec.key stands for spec
  const makeOptions = useCallback(() => chartOptions(spec), [spec.key]);
  const makeData = useCallback(() => sliceData(snapshot, metric, spec), [snapshot, metric, spec]);
  const ref = useUplot(makeOptions, makeData, version);
  return <div className="vw-chart" ref={ref} />;
}
