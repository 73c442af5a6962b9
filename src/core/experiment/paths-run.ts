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
 * already trained snapshots.
 *
 * @example const { snapshot } = await runPaths(resolveConfig({ paths: { models: 2 } }), { backend: "wasm" });
 */

import { weightMatching } from "../align";
import { type PathsSettings, parsePathsSettings } from "../config/paths-settings";
import { type ExperimentConfig, requireMlpModel } from "../config/schema";
import { makeDataset } from "../data/make";
import type { Dataset } from "../data/types";
import type { LandscapeEvaluator } from "../landscape/evaluator";
import { defaultEvaluatorFor } from "../landscape/evaluators";
import { sampleLandscape } from "../landscape/surfaces";
import { initModelParameters, requireMlp } from "../model/architecture";
import { INIT_SCHEMES, type InitScheme, initParameters } from "../model/init";
import { lossKindFor } from "../model/loss";
import { makeArchitecture, mlpLayout } from "../model/mlp";
import type { Layout, LossKind, MlpArchitecture } from "../model/types";
import {
  type CurveTrainResult,
  curvePlane,
  curvePointLabels,
  evaluateCurve,
  evaluateLinearPath,
  type PathModel,
  type PathResult,
  pathSection,
  planeGrid,
  planeLandscapeProblem,
  trainCurve,
} from "../paths";
import { createRng } from "../rng";

export { type PathShape, pathPointAt } from "../paths/point";

import { snapshotDifferences } from "../snapshot/differences";
import {
  barrierRecord,
  type PathsSection,
  type SectionPath,
  type SectionPathKind,
  type SectionPathModel,
} from "../snapshot/paths-section";
import type { Snapshot } from "../snapshot/schema";
import type { TrainControl } from "../train/control";
import type { HistoryEntry } from "../train/history";
import { type TrainResult, trainModel } from "../train/train";
import { datasetFromSnapshot, type PlaneSetup, type PreparedModel } from "./prepare";
import { buildSnapshot } from "./snapshot-parts";

export type PathsPhase = "train" | "curve" | "align" | "paths" | "landscape";

export interface PathsProgress {
  phase: PathsPhase;
  done: number;
  total: number;
  /** e.g. "model 2/2 (seed 7): epoch 12/200, train loss 0.4312". */
  detail: string;
}

export interface PathsRunOptions {
  /** Name of the tfjs backend that runs, recorded in the snapshot. */
  backend: string;
  /** Absent: the fastest path for the backend (defaultEvaluatorFor). */
  evaluator?: LandscapeEvaluator;
  onProgress?: (p: PathsProgress) => void;
  signal?: AbortSignal;
  /** Clock for createdAt (tests pin it). */
  now?: () => Date;
}

export interface PathsRunResult {
  snapshot: Snapshot;
  /** Things the user should know that did not stop the run (divergence, a skipped path). */
  warnings: string[];
}

/** The model and data every path of a run is scored on. */
export interface PathsProblem extends PathModel {
  layout: Layout;
  dataset: Dataset;
}

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

/** One endpoint model: its parameters and what is known about where it came from. */
interface Endpoint {
  label: string;
  parameters: Float32Array;
  seed?: number;
  source?: string;
  /** Its initialization, when known: gives the init-to-solution path (model 1 only). */
  initial?: Float32Array;
  training?: SectionPathModel["training"];
}

const finiteOrNull = (v: number | undefined): number | null =>
  v !== undefined && Number.isFinite(v) ? v : null;

function trainingSummary(t: Omit<TrainResult, "checkpoints">): NonNullable<SectionPathModel["training"]> {
  const last = t.history.at(-1);
  const out: NonNullable<SectionPathModel["training"]> = {
    status: t.status,
    epochs: t.epochs,
    steps: t.steps,
    trainLoss: finiteOrNull(last?.trainLoss),
  };
  if (last?.trainAccuracy !== undefined) out.trainAccuracy = finiteOrNull(last.trainAccuracy);
  if (last?.testLoss !== undefined) out.testLoss = finiteOrNull(last.testLoss);
  if (last?.testAccuracy !== undefined) out.testAccuracy = finiteOrNull(last.testAccuracy);
  return out;
}

