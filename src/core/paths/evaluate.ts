import { currentBackend } from "../backend";
import type { Dataset } from "../data/types";
import type { LandscapeEvaluator, PreparedEvaluation } from "../landscape/evaluator";
import { defaultEvaluatorFor } from "../landscape/evaluators";
import { type ModelArchitecture, modelLayout } from "../model/architecture";
import { assertFinite, assertFlatLength } from "../model/layout";
import type { LossKind } from "../model/types";
import { type Barrier, barrier, errorOf } from "./barrier";

/**
 * The model and data a path is scored on (a PreparedModel from experiment/prepare.ts fits). Any
 * model kind: an MLP gets the batched evaluators and the curve kernel, other kinds (an ONNX graph)
 * the per-point "naive" evaluator and tfjs gradients.
 */
export interface PathModel {
  arch: ModelArchitecture;
  loss: LossKind;
  dataset: Pick<Dataset, "task" | "inputSize" | "outputSize" | "train" | "test">;
}

export interface PathEvaluationOptions {
  /** Default: defaultEvaluatorFor(currentBackend(), kind), the fastest path of the backend for the model kind. */
  evaluator?: LandscapeEvaluator;
}

/**
 * Metric values along a path, one entry per t, named like the landscape surfaces. Accuracy is
 * absent for regression; test metrics are absent when the test split is empty.
 */
export interface PathValues {
  train_loss: Float32Array;
  train_accuracy?: Float32Array;
  test_loss?: Float32Array;
  test_accuracy?: Float32Array;
}

/** Barriers (barrier.ts) of loss and error (1 - accuracy) along a path. */
export interface PathBarriers {
  train_loss: Barrier;
  train_error?: Barrier;
  test_loss?: Barrier;
  test_error?: Barrier;
}

/** Throws unless the model and its data fit together and every point is a finite parameter vector. */
export function checkPathPoints(
  model: PathModel,
  points: readonly Float32Array[],
  names: readonly string[],
): void {
  const { arch, dataset } = model;
  if (dataset.inputSize !== arch.inputSize || dataset.outputSize !== arch.outputSize) {
    throw new Error(
      `the data have ${dataset.inputSize} inputs and ${dataset.outputSize} outputs, ` +
        `the model ${arch.inputSize} and ${arch.outputSize}`,
    );
  }
  const layout = modelLayout(arch);
  points.forEach((p, j) => {
    assertFlatLength(p, layout, names[j] ?? `point ${j}`);
    assertFinite(p, layout, names[j] ?? `point ${j}`);
  });
}

/**
 * Loss and accuracy of the P parameter vectors w_i = sum_j C_ij points_j on the train and test
 * splits, scored by a landscape evaluator in one batched call per split (the subspace problem with
 * origin 0, the K points as its directions and the coefficient rows C [P, K] as coordinates), so a
 * path costs the same as P points of a landscape grid.
 *
 * @example const v = evaluateCombinations(model, [a, b], linearCoefficientRows(alphas));
 */
export function evaluateCombinations(
  model: PathModel,
  points: readonly Float32Array[],
  coefficients: Float32Array,
  options: PathEvaluationOptions = {},
): { values: PathValues; evaluator: string } {
  if (points.length < 1) throw new Error("a path needs at least one point");
  if (coefficients.length % points.length !== 0) {
    throw new Error(
      `coefficient rows have ${coefficients.length} values, not a multiple of ${points.length} points`,
    );
  }
  const evaluator = options.evaluator ?? defaultEvaluatorFor(currentBackend(), model.arch.kind);
  const layout = modelLayout(model.arch);
  const origin = new Float32Array(points[0].length);
  const values: Partial<PathValues> = {};
  for (const name of ["train", "test"] as const) {
    const split = model.dataset[name];
    if (!split || split.count === 0) continue;
    let prepared: PreparedEvaluation | null = null;
    try {
      const problem = {
        arch: model.arch,
        loss: model.loss,
        layout,
        origin,
        directions: points,
        split,
        dataset: model.dataset,
        // What an evaluator recomputes at every point (BN running statistics, update_bn) comes from
        // the training split, also when the test split is scored.
        statistics: model.dataset.train,
      };
      prepared = evaluator.prepare(problem);
      const m = prepared.evaluate(coefficients);
      values[`${name}_loss`] = m.loss;
      if (m.accuracy) values[`${name}_accuracy`] = m.accuracy;
    } finally {
      prepared?.dispose();
    }
  }
  if (!values.train_loss) throw new Error("cannot evaluate a path without training data (train.count is 0)");
  return { values: values as PathValues, evaluator: evaluator.name };
}

/**
 * Loss and error barriers of every metric along a path.
 *
 * @example pathBarriers(t, values).train_loss.linearExcess
 */
export function pathBarriers(t: ArrayLike<number>, values: PathValues): PathBarriers {
  const out: PathBarriers = { train_loss: barrier(t, values.train_loss) };
  if (values.train_accuracy) out.train_error = barrier(t, errorOf(values.train_accuracy));
  if (values.test_loss) out.test_loss = barrier(t, values.test_loss);
  if (values.test_accuracy) out.test_error = barrier(t, errorOf(values.test_accuracy));
  return out;
}
