import type { Barrier } from "./barrier";
import type { PathKind, PathResult } from "./path";
import type { CurvePlane } from "./plane";
import type { CurveProgress, CurveTrainingSettings, CurveTrainResult } from "./train-curve";

/** The barrier figures of one metric in a section (plain numbers). */
type BarrierFigures = Barrier;

/**
 * One path as a plain object for a snapshot `paths` section: only Float32Arrays, numbers,
 * strings and plain objects/arrays (no functions, no tensors), all arrays copied.
 *
 * Meaning: the point at parameter t is sum_j c_j(t) points[j] with the coefficients of `kind`
 * (linear: [1 - t, t]; bezier and polychain: paths/curves.ts); values[name][i] is the metric at
 * t[i]; barriers are over the t in [0, 1] ("linear-excess" and "midpoint-mean", paths/barrier.ts).
 */
interface PathSection {
  kind: PathKind;
  /** Number of bends (0 for a linear path). */
  bends: number;
  labels: string[];
  points: Float32Array[];
  t: Float32Array;
  values: {
    train_loss: Float32Array;
    train_accuracy?: Float32Array;
    test_loss?: Float32Array;
    test_accuracy?: Float32Array;
  };
  barriers: {
    train_loss: BarrierFigures;
    train_error?: BarrierFigures;
    test_loss?: BarrierFigures;
    test_error?: BarrierFigures;
  };
  length: number;
  evaluator: string;
  /** For trained curves: how the bends were trained. */
  training?: {
    status: CurveTrainResult["status"];
    message?: string;
    epochs: number;
    steps: number;
    settings: CurveTrainingSettings;
    history: CurveProgress[];
  };
  /** When theta2 was permuted to match theta1 before the path was built (align/). */
  alignment?: {
    method: "weight-matching";
    /** One permutation per hidden layer: unit i of the aligned model is unit perm[i] of the original. */
    permutations: number[][];
    objective: number[];
    seed: number;
  };
  /** For curves: the plane through theta1, theta2 and a bend (paths/plane.ts), directions "none"-normalized. */
  plane?: Omit<CurvePlane, "origin">;
}

interface PathSectionExtras {
  training?: CurveTrainResult;
  alignment?: PathSection["alignment"];
  plane?: CurvePlane;
}

const copyValues = (v: PathResult["values"]): PathSection["values"] => {
  const out: PathSection["values"] = { train_loss: v.train_loss.slice() };
  if (v.train_accuracy) out.train_accuracy = v.train_accuracy.slice();
  if (v.test_loss) out.test_loss = v.test_loss.slice();
  if (v.test_accuracy) out.test_accuracy = v.test_accuracy.slice();
  return out;
};

const copyBarriers = (b: PathResult["barriers"]): PathSection["barriers"] => {
  const out: PathSection["barriers"] = { train_loss: { ...b.train_loss } };
  if (b.train_error) out.train_error = { ...b.train_error };
  if (b.test_loss) out.test_loss = { ...b.test_loss };
  if (b.test_error) out.test_error = { ...b.test_error };
  return out;
};

/**
 * The plain section object of a scored path, with the curve's training record, the alignment
 * and the plane when given.
 *
 * @example const section = pathSection(evaluateCurve(model, r.curve), { training: r, plane: curvePlane(r.curve) });
 */
export function pathSection(result: PathResult, extras: PathSectionExtras = {}): PathSection {
  const section: PathSection = {
    kind: result.kind,
    bends: result.points.length - 2,
    labels: [...result.labels],
    points: result.points.map((p) => p.slice()),
    t: result.t.slice(),
    values: copyValues(result.values),
    barriers: copyBarriers(result.barriers),
    length: result.length,
    evaluator: result.evaluator,
  };
  const tr = extras.training;
  if (tr) {
    section.training = {
      status: tr.status,
      epochs: tr.epochs,
      steps: tr.steps,
      settings: { ...tr.settings },
      history: tr.history.map((h) => ({ ...h })),
    };
    if (tr.message) section.training.message = tr.message;
  }
  if (extras.alignment) {
    section.alignment = {
      ...extras.alignment,
      permutations: extras.alignment.permutations.map((p) => [...p]),
      objective: [...extras.alignment.objective],
    };
  }
  const p = extras.plane;
  if (p) {
    section.plane = {
      bendIndex: p.bendIndex,
      normalization: "none",
      directions: [p.directions[0].slice(), p.directions[1].slice()],
      points: p.points.slice(),
      pointsOffPlane: p.pointsOffPlane.slice(),
      curve: { t: p.curve.t.slice(), coords: p.curve.coords.slice(), offPlane: p.curve.offPlane.slice() },
      segment: p.segment.slice(),
      range: { x: [...p.range.x], y: [...p.range.y] },
    };
  }
  return section;
}
