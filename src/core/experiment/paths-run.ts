/**
 * Paths between minima as one experiment: train 2 to 5 models from one config (different seeds),
 * then connect model 1 with the others (linear interpolation, Goodfellow et al.'s init-to-solution
 * line, a Bezier or polychain curve trained between models 1 and 2 as in Garipov et al. 2018, and
 * the straight line to model 2 after weight matching, Ainsworth et al. 2023), sample the landscape
 * on the plane through theta1, theta2 and the curve's middle bend, and return one snapshot: the
 * model is model 1 (theta1, which is also the plane's origin), the directions are the plane's unit
 * vectors u and v (method "plane", normalization "none", bias "include"), the surfaces are the plane
 * landscape, and the `paths` section (snapshot/paths-section.ts) holds the models, the paths and
 * the plane. `connectTrainedEndpoints` does everything after training for models trained elsewhere
 * (the browser trains them in parallel workers); `pathsFromSnapshots` does the same for two
 * already trained snapshots. What all three share after training (scoring, the curve, alignment,
 * the plane and the snapshot) is paths-connect.ts.
 *
 * @example const { snapshot } = await runPaths(resolveConfig({ paths: { models: 2 } }), { backend: "wasm" });
 */

import { type PathsSettings, parsePathsSettings } from "../config/paths-settings";
import { requireMlpModel } from "../config/resolve";
import type { ExperimentConfig } from "../config/schema";
import { makeDataset } from "../data/make";
import { initModelParameters, requireMlp } from "../model/architecture";
import { INIT_SCHEMES, type InitScheme, initParameters } from "../model/init";
import { lossKindFor } from "../model/loss";
import { makeArchitecture, mlpLayout } from "../model/mlp";
import type { LossKind, MlpArchitecture } from "../model/types";
import { createRng } from "../rng";

export { type PathShape, pathPointAt } from "../paths/point";

import { snapshotDifferences } from "../snapshot/differences";
import type { SectionPathModel } from "../snapshot/paths-section";
import type { Snapshot } from "../snapshot/schema";
import type { TrainControl } from "../train/control";
import type { HistoryEntry } from "../train/history";
import { type TrainResult, trainModel } from "../train/train";
import {
  ALIGN_SEED,
  connect,
  type Endpoint,
  fmt,
  pathsSnapshot,
  planeCounts,
  trainingSummary,
} from "./paths-connect";
import { pathsBetweenOnnxModels } from "./paths-onnx";
import type { PathsProblem, PathsRunOptions, PathsRunResult } from "./paths-problem";
import { datasetFromSnapshot, type PreparedModel } from "./prepare";

export type {
  PathsPhase,
  PathsProblem,
  PathsProgress,
  PathsRunOptions,
  PathsRunResult,
} from "./paths-problem";
export { ALIGN_SEED };

/** The data and architecture of a config (the same for every model of the run). */
export function pathsProblem(config: ExperimentConfig): PathsProblem {
  const dataset = makeDataset(config.data, config.data.seed);
  const arch = makeArchitecture(
    dataset.inputSize,
    dataset.outputSize,
    requireMlpModel(config.model, "paths between minima"),
  );
  return { arch, loss: lossKindFor(dataset.task), layout: mlpLayout(arch), dataset };
}

/** The config's resolved `paths` settings, or the defaults (seeds derived from config.seed). */
export function pathsSettingsOf(config: ExperimentConfig): PathsSettings {
  return config.paths ?? parsePathsSettings({}, config.seed);
}

export interface EndpointTraining {
  seed: number;
  initial: Float32Array;
  training: TrainResult;
}

/**
 * Train one model of a paths run: initialization initParameters(arch, config.model.init,
 * createRng(seed)) and the config's training settings with minibatch seed `seed` (so one seed
 * fixes the model, as in tests/unit/paths-effect.test.ts).
 *
 * @example const m = await trainEndpoint(config, pathsProblem(config), pathsSettingsOf(config).seeds[1]);
 */
