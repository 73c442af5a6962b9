import { assertFiniteNumber } from "./check";
import {
  assertCurve,
  type Curve,
  type CurveKind,
  curveCoefficientRows,
  curveLength,
  curvePointLabels,
  unitTValues,
} from "./curves";
import {
  checkPathPoints,
  evaluateCombinations,
  type PathBarriers,
  type PathEvaluationOptions,
  type PathModel,
  type PathValues,
  pathBarriers,
} from "./evaluate";
import { alphaGrid, assertEndpoints, DEFAULT_ALPHA_RANGE, linearCoefficientRows } from "./linear";

export type PathKind = "linear" | CurveKind;

/**
 * A path between two parameter vectors, scored: its points (endpoints and bends), the parameter
 * values t (alpha for linear paths) and the metrics and barriers along it. Plain typed arrays
 * and numbers, ready for a snapshot section (see pathSection).
 */
export interface PathResult {
  kind: PathKind;
  /** One label per point, e.g. ["theta1", "bend1", "theta2"] or ["init", "solution"]. */
  labels: string[];
  /** [theta1, bend 1, ..., bend k, theta2]; a linear path has just its two endpoints. */
  points: Float32Array[];
  /** Sorted parameter values where the metrics were taken (alpha for linear paths). */
  t: Float32Array;
  values: PathValues;
  /** Barriers over the t values in [0, 1]. */
  barriers: PathBarriers;
  /** Length in parameter space (L2) of the part t in [0, 1]. */
  length: number;
  /** The evaluator that computed the values. */
  evaluator: string;
}

interface LinearPathOptions extends PathEvaluationOptions {
  /** Explicit alpha values (must include 0 and 1); otherwise alphaGrid(min, max, count). */
  alphas?: ArrayLike<number>;
  /** Default -0.5. */
  min?: number;
  /** Default 1.5. */
  max?: number;
  /** Default 41. */
  count?: number;
  /** Default ["theta_a", "theta_b"]; ["init", "solution"] for Goodfellow et al.'s plot. */
  labels?: [string, string];
}

/**
 * Score the linear path w(alpha) = (1 - alpha) from + alpha to on the train and test data:
 * loss, accuracy and barriers (loss and error, both definitions, over alpha in [0, 1]).
 * All alphas are evaluated in one batched evaluator call per split. From an initialization to
 * its trained solution this is Goodfellow et al. (2015)'s experiment (pass labels
 * ["init", "solution"]); between two trained models, linear mode connectivity.
 *
 * @example const r = evaluateLinearPath(model, thetaA, thetaB, { min: -0.5, max: 1.5, count: 41 });
 */
export function evaluateLinearPath(
  model: PathModel,
  from: Float32Array,
  to: Float32Array,
  options: LinearPathOptions = {},
): PathResult {
  const labels = options.labels ?? ["theta_a", "theta_b"];
  assertEndpoints(from, to, labels);
  checkPathPoints(model, [from, to], labels);
  let t: Float32Array;
  if (options.alphas) {
    if (options.alphas.length < 2)
      throw new Error(`a path needs at least 2 alpha values, got ${options.alphas.length}`);
    t = Float32Array.from(options.alphas);
    t.forEach((a, i) => {
      assertFiniteNumber(a, `alphas[${i}]`);
    });
    t.sort();
  } else {
    t = alphaGrid(
      options.min ?? DEFAULT_ALPHA_RANGE.min,
      options.max ?? DEFAULT_ALPHA_RANGE.max,
      options.count ?? DEFAULT_ALPHA_RANGE.count,
    );
  }
  const points = [from.slice(), to.slice()];
  const { values, evaluator } = evaluateCombinations(model, points, linearCoefficientRows(t), options);
  let d2 = 0;
  for (let i = 0; i < from.length; i++) d2 += (to[i] - from[i]) ** 2;
  return {
    kind: "linear",
    labels: [...labels],
    points,
    t,
    values,
    barriers: pathBarriers(t, values),
    length: Math.sqrt(d2),
    evaluator,
  };
}

interface CurveEvaluationOptions extends PathEvaluationOptions {
  /** Number of equally spaced t values in [0, 1] (Garipov et al. use 61). Default 61. */
  count?: number;
  /** Explicit t values in [0, 1] (must include 0 and 1); overrides count. */
  t?: ArrayLike<number>;
  /** Steps of t for the length (curveLength). Default 1200. */
  lengthSegments?: number;
}

/**
 * Score a curve (curves.ts) at `count` equally spaced t in [0, 1]: loss and accuracy on the train
 * and test data, the barriers along it (same definitions as for linear paths) and its length.
 * One batched evaluator call per split for all t.
 *
 * @example const r = evaluateCurve(model, trained.curve); r.barriers.train_loss.linearExcess
 */
export function evaluateCurve(
  model: PathModel,
  curve: Curve,
  options: CurveEvaluationOptions = {},
): PathResult {
  assertCurve(curve);
  const bends = curve.points.length - 2;
  const labels = curvePointLabels(bends);
  checkPathPoints(model, curve.points, labels);
  const t = options.t ? Float32Array.from(options.t).sort() : unitTValues(options.count ?? 61);
  if (t.length < 2) throw new Error(`a path needs at least 2 t values, got ${t.length}`);
  const points = curve.points.map((p) => p.slice());
  const { values, evaluator } = evaluateCombinations(
    model,
    points,
    curveCoefficientRows(curve.kind, bends, t),
    options,
  );
  return {
    kind: curve.kind,
    labels,
    points,
    t,
    values,
    barriers: pathBarriers(t, values),
    length: curveLength(curve, options.lengthSegments ?? 1200),
    evaluator,
  };
}