/** A scored path as a section entry: barriers with nulls, curve history as columns. */
function sectionPath(
  result: PathResult,
  kind: SectionPathKind,
  extras: {
    between?: [number, number];
    training?: CurveTrainResult;
    alignment?: ReturnType<typeof weightMatching>;
  } = {},
): SectionPath {
  const core = pathSection(result, { training: extras.training });
  const barriers: SectionPath["barriers"] = { train_loss: barrierRecord(core.barriers.train_loss) };
  for (const name of ["train_error", "test_loss", "test_error"] as const) {
    const b = core.barriers[name];
    if (b) barriers[name] = barrierRecord(b);
  }
  const out: SectionPath = {
    kind,
    bends: core.bends,
    labels: core.labels,
    points: core.points,
    t: core.t,
    values: core.values,
    barriers,
    length: core.length,
    evaluator: core.evaluator,
  };
  if (extras.between) out.between = extras.between;
  if (core.training) {
    const h = core.training.history;
    out.training = {
      status: core.training.status,
      epochs: core.training.epochs,
      steps: core.training.steps,
      settings: { ...core.training.settings },
      history: {
        epoch: h.map((e) => e.epoch),
        step: h.map((e) => e.step),
        loss: h.map((e) => finiteOrNull(e.loss)),
      },
    };
    if (core.training.message) out.training.message = core.training.message;
  }
  const al = extras.alignment;
  if (al) {
    out.alignment = {
      method: "weight-matching",
      permutations: al.permutations.map((p) => Array.from(p)),
      objective: [...al.objective],
      sweeps: al.sweeps,
      converged: al.converged,
      seed: al.seed,
    };
  }
  return out;
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toPrecision(4) : String(v));

/** The seed weight matching runs with (it only orders the coordinate-descent steps). */
export const ALIGN_SEED = 0;

interface Connected {
  section: PathsSection;
  plane: PlaneSetup;
  surfaces: Awaited<ReturnType<typeof sampleLandscape>>;
  evaluator: string;
  warnings: string[];
}

/**
 * The paths between trained endpoints, the curve's plane and its landscape (everything after
 * training; shared by runPaths and pathsFromSnapshots).
 */
async function connect(
  problem: PathsProblem,
  endpoints: Endpoint[],
  settings: PathsSettings,
  counts: [number, number],
  options: PathsRunOptions,
): Promise<Connected> {
  const { signal } = options;
  const report = options.onProgress ?? (() => {});
  const evaluator = options.evaluator ?? defaultEvaluatorFor(options.backend);
  const model: PathModel = problem;
  const warnings: string[] = [];
  const [a, b] = endpoints;
  const linearOptions = {
    min: settings.alphaRange[0],
    max: settings.alphaRange[1],
    count: settings.count,
    evaluator,
  };
  const paths: SectionPath[] = [];
  const pathCount = endpoints.length + (a.initial ? 1 : 0);
  let scored = 0;
  const scoredOne = (what: string) => {
    scored += 1;
    report({ phase: "paths", done: scored, total: pathCount, detail: what });
  };

  signal?.throwIfAborted();
  paths.push(
    sectionPath(
      evaluateLinearPath(model, a.parameters, b.parameters, { ...linearOptions, labels: [a.label, b.label] }),
      "linear",
      { between: [0, 1] },
    ),
  );
  scoredOne(`linear ${a.label} -> ${b.label}`);
  if (a.initial) {
    paths.push(
      sectionPath(
        evaluateLinearPath(model, a.initial, a.parameters, { ...linearOptions, labels: ["init", a.label] }),
        "init-to-solution",
      ),
    );
    scoredOne(`linear init -> ${a.label}`);
  }

  const curveSettings = settings.curve;
  signal?.throwIfAborted();
  const trained = await trainCurve({
    model,
    endpoints: [a.parameters, b.parameters],
    kind: curveSettings.kind,
    bends: curveSettings.bends,
    settings: {
      optimizer: curveSettings.optimizer,
      learningRate: curveSettings.learningRate,
      batchSize: curveSettings.batchSize,
      epochs: curveSettings.epochs,
      seed: curveSettings.seed,
      l2: curveSettings.l2,
    },
    signal,
    onProgress: (p) =>
      report({
        phase: "curve",
        done: p.epoch,
        total: p.epochs,
        detail: `${curveSettings.kind} ${a.label} -> ${b.label}: epoch ${p.epoch}/${p.epochs}, loss ${fmt(p.loss)}`,
      }),
  });
  if (trained.message) warnings.push(trained.message);
  const curveIndex = paths.length;
  paths.push(
    sectionPath(
      evaluateCurve(model, trained.curve, { count: settings.count, evaluator }),
      curveSettings.kind,
      {
        between: [0, 1],
        training: trained,
      },
    ),
  );
  scoredOne(`${curveSettings.kind} ${a.label} -> ${b.label}`);

  if (settings.align) {
    signal?.throwIfAborted();
    report({ phase: "align", done: 0, total: 1, detail: `weight matching ${b.label} to ${a.label}` });
    const matching = weightMatching(problem.arch, a.parameters, b.parameters, { seed: ALIGN_SEED });
    report({
      phase: "align",
      done: 1,
      total: 1,
      detail: `weight matching: ${matching.sweeps} sweeps, objective ${fmt(matching.objective[0])} -> ${fmt(matching.objective.at(-1) ?? Number.NaN)}`,
    });
    paths.push(
      sectionPath(
        evaluateLinearPath(model, a.parameters, matching.apply(b.parameters), {
          ...linearOptions,
          labels: [a.label, `${b.label} aligned`],
        }),
        "linear-aligned",
        { between: [0, 1], alignment: matching },
      ),
    );
  }
  for (let k = 2; k < endpoints.length; k++) {
    signal?.throwIfAborted();
    const e = endpoints[k];
    paths.push(
      sectionPath(
        evaluateLinearPath(model, a.parameters, e.parameters, {
          ...linearOptions,
          labels: [a.label, e.label],
        }),
        "linear",
        { between: [0, k] },
      ),
    );
    scoredOne(`linear ${a.label} -> ${e.label}`);
  }

  signal?.throwIfAborted();
  const plane = curvePlane(trained.curve, { count: settings.count, margin: settings.plane.margin });
  const grid = planeGrid(plane, counts[0], counts[1]);
  const surfaces = await sampleLandscape(planeLandscapeProblem(model, plane), grid, evaluator, {
    signal,
    onTile: (_tile, done, total) =>
      report({
        phase: "landscape",
        done,
        total,
        detail: `${done}/${total} grid points of the curve's plane`,
      }),
  });
  // A cancel that arrives with the last tile still cancels: the caller asked for no result.
  signal?.throwIfAborted();

  const labels = ["x", "y"];
  const planeSetup: PlaneSetup = {
    directions: plane.directions.map((values, i) => ({
      label: labels[i],
      method: "plane",
      normalization: "none" as const,
      bias: "include" as const,
      values: values.slice(),
    })),
    grid,
  };
  const models: SectionPathModel[] = endpoints.map((e) => {
    const m: SectionPathModel = { label: e.label, parameters: e.parameters.slice() };
    if (e.seed !== undefined) m.seed = e.seed;
    if (e.source !== undefined) m.source = e.source;
    if (e.training) m.training = e.training;
    return m;
  });
  const section: PathsSection = {
    models,
    paths,
    plane: {
      path: curveIndex,
      bendIndex: plane.bendIndex,
      landscape: true,
      normalization: "none",
      origin: plane.origin.slice(),
      directions: [plane.directions[0].slice(), plane.directions[1].slice()],
      labels: curvePointLabels(trained.curve.points.length - 2).map((l) =>
        l === "theta1" ? a.label : l === "theta2" ? b.label : l,
      ),
      points: plane.points,
      pointsOffPlane: plane.pointsOffPlane,
      curve: plane.curve,
      segment: plane.segment,
      range: { x: [...plane.range.x], y: [...plane.range.y] },
    },
  };
  return { section, plane: planeSetup, surfaces, evaluator: evaluator.name, warnings };
}