export async function trainEndpoint(
  config: ExperimentConfig,
  problem: PathsProblem,
  seed: number,
  options: {
    signal?: AbortSignal;
    control?: TrainControl;
    onEpoch?: (entry: HistoryEntry, totalEpochs: number) => void;
  } = {},
): Promise<EndpointTraining> {
  const initial = initParameters(
    problem.arch,
    requireMlpModel(config.model, "paths between minima").init,
    createRng(seed),
  );
  const training = await trainModel({
    arch: problem.arch,
    loss: problem.loss,
    dataset: problem.dataset,
    initial,
    settings: { ...config.training, seed },
    signal: options.signal,
    control: options.control,
    onEpoch: options.onEpoch,
  });
  return { seed, initial, training };
}

/**
 * Train the config's models and connect them; one snapshot with the `paths` section. Phases (in
 * onProgress): "train" (all models, one bar), "paths" (scoring), "curve" (curve training),
 * "align" (weight matching), "landscape" (the plane). Cancelling through `signal` rejects with the
 * signal's reason and leaves no tensor behind. The same config gives the same numbers.
 *
 * The models train one after the other here (the CLI); the browser trains them in parallel
 * workers and calls connectTrainedEndpoints itself, with the same numbers (each model depends on
 * its seed only).
 *
 * @example const { snapshot } = await runPaths(resolveConfig({ training: { epochs: 50 } }), { backend: "wasm" });
 */
export async function runPaths(config: ExperimentConfig, options: PathsRunOptions): Promise<PathsRunResult> {
  const settings = pathsSettingsOf(config);
  // A config that cannot give a plane fails before any training.
  planeCounts(settings, gridCounts(config));
  const problem = pathsProblem(config);
  const n = settings.models;
  const epochs = config.training.epochs;
  const trained: EndpointTraining[] = [];
  for (let k = 0; k < n; k++) {
    options.signal?.throwIfAborted();
    const seed = settings.seeds[k];
    trained.push(
      await trainEndpoint(config, problem, seed, {
        signal: options.signal,
        onEpoch: (entry) =>
          options.onProgress?.({
            phase: "train",
            done: k * epochs + entry.epoch,
            total: n * epochs,
            detail: `model ${k + 1}/${n} (seed ${seed}): epoch ${entry.epoch}/${epochs}, train loss ${fmt(entry.trainLoss)}`,
          }),
      }),
    );
  }
  return connectTrainedEndpoints(config, trained, options);
}

/**
 * A trained model of a paths run as plain data (it crosses a worker boundary): its seed, its
 * initialization and its training result. Checkpoints are left out: the snapshot records none.
 * An EndpointTraining (trainEndpoint's result) is one.
 */
export interface TrainedEndpoint {
  seed: number;
  initial: Float32Array;
  training: Omit<TrainResult, "checkpoints">;
}

/** The config's grid counts when its grid is 2-D (the plane's fallback size), else null. */
const gridCounts = (config: ExperimentConfig): [number, number] | null =>
  config.grid.y ? [config.grid.x.count, config.grid.y.count] : null;

/**
 * Everything runPaths does after training: connect the trained models of a config (model k
 * trained with seed paths.seeds[k], in that order) and build the snapshot. Model 1's training
 * (history and all) is the snapshot's `training` section; a diverged model gives a warning. The
 * models may have been trained anywhere (one worker each): given the same models, the numbers are
 * those of runPaths.
 *
 * @example const r = await connectTrainedEndpoints(config, [await trainEndpoint(config, p, s1), await trainEndpoint(config, p, s2)], { backend: "wasm" });
 */
