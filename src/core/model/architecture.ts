/**
 * Every model kind the lab evaluates, and what works on any of them. "mlp" (mlp.ts) is the
 * reference workload with the fast landscape paths, curvature, paths and rescaling; "layers"
 * (layers.ts: imported tfjs LayersModels and the config's CNNs) has random / PCA planes, the
 * naive landscape evaluator and training; "onnx" (core/onnx: graphs torch.onnx.export writes, run by
 * an interpreter) has the same plus curvature through its objective; "gcn" (gcn.ts: a graph
 * convolutional network carrying its graph, x holding node ids) has the same as "onnx" but the
 * Hessian directions. Pure and tfjs-free (forward.ts runs them).
 */
import type { OnnxArchitecture } from "../onnx/graph";
import { onnxSummary } from "../onnx/graph";
import { onnxLayout } from "../onnx/layout";
import type { Rng } from "../rng";
import { type GcnArchitecture, gcnLayout, gcnSummary, initGcnParameters } from "./gcn-architecture";
import { type InitScheme, initParameters } from "./init";
import { initLayersParameters, type LayersArchitecture, layersLayout, layersSummary } from "./layers";
import { mlpLayout } from "./mlp";
import type { Layout, MlpArchitecture } from "./types";

export type ModelArchitecture = MlpArchitecture | LayersArchitecture | OnnxArchitecture | GcnArchitecture;
export type ModelKind = ModelArchitecture["kind"];

/** The flat vector's layout of any model kind. */
export function modelLayout(arch: ModelArchitecture): Layout {
  if (arch.kind === "onnx") return onnxLayout(arch);
  if (arch.kind === "gcn") return gcnLayout(arch);
  return arch.kind === "layers" ? layersLayout(arch) : mlpLayout(arch);
}

/** Initial parameters of any model kind (init.ts for MLPs, layers.ts for layer stacks). */
export function initModelParameters(arch: ModelArchitecture, scheme: InitScheme, rng: Rng): Float32Array {
  if (arch.kind === "onnx") throw new Error("an ONNX model starts from the parameters stored in its file");
  if (arch.kind === "gcn") return initGcnParameters(arch, scheme, rng);
  return arch.kind === "layers" ? initLayersParameters(arch, scheme, rng) : initParameters(arch, scheme, rng);
}

/**
 * The architecture as an MLP, for the MLP-only features (fast evaluators, curvature, Hessian
 * directions, paths, rescaling); throws a message that names the feature and the model kind.
 *
 * @example const mlp = requireMlp(problem.arch, 'evaluator "tfjs-gemm"');
 */
export function requireMlp(arch: ModelArchitecture, what: string): MlpArchitecture {
  if (arch.kind === "mlp") return arch;
  throw new Error(
    `${what} works on MLPs only; this model is kind "${(arch as { kind: string }).kind}"` +
      (what.startsWith("evaluator") ? ' (use the "naive" evaluator)' : ""),
  );
}

/** One line naming the model, e.g. "MLP 2-64-64-2 relu" or "layers 14x14x1 conv2d(8, 3x3, relu) ...". */
export function architectureSummary(arch: ModelArchitecture): string {
  if (arch.kind === "layers") return `layers ${layersSummary(arch)}`;
  if (arch.kind === "onnx") return `onnx ${onnxSummary(arch)}`;
  if (arch.kind === "gcn") return gcnSummary(arch);
  return `MLP ${[arch.inputSize, ...arch.hiddenSizes, arch.outputSize].join("-")} ${arch.activation}`;
}
