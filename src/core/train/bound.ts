/**
 * The stability bound of an optimizer, in a module without tfjs so that the main thread (the live
 * sharpness chart) can draw it; sharpness.ts re-exports it for the worker side.
 */
import type { OptimizerName } from "./names";

/**
 * The stability bound of an optimizer on a quadratic with curvature lambda: gradient descent
 * (w -= lr g) is stable iff lambda < 2/lr; heavy-ball momentum (v = mu v + g; w -= lr v) iff
 * lambda < (2 + 2 mu)/lr (Cohen et al. 2021, appendix); Adam has no fixed bound (null).
 *
 * @example stabilityBound({ optimizer: "sgd", learningRate: 0.1, momentum: 0.9 }) // 20
 */
export function stabilityBound(s: {
  optimizer: OptimizerName;
  learningRate: number;
  momentum: number;
}): number | null {
  if (s.optimizer === "sgd") return 2 / s.learningRate;
  if (s.optimizer === "momentum") return (2 + 2 * s.momentum) / s.learningRate;
  return null;
}
