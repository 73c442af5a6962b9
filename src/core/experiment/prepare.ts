import { configGrid } from "../config/resolve";
import type { ExperimentConfig } from "../config/schema";
import { type DataReaders, loadDataset } from "../data/files";
import type { ReadBytes } from "../data/shipped";
import type { Dataset } from "../data/types";
import { assertGrid } from "../landscape/grid";
import type { LandscapeProblem } from "../landscape/surfaces";
import { initModelParameters, type ModelArchitecture, modelLayout, requireMlp } from "../model/architecture";
import { batchNormModel, bnStatisticsAt, hasBatchNorm } from "../model/bn-statistics";
import { makeGcnArchitecture } from "../model/gcn-architecture";
import { endsInSoftmax, type LayersArchitecture } from "../model/layers";
import { imageShape, makeCnnArchitecture } from "../model/layers-cnn";
import { type ImportedLayersModel, loadLayersModel } from "../model/layers-import";
import { assertFinite, parameterCount } from "../model/layout";
import { lossKindFor } from "../model/loss";
import { makeArchitecture } from "../model/mlp";
import { rescaleParameters } from "../model/rescale";
import type { Layout, LossKind } from "../model/types";
import type { OnnxArchitecture } from "../onnx/graph";
import { loadOnnxModel } from "../onnx/load";
import { createRng } from "../rng";
import type { Snapshot } from "../snapshot/schema";
import type { TrainControl } from "../train/control";
import { type HistoryEntry, type TrainResult, trainModel } from "../train/train";
import { checkDirectionMethod, directionMethodSpec } from "./direction-methods";
import type { PlaneOptions, PlaneSetup } from "./plane";
import type { ExperimentProgress } from "./progress";
import { trainRace } from "./race";
import { type ReplayPlan, type ReplayRun, replayPlan, splitCheckpoints } from "./replay";

export type { PlaneOptions, PlaneSetup, Trajectory } from "./plane";
export type { ExperimentProgress };

/** The model at the centre of the landscape and where it came from. */
export interface PreparedModel {
  /** Any model kind; the Hessian directions and the curvature report need an MLP. */
  arch: ModelArchitecture;
  loss: LossKind;
  layout: Layout;
  dataset: Dataset;
  theta: Float32Array;
  training?: TrainResult;
  /**
   * The trained runs' replay checkpoints (replay.ts): one run, or every run of a race (run 1 is
   * `training` and its end point is theta). Absent when nothing was trained.
   */
  runs?: ReplayRun[];
  /** How the replay checkpoints were chosen and whether their parameters are to be stored. */
  replay?: { plan: ReplayPlan; storeParameters: boolean };
  /** A race: the initialization every run started from. */
  initial?: Float32Array;
  /** The config recorded in the snapshot. */
  recordedConfig: Record<string, unknown>;
  warnings: string[];
}

export interface PrepareOptions {
  /** Take the model, its parameters and the data from this snapshot; skip training. */
  from?: Snapshot;
  onProgress?: (p: ExperimentProgress) => void;
  /** Called after every epoch with the whole history so far (live charts). */
  onEpoch?: (entry: HistoryEntry) => void;
  signal?: AbortSignal;
  /** Pause / resume / step the training. */
  control?: TrainControl;
  /**
   * Where bytes come from (data/files.ts): `shipped` reads public/ (the iris and digits datasets),
   * `user` reads the files the config names (data.path, data.labels, model.file; the CLI resolves
   * them relative to the config file). Needed only by those datasets and model.kind "layers".
   */
  files?: DataReaders;
  /** model.kind "layers": the imported model, when the caller has it already (else read from model.file). */
  imported?: ImportedLayersModel;
}

/** The dataset a snapshot holds (an absent test split becomes an empty one). */
export function datasetFromSnapshot(s: Snapshot): Dataset {
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
  if (s.model.architecture.kind === "gcn") d.graph = s.model.architecture.graph;
  return d;
}

/**
 * Phase 1: data and model, trained from the config's seeds, or taken from a snapshot.
 *
 * @example const m = await prepareModel(resolveConfig({}), {});
 */
