/**
 * The curvature objective of any model kind whose forward pass is twice differentiable, through
 * model/forward.ts's modelForward (layers models through layers-twice.ts, below): the ONNX models (core/onnx, whose activations are
 * twice-differentiable stand-ins, see onnx/ops.ts) and the GCNs (model/gcn.ts, likewise). The
 * MLP keeps its own objective (hvp.ts's makeHvp); this one takes the same problem with any
 * architecture.
 *
 * ONNX conv nets included: the interpreter's convolution and pooling are written in ops that
 * differentiate twice on every backend, tfjs-wasm included. Layers models (kind "layers": the
 * config's CNNs and imported tfjs LayersModels) go through model/layers-twice.ts's pass, built
 * from the same ops, rather than layersForward (whose stock gradients do not differentiate twice
 * on tfjs-wasm); a layer that pass cannot do is refused, naming it.
 */
import type { DataSplit, Dataset } from "../data/types";
import type { ModelArchitecture } from "../model/architecture";
import { modelLayout } from "../model/architecture";
import { modelForward } from "../model/forward";
import { layersForwardTwice, layersTwiceProblem } from "../model/layers-twice";
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
  const arch = problem.arch;
  if (arch.kind === "layers") {
    const why = layersTwiceProblem(arch);
    if (why) throw new Error(`curvature: ${why}`);
  }
  const layout = modelLayout(arch);
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
    const out =
      arch.kind === "layers" ? layersForwardTwice(arch, params, data.x) : modelForward(arch, params, data.x);
    return meanLossTwice(problem.loss, out, data.target);
  };
  try {
    return makeFunctionHvp(f, problem.theta, { layout, onDispose: () => disposeDataTensors(data) });
  } catch (error) {
    disposeDataTensors(data);
    throw error;
  }
}

/** A curvature problem (hvp.ts) of any model kind the objective supports: "mlp", "onnx", "gcn" or "layers". */
export type AnyCurvatureProblem = Omit<CurvatureProblem, "arch"> & { arch: ModelArchitecture };

/**
 * The objective of the curvature report: the MLP's own (makeHvp) or, for an ONNX model, a GCN or a
 * layers model (CNNs, tfjs LayersModels), the generic one above.
 *
 * @example const op = curvatureObjective(problem, subset); ... op.dispose();
 */
export function curvatureObjective(problem: AnyCurvatureProblem, data: DataSplit): CurvatureObjective {
  const arch = problem.arch;
  if (arch.kind === "mlp") return mlpObjective({ ...problem, arch }, { data });
  // ONNX graphs, GCNs and layers models are built from twice-differentiable ops (onnx/ops.ts,
  // model/gcn.ts, model/layers-twice.ts).
  if (arch.kind === "onnx" || arch.kind === "gcn" || arch.kind === "layers")
    return makeModelHvp({ ...problem, arch, data });
  throw new Error(
    `the curvature report works on MLPs, ONNX models, GCNs and layers models only; this model is kind "${(arch as { kind: string }).kind}"`,
  );
}
