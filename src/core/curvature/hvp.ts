/**
 * Hessian-vector products by double backprop (Pearlmutter 1994, as PyHessian computes them):
 *
 *   H v = d/dtheta [ (d L / d theta) . v ]
 *
 * i.e. the gradient, dotted with a fixed v, differentiated once more. tfjs records the inner
 * backward pass on the outer tape (nested tf.grad), so one H v costs about two backward passes
 * and never forms H. The Hessian is exact (up to float32) for every smooth part of the network;
 * at ReLU kinks it is the usual almost-everywhere one (the kink contributes nothing).
 *
 * Caveat: tfjs's stock gradients of tanh, sigmoid, exp, elu, leaky_relu, softmax and logSoftmax
 * are not twice differentiable (see twice.ts); the MLP objective uses the stand-ins of twice.ts,
 * and a generic f must too.
 */
import type { DataSplit, Dataset } from "../data/types";
import { assertFinite, assertFlatLength, layoutOffsets } from "../model/layout";
import { dataTensors, disposeDataTensors } from "../model/loss";
import { mlpLayout } from "../model/mlp";
import type { Layout, LossKind, MlpArchitecture } from "../model/types";
import { tf } from "../tf";
import { meanLossTwice, mlpForwardTwice } from "./twice";

/** What the Krylov routines need: a symmetric linear operator v -> H v on R^dimension. */
export interface HessianOperator {
  readonly dimension: number;
  hvp(v: Float32Array): Float32Array;
}

/**
 * A scalar objective of a flat vector at a point theta, with its gradient and Hessian-vector
 * products. Tensors it holds (theta, data) are uploaded once; call dispose() when done.
 * `at` evaluates at another point instead of theta (used by sharpness and finite differences).
 */
export interface CurvatureObjective extends HessianOperator {
  /** A copy of the point the operator is taken at. */
  readonly theta: Float32Array;
  /** Present for MLP objectives: the flat vector's layout (used by filter-normalized directions). */
  readonly layout?: Layout;
  /** H v at theta (or at `at`). */
  hvp(v: Float32Array, at?: Float32Array): Float32Array;
  gradient(at?: Float32Array): Float32Array;
  loss(at?: Float32Array): number;
  valueAndGradient(at?: Float32Array): { value: number; gradient: Float32Array };
  /** Number of H v products computed so far (a cost measure). */
  readonly hvpCount: number;
  dispose(): void;
}

/**
 * A scalar function of a rank-1 tensor, built from twice-differentiable tfjs ops: polynomial,
 * trigonometric, matMul, slice/reshape, relu, softplus, and twice.ts's exp, tanh, sigmoid, elu,
 * leaky_relu and logSoftmax (not the stock ones).
 */
export type FlatScalarFunction = (x: tf.Tensor1D) => tf.Scalar;

/**
 * The objective of an arbitrary scalar function f of a flat vector, at theta.
 *
 * @example const op = makeFunctionHvp((x) => tf.sum(tf.mul(tf.cos(x), tf.square(x))), theta);
 */
export function makeFunctionHvp(
  f: FlatScalarFunction,
  theta: Float32Array,
  options: { layout?: Layout; onDispose?: () => void } = {},
): CurvatureObjective {
  const dimension = theta.length;
  if (dimension < 1) throw new Error("makeFunctionHvp: theta is empty");
  for (let i = 0; i < dimension; i++) {
    if (!Number.isFinite(theta[i]))
      throw new Error(`makeFunctionHvp: theta[${i}] = ${theta[i]} is not finite`);
  }
  const thetaCopy = Float32Array.from(theta);
  const thetaTensor = tf.keep(tf.tensor1d(thetaCopy, "float32"));
  let disposed = false;
  let hvps = 0;

  const check = (what: string, v?: Float32Array) => {
    if (disposed) throw new Error(`${what}: the operator was disposed`);
    if (v && v.length !== dimension) {
      throw new Error(`${what}: expected a vector of length ${dimension}, got ${v.length}`);
    }
  };
  /** The point as a tensor: theta's kept tensor, or `at` uploaded inside the caller's tidy. */
  const point = (at?: Float32Array) => (at ? tf.tensor1d(at, "float32") : thetaTensor);
  // tf.grad is typed on plain Tensors; the objective only ever sees rank-1 ones.
  const scalar = (x: tf.Tensor): tf.Scalar => {
    const y = f(x as tf.Tensor1D);
    if (y.rank !== 0) throw new Error(`the objective must return a scalar, got shape [${y.shape}]`);
    return y;
  };

  return {
    dimension,
    theta: thetaCopy,
    layout: options.layout,
    get hvpCount() {
      return hvps;
    },
    hvp(v: Float32Array, at?: Float32Array): Float32Array {
      check("hvp", v);
      if (at) check("hvp (at)", at);
      hvps += 1;
      return tf.tidy(() => {
        const x = point(at);
        const vt = tf.tensor1d(v, "float32");
        // grad_x [ grad_x f(x) . v ]: the inner backward pass is recorded on the outer tape.
        const gradDotV = (y: tf.Tensor): tf.Scalar => tf.sum(tf.mul(tf.grad(scalar)(y), vt));
        return Float32Array.from(tf.grad(gradDotV)(x).dataSync());
      });
    },
    gradient(at?: Float32Array): Float32Array {
      check("gradient", at);
      return tf.tidy(() => Float32Array.from(tf.grad(scalar)(point(at)).dataSync()));
    },
    loss(at?: Float32Array): number {
      check("loss", at);
      return tf.tidy(() => scalar(point(at)).dataSync()[0]);
    },
    valueAndGradient(at?: Float32Array) {
      check("valueAndGradient", at);
      return tf.tidy(() => {
        const { value, grad } = tf.valueAndGrad(scalar)(point(at));
        return { value: value.dataSync()[0], gradient: Float32Array.from(grad.dataSync()) };
      });
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      thetaTensor.dispose();
      options.onDispose?.();
    },
  };
}

