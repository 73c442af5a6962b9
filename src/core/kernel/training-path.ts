/**
 * Which code trains an MLP and computes its Hessian-vector products: the WebAssembly kernel
 * (core/kernel/mlp-train-kernel.ts, the default wherever the runtime has WebAssembly SIMD) or
 * tfjs (the reference, and the only path for CNNs, imported tfjs models and ONNX graphs). Both
 * give the same numbers within float32 rounding (tests/unit/kernel-training.test.ts); a run's
 * snapshot names the path that ran (producer.training).
 *
 * The choice is process-wide, as the tfjs backend is: the CLI sets it from --training-path, a
 * compute worker from the page's setting. "auto" is the kernel for MLPs when it can run here.
 */

import type { ModelKind } from "../model/architecture";
import { kernelVariantSupported } from "./kernel-module";

export const TRAINING_PATHS = ["wasm-kernel", "tfjs"] as const;
export type TrainingPath = (typeof TRAINING_PATHS)[number];
export type TrainingPathChoice = TrainingPath | "auto";

let preferred: TrainingPathChoice = "auto";

/** Set the process-wide choice (throws on an unknown name). */
export function setTrainingPath(choice: TrainingPathChoice): void {
  if (choice !== "auto" && !(TRAINING_PATHS as readonly string[]).includes(choice))
    throw new Error(`unknown training path "${choice}"; expected auto, ${TRAINING_PATHS.join(" or ")}`);
  preferred = choice;
}

export function trainingPathChoice(): TrainingPathChoice {
  return preferred;
}

/**
 * The path that trains a model of this kind: tfjs for every kind but "mlp"; for an MLP the
 * choice (the process-wide one unless given), "auto" meaning the kernel when this runtime has
 * WebAssembly SIMD. Asking for the kernel where it cannot run throws, naming why.
 *
 * @example resolveTrainingPath("mlp") // "wasm-kernel" in Node 20 and Chromium
 */
export function resolveTrainingPath(kind: ModelKind, choice: TrainingPathChoice = preferred): TrainingPath {
  if (kind !== "mlp") return "tfjs";
  const simd = kernelVariantSupported("simd");
  if (choice === "auto") return simd ? "wasm-kernel" : "tfjs";
  if (choice === "wasm-kernel" && !simd)
    throw new Error("training path wasm-kernel: this runtime has no WebAssembly SIMD; use tfjs");
  return choice;
}
