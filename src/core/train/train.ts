import type { Dataset } from "../data/types";
import { resolveTrainingPath, type TrainingPath, type TrainingPathChoice } from "../kernel/training-path";
import { type ModelArchitecture, modelLayout, requireMlp } from "../model/architecture";
import { assertFinite, assertFlatLength } from "../model/layout";
import type { LossKind } from "../model/types";
import { createRng, permutation } from "../rng";
import { makeTicker } from "../yield";
import type { TrainControl } from "./control";
import type { TrainEngine } from "./engine";
import type { Checkpoint, HistoryEntry, SharpnessEntry, SharpnessTrack } from "./history";
import { kernelEngine } from "./kernel-engine";
import type { OptimizerSettings } from "./optimizers";
import { DEFAULT_SHARPNESS_SAMPLES, SharpnessTracker, stabilityBound } from "./sharpness";
import { tfjsEngine } from "./tfjs-engine";

export type { Checkpoint, HistoryEntry, SharpnessEntry, SharpnessTrack } from "./history";

export interface TrainingSettings extends OptimizerSettings {
  /** Samples per step, or "full" for full-batch gradient descent. */
  batchSize: number | "full";
  epochs: number;
  /** Optional cap on optimizer steps; training stops after this many steps even mid-epoch. */
  steps?: number;
  /** Keep the flat parameters every this many epochs (0: only the start and the end). */
  checkpointEvery: number;
  /** Drives the minibatch order (and seeds the sharpness subset and start vector). */
  seed: number;
  /** Sharpness-Aware Minimization (sam.ts): the gradient is taken at w + rho g/||g||. Absent: off. */
  sam?: { rho: number };
  /**
   * Measure lambda_max of the training-loss Hessian every this many optimizer steps, at step 0
   * and at the last step (sharpness.ts). 0 or absent: off.
   */
  sharpnessEvery?: number;
  /** Cap on the training samples in the measured loss (a fixed seeded subset beyond it). Default 1024. */
  sharpnessSamples?: number;
}

export interface TrainResult {
  /** The final parameters; after divergence, the last ones whose loss was finite. */
  parameters: Float32Array;
  status: "completed" | "diverged";
  /** Plain-words account of a divergence. */
  message?: string;
  diverged?: { epoch: number; step: number; loss: number };
  epochs: number;
  steps: number;
  history: HistoryEntry[];
  checkpoints: Checkpoint[];
  /** Present when settings.sharpnessEvery > 0. */
  sharpness?: SharpnessTrack;
  /** The dataset's label noise, when its training labels were flipped (data/label-noise.ts). */
  labelNoise?: { fraction: number; changed: number };
  /** The code that trained (kernel/training-path.ts): the WebAssembly kernel or tfjs. */
  path: TrainingPath;
}

interface TrainArgs {
  /** Any model kind (model/architecture.ts); sharpness tracking needs an MLP. */
  arch: ModelArchitecture;
  loss: LossKind;
  dataset: Dataset;
  initial: Float32Array;
  settings: TrainingSettings;
  onEpoch?: (entry: HistoryEntry, totalEpochs: number) => void;
  /** Called after every sharpness measurement (the same entries also ride on the next onEpoch). */
  onSharpness?: (entry: SharpnessEntry) => void;
  signal?: AbortSignal;
  /** Pause / resume / step from outside (checked before every epoch). */
  control?: TrainControl;
  /** Which code trains (kernel/training-path.ts); absent: the process-wide choice. */
  path?: TrainingPathChoice;
}

/**
 * Train a model (an MLP, or a layers model through modelForward: the CNNs and imported tfjs
 * models) from `initial` with minibatch SGD / momentum / Adam, optionally through SAM.
 * Deterministic for a seed: each epoch visits the training set in an order drawn from the seed
 * (the last batch may be smaller). Stops early, with status "diverged", when a step's loss is NaN
 * or infinite. With sharpnessEvery > 0, lambda_max is measured every that many steps (and at step
 * 0 and the last step) into result.sharpness. Cancelling through `signal` rejects with the
 * signal's reason; no tensor is left behind.
 *
 * @example const r = await trainModel({ arch, loss: "cross-entropy", dataset, initial, settings });
 */
