/**
 * Twice-differentiable stand-ins for tfjs ops whose stock gradients read their saved OUTPUT
 * (curvature/twice.ts says why a second backward pass then drops a term): the same values from
 * the stock kernels, with gradients that recompute the derivative from the INPUT.
 *   tanh' = 1 - tanh(x)^2,  sigmoid' = s (1 - s),  exp' = e^x,  elu' = 1 (x > 0) or e^x,
 *   logSoftmax'(dy) = dy - sum(dy) softmax(z)  (over the last axis).
 * Shared by the MLP's curvature objective (curvature/twice.ts), the ONNX interpreter
 * (onnx/ops.ts) and the layers models' twice-differentiable pass (model/layers-twice.ts), which
 * sit below curvature in the core's stack.
 */
import { tf } from "./tf";

/**
 * A unary op whose gradient is dy * derivative(x), recomputed from the saved input. The input is
 * passed through `save` (a kept clone that backprop disposes): a closure over x would read a
 * tensor the forward pass's tidy has already freed.
 */
export function twiceDifferentiable(
  forward: (x: tf.Tensor) => tf.Tensor,
  gradient: (dy: tf.Tensor, x: tf.Tensor) => tf.Tensor,
): (x: tf.Tensor) => tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([x]);
    return { value: forward(x), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => gradient(dy, saved[0]) };
  });
  return (x) => op(x);
}

export const tanhTwice = twiceDifferentiable(tf.tanh, (dy, x) =>
  tf.mul(dy, tf.sub(1, tf.square(tf.tanh(x)))),
);

export const sigmoidTwice = twiceDifferentiable(tf.sigmoid, (dy, x) => {
  const s = tf.sigmoid(x);
  return tf.mul(dy, tf.mul(s, tf.sub(1, s)));
});

/** e^x, twice differentiable (the stock gradient multiplies by its saved output). */
export const expTwice = twiceDifferentiable(tf.exp, (dy, x) => tf.mul(dy, tf.exp(x)));

/**
 * elu (e^x - 1 below 0), twice differentiable: step(x) + (1 - step(x)) e^min(x, 0), since the
 * stock gradient reads the saved output and masks with greater(), which has no gradient.
 */
const eluTwice = twiceDifferentiable(tf.elu, (dy, x) => {
  const positive = tf.step(x);
  return tf.mul(dy, tf.add(positive, tf.mul(tf.sub(1, positive), tf.exp(tf.minimum(x, 0)))));
});

/** logSoftmax over the last axis, twice differentiable. */
export const logSoftmaxTwice = twiceDifferentiable(
  (z) => tf.logSoftmax(z),
  (dy, z) => tf.sub(dy, tf.mul(tf.sum(dy, -1, true), tf.softmax(z))),
);

/**
 * The activations with a twice-differentiable form here, by name: relu and softplus (stock
 * gradients that differentiate again), tanh, sigmoid and elu (above), linear (the identity).
 * Null for any other name, so each caller refuses it in its own words (the MLP adds leaky_relu).
 *
 * @example const a = activationTwice(z, "tanh") ?? refuse("tanh");
 */
export function activationTwice(z: tf.Tensor, activation: string): tf.Tensor | null {
  switch (activation) {
    case "relu":
      return tf.relu(z);
    case "tanh":
      return tanhTwice(z);
    case "sigmoid":
      return sigmoidTwice(z);
    case "elu":
      return eluTwice(z);
    case "softplus":
      return tf.softplus(z);
    case "linear":
      return z;
    default:
      return null;
  }
}
