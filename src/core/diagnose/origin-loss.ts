/**
 * The model's own train loss at theta, computed independently of the snapshot's surfaces: one
 * evaluation at the origin of the snapshot's plane, by the naive path (one forward pass per point,
 * every model kind), for review.ts's `origin-loss` check.
 *
 * @example const own = lossAtOrigin(snapshot); reviewLandscape(snapshot, { originLoss: own });
 */
import type { SubspaceProblem } from "../landscape/evaluator";
import { naiveEvaluator } from "../landscape/naive-evaluator";
import type { Snapshot } from "../snapshot/schema";

/** The snapshot's plane over its training data, as the evaluators take it. */
export function trainPlaneProblem(s: Snapshot): SubspaceProblem {
  return {
    arch: s.model.architecture,
    loss: s.model.loss,
    layout: s.model.layout,
    origin: s.model.parameters,
    directions: s.directions.map((d) => d.values),
    split: s.data.train,
    dataset: { task: s.data.task, inputSize: s.data.inputSize, outputSize: s.data.outputSize },
  };
}

export function lossAtOrigin(s: Snapshot): number {
  const prepared = naiveEvaluator.prepare(trainPlaneProblem(s));
  try {
    return prepared.evaluate(new Float32Array(s.directions.length)).loss[0];
  } finally {
    prepared.dispose();
  }
}
