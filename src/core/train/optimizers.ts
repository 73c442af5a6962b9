import { tf } from "../tf";

import type { OptimizerName } from "./names";

export { OPTIMIZERS, type OptimizerName } from "./names";

export interface OptimizerSettings {
  optimizer: OptimizerName;
  learningRate: number;
  /** Heavy-ball coefficient mu for "momentum". */
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Coupled L2 weight decay on every parameter: g <- g + weightDecay * w (PyTorch's weight_decay). */
  weightDecay: number;
}

/**
 * One optimizer over a list of variables, written out so every formula is visible:
 * - sgd:      w <- w - lr g
 * - momentum: v <- mu v + g;  w <- w - lr v                       (PyTorch's SGD with momentum)
 * - adam:     m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
 *             w <- w - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)   (Kingma and Ba 2015)
 * with g already including weight decay. State tensors are owned here; call dispose().
 */
export class Optimizer {
  private readonly slots1: tf.Variable[];
  private readonly slots2: tf.Variable[];
  private t = 0;

  constructor(
    private readonly settings: OptimizerSettings,
    private readonly vars: readonly tf.Variable[],
  ) {
    const zeros = () => tf.tidy(() => vars.map((v) => tf.variable(tf.zerosLike(v), false)));
    this.slots1 = settings.optimizer === "sgd" ? [] : zeros();
    this.slots2 = settings.optimizer === "adam" ? zeros() : [];
  }

  /** Apply one update from gradients given in the same order as the variables. */
  step(grads: readonly tf.Tensor[]): void {
    const s = this.settings;
    this.t += 1;
    tf.tidy(() => {
      this.vars.forEach((w, i) => {
        const g = s.weightDecay > 0 ? tf.add(grads[i], tf.mul(w, s.weightDecay)) : grads[i];
        if (s.optimizer === "sgd") {
          w.assign(tf.sub(w, tf.mul(g, s.learningRate)));
        } else if (s.optimizer === "momentum") {
          const v = tf.add(tf.mul(this.slots1[i], s.momentum), g);
          this.slots1[i].assign(v);
          w.assign(tf.sub(w, tf.mul(v, s.learningRate)));
        } else {
          const m = tf.add(tf.mul(this.slots1[i], s.beta1), tf.mul(g, 1 - s.beta1));
          const v = tf.add(tf.mul(this.slots2[i], s.beta2), tf.mul(tf.square(g), 1 - s.beta2));
          this.slots1[i].assign(m);
          this.slots2[i].assign(v);
          const mHat = tf.div(m, 1 - s.beta1 ** this.t);
          const vHat = tf.div(v, 1 - s.beta2 ** this.t);
          w.assign(tf.sub(w, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), s.epsilon)), s.learningRate)));
        }
      });
    });
  }

  dispose(): void {
    tf.dispose([...this.slots1, ...this.slots2]);
  }
}
