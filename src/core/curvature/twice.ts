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
import { activationTwice, logSoftmaxTwice, twiceDifferentiable } from "../twice-ops";

// alpha + (1 - alpha) step(x): the stock gradient masks with greater(), which has no gradient.
const leakyRelu2 = twiceDifferentiable(
  (x) => tf.leakyRelu(x, LEAKY_RELU_ALPHA),
  (dy, x) => tf.mul(dy, tf.add(LEAKY_RELU_ALPHA, tf.mul(1 - LEAKY_RELU_ALPHA, tf.step(x)))),
);

/** The hidden-layer activation (as model/activation.ts defines it), twice differentiable. */
function activateTwice(z: tf.Tensor, activation: Activation): tf.Tensor {
  const out = activation === "leaky_relu" ? leakyRelu2(z) : activationTwice(z, activation);
  if (!out) throw new Error(`unknown activation "${activation as string}"`);
  return out;
}

export { expTwice, logSoftmaxTwice } from "../twice-ops";

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
