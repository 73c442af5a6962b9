/**
 * One stochastic step of curve training (train-curve.ts) on either training path. The point on
 * the curve is w(t) = c_0 theta1 + sum_j c_j bend_j + c_{k+1} theta2 (c: curveCoefficients at the
 * step's t); the loss's gradient with respect to bend j is c_j grad L(w(t)); the optimizer
 * (train/optimizers.ts, weight decay l2) updates every bend. Both steppers round every product
 * and sum to float32 in the same order (tfjs's scalar multiplies), so they agree step for step
 * within the float32 rounding of the gradient itself. The kernel takes MLPs only; the tfjs stepper
 * any model kind (modelForward: layer stacks, ONNX graphs).
 */
import type { DataSplit } from "../data/types";
import { MlpTrainKernel } from "../kernel/mlp-train-kernel";
import { type ModelArchitecture, modelLayout, requireMlp } from "../model/architecture";
import { flatToTensors, tensorsToFlat } from "../model/flat";
import { modelForward } from "../model/forward";
import { dataTensors, disposeDataTensors, meanLoss } from "../model/loss";
import { tf } from "../tf";
import { flatOptimizerStep } from "../train/flat-optimizer";
import { Optimizer, type OptimizerSettings } from "../train/optimizers";
import type { PathModel } from "./evaluate";

export interface CurveStepper {
  /** The mean loss at w(t) over the rows (all when null); when finite, one optimizer step of the bends. */
  step(rows: Int32Array | null, coeffs: Float64Array): number;
  /** Copies of the bends. */
  bends(): Float32Array[];
  dispose(): void;
}

interface CurveStepperArgs {
  model: PathModel;
  theta1: Float32Array;
  theta2: Float32Array;
  initial: Float32Array[];
  settings: Omit<OptimizerSettings, "weightDecay"> & { l2: number };
  /**
   * The model's graph at the step's point w(t), given its coefficients, when the graph depends on
   * the point (an ONNX model's BN running statistics interpolated along the path,
   * paths/running-statistics.ts); default model.arch. tfjs stepper only.
   */
  archAt?: (coeffs: Float64Array) => ModelArchitecture;
}

const optimizerSettings = (s: CurveStepperArgs["settings"]): OptimizerSettings => ({
  ...s,
  weightDecay: s.l2,
});

/** tfjs: the bends are variables, w(t) a differentiable expression of them; any model kind. */
export function tfjsCurveStepper(args: CurveStepperArgs): CurveStepper {
  const { arch, loss, dataset } = args.model;
  const layout = modelLayout(arch);
  const archAt = args.archAt ?? (() => arch);
  const bends = args.initial.length;
  const ends = [args.theta1, args.theta2].map((p) => flatToTensors(p, layout));
  const bendVars = args.initial.map((p) =>
    flatToTensors(p, layout).map((t) => {
      const v = tf.variable(t, true);
      t.dispose();
      return v;
    }),
  );
  const allVars = bendVars.flat();
  const optimizer = new Optimizer(optimizerSettings(args.settings), allVars);
  const data = dataTensors(dataset.train, dataset);
  // theta(t) per layout entry: c_0 theta1 + c_{k+1} theta2 + sum_j c_j bend_j.
  const paramsAt = (c: Float64Array): tf.Tensor[] =>
    layout.map((_, i) => {
      let p = tf.add(tf.mul(ends[0][i], c[0]), tf.mul(ends[1][i], c[bends + 1]));
      for (let j = 0; j < bends; j++) p = tf.add(p, tf.mul(bendVars[j][i], c[j + 1]));
      return p;
    });
  return {
    step(rows, coeffs) {
      return tf.tidy(() => {
        const ids = rows ? tf.tensor1d(rows, "int32") : null;
        const xb = ids ? tf.gather(data.x, ids) : data.x;
        const tb = ids ? tf.gather(data.target, ids) : data.target;
        const { value, grads } = tf.variableGrads(
          () => meanLoss(loss, modelForward(archAt(coeffs), paramsAt(coeffs), xb), tb) as tf.Scalar,
          allVars,
        );
        const v = value.dataSync()[0];
        if (Number.isFinite(v)) optimizer.step(allVars.map((w) => grads[w.name]));
        return v;
      });
    },
    bends: () => bendVars.map((vars) => tensorsToFlat(vars, layout)),
    dispose() {
      optimizer.dispose();
      disposeDataTensors(data);
      for (const e of ends) tf.dispose(e);
      tf.dispose(allVars);
    },
  };
}

/** The WebAssembly kernel: w(t) and the bends' gradients on flat arrays, L and grad L in the kernel. */
export function kernelCurveStepper(args: CurveStepperArgs): CurveStepper {
  const { loss, dataset } = args.model;
  const arch = requireMlp(args.model.arch, "the WebAssembly curve kernel");
  const train: DataSplit = dataset.train;
  const kernel = new MlpTrainKernel({ arch, loss, dataset, train, optimizer: false });
  const settings = optimizerSettings(args.settings);
  const bends = args.initial.map((p) => Float32Array.from(p));
  const slots1 = bends.map((b) => new Float32Array(b.length));
  const slots2 = bends.map((b) => new Float32Array(b.length));
  const [t1, t2] = [args.theta1, args.theta2];
  const w = new Float32Array(t1.length);
  const g = new Float32Array(t1.length);
  const f = Math.fround;
  let t = 0;
  return {
    step(rows, coeffs) {
      const k = bends.length;
      const c = Array.from(coeffs, (v) => f(v));
      for (let i = 0; i < w.length; i++) {
        let p = f(t1[i] * c[0]) + f(t2[i] * c[k + 1]);
        for (let j = 0; j < k; j++) p = f(p) + f(bends[j][i] * c[j + 1]);
        w[i] = p;
      }
      kernel.setParameters(w);
      const value = kernel.lossAndGradient(rows);
      if (!Number.isFinite(value)) return value;
      const grad = kernel.gradient();
      t += 1;
      for (let j = 0; j < k; j++) {
        for (let i = 0; i < g.length; i++) g[i] = grad[i] * c[j + 1];
        flatOptimizerStep(settings, t, bends[j], g, slots1[j], slots2[j]);
      }
      return value;
    },
    bends: () => bends.map((b) => b.slice()),
    dispose: () => kernel.dispose(),
  };
}
