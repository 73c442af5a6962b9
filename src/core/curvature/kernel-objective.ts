/**
 * The MLP curvature objective (hvp.ts's makeHvp: the mean loss over a split, plus wd/2 ||theta||^2
 * with weight decay) computed by the WebAssembly kernel (kernel/mlp-train-kernel.ts): exact
 * Hessian-vector products by the R-op instead of tfjs's nested gradients, no tensors. The same
 * CurvatureObjective, so every solver (power iteration, Lanczos, Hutchinson, SLQ, sharpness)
 * runs on it unchanged; tests/unit/kernel-training.test.ts checks it against makeHvp.
 */
import { MlpTrainKernel } from "../kernel/mlp-train-kernel";
import { resolveTrainingPath, type TrainingPath } from "../kernel/training-path";
import { assertFinite, assertFlatLength } from "../model/layout";
import { mlpLayout } from "../model/mlp";
import { type CurvatureObjective, type CurvatureProblem, type MlpHvpOptions, makeHvp } from "./hvp";

/**
 * @example const op = makeKernelHvp(problem, { weightDecay: 5e-4 }); const hv = op.hvp(v); op.dispose();
 */
export function makeKernelHvp(problem: CurvatureProblem, options: MlpHvpOptions = {}): CurvatureObjective {
  const layout = mlpLayout(problem.arch);
  assertFlatLength(problem.theta, layout, "curvature: theta");
  assertFinite(problem.theta, layout, "curvature: theta");
  const split = options.data ?? problem.train;
  if (split.count < 1) throw new Error("curvature: the data split is empty (need at least one sample)");
  const wd = options.weightDecay ?? 0;
  if (!Number.isFinite(wd) || wd < 0) throw new Error(`curvature: weightDecay must be >= 0, got ${wd}`);
  const kernel = new MlpTrainKernel({
    arch: problem.arch,
    loss: problem.loss,
    dataset: problem.dataset,
    train: split,
    optimizer: false,
  });
  const theta = Float32Array.from(problem.theta);
  const dimension = theta.length;
  let hvps = 0;
  let disposed = false;
  const check = (what: string, v?: Float32Array) => {
    if (disposed) throw new Error(`${what}: the operator was disposed`);
    if (v && v.length !== dimension)
      throw new Error(`${what}: expected a vector of length ${dimension}, got ${v.length}`);
  };
  // The point is copied in for every call (O(parameters), nothing next to a pass over the data):
  // a caller may reuse one array for several points.
  const load = (at?: Float32Array) => {
    const point = at ?? theta;
    kernel.setParameters(point);
    return point;
  };
  const decay = (x: Float32Array) => {
    let sq = 0;
    for (let i = 0; i < dimension; i++) sq += x[i] * x[i];
    return 0.5 * wd * sq;
  };
  const valueAndGradient = (at?: Float32Array) => {
    check("valueAndGradient", at);
    const x = load(at);
    const value = kernel.lossAndGradient(null) + (wd > 0 ? decay(x) : 0);
    const gradient = kernel.gradient();
    if (wd > 0) for (let i = 0; i < dimension; i++) gradient[i] = Math.fround(gradient[i] + wd * x[i]);
    return { value, gradient };
  };
  return {
    dimension,
    theta,
    layout,
    get hvpCount() {
      return hvps;
    },
    hvp(v, at) {
      check("hvp", v);
      if (at) check("hvp (at)", at);
      load(at);
      hvps += 1;
      const hv = kernel.hvp(v);
      if (wd > 0) for (let i = 0; i < dimension; i++) hv[i] = Math.fround(hv[i] + wd * v[i]);
      return hv;
    },
    gradient: (at) => valueAndGradient(at).gradient,
    loss(at) {
      check("loss", at);
      const x = load(at);
      return kernel.evaluate("train").loss + (wd > 0 ? decay(x) : 0);
    },
    valueAndGradient,
    dispose() {
      if (disposed) return;
      disposed = true;
      kernel.dispose();
    },
  };
}

/**
 * The MLP objective on the training path (kernel/training-path.ts): the kernel's where it runs, else
 * tfjs's makeHvp. What the curvature report, the Hessian directions and sharpness tracking use.
 *
 * @example const op = mlpObjective(problem, { data: subset }); ... op.dispose();
 */
export function mlpObjective(
  problem: CurvatureProblem,
  options: MlpHvpOptions = {},
  /** The path to take (absent: the process-wide choice). */
  path?: TrainingPath,
): CurvatureObjective {
  return (path ?? resolveTrainingPath("mlp")) === "wasm-kernel"
    ? makeKernelHvp(problem, options)
    : makeHvp(problem, options);
}
