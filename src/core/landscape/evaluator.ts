import type { DataSplit, Dataset } from "../data/types";
import type { ModelArchitecture } from "../model/architecture";
import type { Layout, LossKind } from "../model/types";

/**
 * The loss of many parameter vectors on one data split, where every vector lies in the
 * affine subspace origin + sum_k c_k d_k. A 2-D landscape has K = 2 (the plane of two
 * directions); a quadratic Bezier path is origin 0 with its three points as "directions".
 */
export interface SubspaceProblem {
  /** Any model kind; the batched paths and the wasm kernel take MLPs only (requireMlp). */
  arch: ModelArchitecture;
  loss: LossKind;
  layout: Layout;
  origin: Float32Array;
  directions: readonly Float32Array[];
  split: DataSplit;
  dataset: Pick<Dataset, "task" | "inputSize" | "outputSize">;
  /**
   * The training split, for what is recomputed from it at every point: the BN running statistics
   * of an ONNX or layers model whose arch.batchNorm says "recompute" (model/bn-statistics.ts). Absent: `split`.
   */
  statistics?: DataSplit;
}

/** Per-vector metrics, length P. accuracy is null for regression. */
export interface Metrics {
  loss: Float32Array;
  accuracy: Float32Array | null;
}

export interface PreparedEvaluation {
  /** coords: [P, K] row-major. */
  evaluate(coords: Float32Array): Metrics;
  /** Release every tensor held for this problem. */
  dispose(): void;
}

/**
 * A way to evaluate subspace problems (tfjs batched, naive per point, later tuned kernels).
 * All implementations give the same numbers within 1e-5 relative.
 */
export interface LandscapeEvaluator {
  readonly name: string;
  prepare(problem: SubspaceProblem): PreparedEvaluation;
}

export function checkCoords(coords: Float32Array, k: number): number {
  if (k < 1) throw new Error("a subspace problem needs at least one direction");
  if (coords.length % k !== 0)
    throw new Error(`coords length ${coords.length} is not a multiple of K = ${k}`);
  return coords.length / k;
}

export function checkProblem(problem: SubspaceProblem): void {
  const d = problem.origin.length;
  problem.directions.forEach((dir, k) => {
    if (dir.length !== d) throw new Error(`direction ${k} has ${dir.length} values, the model has ${d}`);
  });
  const { split, dataset } = problem;
  if (split.count < 1) throw new Error("cannot evaluate a loss on an empty data split");
  if (split.x.length !== split.count * dataset.inputSize) {
    throw new Error(
      `data x has ${split.x.length} values, expected count * inputSize = ${split.count * dataset.inputSize}`,
    );
  }
}
