import { resolveTrainingPath } from "../kernel/training-path";
import type { ModelArchitecture } from "../model/architecture";
import { assertSeed, createRng, permutation } from "../rng";
import type { OptimizerSettings } from "../train/optimizers";
import { makeTicker } from "../yield";
import { assertFiniteNumber, assertInteger } from "./check";
import { type CurveStepper, kernelCurveStepper, tfjsCurveStepper } from "./curve-steppers";
import {
  assertBends,
  assertCurve,
  assertCurveKind,
  type Curve,
  type CurveKind,
  curveCoefficients,
  curvePointLabels,
  initialBends,
} from "./curves";
import { checkPathPoints, type PathModel } from "./evaluate";
import { assertEndpoints } from "./linear";

export interface CurveTrainingSettings extends Omit<OptimizerSettings, "weightDecay"> {
  /** Samples per step, or "full". */
  batchSize: number | "full";
  epochs: number;
  /** Optional cap on optimizer steps. */
  steps?: number;
  /** Drives the minibatch order and the t drawn for each minibatch. */
  seed: number;
  /**
   * L2 coefficient lambda on the bends: the objective gets (lambda / 2) sum_j |bend_j|^2, applied
   * as coupled weight decay g <- g + lambda bend (Garipov et al. train curves with weight decay).
   */
  l2: number;
}

/** Adam at 0.01, minibatches of 64, 100 epochs, no L2. */
const CURVE_TRAINING_DEFAULTS: CurveTrainingSettings = {
  optimizer: "adam",
  learningRate: 0.01,
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  batchSize: 64,
  epochs: 100,
  seed: 0,
  l2: 0,
};

export interface CurveProgress {
  epoch: number;
  epochs: number;
  step: number;
  /** Mean minibatch loss of the epoch (each at its own random t): an estimate of E_t L(w(t)). */
  loss: number;
}

interface TrainCurveArgs {
  model: PathModel;
  /** theta1 and theta2, fixed during training. */
  endpoints: [Float32Array, Float32Array];
  kind: CurveKind;
  /** Number of bends k >= 1 (Garipov's quadratic Bezier: 1). Default 1. */
  bends?: number;
  /** Where the bends start; default initialBends (on the straight segment). */
  initial?: Float32Array[];
  settings?: Partial<CurveTrainingSettings>;
  /**
   * The model's graph at a step's point, when it depends on the point (BN running statistics
   * interpolated along the path; curve-steppers.ts). Trains on tfjs.
   */
  archAt?: (coeffs: Float64Array) => ModelArchitecture;
  onProgress?: (p: CurveProgress) => void;
  signal?: AbortSignal;
}

export interface CurveTrainResult {
  curve: Curve;
  status: "completed" | "diverged";
  message?: string;
  epochs: number;
  steps: number;
  history: CurveProgress[];
  settings: CurveTrainingSettings;
}

function resolveSettings(partial: Partial<CurveTrainingSettings> | undefined): CurveTrainingSettings {
  const s = { ...CURVE_TRAINING_DEFAULTS, ...partial };
  assertInteger(s.epochs, 1, "curve training epochs");
  if (s.steps !== undefined) assertInteger(s.steps, 1, "curve training steps");
  if (s.batchSize !== "full") assertInteger(s.batchSize, 1, "curve training batchSize");
  assertFiniteNumber(s.learningRate, "curve training learningRate");
  if (s.learningRate <= 0) throw new Error(`curve training learningRate must be > 0, got ${s.learningRate}`);
  assertFiniteNumber(s.l2, "curve training l2");
  if (s.l2 < 0) throw new Error(`curve training l2 must be >= 0, got ${s.l2}`);
  if (!["sgd", "momentum", "adam"].includes(s.optimizer)) {
    throw new Error(`unknown optimizer "${s.optimizer}"; expected sgd, momentum or adam`);
  }
  assertSeed(s.seed, "curve training seed");
  return s;
}

