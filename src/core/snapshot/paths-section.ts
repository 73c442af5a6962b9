/**
 * The snapshot's `paths` section: paths between minima in parameter space (linear interpolation,
 * Goodfellow et al.'s init-to-solution line, Garipov et al.'s trained Bezier / polychain curves,
 * the straight line to a weight-matched model), each with its points, the parameter values t, the
 * metrics at every t and the barriers, plus the models they connect and, optionally, the plane of
 * a curve (experiment/paths-run.ts writes it). Float arrays use the snapshot's codec (plain numbers
 * or base64 float32); numbers that may be non-finite are written as null. Objects are loose, so
 * fields added later survive a read and a write.
 *
 * Meaning: the point of a path at t is sum_j c_j(t) points[j], with c(t) = [1 - t, t] for the
 * two-point kinds ("linear", "init-to-solution", "linear-aligned"; t is alpha and may leave [0, 1])
 * and the Bernstein / broken-line coefficients of paths/curves.ts for "bezier" and "polychain"
 * (t in [0, 1]). values[name][i] is the metric at t[i]; barriers are over the t in [0, 1]
 * (paths/barrier.ts: "linearExcess" = max_t L(t) - ((1 - t) L(0) + t L(1)), "midpointMean" =
 * max_t L(t) - (L(0) + L(1)) / 2; *_error barriers use 1 - accuracy).
 *
 * Between two ONNX models (experiment/paths-onnx.ts) a model also carries its own `metrics` (with
 * its own BN running statistics), `runningStatistics` says how the statistics were taken at each
 * point (paths/running-statistics.ts), a path with interpolated statistics carries its points'
 * `statistics`, and an alignment names its permutations' `groups`.
 *
 * ```jsonc
 * "paths": {
 *   "models": [ { "label": "theta1", "seed": 1, "parameters": "...", "training": { "status": "completed", "epochs": 200, "trainLoss": 0.01 } },
 *               { "label": "theta2", "seed": 2, "parameters": "...", ... } ],
 *   "paths": [
 *     { "kind": "linear", "bends": 0, "labels": ["theta1", "theta2"], "between": [0, 1],
 *       "points": ["...", "..."], "t": [-0.5, ..., 1.5], "values": { "train_loss": [...], ... },
 *       "barriers": { "train_loss": { "linearExcess": 0.58, "linearExcessAt": 0.5, "midpointMean": 0.58, ... }, ... },
 *       "length": 41.7, "evaluator": "wasm-kernel" },
 *     { "kind": "bezier", "bends": 1, "labels": ["theta1", "bend1", "theta2"], ...,
 *       "training": { "status": "completed", "epochs": 200, "steps": 800, "settings": { ... },
 *                     "history": { "epoch": [1, ...], "step": [4, ...], "loss": [0.4, ...] } } },
 *     { "kind": "linear-aligned", ..., "alignment": { "method": "weight-matching", "permutations": [[3, 0, ...], ...],
 *                                                     "objective": [12.1, 30.4, 31.0], "sweeps": 2, "converged": true, "seed": 0 } }
 *   ],
 *   "plane": { "path": 2, "bendIndex": 0, "landscape": true, "normalization": "none",
 *              "origin": "...", "directions": ["...", "..."], "labels": ["theta1", "bend1", "theta2"],
 *              "points": [0, 0, 20.1, 9.3, 41.7, 0], "pointsOffPlane": [0, 0, 0],
 *              "curve": { "t": [...], "coords": [...], "offPlane": [...] }, "segment": [...],
 *              "range": { "x": [-10.4, 52.1], "y": [-10.4, 19.7] } },
 *   "settings": { ...the resolved paths settings... }
 * }
 * ```
 */
import { z } from "zod";
import type { Barrier } from "../paths/barrier";
import { float32ArrayCodec } from "./arrays";

