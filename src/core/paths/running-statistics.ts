/**
 * BatchNorm running statistics along a path between two models of one ONNX graph. A point of a
 * path has its parameters (weights and biases, BN scale and shift) combined from the path's points;
 * the running mean and variance of each BatchNormalization are not parameters (graph constants,
 * never perturbed), so a policy says which ones the graph uses at the point:
 *
 * - "interpolated": the same combination of the points' statistics, sum_j w_j S_j, with the
 *   coefficients clamped to [0, 1] and renormalized (w = c on a curve or on the segment; beyond
 *   an end of a line, the nearer model's). The endpoints are then exactly the two models (A's
 *   statistics at t = 0, B's at t = 1, B's permuted ones at the aligned end), as when two PyTorch
 *   state_dicts, buffers included, are averaged. A curve's bend j of k carries the statistics of
 *   the straight segment at (j + 1) / (k + 1), so along a Bezier or polychain curve the statistics
 *   at t are (1 - t) S_A + t S_B; on the curve's plane, a point at x has those at
 *   t = clamp(x / |theta2 - theta1|, 0, 1) (x runs along theta1 -> theta2).
 * - "model-a": model A's at every point (one graph). The line's end at t = 1 is B's parameters
 *   with A's statistics, not model B: its loss may be far from B's own.
 * - "recomputed": recomputed at every point from the training data (dnn-mode-connectivity's
 *   update_bn), by an evaluator that does so (the model's batchNorm setting).
 *
 * None of them recomputes the statistics unless it says so. statisticsEvaluator turns any
 * evaluator into one that gives each evaluated point its own statistics (one prepare per distinct
 * statistics vector, so it composes with every evaluator that takes ONNX models).
 *
 * @example const ev = pathStatisticsEvaluator(naiveEvaluator, names, [statisticsOf(archA, names), statisticsOf(archB, names)]);
 */
import type {
  LandscapeEvaluator,
  Metrics,
  PreparedEvaluation,
  SubspaceProblem,
} from "../landscape/evaluator";
import type { ModelArchitecture } from "../model/architecture";
import type { OnnxArchitecture } from "../onnx/graph";
import { initialBends } from "./curves";

const STATISTICS_POLICIES = ["interpolated", "model-a", "recomputed"] as const;
export type StatisticsPolicy = (typeof STATISTICS_POLICIES)[number];

/** How each policy reads in the CLI output and the snapshot's paths section. */
export const STATISTICS_DESCRIPTIONS: Record<StatisticsPolicy, string> = {
  interpolated:
    "running statistics: interpolated between the models' (A's at t = 0, B's at t = 1) with the parameters' coefficients, not recomputed",
  "model-a": "running statistics: model A's, not recomputed",
  recomputed: "running statistics: recomputed at every point from the training data (update_bn)",
};

/**
 * The graph constants that are BN running statistics (inputs 3 and 4, mean and variance, of every
 * BatchNormalization node that reads float constants), in node order; [] for a graph without BN.
 *
 * @example runningStatisticsNames(cnn.arch) // ["bn1.running_mean", "bn1.running_var"]
 */
export function runningStatisticsNames(arch: Pick<OnnxArchitecture, "nodes" | "constants">): string[] {
  const floats = new Set(arch.constants.filter((c) => c.dataType === "float32").map((c) => c.name));
  const names: string[] = [];
  for (const node of arch.nodes) {
    if (node.op !== "BatchNormalization") continue;
    for (const name of node.inputs.slice(3, 5))
      if (floats.has(name) && !names.includes(name)) names.push(name);
  }
  return names;
}

function constantNamed(arch: Pick<OnnxArchitecture, "constants">, name: string) {
  const c = arch.constants.find((k) => k.name === name);
  if (!c) throw new Error(`the graph has no constant "${name}" (a BN running statistic)`);
  return c;
}

