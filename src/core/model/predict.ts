import { tf } from "../tf";
import { flatToTensors } from "./flat";
import { mlpForward } from "./forward";
import { mlpLayout } from "./mlp";
import type { MlpArchitecture } from "./types";

/**
 * The network's outputs at arbitrary input points: class probabilities softmax(logits) for
 * classification, raw outputs for regression. Used for decision boundaries and regression curves.
 * points: [count, inputSize] row-major; returns [count, outputSize] row-major.
 *
 * @example const probs = predict(arch, theta, grid, 4096, "classification");
 */
export function predict(
  arch: MlpArchitecture,
  parameters: Float32Array,
  points: Float32Array,
  count: number,
  task: "classification" | "regression",
): Float32Array {
  if (points.length !== count * arch.inputSize) {
    throw new Error(`predict: ${points.length} values for ${count} points of ${arch.inputSize} inputs`);
  }
  const out = tf.tidy(() => {
    const params = flatToTensors(parameters, mlpLayout(arch));
    const y = mlpForward(arch, params, tf.tensor2d(points, [count, arch.inputSize]));
    return task === "classification" ? tf.softmax(y) : y;
  });
  try {
    return out.dataSync() as Float32Array;
  } finally {
    out.dispose();
  }
}