/** Path kinds: the two-point ones interpolate linearly, the curves are paths/curves.ts. */
export const PATH_KINDS = ["linear", "bezier", "polychain", "init-to-solution", "linear-aligned"] as const;
export type SectionPathKind = (typeof PATH_KINDS)[number];
const TWO_POINT_KINDS: readonly SectionPathKind[] = ["linear", "init-to-solution", "linear-aligned"];

/** True for the kinds whose point at t is (1 - t) points[0] + t points[1]. */
export function isTwoPointKind(kind: SectionPathKind): boolean {
  return TWO_POINT_KINDS.includes(kind);
}

/** A number that may be non-finite (written as null). */
const maybe = z.number().nullable();
const count = z.number().int().nonnegative();

/** Barrier figures of one metric along a path (paths/barrier.ts), null where not finite. */
const pathBarrierSchema = z.looseObject({
  linearExcess: maybe,
  linearExcessAt: maybe,
  midpointMean: maybe,
  midpointMeanAt: maybe,
  /** The metric at t = 0 and t = 1. */
  start: maybe,
  end: maybe,
});

/** One array per metric, one entry per t; named like the landscape surfaces. */
const pathValuesSchema = z.looseObject({
  train_loss: float32ArrayCodec,
  train_accuracy: float32ArrayCodec.optional(),
  test_loss: float32ArrayCodec.optional(),
  test_accuracy: float32ArrayCodec.optional(),
});

const pathBarriersSchema = z.looseObject({
  train_loss: pathBarrierSchema,
  train_error: pathBarrierSchema.optional(),
  test_loss: pathBarrierSchema.optional(),
  test_error: pathBarrierSchema.optional(),
});

/** How a curve's bends were trained (paths/train-curve.ts), with the per-epoch mean minibatch loss. */
const curveTrainingRecordSchema = z.looseObject({
  status: z.enum(["completed", "diverged"]),
  message: z.string().optional(),
  epochs: count,
  steps: count,
  settings: z.looseObject({
    optimizer: z.string(),
    learningRate: z.number(),
    batchSize: z.union([z.number(), z.literal("full")]),
    epochs: count,
    seed: count,
    l2: z.number(),
  }),
  history: z.looseObject({
    epoch: z.array(count),
    step: z.array(count),
    /** Mean minibatch loss of the epoch, each minibatch at its own random t. */
    loss: z.array(maybe),
  }),
});

/**
 * Weight matching (align/): unit i of the aligned model is unit permutations[h][i] of the original,
 * per hidden layer h of an MLP, or per group of an ONNX graph's permutation spec (align/onnx-spec.ts:
 * conv channels and hidden units, BN channels moved with them), named in `groups`.
 */
const alignmentRecordSchema = z.looseObject({
  method: z.literal("weight-matching"),
  permutations: z.array(z.array(count)),
  /** ONNX graphs: one entry per permutation, e.g. { name: "conv1.weight axis 0", size: 4 }. */
  groups: z.array(z.looseObject({ name: z.string(), size: count })).optional(),
  /** <theta_a, pi(theta_b)> before the first sweep and after every sweep. */
  objective: z.array(z.number()),
  sweeps: count,
  converged: z.boolean(),
  seed: count,
});

const pathEntrySchema = z.looseObject({
  kind: z.enum(PATH_KINDS),
  /** Points between the endpoints: 0 for the two-point kinds, points.length - 2 for curves. */
  bends: count,
  /** One label per point, e.g. ["theta1", "bend1", "theta2"] or ["init", "theta1"]. */
  labels: z.array(z.string()),
  /** Indices into `models` of the two endpoints, when both are models of the section. */
  between: z.tuple([count, count]).optional(),
  /** [start, bend 1, ..., bend k, end], each flat in the layout of model.parameters. */
  points: z.array(float32ArrayCodec),
  /** Sorted parameter values, including 0 and 1. */
  t: float32ArrayCodec,
  values: pathValuesSchema,
  barriers: pathBarriersSchema,
  /** Euclidean length in parameter space of the part t in [0, 1]. */
  length: z.number().nonnegative(),
  /** The evaluation path that computed the values. */
  evaluator: z.string(),
  training: curveTrainingRecordSchema.optional(),
  alignment: alignmentRecordSchema.optional(),
  /**
   * Running statistics "interpolated" (section.runningStatistics): each point's BN running
   * statistics, flat in the order of runningStatistics.names; the point with coefficients c runs
   * with sum_j w_j statistics[j], w = c clamped to [0, 1] and scaled to sum 1.
   */
  statistics: z.array(float32ArrayCodec).optional(),
});

