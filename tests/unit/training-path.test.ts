/**
 * Choosing the training path (kernel/training-path.ts): "auto" is the kernel for MLPs where WebAssembly
 * SIMD runs (Node here), tfjs for other model kinds; the first-use calibration times both and
 * keeps the fastest that agrees; the status bar names the path of the shown landscape.
 */
import { describe, expect, it } from "vitest";
import { trainingText } from "../../src/app/StatusBar";
import {
  resolveTrainingPath,
  setTrainingPath,
  trainingPathChoice,
} from "../../src/core/kernel/training-path";
import { calibrateTraining } from "../../src/core/train/calibrate";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

describe("the training path", () => {
  it("is the kernel for MLPs and tfjs for every other kind, unless tfjs is asked for", () => {
    expect(resolveTrainingPath("mlp")).toBe("wasm-kernel");
    expect(resolveTrainingPath("layers")).toBe("tfjs");
    expect(resolveTrainingPath("onnx", "wasm-kernel")).toBe("tfjs");
    expect(resolveTrainingPath("mlp", "tfjs")).toBe("tfjs");
    setTrainingPath("tfjs");
    try {
      expect(trainingPathChoice()).toBe("tfjs");
      expect(resolveTrainingPath("mlp")).toBe("tfjs");
    } finally {
      setTrainingPath("auto");
    }
  });

  it("refuses an unknown name, naming the choices", () => {
    expect(() => setTrainingPath("gpu" as never)).toThrow(
      /unknown training path "gpu"; expected auto, wasm-kernel or tfjs/,
    );
    expect(trainingPathChoice()).toBe("auto");
  });

  it("is calibrated: both paths timed, the kernel's numbers checked against tfjs's, the faster kept", () => {
    const r = calibrateTraining();
    expect(typeof r.trainingTimings.tfjs).toBe("number");
    expect(typeof r.trainingTimings["wasm-kernel"]).toBe("number");
    const [kernel, tfjs] = [r.trainingTimings["wasm-kernel"], r.trainingTimings.tfjs] as number[];
    expect(r.training).toBe(kernel < tfjs ? "wasm-kernel" : "tfjs");
  });

  it("is named in the status bar", () => {
    expect(trainingText("wasm-kernel")).toBe("· trained by wasm-kernel (WebAssembly SIMD)");
    expect(trainingText("tfjs")).toBe("· trained by tfjs");
  });
});
