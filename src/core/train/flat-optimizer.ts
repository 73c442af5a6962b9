import type { OptimizerSettings } from "./optimizers";

/**
 * optimizers.ts's update on plain Float32Arrays, op for op as tfjs computes it in float32 (every
 * product, sum, quotient and square root rounded to float32, the scalars too), so that a run on
 * flat arrays follows a tfjs run step for step:
 *   g' = g + w wd;  sgd: w -= g' lr;  momentum: m = m mu + g', w -= m lr;
 *   adam: m = m b1 + g' (1 - b1), v = v b2 + g'^2 (1 - b2), w -= (m / c1) / (sqrt(v / c2) + eps) lr,
 *   c1 = 1 - b1^t, c2 = 1 - b2^t (t counts steps from 1).
 * m and v are the optimizer's state (zeros at the start; v unused but by Adam).
 *
 * @example flatOptimizerStep(settings, 1, w, g, m, v);
 */
export function flatOptimizerStep(
  s: OptimizerSettings,
  t: number,
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
): void {
  const f = Math.fround;
  const lr = f(s.learningRate);
  const wd = f(s.weightDecay);
  const mu = f(s.momentum);
  const b1 = f(s.beta1);
  const b2 = f(s.beta2);
  const omb1 = f(1 - s.beta1);
  const omb2 = f(1 - s.beta2);
  const eps = f(s.epsilon);
  const c1 = f(1 - s.beta1 ** t);
  const c2 = f(1 - s.beta2 ** t);
  for (let i = 0; i < w.length; i++) {
    const gi = s.weightDecay > 0 ? f(g[i] + f(w[i] * wd)) : g[i];
    if (s.optimizer === "sgd") {
      w[i] = w[i] - f(gi * lr);
    } else if (s.optimizer === "momentum") {
      m[i] = f(m[i] * mu) + gi;
      w[i] = w[i] - f(m[i] * lr);
    } else {
      m[i] = f(m[i] * b1) + f(gi * omb1);
      v[i] = f(v[i] * b2) + f(f(gi * gi) * omb2);
      const update = f(f(m[i] / c1) / f(f(Math.sqrt(f(v[i] / c2))) + eps));
      w[i] = w[i] - f(update * lr);
    }
  }
}