export async function trainModel(args: TrainArgs): Promise<TrainResult> {
  const { arch, loss, dataset, settings } = args;
  const layout = modelLayout(arch);
  assertFlatLength(args.initial, layout, "initial parameters");
  assertFinite(args.initial, layout, "initial parameters");
  const n = dataset.train.count;
  if (n < 1) throw new Error("training needs at least one training sample");
  const batch = settings.batchSize === "full" ? n : Math.min(settings.batchSize, n);
  const stepsPerEpoch = Math.ceil(n / batch);
  const rng = createRng(settings.seed);
  const rho = settings.sam?.rho;
  if (rho !== undefined && !(Number.isFinite(rho) && rho > 0))
    throw new Error(`training.sam.rho must be a finite number > 0, got ${rho}`);
  const every = settings.sharpnessEvery ?? 0;
  if (!Number.isInteger(every) || every < 0)
    throw new Error(`training.sharpnessEvery must be an integer >= 0, got ${every}`);
  const sharpnessSamples = settings.sharpnessSamples ?? DEFAULT_SHARPNESS_SAMPLES;
  if (!Number.isInteger(sharpnessSamples) || sharpnessSamples < 1)
    throw new Error(`training.sharpnessSamples must be an integer >= 1, got ${sharpnessSamples}`);

  const path = resolveTrainingPath(arch.kind, args.path);
  const engineArgs = { arch, loss, dataset, initial: args.initial, settings };
  const engine: TrainEngine = path === "wasm-kernel" ? kernelEngine(engineArgs) : tfjsEngine(engineArgs);
  const hasTest = dataset.test.count > 0;
  // Yields between epochs only every YIELD_INTERVAL_MS: a kernel epoch can take microseconds.
  const tick = makeTicker(args.signal);
  let tracker: SharpnessTracker | null = null;
  const history: HistoryEntry[] = [];
  const checkpoints: Checkpoint[] = [];
  let step = 0;
  let lastFinite: Float32Array = args.initial.slice();
  let diverged: TrainResult["diverged"];
  const sharpness: SharpnessEntry[] = [];
  /** Measurements not yet attached to a history entry. */
  let unreported: SharpnessEntry[] = [];

  const measureSharpness = async () => {
    if (!tracker || sharpness.at(-1)?.step === step) return;
    const theta = engine.parameters();
    // A blown-up point has no meaningful curvature; the divergence check deals with it.
    if (!theta.every(Number.isFinite)) return;
    const entry = await tracker.measure(theta, step, step / stepsPerEpoch, args.signal);
    sharpness.push(entry);
    unreported.push(entry);
    args.onSharpness?.(entry);
  };

  const record = (epoch: number) => {
    const tr = engine.metrics("train");
    const te = hasTest ? engine.metrics("test") : undefined;
    const entry: HistoryEntry = { epoch, step, trainLoss: tr.loss };
    if (tr.accuracy !== undefined) entry.trainAccuracy = tr.accuracy;
    if (te) {
      entry.testLoss = te.loss;
      if (te.accuracy !== undefined) entry.testAccuracy = te.accuracy;
    }
    if (unreported.length > 0) {
      entry.sharpness = unreported;
      unreported = [];
    }
    history.push(entry);
    args.onEpoch?.(entry, settings.epochs);
    return entry;
  };

  try {
    if (every > 0) {
      tracker = new SharpnessTracker({
        arch: requireMlp(arch, "training.sharpnessEvery (sharpness tracking)"),
        loss,
        dataset,
        theta: args.initial,
        samples: sharpnessSamples,
        weightDecay: settings.weightDecay,
        seed: settings.seed,
        path,
      });
      await measureSharpness();
    }
    record(0);
    checkpoints.push({ epoch: 0, step: 0, parameters: args.initial.slice() });
    let epoch = 0;
    const maxSteps = settings.steps ?? Number.POSITIVE_INFINITY;
    for (epoch = 1; epoch <= settings.epochs && !diverged && step < maxSteps; epoch++) {
      await args.control?.gate(args.signal);
      const order = permutation(n, rng);
      for (let start = 0; start < n && step < maxSteps; start += batch) {
        args.signal?.throwIfAborted();
        const idx = order.subarray(start, Math.min(n, start + batch));
        const stepLoss = engine.step(idx);
        if (!Number.isFinite(stepLoss)) {
          diverged = { epoch, step: step + 1, loss: stepLoss };
          break;
        }
        step += 1;
        if (every > 0 && step % every === 0) await measureSharpness();
      }
      if (diverged) break;
      if (epoch === settings.epochs || step >= maxSteps) await measureSharpness();
      const entry = record(epoch);
      const current = engine.parameters();
      if (!Number.isFinite(entry.trainLoss) || current.some((v) => !Number.isFinite(v))) {
        diverged = { epoch, step, loss: entry.trainLoss };
        break;
      }
      lastFinite = current;
      const atEnd = epoch === settings.epochs || step >= maxSteps;
      if (atEnd || (settings.checkpointEvery > 0 && epoch % settings.checkpointEvery === 0)) {
        checkpoints.push({ epoch, step, parameters: current });
      }
      await tick();
    }
    const extras: Pick<TrainResult, "sharpness" | "labelNoise" | "path"> = { path };
    if (tracker) {
      extras.sharpness = {
        every,
        samples: tracker.samples,
        weightDecay: settings.weightDecay,
        learningRate: settings.learningRate,
        bound: stabilityBound(settings),
        entries: sharpness,
      };
    }
    if (dataset.labelNoise) extras.labelNoise = { ...dataset.labelNoise };
    if (diverged) {
      return {
        parameters: lastFinite,
        status: "diverged",
        message:
          `training diverged at epoch ${diverged.epoch}, step ${diverged.step}: the loss became ${diverged.loss}; ` +
          "stopped there and kept the last parameters whose loss was finite",
        diverged,
        epochs: diverged.epoch,
        steps: step,
        history,
        checkpoints,
        ...extras,
      };
    }
    return {
      parameters: lastFinite,
      status: "completed",
      epochs: epoch - 1,
      steps: step,
      history,
      checkpoints,
      ...extras,
    };
  } finally {
    tracker?.dispose();
    engine.dispose();
  }
}