export async function connectTrainedEndpoints(
  config: ExperimentConfig,
  trained: readonly TrainedEndpoint[],
  options: PathsRunOptions,
): Promise<PathsRunResult> {
  const settings = pathsSettingsOf(config);
  const counts = planeCounts(settings, gridCounts(config));
  if (trained.length !== settings.models) {
    throw new Error(
      `paths.models is ${settings.models} but ${trained.length} trained models were given to connect`,
    );
  }
  for (const [k, t] of trained.entries()) {
    if (t.seed !== settings.seeds[k]) {
      throw new Error(
        `model ${k + 1} was trained with seed ${t.seed} but paths.seeds[${k}] is ${settings.seeds[k]}: pass the models in the order of paths.seeds`,
      );
    }
  }
  const problem = pathsProblem(config);
  const warnings: string[] = [];
  const endpoints: Endpoint[] = trained.map((t, k) => {
    const label = `theta${k + 1}`;
    if (t.training.message) warnings.push(`model ${k + 1} (${label}): ${t.training.message}`);
    return {
      label,
      parameters: t.training.parameters,
      seed: t.seed,
      initial: k === 0 ? t.initial : undefined,
      training: trainingSummary(t.training),
    };
  });
  const connected = await connect(problem, endpoints, settings, counts, options);
  connected.section.settings = { ...settings };
  // Directions and curvature are not used here (the plane is the landscape); recording them would mislead.
  const { directions: _directions, curvature: _curvature, ...rest } = config;
  if (config.curvature)
    warnings.push("the config's curvature section is not used by paths; no curvature report");
  const prepared: PreparedModel = {
    ...problem,
    theta: endpoints[0].parameters,
    // The snapshot's training section reads no checkpoints (snapshot-parts.ts trainingSection).
    training: { ...trained[0].training, checkpoints: [] },
    recordedConfig: { ...rest, paths: settings },
    warnings: [],
  };
  return {
    snapshot: pathsSnapshot(prepared, connected, options),
    warnings: [...warnings, ...connected.warnings],
  };
}

type ConfigLike = {
  source?: unknown;
  model?: { seed?: unknown; init?: unknown };
  paths?: { seeds?: unknown };
};

/**
 * The initialization of a snapshot's model, regenerated from its recorded config (the model of a
 * `compute` snapshot starts at initParameters(arch, model.init, createRng(model.seed)); model 1 of
 * a `paths` snapshot at createRng(paths.seeds[0])). Undefined when the config does not say, or the
 * model came from another snapshot.
 */
function recordedInitial(s: Snapshot): { seed: number; initial: Float32Array } | undefined {
  const c = s.config as ConfigLike;
  if (c.source !== undefined) return undefined;
  const pathSeeds = c.paths?.seeds;
  const seed = Array.isArray(pathSeeds) ? pathSeeds[0] : c.model?.seed;
  const scheme = c.model?.init;
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) return undefined;
  if (!(INIT_SCHEMES as readonly unknown[]).includes(scheme)) return undefined;
  const initial = initModelParameters(s.model.architecture, scheme as InitScheme, createRng(seed));
  return initial.length === s.model.parameters.length ? { seed, initial } : undefined;
}

function snapshotTrainingSummary(s: Snapshot): SectionPathModel["training"] {
  const t = s.training as
    | { status?: unknown; epochs?: unknown; steps?: unknown; history?: Record<string, unknown> }
    | undefined;
  if (!t || typeof t.status !== "string" || typeof t.epochs !== "number" || typeof t.steps !== "number") {
    return undefined;
  }
  const last = (key: string): number | null => {
    const col = t.history?.[key];
    const v = Array.isArray(col) ? col.at(-1) : undefined;
    return typeof v === "number" && Number.isFinite(v) ? v : null;
  };
  const out: NonNullable<SectionPathModel["training"]> = {
    status: t.status,
    epochs: t.epochs,
    steps: t.steps,
    trainLoss: last("trainLoss"),
  };
  for (const key of ["trainAccuracy", "testLoss", "testAccuracy"] as const) {
    const v = last(key);
    if (v !== null) out[key] = v;
  }
  return out;
}

interface PathsFromSnapshotsOptions extends PathsRunOptions {
  /** Resolved settings (the `paths` part of a config); default: parsePathsSettings({}, a's seed). */
  settings?: PathsSettings;
  /** Names of the two sources for messages and the section (e.g. file names). Default A, B. */
  names?: [string, string];
  /** Plane grid counts when settings.plane.count is absent; default A's grid counts (51 x 51 for a 1-D grid). */
  planeCounts?: [number, number];
}

