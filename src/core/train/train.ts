import type { Dataset } from "../data/types";
import { flatToTensors, tensorsToFlat } from "../model/flat";
import { mlpForward } from "../model/forward";
import { assertFinite, assertFlatLength } from "../model/layout";
import { type DataTensors, dataTensors, disposeDataTensors, meanAccuracy, meanLoss } from "../model/loss";
import { mlpLayout } from "../model/mlp";
import type { LossKind, MlpArchitecture } from "../model/types";
import { createRng, permutation } from "../rng";
import { tf } from "../tf";
import type { TrainControl } from "./control";
import type { Checkpoint, HistoryEntry } from "./history";
import { Optimizer, type OptimizerSettings } from "./optimizers";

export type { Checkpoint, HistoryEntry } from "./history";

export interface TrainingSettings extends OptimizerSettings {
  /** Samples per step, or "full" for full-batch gradient descent. */
  batchSize: number | "full";
  epochs: number;
  /** Optional cap on optimizer steps; training stops after this many steps even mid-epoch. */
  steps?: number;
  /** Keep the flat parameters every this many epochs (0: only the start and the end). */
  checkpointEvery: number;
  /** Drives the minibatch order. */
  seed: number;
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
}

export interface TrainArgs {
  arch: MlpArchitecture;
  loss: LossKind;
  dataset: Dataset;
  initial: Float32Array;
  settings: TrainingSettings;
  onEpoch?: (entry: HistoryEntry, totalEpochs: number) => void;
  signal?: AbortSignal;
  /** Pause / resume / step from outside (checked before every epoch). */
  control?: TrainControl;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function splitMetrics(arch: MlpArchitecture, loss: LossKind, vars: tf.Variable[], d: DataTensors) {
  return tf.tidy(() => {
    const out = mlpForward(arch, vars, d.x);
    const l = meanLoss(loss, out, d.target).dataSync()[0];
    const a = d.labels ? meanAccuracy(out, d.labels).dataSync()[0] : undefined;
    return { loss: l, accuracy: a };
  });
}

/**
 * Train an MLP from `initial` with minibatch SGD / momentum / Adam. Deterministic for a seed:
 * each epoch visits the training set in an order drawn from the seed (the last batch may be
 * smaller). Stops early, with status "diverged", when a step's loss is NaN or infinite.
 * Cancelling through `signal` rejects with the signal's reason; no tensor is left behind.
 *
 * @example const r = await trainModel({ arch, loss: "cross-entropy", dataset, initial, settings });
 */
export async function trainModel(args: TrainArgs): Promise<TrainResult> {
  const { arch, loss, dataset, settings } = args;
  const layout = mlpLayout(arch);
  assertFlatLength(args.initial, layout, "initial parameters");
  assertFinite(args.initial, layout, "initial parameters");
  const n = dataset.train.count;
  if (n < 1) throw new Error("training needs at least one training sample");
  const batch = settings.batchSize === "full" ? n : Math.min(settings.batchSize, n);
  const rng = createRng(settings.seed);

  const vars = flatToTensors(args.initial, layout).map((t) => {
    const v = tf.variable(t, true);
    t.dispose();
    return v;
  });
  const train = dataTensors(dataset.train, dataset);
  const test = dataset.test.count > 0 ? dataTensors(dataset.test, dataset) : null;
  const optimizer = new Optimizer(settings, vars);
  const history: HistoryEntry[] = [];
  const checkpoints: Checkpoint[] = [];
  let step = 0;
  let lastFinite: Float32Array = args.initial.slice();
  let diverged: TrainResult["diverged"];

  const record = (epoch: number) => {
    const tr = splitMetrics(arch, loss, vars, train);
    const te = test ? splitMetrics(arch, loss, vars, test) : undefined;
    const entry: HistoryEntry = { epoch, step, trainLoss: tr.loss };
    if (tr.accuracy !== undefined) entry.trainAccuracy = tr.accuracy;
    if (te) {
      entry.testLoss = te.loss;
      if (te.accuracy !== undefined) entry.testAccuracy = te.accuracy;
    }
    history.push(entry);
    args.onEpoch?.(entry, settings.epochs);
    return entry;
  };

  try {
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
        const stepLoss = tf.tidy(() => {
          const ids = tf.tensor1d(idx, "int32");
          const xb = tf.gather(train.x, ids);
          const tb = tf.gather(train.target, ids);
          const { value, grads } = tf.variableGrads(
            () => meanLoss(loss, mlpForward(arch, vars, xb), tb) as tf.Scalar,
            vars,
          );
          const v = value.dataSync()[0];
          if (Number.isFinite(v)) optimizer.step(vars.map((w) => grads[w.name]));
          return v;
        });
        if (!Number.isFinite(stepLoss)) {
          diverged = { epoch, step: step + 1, loss: stepLoss };
          break;
        }
        step += 1;
      }
      if (diverged) break;
      const entry = record(epoch);
      const current = tensorsToFlat(vars, layout);
      if (!Number.isFinite(entry.trainLoss) || current.some((v) => !Number.isFinite(v))) {
        diverged = { epoch, step, loss: entry.trainLoss };
        break;
      }
      lastFinite = current;
      const atEnd = epoch === settings.epochs || step >= maxSteps;
      if (atEnd || (settings.checkpointEvery > 0 && epoch % settings.checkpointEvery === 0)) {
        checkpoints.push({ epoch, step, parameters: current });
      }
      await yieldToEventLoop();
    }
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
      };
    }
    return {
      parameters: lastFinite,
      status: "completed",
      epochs: epoch - 1,
      steps: step,
      history,
      checkpoints,
    };
  } finally {
    optimizer.dispose();
    tf.dispose(vars);
    disposeDataTensors(train);
    if (test) disposeDataTensors(test);
  }
}
