/**
 * The evaluator a plan fixes, built for this runtime. Kept apart from plan.ts so worker threads
 * load only the evaluation code, not training and curvature.
 */
import { resolveKernelVariant } from "../kernel/kernel-module";
import type { LandscapeEvaluator } from "../landscape/evaluator";
import { evaluatorByName } from "../landscape/evaluators";
import { createWasmCnnEvaluator } from "../landscape/wasm-cnn-evaluator";
import { createWasmKernelEvaluator } from "../landscape/wasm-kernel-evaluator";
import type { ModelKind } from "../model/architecture";
import type { PlanSection } from "../snapshot/plan-section";

/**
 * The evaluator a plan fixes, built for this runtime: wasm-kernel or wasm-cnn in the plan's kernel
 * build, or the named tfjs path. Throws when this runtime cannot run it (better no part than one
 * with other bits). `backend`: the tfjs backend running here, which tfjs paths (and wasm-cnn, whose
 * first layer tfjs computes) need to be the plan's.
 */
export function planEvaluator(kind: ModelKind, plan: PlanSection, backend: string): LandscapeEvaluator {
  if (plan.evaluator === "wasm-kernel" || plan.evaluator === "wasm-cnn") {
    const variant = plan.kernel ?? "simd";
    try {
      resolveKernelVariant(variant);
    } catch (err) {
      throw new Error(
        `${(err as Error).message}; the plan needs it (make plans for such machines with --kernel simd)`,
      );
    }
    if (plan.evaluator === "wasm-kernel") return createWasmKernelEvaluator({ variant });
  }
  if (backend !== plan.backend) {
    throw new Error(
      `the plan's evaluator ${plan.evaluator} ran on the ${plan.backend} backend, this runtime has ${backend}: the numbers would differ`,
    );
  }
  if (plan.evaluator === "wasm-cnn") return createWasmCnnEvaluator({ variant: plan.kernel ?? "simd" });
  return evaluatorByName(plan.evaluator, kind);
}