/** One model the paths connect. */
const pathModelSchema = z.looseObject({
  label: z.string(),
  /** Seed of its initialization and minibatch order (runPaths); absent when unknown. */
  seed: count.optional(),
  /** Where it came from when not trained by this run (e.g. a snapshot file). */
  source: z.string().optional(),
  parameters: float32ArrayCodec,
  /**
   * The model's own metrics, with its own graph (its own BN running statistics), on the section's
   * data (paths between ONNX models): what a path's end is compared with.
   */
  metrics: z
    .looseObject({
      train_loss: maybe,
      train_accuracy: maybe.optional(),
      test_loss: maybe.optional(),
      test_accuracy: maybe.optional(),
    })
    .optional(),
  training: z
    .looseObject({
      status: z.string(),
      epochs: count,
      steps: count,
      trainLoss: maybe,
      trainAccuracy: maybe.optional(),
      testLoss: maybe.optional(),
      testAccuracy: maybe.optional(),
    })
    .optional(),
});

/**
 * The plane through a curve's endpoints and one bend (paths/plane.ts): origin theta1,
 * u = (theta2 - theta1) / |theta2 - theta1|, v = the bend's part orthogonal to u, normalized. A point
 * has plane coordinates (<w - origin, u>, <w - origin, v>). With `landscape` true, the snapshot's
 * grid, surfaces and directions are this plane's (directions = [u, v], model.parameters = origin).
 */
const pathPlaneSchema = z.looseObject({
  /** Index into `paths` of the curve that spans the plane. */
  path: count,
  /** Which bend (0-based) spans it with the endpoints. */
  bendIndex: count,
  landscape: z.boolean(),
  normalization: z.literal("none"),
  origin: float32ArrayCodec,
  directions: z.tuple([float32ArrayCodec, float32ArrayCodec]),
  /** Labels of the curve's points, in the order of `points`. */
  labels: z.array(z.string()),
  /** Plane coordinates of the curve's points: [K, 2] row-major. */
  points: float32ArrayCodec,
  /** Distance of each point from the plane (0 for the three that span it). */
  pointsOffPlane: float32ArrayCodec,
  /** The curve projected: t, coordinates [T, 2], distance from the plane [T]. */
  curve: z.looseObject({ t: float32ArrayCodec, coords: float32ArrayCodec, offPlane: float32ArrayCodec }),
  /** The straight segment theta1 -> theta2 at the same t: [T, 2] (on the x axis). */
  segment: float32ArrayCodec,
  /** A grid range covering all of the above with the margin. */
  range: z.looseObject({ x: z.tuple([z.number(), z.number()]), y: z.tuple([z.number(), z.number()]) }),
});

/**
 * How the BN running statistics of an ONNX graph were taken at each point (paths/running-statistics.ts):
 * policy "interpolated" (the points' statistics combined as their parameters; paths[].statistics),
 * "model-a" (model A's at every point) or "recomputed" (update_bn at every point). Absent for a
 * model without BatchNormalization.
 */
const runningStatisticsSchema = z.looseObject({
  policy: z.string(),
  /** The policy in words, e.g. "running statistics: model A's, not recomputed". */
  description: z.string(),
  /** The graph constants a statistics vector holds, in order (BN running means and variances). */
  names: z.array(z.string()),
});