/**
 * Train the bends of a curve between two fixed minima (Garipov et al. 2018): minimize
 * E_{t ~ U(0, 1)} L(w(t)) + (l2 / 2) sum_j |bend_j|^2 by stochastic gradients, drawing one t per
 * minibatch (from the seeded rng, which also orders the minibatches), so each step is an unbiased
 * estimate of the expected loss's gradient. Only the bends are variables; theta1 and theta2 stay
 * fixed. The optimizer is the training loop's (sgd, momentum or adam; train/optimizers.ts).
 * Deterministic for a seed. A step whose loss is not finite stops training (status "diverged")
 * and keeps the bends of the last completed epoch. Cancelling through `signal` rejects with the
 * signal's reason; no tensor is left behind either way. The steps run on the training path
 * (kernel/training-path.ts): the WebAssembly kernel or tfjs, the same numbers within float32 rounding;
 * a model other than an MLP (an ONNX graph) trains on tfjs, its gradients through modelForward.
 *
 * @example const r = await trainCurve({ model, endpoints: [a, b], kind: "bezier", settings: { epochs: 50 } });
 */
export async function trainCurve(args: TrainCurveArgs): Promise<CurveTrainResult> {
  const { model, kind } = args;
  assertCurveKind(kind);
  const bends = args.bends ?? args.initial?.length ?? 1;
  assertBends(bends);
  const [theta1, theta2] = args.endpoints;
  assertEndpoints(theta1, theta2, ["theta1", "theta2"]);
  const initial = args.initial ?? initialBends(theta1, theta2, bends);
  if (initial.length !== bends) throw new Error(`${initial.length} initial bends given for bends = ${bends}`);
  const start: Curve = { kind, points: [theta1, ...initial, theta2] };
  assertCurve(start);
  checkPathPoints(model, start.points, curvePointLabels(bends));
  const settings = resolveSettings(args.settings);
  const { arch, dataset } = model;
  const n = dataset.train.count;
  if (n < 1) throw new Error("curve training needs at least one training sample");
  const batch = settings.batchSize === "full" ? n : Math.min(settings.batchSize, n);
  const rng = createRng(settings.seed);

  const coeffs = new Float64Array(bends + 2);
  const history: CurveProgress[] = [];
  let lastFinite: Float32Array[] = initial.map((p) => p.slice());
  let step = 0;
  let epoch = 0;
  let diverged: { epoch: number; step: number; loss: number } | null = null;
  const stepperArgs = { model, theta1, theta2, initial, settings, archAt: args.archAt };
  const stepper: CurveStepper =
    !args.archAt && resolveTrainingPath(arch.kind) === "wasm-kernel"
      ? kernelCurveStepper(stepperArgs)
      : tfjsCurveStepper(stepperArgs);
  const tick = makeTicker(args.signal);
  try {
    const maxSteps = settings.steps ?? Number.POSITIVE_INFINITY;
    for (epoch = 1; epoch <= settings.epochs && step < maxSteps; epoch++) {
      const order = permutation(n, rng);
      let sum = 0;
      let count = 0;
      for (let s0 = 0; s0 < n && step < maxSteps; s0 += batch) {
        args.signal?.throwIfAborted();
        const idx = order.subarray(s0, Math.min(n, s0 + batch));
        curveCoefficients(kind, bends, rng.next(), coeffs);
        const stepLoss = stepper.step(batch === n ? null : idx, coeffs);
        if (!Number.isFinite(stepLoss)) {
          diverged = { epoch, step: step + 1, loss: stepLoss };
          break;
        }
        sum += stepLoss;
        count += 1;
        step += 1;
      }
      if (diverged) break;
      const current = stepper.bends();
      if (current.some((p) => p.some((v) => !Number.isFinite(v)))) {
        diverged = { epoch, step, loss: Number.NaN };
        break;
      }
      lastFinite = current;
      const entry: CurveProgress = { epoch, epochs: settings.epochs, step, loss: sum / count };
      history.push(entry);
      args.onProgress?.(entry);
      await tick();
    }
  } finally {
    stepper.dispose();
  }
  const curve: Curve = { kind, points: [theta1.slice(), ...lastFinite, theta2.slice()] };
  if (diverged) {
    return {
      curve,
      status: "diverged",
      message:
        `curve training diverged at epoch ${diverged.epoch}, step ${diverged.step}: the loss became ${diverged.loss}; ` +
        "kept the bends of the last completed epoch",
      epochs: diverged.epoch,
      steps: step,
      history,
      settings,
    };
  }
  return { curve, status: "completed", epochs: epoch - 1, steps: step, history, settings };
}