export async function prepareModel(
  config: ExperimentConfig,
  options: PrepareOptions = {},
): Promise<PreparedModel> {
  assertGrid(configGrid(config), "grid");
  if (options.from) {
    if (config.race) {
      throw new Error("race: a race trains its runs, so it cannot take its model from a snapshot (--from)");
    }
    const src = options.from;
    const arch = src.model.architecture;
    return {
      arch,
      loss: src.model.loss,
      layout: modelLayout(arch),
      dataset: datasetFromSnapshot(src),
      // This run's rescale applies on top of the source's parameters (which may be rescaled already).
      theta: config.rescale
        ? rescaleParameters(requireMlp(arch, "rescale"), src.model.parameters, config.rescale)
        : src.model.parameters,
      recordedConfig: {
        ...src.config,
        seed: config.seed,
        directions: config.directions,
        grid: config.grid,
        // The source's own curvature request does not carry over; this run's does.
        curvature: config.curvature,
        rescale: config.rescale,
        source: {
          kind: "snapshot",
          createdAt: src.createdAt,
          producer: src.producer,
          ...(src.config.rescale !== undefined ? { rescale: src.config.rescale } : {}),
        },
      },
      warnings: [],
    };
  }
  const dataset = await loadDataset(config.data, config.data.seed, options.files ?? {});
  const loss = lossKindFor(dataset.task);
  const model = config.model;
  let arch: ModelArchitecture;
  let initial: Float32Array;
  /** An imported model whose weights are the centre (model.train false): no training. */
  const untrained = (a: ModelArchitecture, theta: Float32Array, warnings: string[]): PreparedModel => ({
    arch: a,
    loss,
    layout: modelLayout(a),
    dataset,
    theta,
    recordedConfig: { ...config },
    warnings,
  });
  if (model.kind === "onnx") {
    // An ONNX model (core/onnx): its weights and biases are the centre (or the start of training).
    const readUser = options.files?.user;
    if (!readUser) {
      throw new Error(
        `model.file ${model.file}: no way to read the user's files here (PrepareOptions.files.user)`,
      );
    }
    const imported = await loadOnnxModel(model.file, readUser);
    checkModelFitsData(imported.arch, dataset, model.file);
    arch = withBatchNormPolicy(imported.arch, model, model.file);
    if (!model.train) return untrained(arch, imported.parameters, imported.notes);
    initial = imported.parameters;
  } else if (model.kind === "layers") {
    const readUser = options.files?.user;
    if (!options.imported && !readUser) {
      throw new Error(
        `model.file ${model.file}: no way to read the user's files here (PrepareOptions.files.user)`,
      );
    }
    const imported = options.imported ?? (await loadLayersModel(model.file, readUser as ReadBytes));
    checkModelFitsData(imported.arch, dataset, model.file);
    arch = withBatchNormPolicy(imported.arch, model, model.file);
    // The imported weights are the centre, as with `from`: no training.
    if (!model.train) return untrained(arch, imported.parameters, []);
    initial = imported.parameters;
  } else if (model.kind === "gcn") {
    if (!dataset.graph)
      throw new Error(`model.kind "gcn": the data "${dataset.name}" are not a graph (use sbm or karate)`);
    arch = makeGcnArchitecture(dataset.graph, dataset.outputSize, model);
    initial = initModelParameters(arch, model.init, createRng(model.seed));
  } else {
    arch =
      model.kind === "cnn"
        ? makeCnnArchitecture(imageShape(dataset.inputShape, dataset.inputSize), dataset.outputSize, model)
        : makeArchitecture(dataset.inputSize, dataset.outputSize, model);
    initial = initModelParameters(arch, model.init, createRng(model.seed));
  }
  const layout = modelLayout(arch);
  const plan = replayPlan({
    epochs: config.training.epochs,
    checkpointEvery: config.training.checkpointEvery,
    parameters: parameterCount(layout),
    runs: config.race?.runs.length ?? 1,
    checkpoints: config.trajectory?.checkpoints,
  });
  const replay = { plan, storeParameters: config.trajectory?.parameters !== false };
  if (config.race) {
    const race = await trainRace(
      { config, arch: requireMlp(arch, "race"), loss, dataset, initial, plan },
      options,
    );
    const warnings = race.runs.flatMap((r) =>
      r.final?.message ? [`race run "${r.label}": ${r.final.message}`] : [],
    );
    return {
      arch,
      loss,
      layout,
      dataset,
      theta: race.first.parameters,
      training: race.first,
      runs: race.runs,
      replay,
      initial: initial.slice(),
      recordedConfig: { ...config },
      warnings,
    };
  }
  const trained = await trainModel({
    arch,
    loss,
    dataset,
    initial,
    // The training keeps every checkpoint the replay or the config's checkpointEvery needs (replay.ts).
    settings: { ...config.training, checkpointEvery: plan.trainEvery },
    signal: options.signal,
    control: options.control,
    onEpoch: (entry, total) => {
      options.onEpoch?.(entry);
      options.onProgress?.({
        phase: "train",
        done: entry.epoch,
        total,
        detail: `epoch ${entry.epoch}/${total}, train loss ${entry.trainLoss.toPrecision(4)}`,
      });
    },
  });
  // A BN model trained here (in train mode, batch statistics) carries the running statistics of
  // its final weights, recomputed over the training data (update_bn), not the file's.
  const bn = batchNormModel(arch);
  if (bn) arch = bnStatisticsAt(bn, trained.parameters, dataset.train);
  const { kept, replay: checkpoints } = splitCheckpoints(trained, config.training.checkpointEvery, plan);
  const training: TrainResult = { ...trained, checkpoints: kept };
  // Applied after training, before the directions: the same function at rescaled parameters (and
  // the replay's checkpoints with it, so that the path ends at theta).
  const rescale = (p: Float32Array) =>
    config.rescale ? rescaleParameters(requireMlp(arch, "rescale"), p, config.rescale) : p;
  return {
    arch,
    loss,
    layout,
    dataset,
    theta: rescale(training.parameters),
    training,
    runs: [
      {
        label: "training",
        checkpoints: checkpoints.map((c) => ({ ...c, parameters: rescale(c.parameters) })),
        kept,
        history: training.history,
      },
    ],
    replay,
    recordedConfig: { ...config },
    warnings: training.message ? [training.message] : [],
  };
}

