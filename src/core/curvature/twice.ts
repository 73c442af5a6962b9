/**
 * Twice-differentiable stand-ins for the tfjs ops whose gradients read their saved OUTPUT.
 *
 * Why: tfjs saves a kernel's tensors for backprop as clones. A clone of an input hangs off the
 * tape and stays differentiable, but a clone of an output is recorded before the op that made
 * it, so a second backward pass (Hessian-vector products) cannot see that it depends on x: the
 * nested gradient of tanh, sigmoid, exp, elu or logSoftmax silently drops a term (or fails to
 * connect at all). Each stand-in here computes the same value with the stock kernel, but its
 * gradient recomputes the derivative from the INPUT, so the second backward pass is exact:
 *   tanh' = 1 - tanh(x)^2,  sigmoid' = s (1 - s),  elu' = 1 (x > 0) or e^x,
 *   logSoftmax'(dy) = dy - sum(dy) softmax(z)  (over the last axis).
 * leaky_relu's stock gradient masks with greater(), which has no gradient at all, so it is
 * replaced too (alpha + (1 - alpha) step(x)). relu, softplus, linear, matMul, add, slice, reshape, square and the like already
 * differentiate through their inputs and are used as they are.
 */

import { mlpForward } from "../model/forward";
import type { Activation, LossKind, MlpArchitecture } from "../model/types";
import { LEAKY_RELU_ALPHA } from "../model/types";
import { tf } from "../tf";

/**
 * A unary op whose gradient is dy * derivative(x), recomputed from the saved input. The input is
 * passed through `save` (a kept clone that backprop disposes): a closure over x would read a
 * tensor the forward pass's tidy has already freed.
 */
function twiceDifferentiable(
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

const tanh2 = twiceDifferentiable(tf.tanh, (dy, x) => tf.mul(dy, tf.sub(1, tf.square(tf.tanh(x)))));

const sigmoid2 = twiceDifferentiable(tf.sigmoid, (dy, x) => {
  const s = tf.sigmoid(x);
  return tf.mul(dy, tf.mul(s, tf.sub(1, s)));
});

// step(x) + (1 - step(x)) e^min(x, 0): comparisons such as greater have no gradient to pass through.
const elu2 = twiceDifferentiable(tf.elu, (dy, x) => {
  const positive = tf.step(x);
  return tf.mul(dy, tf.add(positive, tf.mul(tf.sub(1, positive), tf.exp(tf.minimum(x, 0)))));
});

// alpha + (1 - alpha) step(x): the stock gradient masks with greater(), which has no gradient.
const leakyRelu2 = twiceDifferentiable(
  (x) => tf.leakyRelu(x, LEAKY_RELU_ALPHA),
  (dy, x) => tf.mul(dy, tf.add(LEAKY_RELU_ALPHA, tf.mul(1 - LEAKY_RELU_ALPHA, tf.step(x)))),
);

const logSoftmax2 = twiceDifferentiable(
  (z) => tf.logSoftmax(z),
  (dy, z) => tf.sub(dy, tf.mul(tf.sum(dy, -1, true), tf.softmax(z))),
);

/** The hidden-layer activation (as model/activation.ts defines it), twice differentiable. */
export function activateTwice(z: tf.Tensor, activation: Activation): tf.Tensor {
  switch (activation) {
    case "relu":
      return tf.relu(z);
    case "leaky_relu":
      return leakyRelu2(z);
    case "tanh":
      return tanh2(z);
    case "sigmoid":
      return sigmoid2(z);
    case "elu":
      return elu2(z);
    case "softplus":
      return tf.softplus(z);
    case "linear":
      return z;
    default:
      throw new Error(`unknown activation "${activation as string}"`);
  }
}

/** e^x, twice differentiable (the stock gradient multiplies by its saved output). */
export const expTwice = twiceDifferentiable(tf.exp, (dy, x) => tf.mul(dy, tf.exp(x)));

/** logSoftmax over the last axis, twice differentiable. */
export function logSoftmaxTwice(z: tf.Tensor): tf.Tensor {
  return logSoftmax2(z);
}

/**
 * The MLP forward pass of model/forward.ts (same semantics, same layout), built from the
 * twice-differentiable ops. Shapes: x [N, in]; params in layout order; returns [N, out].
 */
export function mlpForwardTwice(
  arch: MlpArchitecture,
  params: readonly tf.Tensor[],
  x: tf.Tensor,
): tf.Tensor {
  return mlpForward(arch, params, x, activateTwice);
}

/** meanLoss of model/loss.ts for outputs [N, C] (a scalar), twice differentiable. */
export function meanLossTwice(kind: LossKind, outputs: tf.Tensor, target: tf.Tensor2D): tf.Scalar {
  const n = target.shape[0];
  if (kind === "cross-entropy") {
    return tf.div(tf.neg(tf.sum(tf.mul(logSoftmaxTwice(outputs), target))), n) as tf.Scalar;
  }
  return tf.mean(tf.square(tf.sub(outputs, target))) as tf.Scalar;
}
