import { configGrid } from "../config/resolve";
import type { ExperimentConfig } from "../config/schema";
import { hessianDirections, isHessianMethod } from "../curvature/hessian-directions";
import { type DataReaders, loadDataset } from "../data/files";
import type { ReadBytes } from "../data/shipped";
import type { Dataset } from "../data/types";
import { rangeAround, trajectoryPca } from "../directions/pca";
import { randomDirection } from "../directions/random";
import { assertGrid, type Grid } from "../landscape/grid";
import type { LandscapeProblem } from "../landscape/surfaces";
import { initModelParameters, type ModelArchitecture, modelLayout, requireMlp } from "../model/architecture";
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
import type { ExperimentProgress } from "./progress";
import { trainRace } from "./race";
import {
  parametersFit,
  type ReplayPlan,
  type ReplayRun,
  replayPlan,
  splitCheckpoints,
  type TrajectoryRun,
  trajectoryRuns,
} from "./replay";

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
    arch = imported.arch;
    if (!model.train) {
      return {
        arch,
        loss,
        layout: modelLayout(arch),
        dataset,
        theta: imported.parameters,
        recordedConfig: { ...config },
        warnings: imported.notes,
      };
    }
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
    arch = imported.arch;
    if (!model.train) {
      // The imported weights are the centre, as with `from`: no training.
      return {
        arch,
        loss,
        layout: modelLayout(arch),
        dataset,
        theta: imported.parameters,
        recordedConfig: { ...config },
        warnings: [],
      };
    }
    initial = imported.parameters;
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
 * The trained runs' paths relative to the landscape's plane, as written into the snapshot's
 * trajectory section (snapshot/trajectory-section.ts).
 */
export interface Trajectory {
  /**
   * "pca": the plane is the PCA plane of the checkpoints themselves (orthonormal directions, the
   * coordinates are exact projections); "projection": the plane came from elsewhere (random or
   * Hessian directions) and the checkpoints are projected on it by least squares.
   */
  method: "pca" | "projection";
  /** PCA: the fraction of the checkpoints' variance each axis explains. */
  explained?: [number, number];
  /**
   * PCA, as earlier versions wrote it: run 1's checkpoints among those the plane was computed
   * from (every training.checkpointEvery epochs; a race's PCA takes those of every run), their
   * [n, 2] row-major plane coordinates and true training losses.
   */
  pca?: { epochs: number[]; steps: number[]; coords: Float32Array; loss: Float32Array };
  /** Every run's replay trajectory (replay.ts). */
  runs: TrajectoryRun[];
  /** The replay rule that chose the checkpoints, and whether their parameters are stored. */
  replay: { plan: ReplayPlan; parametersStored: boolean };
  /** A race: the initialization every run started from. */
  initial?: Float32Array;
}

export interface PlaneSetup {
  directions: Snapshot["directions"];
  grid: Grid;
  trajectory?: Trajectory;
}

export interface PlaneOptions {
  /** Aborts the Hessian solvers (the other methods are quick and synchronous). */
  signal?: AbortSignal;
  /** Progress of the Hessian solvers (phase "directions"). */
  onProgress?: (p: ExperimentProgress) => void;
}

/**
 * Phase 2: the directions and the grid. "random": Gaussian directions normalized as the config
 * says, on the config's grid. "pca": the plane of the training trajectory (unit directions, so
 * normalization "none"), with the grid ranges fitted around the projected path (the counts come
 * from the config). "hessian-top2" / "hessian-top-bottom": unit Hessian eigenvectors of the
 * training loss at theta (curvature/hessian-directions.ts; normalization "none", so coordinates are
 * distances in parameter space), each direction carrying its eigenvalue, on the config's grid.
 * A race's PCA plane is that of every run's checkpoints together, around run 1's end point, and
 * its grid holds every run's replay path. Every plane of a trained model carries the replay
 * trajectories of its runs (replay.ts), projected on it by least squares.
 *
 * @example const plane = await makePlane(config, model, { signal });
 */
