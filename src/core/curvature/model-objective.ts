/**
 * The curvature objective of any model kind whose forward pass is twice differentiable, through
 * model/forward.ts's modelForward: today the ONNX models (core/onnx, whose activations are
 * twice-differentiable stand-ins, see onnx/ops.ts). The MLP keeps its own objective (hvp.ts's
 * makeHvp); this one takes the same problem with any architecture.
 *
 * ONNX conv nets included: the interpreter's convolution and pooling are written in ops that
 * differentiate twice on every backend, tfjs-wasm included. tfjs LayersModels (kind "layers") are
 * not: their activations and convolutions use the stock gradients (refused by curvatureObjective).
 */
import type { DataSplit, Dataset } from "../data/types";
import type { ModelArchitecture } from "../model/architecture";
import { modelLayout } from "../model/architecture";
import { modelForward } from "../model/forward";
import { assertFinite, assertFlatLength, layoutOffsets } from "../model/layout";
import { dataTensors, disposeDataTensors } from "../model/loss";
import type { LossKind } from "../model/types";
import { tf } from "../tf";
import {
  type CurvatureObjective,
  type CurvatureProblem,
  type FlatScalarFunction,
  makeFunctionHvp,
} from "./hvp";
import { mlpObjective } from "./kernel-objective";
import { meanLossTwice } from "./twice";

interface ModelCurvatureProblem {
  arch: ModelArchitecture;
  loss: LossKind;
  theta: Float32Array;
  dataset: Pick<Dataset, "task" | "inputSize" | "outputSize">;
  /** The samples the loss averages over (the training split, or a subset of it). */
  data: DataSplit;
}

/**
 * The mean loss over `data` as a function of the flat parameter vector, with its gradient and
 * Hessian-vector products at theta (double backprop through the model's forward pass).
 *
 * @example const op = makeModelHvp({ arch, loss: "cross-entropy", theta, dataset, data: train }); const { values } = await topEigenpairs(op); op.dispose();
 */
export function makeModelHvp(problem: ModelCurvatureProblem): CurvatureObjective {
  const layout = modelLayout(problem.arch);
  assertFlatLength(problem.theta, layout, "curvature: theta");
  assertFinite(problem.theta, layout, "curvature: theta");
  if (problem.data.count < 1)
    throw new Error("curvature: the data split is empty (need at least one sample)");
  const data = tf.tidy(() => {
    const d = dataTensors(problem.data, problem.dataset);
    tf.keep(d.x);
    tf.keep(d.target);
    if (d.labels) tf.keep(d.labels);
    return d;
  });
  const offsets = layoutOffsets(layout);
  const f: FlatScalarFunction = (x) => {
    const params = layout.map((entry, i) =>
      tf.reshape(tf.slice(x, offsets[i], offsets[i + 1] - offsets[i]), entry.shape),
    );
    return meanLossTwice(problem.loss, modelForward(problem.arch, params, data.x), data.target);
  };
  try {
    return makeFunctionHvp(f, problem.theta, { layout, onDispose: () => disposeDataTensors(data) });
  } catch (error) {
    disposeDataTensors(data);
    throw error;
  }
}

/** A curvature problem (hvp.ts) of any model kind the objective supports: "mlp" or "onnx". */
export type AnyCurvatureProblem = Omit<CurvatureProblem, "arch"> & { arch: ModelArchitecture };

/**
 * The objective of the curvature report: the MLP's own (makeHvp) or, for an ONNX model, the
 * generic one above; a tfjs layers model is refused, naming the feature.
 *
 * @example const op = curvatureObjective(problem, subset); ... op.dispose();
 */
export function curvatureObjective(problem: AnyCurvatureProblem, data: DataSplit): CurvatureObjective {
  const arch = problem.arch;
  if (arch.kind === "mlp") return mlpObjective({ ...problem, arch }, { data });
  if (arch.kind === "onnx") return makeModelHvp({ ...problem, arch, data });
  throw new Error(
    `the curvature report works on MLPs and ONNX models only; this model is kind "${arch.kind}"`,
  );
}
