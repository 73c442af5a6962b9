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

/**
 * The network's outputs over a regular grid of inputs (a decision boundary) or along a line (a
 * regression curve). 2-D: points (x_i, y_j) of a resolution x resolution grid over `bounds`
 * ([x0, x1, y0, y1]), row-major with x fastest; 1-D: `resolution` points over [x0, x1].
 * Returns predict()'s [points, outputs].
 *
 * @example const probs = predictOnGrid(arch, theta, "classification", [-2, 2, -2, 2], 96); // 96*96*classes
 */
export function predictOnGrid(
  arch: MlpArchitecture,
  parameters: Float32Array,
  task: "classification" | "regression",
  bounds: readonly [number, number, number, number],
  resolution: number,
): Float32Array {
  const [x0, x1, y0, y1] = bounds;
  const step = (a: number, b: number, i: number) => a + ((b - a) * i) / (resolution - 1);
  let points: Float32Array;
  if (arch.inputSize === 1) {
    points = Float32Array.from({ length: resolution }, (_, i) => step(x0, x1, i));
  } else if (arch.inputSize === 2) {
    points = new Float32Array(resolution * resolution * 2);
    for (let j = 0; j < resolution; j++) {
      for (let i = 0; i < resolution; i++) {
        points[2 * (j * resolution + i)] = step(x0, x1, i);
        points[2 * (j * resolution + i) + 1] = step(y0, y1, j);
      }
    }
  } else {
    throw new Error(`a decision boundary needs 1 or 2 inputs, this model has ${arch.inputSize}`);
  }
  return predict(arch, parameters, points, points.length / arch.inputSize, task);
}
