import { kernelVariantSupported } from "../kernel/kernel-module";
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
 * The fastest path for a backend (measured by `npm run bench`): on CPU backends the tuned
 * WebAssembly SIMD kernel (about 3x tfjs-gemm, 6x tfjs-batched), or, where the runtime has no
 * WebAssembly SIMD, per-vector XNNPACK GEMMs (tfjs-wasm's batched matMul is a slow loop); on
 * GPU backends, where every op dispatch is expensive, the fully batched tfjs formulation.
 *
 * @example defaultEvaluatorFor("wasm").name // "wasm-kernel"
 */
export function defaultEvaluatorFor(backend: string): LandscapeEvaluator {
  if (backend === "webgl" || backend === "webgpu") return tfjsBatchedEvaluator;
  return kernelVariantSupported("simd") ? wasmKernelEvaluator : tfjsGemmEvaluator;
}