/**
 * The config's BN statistics policy on an ONNX graph or a layers model (model/bn-statistics.ts),
 * recorded in its architecture so the snapshot names it; "recompute" on a model without
 * BatchNormalization is refused.
 */
function withBatchNormPolicy<A extends OnnxArchitecture | LayersArchitecture>(
  arch: A,
  model: { bnStatistics: "file" | "recompute"; bnBatchSize: number },
  source: string,
): A {
  if (!hasBatchNorm(arch)) {
    if (model.bnStatistics === "recompute")
      throw new Error(
        `model.bnStatistics "recompute": ${source} has no BatchNormalization ${arch.kind === "onnx" ? "node" : "layer"} to recompute`,
      );
    return arch;
  }
  return { ...arch, batchNorm: { statistics: model.bnStatistics, batchSize: model.bnBatchSize } };
}

/** An imported model must take the data's samples and give one output per class (or target). */
function checkModelFitsData(
  arch: LayersArchitecture | OnnxArchitecture,
  dataset: Dataset,
  source: string,
): void {
  const shape = (s: readonly number[] | undefined, size: number) => (s ? `[${s.join(", ")}]` : `[${size}]`);
  if (arch.inputSize !== dataset.inputSize) {
    throw new Error(
      `${source}: the model takes ${arch.inputSize} inputs per sample (${shape(arch.inputShape, arch.inputSize)}), ` +
        `the data "${dataset.name}" have ${dataset.inputSize} (${shape(dataset.inputShape, dataset.inputSize)})`,
    );
  }
  if (arch.outputSize !== dataset.outputSize) {
    const what =
      dataset.task === "classification" ? `${dataset.outputSize} classes` : `${dataset.outputSize} targets`;
    throw new Error(
      `${source}: the model has ${arch.outputSize} outputs, the data "${dataset.name}" have ${what}`,
    );
  }
  if (
    dataset.task === "regression" &&
    (arch.kind === "onnx" ? arch.droppedOutputOp !== undefined : endsInSoftmax(arch))
  ) {
    throw new Error(
      `${source}: the model ends in a softmax, which needs classification data (its logits meet cross-entropy)`,
    );
  }
}

/**
 * Phase 2: the directions and the grid, by the config's direction method. makePlane knows no
 * method by name: it looks the method up in the registry (direction-methods.ts), checks its
 * validity rules (model kinds, 1-D or 2-D grid) and calls its maker (direction-<name>.ts, which
 * says what the method does). Every plane of a trained model carries the replay trajectories of
 * its runs (replay.ts): projected on it by least squares, or, for "pca", exact.
 *
 * @example const plane = await makePlane(config, model, { signal });
 */
export async function makePlane(
  config: ExperimentConfig,
  model: PreparedModel,
  options: PlaneOptions = {},
): Promise<PlaneSetup> {
  assertFinite(model.theta, model.layout, "model.parameters");
  const grid = configGrid(config);
  const name = config.directions.method;
  const spec = directionMethodSpec(name, options.methods);
  checkDirectionMethod(name, spec, model.arch.kind, grid.axes.length);
  return spec.make(config, model, grid, options);
}

/** The sampling problem of a prepared model and plane (what workers receive). */
export function landscapeProblem(model: PreparedModel, plane: PlaneSetup): LandscapeProblem {
  return {
    arch: model.arch,
    loss: model.loss,
    layout: model.layout,
    theta: model.theta,
    directions: plane.directions.map((d) => d.values),
    dataset: model.dataset,
    train: model.dataset.train,
    test: model.dataset.test,
  };
}
