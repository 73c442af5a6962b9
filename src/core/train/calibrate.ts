/**
 * Training-path choice by measurement (kernel/training-path.ts): the reference network (MLP 2-64-64-2 ReLU,
 * batch 64, Adam) trained for a few steps on every path that runs here, after a warm-up step;
 * the fastest whose parameters match the tfjs reference within 1e-4 (relative to their largest
 * entry) is kept. The kernel usually wins by 20-40x; a runtime without WebAssembly SIMD has only tfjs.
 * The app's calibration runs it in a throwaway worker (experiment/calibrate.ts).
 */

import { resolveTrainingPath, type TrainingPath } from "../kernel/training-path";
import { initParameters } from "../model/init";
import { makeArchitecture } from "../model/mlp";
import { createRng } from "../rng";
import type { TrainEngine } from "./engine";
import { kernelEngine } from "./kernel-engine";
import { type EngineArgs, tfjsEngine } from "./tfjs-engine";

export interface TrainingCalibration {
  /** The fastest path whose numbers agree. */
  training: TrainingPath;
  /** Milliseconds per optimizer step, per path, or why the path was not usable. */
  trainingTimings: Partial<Record<TrainingPath, number | string>>;
}

const STEPS = { "wasm-kernel": 40, tfjs: 8 } as const;

function engineArgs(): EngineArgs {
  const rng = createRng(3);
  const n = 256;
  const arch = makeArchitecture(2, 2, { hiddenSizes: [64, 64], activation: "relu" });
  const empty = { x: new Float32Array(0), y: new Float32Array(0), count: 0 };
  return {
    arch,
    loss: "cross-entropy",
    dataset: {
      name: "calibration",
      task: "classification",
      inputSize: 2,
      outputSize: 2,
      classes: 2,
      train: {
        x: Float32Array.from({ length: 2 * n }, () => rng.normal()),
        y: Float32Array.from({ length: n }, () => rng.int(2)),
        count: n,
      },
      test: empty,
    } as EngineArgs["dataset"],
    initial: initParameters(arch, "he", rng),
    settings: {
      optimizer: "adam",
      learningRate: 0.01,
      momentum: 0.9,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0,
    },
  };
}

/** `steps` steps of batch 64 (after one warm-up step); milliseconds per step and the parameters. */
function timeSteps(engine: TrainEngine, steps: number): { ms: number; parameters: Float32Array } {
  const rows = Int32Array.from({ length: 64 }, (_, i) => (i * 37) % 256);
  try {
    engine.step(rows);
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) engine.step(rows);
    return { ms: (performance.now() - t0) / steps, parameters: engine.parameters() };
  } finally {
    engine.dispose();
  }
}

export function calibrateTraining(): TrainingCalibration {
  const args = engineArgs();
  const trainingTimings: TrainingCalibration["trainingTimings"] = {};
  const reference = timeSteps(tfjsEngine(args), STEPS.tfjs);
  trainingTimings.tfjs = reference.ms;
  let training: TrainingPath = "tfjs";
  try {
    if (resolveTrainingPath("mlp", "auto") !== "wasm-kernel") throw new Error("no WebAssembly SIMD here");
    // The same number of steps as the reference, so the parameters can be compared; then timed.
    const same = timeSteps(kernelEngine(args), STEPS.tfjs);
    let diff = 0;
    let scale = 0;
    same.parameters.forEach((v, i) => {
      diff = Math.max(diff, Math.abs(v - reference.parameters[i]));
      scale = Math.max(scale, Math.abs(reference.parameters[i]));
    });
    if (!(diff <= 1e-4 * scale))
      throw new Error(`wrong numbers (max difference ${(diff / scale).toExponential(1)})`);
    const kernel = timeSteps(kernelEngine(args), STEPS["wasm-kernel"]);
    trainingTimings["wasm-kernel"] = kernel.ms;
    if (kernel.ms < reference.ms) training = "wasm-kernel";
  } catch (err) {
    trainingTimings["wasm-kernel"] = (err as Error).message;
  }
  return { training, trainingTimings };
}
