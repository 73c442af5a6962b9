import { configGrid, type ExperimentConfig } from "../config/schema";
import { type DataReaders, loadDataset } from "../data/files";
import type { ReadBytes } from "../data/shipped";
import type { Dataset } from "../data/types";
import { hessianDirections, isHessianMethod } from "../directions/hessian";
import { rangeAround, trajectoryPca } from "../directions/pca";
import { randomDirection } from "../directions/random";
import { assertGrid, type Grid } from "../landscape/grid";
import type { LandscapeProblem } from "../landscape/surfaces";
import { initModelParameters, type ModelArchitecture, modelLayout, requireMlp } from "../model/architecture";
import { endsInSoftmax, type LayersArchitecture } from "../model/layers";
import { imageShape, makeCnnArchitecture } from "../model/layers-cnn";
import { type ImportedLayersModel, loadLayersModel } from "../model/layers-import";
import { assertFinite } from "../model/layout";
import { lossKindFor } from "../model/loss";
import { makeArchitecture } from "../model/mlp";
import { rescaleParameters } from "../model/rescale";
import type { Layout, LossKind } from "../model/types";
import { createRng } from "../rng";
import type { Snapshot } from "../snapshot/schema";
import type { TrainControl } from "../train/control";
import { type HistoryEntry, type TrainResult, trainModel } from "../train/train";

export interface ExperimentProgress {
  /** "directions": the Hessian eigenvectors of a hessian plane; "curvature": the config's curvature report. */
  phase: "train" | "directions" | "landscape" | "curvature";
  done: number;
  total: number;
  /** e.g. "epoch 12/100, train loss 0.4312". */
  detail: string;
}

/** The model at the centre of the landscape and where it came from. */
export interface PreparedModel {
  /** Any model kind; the Hessian directions and the curvature report need an MLP. */
  arch: ModelArchitecture;
  loss: LossKind;
  layout: Layout;
  dataset: Dataset;
  theta: Float32Array;
  training?: TrainResult;
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
  if (model.kind === "layers") {
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
  const training = await trainModel({
    arch,
    loss,
    dataset,
    initial,
    settings: config.training,
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
  return {
    arch,
    loss,
    layout: modelLayout(arch),
    dataset,
    // Applied after training, before the directions: the same function at rescaled parameters.
    theta: config.rescale
      ? rescaleParameters(requireMlp(arch, "rescale"), training.parameters, config.rescale)
      : training.parameters,
    training,
    recordedConfig: { ...config },
    warnings: training.message ? [training.message] : [],
  };
}

/** An imported model must take the data's samples and give one output per class (or target). */
function checkModelFitsData(arch: LayersArchitecture, dataset: Dataset, source: string): void {
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
  if (dataset.task === "regression" && endsInSoftmax(arch)) {
    throw new Error(
      `${source}: the model ends in a softmax, which needs classification data (its logits meet cross-entropy)`,
    );
  }
}

/** The optimizer's path projected on a PCA plane, as written into the snapshot's trajectory section. */
export interface Trajectory {
  method: "pca";
  explained: [number, number];
  epochs: number[];
  steps: number[];
  /** [n, 2] row-major plane coordinates of the checkpoints. */
  coords: Float32Array;
  /** True training loss at each checkpoint. */
  loss: Float32Array;
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
 * training loss at theta (directions/hessian.ts; normalization "none", so coordinates are
 * distances in parameter space), each direction carrying its eigenvalue, on the config's grid.
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
    const mlp = requireMlp(model.arch, `directions.method ${method}`);
    const seed = config.directions.seeds[0];
    const settings = { ...config.directions.hessian, seed };
    const budget = (settings.maxIterations ?? 100) * (grid.axes.length + (method === "hessian-top2" ? 0 : 1));
    const r = await hessianDirections(
      { arch: mlp, loss: model.loss, theta, dataset: model.dataset, train: model.dataset.train },
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
    };
  }
  if (config.directions.method === "pca") {
    const t = model.training;
    if (!t || t.checkpoints.length < 3) {
      throw new Error(
        "directions.method pca needs a training run with at least 3 checkpoints (set training.checkpointEvery)",
      );
    }
    if (grid.axes.length !== 2)
      throw new Error("directions.method pca needs a 2-D grid (grid.y must not be null)");
    const pca = trajectoryPca(
      t.checkpoints.map((c) => c.parameters),
      theta,
      layout,
      config.directions.bias === "zero",
    );
    const range = rangeAround(pca.coords);
    grid.axes[0] = { ...grid.axes[0], min: range.x[0], max: range.x[1] };
    grid.axes[1] = { ...grid.axes[1], min: range.y[0], max: range.y[1] };
    const byEpoch = new Map(t.history.map((h) => [h.epoch, h.trainLoss]));
    return {
      directions: pca.directions.map((values, i) => ({
        label: labels[i],
        method: "pca",
        normalization: "none" as const,
        bias: config.directions.bias,
        values,
      })),
      grid,
      trajectory: {
        method: "pca",
        explained: pca.explained,
        epochs: t.checkpoints.map((c) => c.epoch),
        steps: t.checkpoints.map((c) => c.step),
        coords: pca.coords,
        loss: Float32Array.from(t.checkpoints, (c) => byEpoch.get(c.epoch) ?? Number.NaN),
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
  return { directions, grid };
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
