/**
 * Sharpness-Aware Minimization (Foret et al. 2021), the reference implementation's first-order
 * version (davda54/sam, as in the paper's Algorithm 1): for the minibatch loss L,
 *
 *   g = grad L(w);   e = rho g / (||g|| + 1e-12)   (||.||: the L2 norm over every parameter);
 *   g_SAM = grad L(w + e),
 *
 * and the base optimizer (any of optimizers.ts, with its weight decay at w) steps from w with
 * g_SAM. "First-order": the dependence of e on w is dropped (no Hessian term), as in the paper.
 * A zero gradient gives e = 0, i.e. a plain step. Costs a second forward and backward pass.
 */
import { tf } from "../tf";

/**
 * The SAM gradient at the variables' current values, given their plain gradient. Call inside
 * tf.tidy: the variables are moved to w + e and restored bit for bit (from a copy, not by
 * subtracting e) before it returns.
 *
 * @example const g = samGradients(() => lossOf(vars), vars, plainGrads, 0.05); optimizer.step(g);
 */
export function samGradients(
  lossFn: () => tf.Scalar,
  vars: readonly tf.Variable[],
  grads: readonly tf.Tensor[],
  rho: number,
): tf.Tensor[] {
  const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))));
  const scale = tf.div(rho, tf.add(norm, 1e-12));
  const saved = vars.map((w) => tf.clone(w));
  vars.forEach((w, i) => {
    w.assign(tf.add(w, tf.mul(grads[i], scale)));
  });
  const { grads: perturbed } = tf.variableGrads(lossFn, vars as tf.Variable[]);
  vars.forEach((w, i) => {
    w.assign(saved[i]);
  });
  return vars.map((w) => perturbed[w.name]);
}