/** An MLP and the data whose mean loss is analysed (a LandscapeProblem is one). */
export interface CurvatureProblem {
  arch: MlpArchitecture;
  loss: LossKind;
  theta: Float32Array;
  dataset: Pick<Dataset, "task" | "inputSize" | "outputSize">;
  /** The split whose full-batch loss is analysed (unless options.data gives a batch). */
  train: DataSplit;
}

export interface MlpHvpOptions {
  /** Analyse this batch instead of problem.train. */
  data?: DataSplit;
  /**
   * Coupled L2 weight decay as the optimizer applies it (g + wd w): the objective becomes
   * L + wd/2 ||theta||^2 and H becomes H_L + wd I. Default 0 (the data loss alone).
   */
  weightDecay?: number;
}

/**
 * The full-batch (or given batch) mean loss of an MLP (model/forward.ts and model/loss.ts
 * semantics, through twice.ts's ops) as a function of its flat parameter vector, with gradients
 * and Hessian-vector products at problem.theta. The data tensors and theta are
 * uploaded once; the flat vector is split into the layout's tensors by differentiable slices.
 *
 * @example const op = makeHvp(problem); const hv = op.hvp(v); op.dispose();
 */
export function makeHvp(problem: CurvatureProblem, options: MlpHvpOptions = {}): CurvatureObjective {
  const layout = mlpLayout(problem.arch);
  assertFlatLength(problem.theta, layout, "curvature: theta");
  assertFinite(problem.theta, layout, "curvature: theta");
  const split = options.data ?? problem.train;
  if (split.count < 1) throw new Error("curvature: the data split is empty (need at least one sample)");
  const yWidth = problem.dataset.task === "classification" ? 1 : problem.dataset.outputSize;
  if (split.x.length !== split.count * problem.dataset.inputSize || split.y.length !== split.count * yWidth) {
    throw new Error(
      `curvature: the data split says ${split.count} samples, but x has ${split.x.length} values ` +
        `(expected ${split.count * problem.dataset.inputSize}) and y ${split.y.length} (expected ${split.count * yWidth})`,
    );
  }
  const wd = options.weightDecay ?? 0;
  if (!Number.isFinite(wd) || wd < 0) throw new Error(`curvature: weightDecay must be >= 0, got ${wd}`);
  const data = tf.tidy(() => {
    const d = dataTensors(split, problem.dataset);
    tf.keep(d.x);
    tf.keep(d.target);
    if (d.labels) tf.keep(d.labels);
    return d;
  });
  const offsets = layoutOffsets(layout);
  const f: FlatScalarFunction = (x) => {
    const params = layout.map((entry, i) =>
      tf.reshape(tf.slice(x, offsets[i], offsets[i + 1] - offsets[i]), entry.shape),
    );
    const l = meanLossTwice(problem.loss, mlpForwardTwice(problem.arch, params, data.x), data.target);
    return wd > 0 ? tf.add(l, tf.mul(0.5 * wd, tf.sum(tf.square(x)))) : l;
  };
  try {
    return makeFunctionHvp(f, problem.theta, { layout, onDispose: () => disposeDataTensors(data) });
  } catch (error) {
    disposeDataTensors(data);
    throw error;
  }
}