export async function makePlane(
  config: ExperimentConfig,
  model: PreparedModel,
  options: PlaneOptions = {},
): Promise<PlaneSetup> {
  const { theta, layout } = model;
  assertFinite(theta, layout, "model.parameters");
  const grid = configGrid(config);
  const labels = ["x", "y"];
  const method = config.directions.method;
  if (isHessianMethod(method)) {
    // MLPs and ONNX models (whose interpreter differentiates twice); tfjs layers models are refused.
    const arch =
      model.arch.kind === "onnx" ? model.arch : requireMlp(model.arch, `directions.method ${method}`);
    const seed = config.directions.seeds[0];
    const settings = { ...config.directions.hessian, seed };
    const budget = (settings.maxIterations ?? 100) * (grid.axes.length + (method === "hessian-top2" ? 0 : 1));
    const r = await hessianDirections(
      { arch, loss: model.loss, theta, dataset: model.dataset, train: model.dataset.train },
      method,
      grid.axes.length,
      settings,
      {
        signal: options.signal,
        onProgress: (done, estimate) =>
          options.onProgress?.({
            phase: "directions",
            done: Math.min(done, budget),
            total: budget,
            detail: `Hessian eigenvectors: ${done} H v products, estimate ${estimate.toPrecision(4)}`,
          }),
      },
    );
    return {
      directions: r.directions.map((d, i) => ({
        label: labels[i],
        method: "hessian",
        normalization: "none" as const,
        bias: "include" as const,
        seed,
        which: d.which,
        eigenvalue: d.eigenvalue,
        residual: d.residual,
        iterations: d.iterations,
        converged: d.converged,
        samples: r.samples,
        values: d.values,
      })),
      grid,
      ...withTrajectory(
        replayTrajectory(
          model,
          r.directions.map((d) => d.values),
          "projection",
        ),
      ),
    };
  }
  if (config.directions.method === "pca") {
    if (grid.axes.length !== 2)
      throw new Error("directions.method pca needs a 2-D grid (grid.y must not be null)");
    const race = model.initial !== undefined && model.runs !== undefined;
    // The config's checkpoints (every training.checkpointEvery epochs, Li et al.): of the run, or
    // of every run of a race together (the Gram matrix of PCA grows with their square).
    const source = race ? (model.runs ?? []).flatMap((r) => r.kept) : (model.training?.checkpoints ?? []);
    if (!model.training || source.length < 3) {
      throw new Error(
        "directions.method pca needs a training run with at least 3 checkpoints (set training.checkpointEvery)",
      );
    }
    const pca = trajectoryPca(
      source.map((c) => c.parameters),
      theta,
      layout,
      config.directions.bias === "zero",
    );
    const values = pca.directions;
    const trajectory = replayTrajectory(model, values, "pca");
    // As earlier versions wrote it: run 1's checkpoints among those the plane came from.
    const t = model.training;
    const byEpoch = new Map(t.history.map((h) => [h.epoch, h.trainLoss]));
    const legacy: NonNullable<Trajectory["pca"]> = {
      epochs: t.checkpoints.map((c) => c.epoch),
      steps: t.checkpoints.map((c) => c.step),
      coords: pca.coords.slice(0, 2 * t.checkpoints.length),
      loss: Float32Array.from(t.checkpoints, (c) => byEpoch.get(c.epoch) ?? Number.NaN),
    };
    // A race's grid holds every run's path; a single run's, as before, the checkpoints of its PCA.
    const range = race && trajectory ? rangeAround(runCoords(trajectory.runs)) : rangeAround(pca.coords);
    grid.axes[0] = { ...grid.axes[0], min: range.x[0], max: range.x[1] };
    grid.axes[1] = { ...grid.axes[1], min: range.y[0], max: range.y[1] };
    return {
      directions: values.map((v, i) => ({
        label: labels[i],
        method: "pca",
        normalization: "none" as const,
        bias: config.directions.bias,
        values: v,
      })),
      grid,
      trajectory: {
        ...(trajectory ?? { method: "pca", runs: [], replay: replayRecord(model, false) }),
        explained: pca.explained,
        pca: legacy,
      },
    };
  }
  const directions = config.directions.seeds.map((seed, i) => ({
    label: labels[i],
    method: "random",
    normalization: config.directions.normalization,
    bias: config.directions.bias,
    seed,
    values: randomDirection(theta, layout, { ...config.directions, seed }),
  }));
  const trajectory = replayTrajectory(
    model,
    directions.map((d) => d.values),
    "projection",
  );
  return { directions, grid, ...withTrajectory(trajectory) };
}

/** `{ trajectory }` when there is one, else nothing (so that the key is absent, not undefined). */
function withTrajectory(trajectory: Trajectory | undefined): { trajectory?: Trajectory } {
  return trajectory ? { trajectory } : {};
}

/** The replay rule as recorded, with whether the parameters were stored. */
function replayRecord(model: PreparedModel, parametersStored: boolean): Trajectory["replay"] {
  const plan = model.replay?.plan ?? { maxCheckpoints: 0, every: 0, trainEvery: 0 };
  return { plan, parametersStored };
}

/**
 * Every trained run's replay checkpoints on the plane theta + span(directions) (replay.ts), or
 * undefined when nothing was trained (a model taken from a snapshot, imported weights, zero epochs).
 */
function replayTrajectory(
  model: PreparedModel,
  directions: readonly Float32Array[],
  method: Trajectory["method"],
): Trajectory | undefined {
  const runs = model.runs;
  if (!runs || !model.replay) return undefined;
  if (model.initial === undefined && runs.every((r) => r.checkpoints.length < 2)) return undefined;
  const store = model.replay.storeParameters && parametersFit(runs, model.theta.length);
  const trajectory: Trajectory = {
    method,
    runs: trajectoryRuns(runs, model.theta, directions, store),
    replay: replayRecord(model, store),
  };
  if (model.initial) trajectory.initial = model.initial;
  return trajectory;
}

/** [n, 2] row-major plane coordinates of every checkpoint of every run (2-D runs). */
function runCoords(runs: readonly TrajectoryRun[]): Float32Array {
  const n = runs.reduce((k, r) => k + r.x.length, 0);
  const out = new Float32Array(n * 2);
  let i = 0;
  for (const r of runs) {
    r.x.forEach((x, j) => {
      out[2 * i] = x;
      out[2 * i + 1] = r.y?.[j] ?? 0;
      i++;
    });
  }
  return out;
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