/** The named constants' values, concatenated (a model's statistics vector). */
export function statisticsOf(
  arch: Pick<OnnxArchitecture, "constants">,
  names: readonly string[],
): Float32Array {
  const parts = names.map((n) => constantNamed(arch, n).values);
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** The graph with the named constants taken from a statistics vector (statisticsOf's order). */
export function withStatistics(
  arch: OnnxArchitecture,
  names: readonly string[],
  stats: Float32Array,
): OnnxArchitecture {
  const at = new Map<string, number>();
  let offset = 0;
  for (const n of names) {
    at.set(n, offset);
    offset += constantNamed(arch, n).values.length;
  }
  if (offset !== stats.length) {
    throw new Error(
      `a statistics vector has ${stats.length} values, the graph's ${names.length} statistics ${offset}`,
    );
  }
  return {
    ...arch,
    constants: arch.constants.map((c) => {
      const o = at.get(c.name);
      return o === undefined ? c : { ...c, values: Array.from(stats.subarray(o, o + c.values.length)) };
    }),
  };
}

/**
 * Coefficients as statistics weights: each clamped to [0, 1], then scaled to sum 1 (so a variance
 * stays positive; beyond a line's end the nearer model's statistics).
 *
 * @example statisticsWeights([-0.5, 1.5]) // [0, 1]
 */
function statisticsWeights(coefficients: ArrayLike<number>): number[] {
  const w = Array.from(coefficients, (c) => Math.min(1, Math.max(0, c)));
  const sum = w.reduce((s, v) => s + v, 0);
  if (!(sum > 0))
    throw new Error(`no statistics weights from coefficients [${Array.from(coefficients).join(", ")}]`);
  return w.map((v) => v / sum);
}

/** sum_j w_j stats_j. */
function mixStatistics(stats: readonly Float32Array[], weights: readonly number[]): Float32Array {
  const out = new Float32Array(stats[0].length);
  stats.forEach((s, j) => {
    const w = weights[j];
    if (w === 0) return;
    for (let i = 0; i < out.length; i++) out[i] += w * s[i];
  });
  return out;
}

/**
 * The statistics of a path's points: A's, the bends' on the segment ((j + 1) / (bends + 1) of
 * the way; a line has none), B's, so that the statistics at t are (1 - t) S_A + t S_B on a Bezier or polychain curve.
 */
export function curveStatistics(a: Float32Array, b: Float32Array, bends: number): Float32Array[] {
  return bends === 0 ? [a, b] : [a, ...initialBends(a, b, bends), b];
}

/**
 * An evaluator whose point at coordinates `row` (one row of the problem's [P, K] coordinates) runs
 * with the statistics statisticsAt(row); rows with the same weights share one prepare of `base`.
 * Its name is base's (the statistics policy is recorded beside it).
 */
function statisticsEvaluator(
  base: LandscapeEvaluator,
  names: readonly string[],
  statisticsAt: (row: Float32Array) => { key: string; stats: Float32Array },
): LandscapeEvaluator {
  return {
    name: base.name,
    prepare(problem: SubspaceProblem): PreparedEvaluation {
      const arch = problem.arch;
      if (arch.kind !== "onnx")
        throw new Error(`running statistics need an ONNX model, not kind "${arch.kind}"`);
      const k = problem.directions.length;
      return {
        evaluate(coords: Float32Array): Metrics {
          const p = coords.length / k;
          const groups = new Map<string, { stats: Float32Array; rows: number[] }>();
          for (let i = 0; i < p; i++) {
            const { key, stats } = statisticsAt(coords.subarray(i * k, (i + 1) * k));
            const g = groups.get(key) ?? { stats, rows: [] };
            g.rows.push(i);
            groups.set(key, g);
          }
          const loss = new Float32Array(p);
          let accuracy: Float32Array | null = null;
          for (const g of groups.values()) {
            const sub = new Float32Array(g.rows.length * k);
            g.rows.forEach((r, j) => {
              sub.set(coords.subarray(r * k, (r + 1) * k), j * k);
            });
            const prepared = base.prepare({ ...problem, arch: withStatistics(arch, names, g.stats) });
            try {
              const m = prepared.evaluate(sub);
              if (m.accuracy) accuracy ??= new Float32Array(p);
              g.rows.forEach((r, j) => {
                loss[r] = m.loss[j];
                if (accuracy && m.accuracy) accuracy[r] = m.accuracy[j];
              });
            } finally {
              prepared.dispose();
            }
          }
          return { loss, accuracy };
        },
        dispose() {},
      };
    },
  };
}

/** A path's evaluator: the point with coefficients c runs with sum_j w_j pointStatistics[j] (w = statisticsWeights(c)). */
export function pathStatisticsEvaluator(
  base: LandscapeEvaluator,
  names: readonly string[],
  pointStatistics: readonly Float32Array[],
): LandscapeEvaluator {
  return statisticsEvaluator(base, names, (row) => {
    const w = statisticsWeights(row);
    return { key: w.join(","), stats: mixStatistics(pointStatistics, w) };
  });
}

/**
 * The plane's evaluator (coordinates [x, y]): a point runs with the statistics of the segment at
 * t = clamp(x / length, 0, 1), length = |theta2 - theta1| (theta2 sits at (length, 0)).
 */
export function planeStatisticsEvaluator(
  base: LandscapeEvaluator,
  names: readonly string[],
  ends: [Float32Array, Float32Array],
  length: number,
): LandscapeEvaluator {
  return statisticsEvaluator(base, names, (row) => {
    const t = length > 0 ? Math.min(1, Math.max(0, row[0] / length)) : 0;
    return { key: String(t), stats: mixStatistics(ends, [1 - t, t]) };
  });
}

/** The graph of a curve's point at coefficients c (curve training): sum_j w_j curveStats[j]. */
export function curveArchAt(
  arch: OnnxArchitecture,
  names: readonly string[],
  pointStatistics: readonly Float32Array[],
): (coeffs: Float64Array) => ModelArchitecture {
  return (coeffs) => withStatistics(arch, names, mixStatistics(pointStatistics, statisticsWeights(coeffs)));
}
