import { configGrid, type ExperimentConfig } from "../config/schema";
import { makeDataset } from "../data/make";
import type { Dataset } from "../data/types";
import { randomDirection } from "../directions/random";
import type { LandscapeEvaluator } from "../landscape/evaluator";
import { defaultEvaluatorFor } from "../landscape/evaluators";
import { assertGrid } from "../landscape/grid";
import { sampleLandscape } from "../landscape/surfaces";
import { initParameters } from "../model/init";
import { assertFinite } from "../model/layout";
import { lossKindFor } from "../model/loss";
import { makeArchitecture, mlpLayout } from "../model/mlp";
import type { MlpArchitecture } from "../model/types";
import { createRng } from "../rng";
import type { Snapshot } from "../snapshot/schema";
import { type TrainResult, trainModel } from "../train/train";
import { buildSnapshot } from "./snapshot-parts";

export interface ExperimentProgress {
  phase: "train" | "landscape";
  done: number;
  total: number;
  /** e.g. "epoch 12/100, train loss 0.4312". */
  detail: string;
}

export interface RunOptions {
  /** Take the model, its parameters and the data from this snapshot; skip training. */
  from?: Snapshot;
  /** Absent: the fastest path for the backend (defaultEvaluatorFor). */
  evaluator?: LandscapeEvaluator;
  /** Name of the tfjs backend that runs, recorded in the snapshot. */
  backend: string;
  onProgress?: (p: ExperimentProgress) => void;
  signal?: AbortSignal;
  /** Clock for createdAt (tests pin it). */
  now?: () => Date;
}

export interface ExperimentResult {
  snapshot: Snapshot;
  training?: TrainResult;
  /** Things the user should know that did not stop the run (e.g. divergence). */
  warnings: string[];
}

function datasetFromSnapshot(s: Snapshot): Dataset {
  const empty = { x: new Float32Array(0), y: new Float32Array(0), count: 0 };
  const d: Dataset = {
    name: s.data.name,
    task: s.data.task,
    inputSize: s.data.inputSize,
    outputSize: s.data.outputSize,
    train: s.data.train,
    test: s.data.test ?? empty,
  };
  if (s.data.classes !== undefined) d.classes = s.data.classes;
  return d;
}

/**
 * The whole experiment: data, model, training (or the model of `from`), directions, landscape,
 * snapshot. Pure core: the CLI and the workers call it and only do I/O around it.
 * The same config gives the same numbers (every random draw comes from a seed in the config).
 *
 * @example const { snapshot } = await runExperiment(resolveConfig({}), { backend: "wasm" });
 */
export async function runExperiment(
  config: ExperimentConfig,
  options: RunOptions,
): Promise<ExperimentResult> {
  const grid = configGrid(config);
  assertGrid(grid, "grid");
  const warnings: string[] = [];
  let arch: MlpArchitecture;
  let dataset: Dataset;
  let theta: Float32Array;
  let training: TrainResult | undefined;
  let recordedConfig: Record<string, unknown>;

  if (options.from) {
    const src = options.from;
    arch = src.model.architecture;
    dataset = datasetFromSnapshot(src);
    theta = src.model.parameters;
    recordedConfig = {
      ...src.config,
      seed: config.seed,
      directions: config.directions,
      grid: config.grid,
      source: { kind: "snapshot", createdAt: src.createdAt, producer: src.producer },
    };
  } else {
    dataset = makeDataset(config.data, config.data.seed);
    arch = makeArchitecture(dataset.inputSize, dataset.outputSize, config.model);
    const initial = initParameters(arch, config.model.init, createRng(config.model.seed));
    training = await trainModel({
      arch,
      loss: lossKindFor(dataset.task),
      dataset,
      initial,
      settings: config.training,
      signal: options.signal,
      onEpoch: (entry, total) =>
        options.onProgress?.({
          phase: "train",
          done: entry.epoch,
          total,
          detail: `epoch ${entry.epoch}/${total}, train loss ${entry.trainLoss.toPrecision(4)}`,
        }),
    });
    if (training.message) warnings.push(training.message);
    theta = training.parameters;
    recordedConfig = { ...config };
  }

  const loss = options.from?.model.loss ?? lossKindFor(dataset.task);
  const layout = mlpLayout(arch);
  assertFinite(theta, layout, "model.parameters");
  const labels = ["x", "y"];
  const directions: Snapshot["directions"] = config.directions.seeds.map((seed, i) => ({
    label: labels[i],
    method: "random",
    normalization: config.directions.normalization,
    bias: config.directions.bias,
    seed,
    values: randomDirection(theta, layout, { ...config.directions, seed }),
  }));

  const evaluator = options.evaluator ?? defaultEvaluatorFor(options.backend);
  const surfaces = await sampleLandscape(
    {
      arch,
      loss,
      layout,
      theta,
      directions: directions.map((d) => d.values),
      dataset,
      train: dataset.train,
      test: dataset.test,
    },
    grid,
    evaluator,
    {
      signal: options.signal,
      onTile: (_tile, done, total) =>
        options.onProgress?.({ phase: "landscape", done, total, detail: `${done}/${total} grid points` }),
    },
  );
  // A cancel that arrives with the last tile still cancels: the caller asked for no result.
  options.signal?.throwIfAborted();
  const snapshot = buildSnapshot({
    config: recordedConfig,
    backend: options.backend,
    createdAt: (options.now ?? (() => new Date()))(),
    arch,
    loss,
    layout,
    theta,
    dataset,
    directions,
    grid,
    surfaces,
    training,
    evaluator: evaluator.name,
  });
  return { snapshot, training, warnings };
}
