import { kernelVariantSupported } from "../kernel/kernel-module";
import type { ModelArchitecture, ModelKind } from "../model/architecture";
import { cnnPlanRefusal } from "./cnn-plan";
import type { LandscapeEvaluator } from "./evaluator";
import { naiveEvaluator } from "./naive-evaluator";
import { tfjsBatchedEvaluator } from "./tfjs-batched-evaluator";
import { tfjsCnnEvaluator } from "./tfjs-cnn-evaluator";
import { tfjsGemmEvaluator } from "./tfjs-gemm-evaluator";
import { wasmCnnEvaluator, wasmCnnRefusal } from "./wasm-cnn-evaluator";
import { wasmKernelEvaluator } from "./wasm-kernel-evaluator";

/**
 * Every evaluation path by name; all give the same numbers within 1e-5 relative.
 * "wasm-kernel" is the tuned CPU kernel (WebAssembly SIMD, src/core/kernel): tfjs-free, built
 * from source by `npm run build:kernel`; needs a runtime with WebAssembly SIMD.
 * "tfjs-cnn-batched" is the tfjs fast path for layers models (CNNs, imported tfjs models): the
 * first layer's outputs combined per point, the later layers as fused ops (tfjs-cnn-evaluator.ts);
 * "wasm-cnn" combines the first layer the same way and runs the later layers in the WebAssembly
 * SIMD kernel (wasm-cnn-evaluator.ts, src/core/kernel/cnn-kernel.as); needs WebAssembly SIMD.
 */
export const EVALUATORS = {
  "tfjs-gemm": tfjsGemmEvaluator,
  "tfjs-batched": tfjsBatchedEvaluator,
  naive: naiveEvaluator,
  "wasm-kernel": wasmKernelEvaluator,
  "tfjs-cnn-batched": tfjsCnnEvaluator,
  "wasm-cnn": wasmCnnEvaluator,
} as const satisfies Record<string, LandscapeEvaluator>;

export type EvaluatorName = keyof typeof EVALUATORS;
export const EVALUATOR_NAMES = Object.keys(EVALUATORS) as EvaluatorName[];

/**
 * The fastest path for a backend (measured by `npm run bench`): on CPU backends the tuned
 * WebAssembly SIMD kernel (about 3x tfjs-gemm, 6x tfjs-batched), or, where the runtime has no
 * WebAssembly SIMD, per-vector XNNPACK GEMMs (tfjs-wasm's batched matMul is a slow loop); on
 * GPU backends, where every op dispatch is expensive, the fully batched tfjs formulation.
 *
 * Layers models (kind "layers": CNNs, imported tfjs models) get "wasm-cnn" on every backend where
 * the runtime has WebAssembly SIMD (about 4-6x "naive" on the digits CNN, against about 2x for
 * "tfjs-cnn-batched", tests/bench/cnn-bench.ts; the kernel runs on the CPU whatever the backend,
 * which only computes the first layer's outputs once), else "tfjs-cnn-batched". When the
 * architecture is given and wasm-cnn refuses it (wasmCnnRefusal: BN statistics recomputed per
 * point, a BatchNormalization with parameters before the first Dense / Conv2D, no Dense / Conv2D
 * at all), the path that runs it: "naive" for the first two, "tfjs-cnn-batched" for the last.
 * ONNX and GCN models get "naive", the one path that runs any model kind.
 *
 * @example defaultEvaluatorFor("wasm").name // "wasm-kernel"
 * @example defaultEvaluatorFor("wasm", "layers").name // "wasm-cnn"
 */
export function defaultEvaluatorFor(
  backend: string,
  model: ModelKind | ModelArchitecture = "mlp",
): LandscapeEvaluator {
  const kind = typeof model === "string" ? model : model.kind;
  if (typeof model !== "string" && model.kind === "layers") {
    if (cnnPlanRefusal(model)) return naiveEvaluator;
    if (wasmCnnRefusal(model)) return tfjsCnnEvaluator;
  }
  if (kind === "layers") return kernelVariantSupported("simd") ? wasmCnnEvaluator : tfjsCnnEvaluator;
  if (kind !== "mlp") return naiveEvaluator;
  if (backend === "webgl" || backend === "webgpu") return tfjsBatchedEvaluator;
  return kernelVariantSupported("simd") ? wasmKernelEvaluator : tfjsGemmEvaluator;
}