/**
 * The paths between the models of two snapshots with the same architecture and data: linear,
 * init-to-solution (when A's config records how its model was initialized), the trained curve,
 * the aligned line and the plane landscape, as runPaths does after training. Two snapshots of
 * model kind "onnx" go to pathsBetweenOnnxModels (paths-onnx.ts: one graph, BN running statistics
 * by policy). Throws, naming every difference, when the models or data differ.
 *
 * @example const { snapshot } = await pathsFromSnapshots(a, b, { backend: "wasm", names: ["a.json", "b.json"] });
 */
export async function pathsFromSnapshots(
  a: Snapshot,
  b: Snapshot,
  options: PathsFromSnapshotsOptions,
): Promise<PathsRunResult> {
  const names = options.names ?? ["A", "B"];
  const differences = snapshotDifferences(a, b, names);
  if (differences.length > 0) {
    throw new Error(
      `cannot connect the models of ${names[0]} and ${names[1]}: paths need the same architecture and the same data, but they differ in\n  ${differences.join("\n  ")}`,
    );
  }
  const masterSeed = typeof a.config.seed === "number" && Number.isInteger(a.config.seed) ? a.config.seed : 0;
  const settings = options.settings ?? parsePathsSettings({}, masterSeed);
  const counts = planeCounts(
    settings,
    options.planeCounts ??
      (a.grid.axes.length === 2 ? [a.grid.axes[0].count, a.grid.axes[1].count] : [51, 51]),
  );
  const sourceConfig = (paths: Record<string, unknown>) => {
    const {
      directions: _directions,
      curvature: _curvature,
      paths: _paths,
      ...rest
    } = a.config as Record<string, unknown>;
    return {
      ...rest,
      paths,
      source: {
        kind: "snapshots",
        snapshots: [a, b].map((s, k) => ({ name: names[k], createdAt: s.createdAt, producer: s.producer })),
      },
    };
  };
  const [archA, archB] = [a.model.architecture, b.model.architecture];
  if (archA.kind === "onnx" && archB.kind === "onnx") {
    // Two ONNX models of one graph (paths-onnx.ts): their own weight matching and BN statistics.
    const result = await pathsBetweenOnnxModels(
      {
        arch: archA,
        parameters: a.model.parameters,
        source: `${names[0]} (created ${a.createdAt})`,
        training: snapshotTrainingSummary(a),
      },
      {
        arch: archB,
        parameters: b.model.parameters,
        source: `${names[1]} (created ${b.createdAt})`,
        training: snapshotTrainingSummary(b),
      },
      {
        ...options,
        dataset: datasetFromSnapshot(a),
        loss: a.model.loss,
        settings,
        counts,
        names,
        recordedConfig: sourceConfig({}),
      },
    );
    if (a.training) result.snapshot.training = a.training;
    return result;
  }
  const arch: MlpArchitecture = requireMlp(archA, "paths between minima (MLPs, or two ONNX models)");
  const loss: LossKind = a.model.loss;
  const problem: PathsProblem = { arch, loss, layout: mlpLayout(arch), dataset: datasetFromSnapshot(a) };
  const warnings: string[] = [];
  const init = recordedInitial(a);
  if (!init) {
    warnings.push(
      `no init-to-solution path: ${names[0]}'s config does not record how its model was initialized`,
    );
  }
  const endpoints: Endpoint[] = [a, b].map((s, k) => ({
    label: `theta${k + 1}`,
    parameters: s.model.parameters,
    source: `${names[k]} (created ${s.createdAt})`,
    training: snapshotTrainingSummary(s),
  }));
  if (init) {
    endpoints[0].initial = init.initial;
    endpoints[0].seed = init.seed;
  }
  const connected = await connect(problem, endpoints, settings, counts, options);
  const { seeds: _seeds, models: _models, ...recordedSettings } = settings;
  connected.section.settings = { ...recordedSettings, models: 2 };
  const prepared: PreparedModel = {
    ...problem,
    theta: a.model.parameters,
    recordedConfig: sourceConfig(connected.section.settings),
    warnings: [],
  };
  const snapshot = pathsSnapshot(prepared, connected, options);
  if (a.training) snapshot.training = a.training;
  return { snapshot, warnings: [...warnings, ...connected.warnings] };
}
