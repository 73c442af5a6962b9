/**
 * The paths panel's numbers as the chart and the table take them: loss (or error) along every
 * path of a snapshot's `paths` section against t, on one shared t axis (uPlot's aligned columns,
 * null where a path has no value), and the barrier figures per path. Pure functions.
 *
 * @example const { x, columns, series } = pathChartData(snapshot.paths, "loss", [0, 1]);
 */
import type { PathsSection, SectionBarrier, SectionPathKind } from "../../core/snapshot/paths-section";
import { PATH_COLORS } from "../../scene/path-lines";

/** How each kind of path is named and coloured (the straight line and the curve as in the views). */
const PATH_KIND_STYLE: Record<SectionPathKind, { label: string; short: string; color: string }> = {
  linear: { label: "straight line", short: "straight", color: PATH_COLORS.straight },
  bezier: { label: "curve (Bezier)", short: "curve", color: PATH_COLORS.curve },
  polychain: { label: "curve (polychain)", short: "curve", color: PATH_COLORS.curve },
  "linear-aligned": { label: "aligned straight line", short: "aligned", color: "#b388ff" },
  "init-to-solution": { label: "init \u2192 \u03b81", short: "init \u2192 \u03b81", color: "#9aa4b2" },
};

/** A line to a third, fourth or fifth model (paths.models > 2). */
const OTHER_LINE_COLOR = "#80deea";

export type PathChartMetric = "loss" | "error";
export type PathSplit = "train" | "test";

interface PathSeries {
  /** Index into section.paths. */
  path: number;
  kind: SectionPathKind;
  split: PathSplit;
  label: string;
  color: string;
}

interface PathChartData {
  /** Sorted, distinct t values of all paths (within the range). */
  x: number[];
  /** One column per series, aligned with x; null where that path has no value at that t. */
  columns: (number | null)[][];
  series: PathSeries[];
}

type Section = Pick<PathsSection, "paths">;
type PathLike = Section["paths"][number];

/**
 * "straight line", "curve (Bezier)", ..., "straight line θ1 → θ3" for models beyond the second;
 * with `short`, "straight", "curve", "aligned", "θ1 → θ3" (the table's narrow column).
 */
export function pathLabel(p: Pick<PathLike, "kind" | "between">, short = false): string {
  const style = PATH_KIND_STYLE[p.kind];
  const base = (short ? style?.short : style?.label) ?? p.kind;
  const between = p.between;
  if (p.kind === "linear" && between && !(between[0] === 0 && between[1] === 1)) {
    const ends = `\u03b8${between[0] + 1} \u2192 \u03b8${between[1] + 1}`;
    return short ? ends : `${base} ${ends}`;
  }
  return base;
}

function pathColor(p: Pick<PathLike, "kind" | "between">): string {
  const between = p.between;
  if (p.kind === "linear" && between && !(between[0] === 0 && between[1] === 1)) return OTHER_LINE_COLOR;
  return PATH_KIND_STYLE[p.kind]?.color ?? OTHER_LINE_COLOR;
}

/** The values of a path's metric for a split: loss as stored, error = 1 - accuracy. */
function metricValues(p: PathLike, metric: PathChartMetric, split: PathSplit): Float32Array | undefined {
  const values = p.values as Record<string, Float32Array | undefined>;
  if (metric === "loss") return values[`${split}_loss`];
  const accuracy = values[`${split}_accuracy`];
  return accuracy ? Float32Array.from(accuracy, (a) => 1 - a) : undefined;
}

/** t values closer than this count as the same column (float32 t of different paths). */
const T_TOLERANCE = 1e-6;

/**
 * The chart's columns: every path's train and (when stored) test values of `metric`, over the t
 * values in `range` (all of them when range is null). Non-finite values become null (gaps).
 *
 * @example pathChartData(section, "error", null).series.map((s) => s.label)
 */
export function pathChartData(
  section: Section,
  metric: PathChartMetric,
  range: [number, number] | null,
): PathChartData {
  const inRange = (t: number) =>
    range === null || (t >= range[0] - T_TOLERANCE && t <= range[1] + T_TOLERANCE);
  const all: number[] = [];
  for (const p of section.paths) for (const t of p.t) if (Number.isFinite(t) && inRange(t)) all.push(t);
  all.sort((a, b) => a - b);
  const x: number[] = [];
  for (const t of all) if (x.length === 0 || t - x[x.length - 1] > T_TOLERANCE) x.push(t);
  const columnOf = (t: number): number => {
    // Binary search for the first x >= t - tolerance.
    let lo = 0;
    let hi = x.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x[mid] < t - T_TOLERANCE) lo = mid + 1;
      else hi = mid;
    }
    return lo < x.length && Math.abs(x[lo] - t) <= T_TOLERANCE ? lo : -1;
  };
  const series: PathSeries[] = [];
  const columns: (number | null)[][] = [];
  section.paths.forEach((p, index) => {
    for (const split of ["train", "test"] as const) {
      const values = metricValues(p, metric, split);
      if (!values || values.length !== p.t.length) continue;
      const column: (number | null)[] = new Array(x.length).fill(null);
      for (let i = 0; i < p.t.length; i++) {
        const j = inRange(p.t[i]) ? columnOf(p.t[i]) : -1;
        if (j >= 0) column[j] = Number.isFinite(values[i]) ? values[i] : null;
      }
      const label = `${pathLabel(p)}, ${split}`;
      series.push({ path: index, kind: p.kind, split, label, color: pathColor(p) });
      columns.push(column);
    }
  });
  return { x, columns, series };
}

/** One row of the barrier table: a path and its barrier figures for one split. */
interface BarrierRow {
  path: number;
  kind: SectionPathKind;
  label: string;
  color: string;
  loss: SectionBarrier | null;
  error: SectionBarrier | null;
}

/**
 * The barrier figures of every path for a split: loss and error (1 - accuracy), each by both
 * definitions (linear-excess and midpoint-mean, paths/barrier.ts); null where not stored.
 *
 * @example barrierRows(section, "train")[0].loss?.linearExcess
 */
export function barrierRows(section: Section, split: PathSplit): BarrierRow[] {
  return section.paths.map((p, path) => ({
    path,
    kind: p.kind,
    label: pathLabel(p, true),
    color: pathColor(p),
    loss: p.barriers[`${split}_loss`] ?? null,
    error: p.barriers[`${split}_error`] ?? null,
  }));
}
