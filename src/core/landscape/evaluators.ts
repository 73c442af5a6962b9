import { wasmKernelEvaluator } from "../kernel/wasm-kernel-evaluator";
import type { LandscapeEvaluator } from "./evaluator";
import { naiveEvaluator } from "./naive-evaluator";
import { tfjsBatchedEvaluator } from "./tfjs-batched-evaluator";
import { tfjsGemmEvaluator } from "./tfjs-gemm-evaluator";

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
 * The fastest tfjs path for a backend (measured by `npm run bench`): on CPU backends per-vector
 * XNNPACK GEMMs win (tfjs-wasm's batched matMul is a slow loop); on GPU backends, where every
 * op dispatch is expensive, the fully batched formulation wins.
 *
 * @example defaultEvaluatorFor("wasm").name // "tfjs-gemm"
 */
export function defaultEvaluatorFor(backend: string): LandscapeEvaluator {
  return backend === "webgl" || backend === "webgpu" ? tfjsBatchedEvaluator : tfjsGemmEvaluator;
}
