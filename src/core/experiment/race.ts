/**
 * An optimizer race: the config's model trained once per `race.runs` entry, every run from the
 * same initialization (one draw from model.seed) on the same data with the same minibatch order
 * (training.seed), each with its own optimizer settings (optimizer, learning rate, momentum,
 * Adam's constants, weight decay, SAM). Everything else (batch size, epochs, steps, sharpness
 * tracking) is the config's `training`. After training, lambda_max of each run's end point is
 * measured as training.sharpnessEvery measures it (train/sharpness.ts: power iteration on
 * Hessian-vector products of the training loss plus the run's weight decay, over at most
 * training.sharpnessSamples samples), so every run's final loss, accuracy and lambda_max can be
 * compared. prepareModel (prepare.ts) calls it; the plane and the trajectories come from makePlane.
 *
 * @example const race = await trainRace({ config, arch, loss, dataset, initial, plan }, { signal });
 */
import type { ExperimentConfig, RaceRunSettings } from "../config/schema";
import type { Dataset } from "../data/types";
import type { LossKind, MlpArchitecture } from "../model/types";
import type { TrainControl } from "../train/control";
import type { HistoryEntry } from "../train/history";
import { SharpnessTracker } from "../train/sharpness";
import { type TrainResult, trainModel } from "../train/train";
import type { ExperimentProgress } from "./progress";
import { type ReplayPlan, type ReplayRun, type RunFinal, splitCheckpoints } from "./replay";

interface RaceArgs {
  config: ExperimentConfig;
  arch: MlpArchitecture;
  loss: LossKind;
  dataset: Dataset;
  /** The one initialization every run starts from. */
  initial: Float32Array;
  plan: ReplayPlan;
}

interface RaceOptions {
  signal?: AbortSignal;
  control?: TrainControl;
  /** Run 1's epochs only (the live charts show one run; its history becomes the snapshot's training section). */
  onEpoch?: (entry: HistoryEntry) => void;
  onProgress?: (p: ExperimentProgress) => void;
}

interface RaceResult {
  /** Run 1's training with the config's own checkpoints (the snapshot's training section and centre). */
  first: TrainResult;
  /** Every run's replay checkpoints, history, settings and final figures, in race order. */
  runs: ReplayRun[];
}

/** The optimizer settings a race run records: its own, plus the shared batch size. */
function recordedSettings(run: RaceRunSettings, config: ExperimentConfig): Record<string, unknown> {
  const { label: _label, ...settings } = run;
  return { ...settings, batchSize: config.training.batchSize };
}

/** The last history entry's figures, the run's status and lambda_max at its end point. */
function finalOf(training: TrainResult, lambda: { value: number; iterations: number; converged: boolean }) {
  const last = training.history.at(-1);
  const final: RunFinal = {
    status: training.status,
    epochs: training.epochs,
    steps: training.steps,
    trainLoss: last?.trainLoss ?? Number.NaN,
    lambdaMax: lambda.value,
    lambdaMaxIterations: lambda.iterations,
    lambdaMaxConverged: lambda.converged,
  };
  if (training.message) final.message = training.message;
  if (last?.trainAccuracy !== undefined) final.trainAccuracy = last.trainAccuracy;
  if (last?.testLoss !== undefined) final.testLoss = last.testLoss;
  if (last?.testAccuracy !== undefined) final.testAccuracy = last.testAccuracy;
  return final;
}

/**
 * Trains every run of config.race (see the module comment). Cancelling through `signal` rejects
 * with its reason.
 */
export async function trainRace(args: RaceArgs, options: RaceOptions = {}): Promise<RaceResult> {
  const { config, arch, loss, dataset, initial, plan } = args;
  const race = config.race;
  if (!race) throw new Error("trainRace needs a config with a race section");
  const epochs = config.training.epochs;
  const n = race.runs.length;
  const runs: ReplayRun[] = [];
  let first: TrainResult | undefined;
  for (const [i, run] of race.runs.entries()) {
    const { label, sam, ...optimizer } = run;
    const training = await trainModel({
      arch,
      loss,
      dataset,
      initial,
      settings: { ...config.training, ...optimizer, sam, checkpointEvery: plan.trainEvery },
      signal: options.signal,
      control: options.control,
      onEpoch: (entry, total) => {
        if (i === 0) options.onEpoch?.(entry);
        options.onProgress?.({
          phase: "train",
          done: i * total + entry.epoch,
          total: n * total,
          detail: `run ${i + 1}/${n} (${label}): epoch ${entry.epoch}/${total}, train loss ${entry.trainLoss.toPrecision(4)}`,
        });
      },
    });
    const { kept, replay } = splitCheckpoints(training, config.training.checkpointEvery, plan);
    if (i === 0) first = { ...training, checkpoints: kept };
    options.onProgress?.({
      phase: "curvature",
      done: i,
      total: n,
      detail: `run ${i + 1}/${n} (${label}): lambda_max at the end point`,
    });
    const tracker = new SharpnessTracker({
      arch,
      loss,
      dataset,
      theta: training.parameters,
      samples: config.training.sharpnessSamples,
      weightDecay: run.weightDecay,
      seed: config.training.seed,
    });
    let lambda: { value: number; iterations: number; converged: boolean };
    try {
      const e = await tracker.measure(training.parameters, training.steps, epochs, options.signal);
      lambda = { value: e.lambdaMax, iterations: e.iterations, converged: e.converged };
    } finally {
      tracker.dispose();
    }
    runs.push({
      label,
      checkpoints: replay,
      kept,
      history: training.history,
      settings: recordedSettings(run, config),
      final: finalOf(training, lambda),
    });
  }
  return { first: first as TrainResult, runs };
}