export const pathsSectionSchema = z.looseObject({
  models: z.array(pathModelSchema).optional(),
  runningStatistics: runningStatisticsSchema.optional(),
  paths: z.array(pathEntrySchema),
  plane: pathPlaneSchema.optional(),
  /** The settings that made the section (the config's `paths` section, resolved). */
  settings: z.record(z.string(), z.unknown()).optional(),
});

/** In memory: every float array is a Float32Array. */
export type PathsSection = z.output<typeof pathsSectionSchema>;
export type SectionPath = PathsSection["paths"][number];
export type SectionPathModel = NonNullable<PathsSection["models"]>[number];
export type SectionPathPlane = NonNullable<PathsSection["plane"]>;
export type SectionBarrier = z.output<typeof pathBarrierSchema>;
export type SectionRunningStatistics = z.output<typeof runningStatisticsSchema>;
export type SectionAlignment = z.output<typeof alignmentRecordSchema>;

/** A barrier with every non-finite number as null (JSON has no NaN). */
export function barrierRecord(b: Barrier): SectionBarrier {
  const f = (v: number) => (Number.isFinite(v) ? v : null);
  return {
    linearExcess: f(b.linearExcess),
    linearExcessAt: f(b.linearExcessAt),
    midpointMean: f(b.midpointMean),
    midpointMeanAt: f(b.midpointMeanAt),
    start: f(b.start),
    end: f(b.end),
  };
}

/** Up to 4 significant digits, "n/a" for null. */
function fig(v: number | null | undefined): string {
  if (v === null || v === undefined) return "n/a";
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

/**
 * Lines for `info`: one for the section, one per path with its barriers (linear-excess /
 * midpoint-mean, of train loss, train error, test loss, test error), one for the plane.
 */
export function pathsSummaryLines(section: PathsSection): [string, string][] {
  const lines: [string, string][] = [];
  const models = section.models ?? [];
  lines.push([
    "paths",
    `${section.paths.length} path${section.paths.length === 1 ? "" : "s"}` +
      (models.length > 0
        ? ` between ${models.length} models (${models.map((m) => m.label).join(", ")})`
        : ""),
  ]);
  section.paths.forEach((p, i) => {
    const ends = `${p.labels[0] ?? "?"} -> ${p.labels[p.labels.length - 1] ?? "?"}`;
    const bends = p.bends > 0 ? `, ${p.bends} bend${p.bends === 1 ? "" : "s"}` : "";
    const barriers = (["train_loss", "train_error", "test_loss", "test_error"] as const)
      .filter((name) => p.barriers[name])
      .map((name) => {
        const b = p.barriers[name] as SectionBarrier;
        return `${name.replace("_", " ")} ${fig(b.linearExcess)} / ${fig(b.midpointMean)}`;
      })
      .join(", ");
    const range = p.t.length > 0 ? ` in [${fig(p.t[0])}, ${fig(p.t[p.t.length - 1])}]` : "";
    const trained = p.training ? `, trained ${p.training.epochs} epochs (${p.training.status})` : "";
    const aligned = p.alignment ? `, weight matching ${p.alignment.sweeps} sweeps` : "";
    lines.push([
      `path ${i} ${p.kind}`,
      `${ends}${bends}: barrier (linear-excess / midpoint-mean) ${barriers}; length ${fig(p.length)}, ` +
        `${p.t.length} t values${range}${trained}${aligned}`,
    ]);
  });
  if (section.runningStatistics) lines.push(["path statistics", section.runningStatistics.description]);
  const plane = section.plane;
  if (plane) {
    lines.push([
      "path plane",
      `through ${[plane.labels[0], plane.labels[plane.bendIndex + 1], plane.labels[plane.labels.length - 1]].join(", ")} of path ${plane.path}` +
        (plane.landscape ? "; the landscape (grid, surfaces) is on this plane" : ""),
    ]);
  }
  return lines;
}