/** The paths written for MLPs only (their batched formulations use the MLP's structure). */
const MLP_ONLY_EVALUATORS: readonly EvaluatorName[] = ["tfjs-gemm", "tfjs-batched", "wasm-kernel"];

/** The paths written for layers models only (they follow the model's layer list). */
const LAYERS_ONLY_EVALUATORS: readonly EvaluatorName[] = ["tfjs-cnn-batched", "wasm-cnn"];

/** Whether an evaluation path can run a model kind (checkEvaluatorFor, without the message). */
function evaluatorTakes(name: string, kind: ModelKind): boolean {
  if ((MLP_ONLY_EVALUATORS as readonly string[]).includes(name)) return kind === "mlp";
  if ((LAYERS_ONLY_EVALUATORS as readonly string[]).includes(name)) return kind === "layers";
  return true;
}

/**
 * Throws when an evaluation path cannot run a model kind: the MLP paths take MLPs only,
 * "tfjs-cnn-batched" and "wasm-cnn" layers models only, "naive" takes every kind. The message names the path,
 * the kind, and what to use instead (the kind's default, or "naive").
 *
 * @example checkEvaluatorFor(EVALUATORS["tfjs-gemm"], "layers") // throws: ... works on MLPs only ...
 */
export function checkEvaluatorFor(evaluator: LandscapeEvaluator, kind: ModelKind): void {
  if (evaluatorTakes(evaluator.name, kind)) return;
  const fallback = defaultEvaluatorFor("wasm", kind).name;
  const instead =
    fallback === "naive"
      ? 'use the "naive" evaluator (the default for it)'
      : `use the "naive" evaluator or "${fallback}" (the default for it)`;
  const only = (MLP_ONLY_EVALUATORS as readonly string[]).includes(evaluator.name)
    ? "MLPs"
    : "layers models (CNNs, imported tfjs models)";
  throw new Error(
    `evaluator "${evaluator.name}" works on ${only} only; this model is kind "${kind}": ${instead}`,
  );
}

/** Whether a name is one of EVALUATORS (for names read from storage, URLs or the CLI). */
export function isEvaluatorName(name: unknown): name is EvaluatorName {
  return typeof name === "string" && Object.hasOwn(EVALUATORS, name);
}

/** Whether the runtime can run a path: the WebAssembly kernels need WebAssembly SIMD. */
function runsHere(name: EvaluatorName): boolean {
  return (name !== "wasm-kernel" && name !== "wasm-cnn") || kernelVariantSupported("simd");
}

/**
 * The evaluation paths that can run here for a model kind (default "mlp", what calibration
 * times): every tfjs path runs on any backend; the WebAssembly kernel needs WebAssembly SIMD in
 * the runtime; and each path takes the kinds evaluatorTakes says.
 *
 * @example availableEvaluators("layers") // ["naive", "tfjs-cnn-batched", "wasm-cnn"]
 */
export function availableEvaluators(kind: ModelKind = "mlp"): EvaluatorName[] {
  return EVALUATOR_NAMES.filter((n) => runsHere(n) && evaluatorTakes(n, kind));
}

/**
 * The evaluator called `name`, checked: an unknown name or one this runtime cannot run throws an
 * Error that names it and lists the ones that can.
 *
 * A path that cannot run the model kind is refused too (checkEvaluatorFor): the MLP paths for
 * other kinds, "tfjs-cnn-batched" and "wasm-cnn" for kinds other than "layers".
 *
 * @example evaluatorByName("wasm-kernel").name // "wasm-kernel"
 */
export function evaluatorByName(name: string, kind: ModelKind = "mlp"): LandscapeEvaluator {
  if (!isEvaluatorName(name) || !runsHere(name)) {
    const why = isEvaluatorName(name) ? "cannot run here (no WebAssembly SIMD)" : "is not an evaluation path";
    throw new Error(`evaluator "${name}" ${why}; available: ${availableEvaluators(kind).join(", ")}`);
  }
  checkEvaluatorFor(EVALUATORS[name], kind);
  return EVALUATORS[name];
}