/** Grid points per plane axis: paths.plane.count, else the config's grid counts. */
function planeCounts(settings: PathsSettings, fallback: readonly number[] | null): [number, number] {
  const c = settings.plane.count;
  if (c !== undefined) return [c, c];
  if (fallback && fallback.length === 2) return [fallback[0], fallback[1]];
  throw new Error(
    "paths.plane.count: needed when the grid is 1-D (grid.y is null): the plane of a curve is 2-D",
  );
}

/** The snapshot of a connected pair: model 1 at the plane's origin, the plane's landscape, the paths section. */
function pathsSnapshot(prepared: PreparedModel, connected: Connected, options: PathsRunOptions): Snapshot {
  const snapshot = buildSnapshot({
    config: prepared.recordedConfig,
    backend: options.backend,
    createdAt: (options.now ?? (() => new Date()))(),
    model: prepared,
    plane: connected.plane,
    surfaces: connected.surfaces,
    evaluator: connected.evaluator,
  });
  snapshot.paths = connected.section;
  return snapshot;
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

export interface PathsFromSnapshotsOptions extends PathsRunOptions {
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
 * the aligned line and the plane landscape, as runPaths does after training. Throws, naming every
 * difference, when the models or data differ.
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
  const arch: MlpArchitecture = requireMlp(a.model.architecture, "paths between minima");
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
  const {
    directions: _directions,
    curvature: _curvature,
    paths: _paths,
    ...sourceConfig
  } = a.config as Record<string, unknown>;
  const recordedConfig = {
    ...sourceConfig,
    paths: connected.section.settings,
    source: {
      kind: "snapshots",
      snapshots: [a, b].map((s, k) => ({ name: names[k], createdAt: s.createdAt, producer: s.producer })),
    },
  };
  const prepared: PreparedModel = {
    ...problem,
    theta: a.model.parameters,
    recordedConfig,
    warnings: [],
  };
  const snapshot = pathsSnapshot(prepared, connected, options);
  if (a.training) snapshot.training = a.training;
  return { snapshot, warnings: [...warnings, ...connected.warnings] };
}
