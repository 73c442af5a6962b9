import { tf } from "../tf";
import { type Activation, LEAKY_RELU_ALPHA } from "./types";

/**
 * Apply a hidden-layer activation elementwise. leaky_relu uses slope LEAKY_RELU_ALPHA (0.01)
 * for negative inputs; softplus is log(1 + e^z); elu is z for z > 0 and e^z - 1 otherwise.
 */
export function activate(z: tf.Tensor, activation: Activation): tf.Tensor {
  switch (activation) {
    case "relu":
      return tf.relu(z);
    case "leaky_relu":
      return tf.leakyRelu(z, LEAKY_RELU_ALPHA);
    case "tanh":
      return tf.tanh(z);
    case "sigmoid":
      return tf.sigmoid(z);
    case "elu":
      return tf.elu(z);
    case "softplus":
      return tf.softplus(z);
    case "linear":
      return z;
    default:
      throw new Error(`unknown activation "${activation as string}"`);
  }
}

/** The tfjs fused-matMul activation equal to ours, when there is one (tanh and softplus have none). */
export function fusedActivation(
  activation: Activation,
): { activation: "linear" | "relu" | "leakyrelu" | "sigmoid" | "elu"; leakyreluAlpha?: number } | null {
  switch (activation) {
    case "relu":
    case "sigmoid":
    case "elu":
    case "linear":
      return { activation };
    case "leaky_relu":
      return { activation: "leakyrelu", leakyreluAlpha: LEAKY_RELU_ALPHA };
    default:
      return null;
  }
}
