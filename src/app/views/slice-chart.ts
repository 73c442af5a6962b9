/**
 * What the slice chart plots, as plain data: for a 1-D landscape every surface along the axis
 * (losses on the left axis, accuracies on the right); for a 2-D landscape the chosen metric's two
 * centre slices. Pure, no DOM: the SliceView turns it into uPlot options.
 */
import { axisValues } from "../../core/landscape/grid";
import type { Snapshot } from "../../core/snapshot/schema";
import { type AxisDirection, axisTitle } from "../../scene/axis-labels";
import { higherIsBetter } from "./extremum";
import { SURFACE_METRICS } from "./pick";
import { alignSeries, centreSlices, withGaps } from "./slices";
import { SERIES_COLORS } from "./theme";
import { formatValue } from "./ticks";

type SliceScale = "loss" | "accuracy";

interface SliceSeries {
  label: string;
  scale: SliceScale;
  color: string;
  dash?: number[];
}

export interface SliceChartSpec {
  xLabel: string;
  series: SliceSeries[];
  /** Scales in use; "loss" is log10 when `logLoss`. */
  scales: SliceScale[];
  logLoss: boolean;
  /** Changes exactly when the chart has to be rebuilt (series, scales, axes). */
  key: string;
}

/** Directions are optional: only Hessian ones change the labels (their eigenvector and eigenvalue). */
type SliceSnapshot = Pick<Snapshot, "grid" | "surfaces"> & { directions?: readonly AxisDirection[] };

function scaleOf(metric: string): SliceScale {
  return higherIsBetter(metric) ? "accuracy" : "loss";
}

function title(metric: string): string {
  return metric.replace(/_/g, " ");
}

/**
 * The values of the 2-D chart: the metric's surface; all gaps while the landscape is still to be
 * sampled (a snapshot with no surface yet), so the chart is built before the first picture
 * arrives and that picture only fills it in.
 */
function planeValues(snapshot: SliceSnapshot, metric: string): Float32Array | null {
  const surface = snapshot.surfaces[metric];
  if (surface) return surface;
  if (Object.keys(snapshot.surfaces).length > 0) return null; // computed, without this metric
  const [ax, ay] = snapshot.grid.axes;
  return new Float32Array(ax.count * ay.count).fill(Number.NaN);
}

/**
 * The series of the chart.
 *
 * @example sliceSpec(snapshot, "train_loss", true).series.map((s) => s.label)
 */
export function sliceSpec(snapshot: SliceSnapshot, metric: string, logScale: boolean): SliceChartSpec {
  const axes = snapshot.grid.axes;
  let series: SliceSeries[];
  let xLabel: string;
  const titleOf = (k: number) => axisTitle(axes[k].label, snapshot.directions?.[k], k);
  if (axes.length === 1) {
    xLabel = titleOf(0);
    series = SURFACE_METRICS.filter((m) => snapshot.surfaces[m]).map((m) => ({
      label: title(m),
      scale: scaleOf(m),
      color: m.startsWith("test") ? SERIES_COLORS.test : SERIES_COLORS.train,
      dash: scaleOf(m) === "accuracy" ? [6, 4] : undefined,
    }));
  } else if (axes.length === 2 && planeValues(snapshot, metric)) {
    const [ax, ay] = axes;
    const { alongX, alongY } = centreSlices(planeValues(snapshot, metric) as Float32Array, axes);
    xLabel = ax.label === ay.label ? ax.label : `${ax.label} / ${ay.label}`;
    series = [
      {
        label: `along ${titleOf(0)} (${ay.label} = ${formatValue(alongX.at, 3)})`,
        scale: scaleOf(metric),
        color: SERIES_COLORS.alongX,
      },
      {
        label: `along ${titleOf(1)} (${ax.label} = ${formatValue(alongY.at, 3)})`,
        scale: scaleOf(metric),
        color: SERIES_COLORS.alongY,
      },
    ];
  } else {
    xLabel = axes[0]?.label ?? "";
    series = [];
  }
  const scales = (["loss", "accuracy"] as const).filter((scale) => series.some((s) => s.scale === scale));
  const logLoss = logScale && scales.includes("loss");
  const axesKey = axes.map((a) => `${a.label}:${a.min}:${a.max}:${a.count}`).join(",");
  const key = [axes.length, axesKey, xLabel, metric, logLoss, series.map((s) => s.label).join("|")].join(";");
  return { xLabel, series, scales, logLoss, key };
}

/**
 * uPlot columns for the spec: x, then one column per series; non-finite values (and values <= 0
 * on a log loss axis) are null, i.e. gaps.
 */
export function sliceData(
  snapshot: SliceSnapshot,
  metric: string,
  spec: SliceChartSpec,
): [number[], ...(number | null | undefined)[][]] {
  const axes = snapshot.grid.axes;
  if (spec.series.length === 0) return [[]];
  const positive = (m: string) => spec.logLoss && scaleOf(m) === "loss";
  if (axes.length === 1) {
    const x = Array.from(axisValues(axes[0]));
    const metrics = SURFACE_METRICS.filter((m) => snapshot.surfaces[m]);
    return [x, ...metrics.map((m) => withGaps(snapshot.surfaces[m], positive(m)))];
  }
  const values = planeValues(snapshot, metric);
  if (!values) return [[]];
  const { alongX, alongY } = centreSlices(values, axes);
  return alignSeries([
    { x: alongX.coords, y: withGaps(alongX.values, positive(metric)) },
    { x: alongY.coords, y: withGaps(alongY.values, positive(metric)) },
  ]);
}
