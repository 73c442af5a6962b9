import { kernelVariantSupported } from "../kernel/kernel-module";
import type { ModelKind } from "../model/architecture";
import type { LandscapeEvaluator } from "./evaluator";
import { naiveEvaluator } from "./naive-evaluator";
import { tfjsBatchedEvaluator } from "./tfjs-batched-evaluator";
import { tfjsGemmEvaluator } from "./tfjs-gemm-evaluator";
import { wasmKernelEvaluator } from "./wasm-kernel-evaluator";

/**
 * Every evaluation path by name; all give the same numbers within 1e-5 relative.
 * "wasm-kernel" is the tuned CPU kernel (WebAssembly SIMD, src/core/kernel): tfjs-free, built
 * from source by `npm run build:kernel`; needs a runtime with WebAssembly SIMD.
 */
export const EVALUATORS = {
  "tfjs-gemm": tfjsGemmEvaluator,
  "tfjs-batched": tfjsBatchedEvaluator,
  naive: naiveEvaluator,
  "wasm-kernel": wasmKernelEvaluator,
} as const satisfies Record<string, LandscapeEvaluator>;

export type EvaluatorName = keyof typeof EVALUATORS;
export const EVALUATOR_NAMES = Object.keys(EVALUATORS) as EvaluatorName[];

/**
 * The fastest path for a backend (measured by `npm run bench`): on CPU backends the tuned
 * WebAssembly SIMD kernel (about 3x tfjs-gemm, 6x tfjs-batched), or, where the runtime has no
 * WebAssembly SIMD, per-vector XNNPACK GEMMs (tfjs-wasm's batched matMul is a slow loop); on
 * GPU backends, where every op dispatch is expensive, the fully batched tfjs formulation.
 *
 * Models other than MLPs (kind "layers": CNNs, imported tfjs models) always get "naive", the one
 * path that runs any model kind.
 *
 * @example defaultEvaluatorFor("wasm").name // "wasm-kernel"
 */
export function defaultEvaluatorFor(backend: string, kind: ModelKind = "mlp"): LandscapeEvaluator {
  if (kind !== "mlp") return naiveEvaluator;
  if (backend === "webgl" || backend === "webgpu") return tfjsBatchedEvaluator;
  return kernelVariantSupported("simd") ? wasmKernelEvaluator : tfjsGemmEvaluator;
}

/** The paths written for MLPs only (their batched formulations use the MLP's structure). */
export const MLP_ONLY_EVALUATORS: readonly EvaluatorName[] = ["tfjs-gemm", "tfjs-batched", "wasm-kernel"];

/**
 * Throws when an evaluation path cannot run a model kind: the fast paths take MLPs only, "naive"
 * takes every kind.
 *
 * @example checkEvaluatorFor(EVALUATORS["tfjs-gemm"], "layers") // throws: ... works on MLPs only ...
 */
export function checkEvaluatorFor(evaluator: LandscapeEvaluator, kind: ModelKind): void {
  if (kind !== "mlp" && (MLP_ONLY_EVALUATORS as readonly string[]).includes(evaluator.name)) {
    throw new Error(
      `evaluator "${evaluator.name}" works on MLPs only; this model is kind "${kind}": use the "naive" evaluator (the default for it)`,
    );
  }
}

/** Whether a name is one of EVALUATORS (for names read from storage, URLs or the CLI). */
export function isEvaluatorName(name: unknown): name is EvaluatorName {
  return typeof name === "string" && Object.hasOwn(EVALUATORS, name);
}

/**
 * The evaluation paths that can run here: every tfjs path runs on any backend; the WebAssembly
 * kernel needs WebAssembly SIMD in the runtime.
 */
export function availableEvaluators(): EvaluatorName[] {
  return EVALUATOR_NAMES.filter((n) => n !== "wasm-kernel" || kernelVariantSupported("simd"));
}

/**
 * The evaluator called `name`, checked: an unknown name or one this runtime cannot run throws an
 * Error that names it and lists the ones that can.
 *
 * With a model kind other than "mlp", the MLP-only paths are refused too (checkEvaluatorFor).
 *
 * @example evaluatorByName("wasm-kernel").name // "wasm-kernel"
 */
export function evaluatorByName(name: string, kind: ModelKind = "mlp"): LandscapeEvaluator {
  const usable = availableEvaluators();
  if (!isEvaluatorName(name) || !usable.includes(name)) {
    const why = isEvaluatorName(name) ? "cannot run here (no WebAssembly SIMD)" : "is not an evaluation path";
    throw new Error(`evaluator "${name}" ${why}; available: ${usable.join(", ")}`);
  }
  checkEvaluatorFor(EVALUATORS[name], kind);
  return EVALUATORS[name];
}
