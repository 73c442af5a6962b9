/**
 * The engine of a paths run, shared by its entry points in paths-run.ts (runPaths,
 * connectTrainedEndpoints, pathsFromSnapshots): given the trained endpoint models, score the
 * straight lines (theta1 to every other model, and init -> theta1 when model 1's initialization is
 * known), train the curve between models 1 and 2, align model 2 by weight matching and score the
 * aligned line, then sample the curve's plane (connect); and build the run's snapshot
 * (pathsSnapshot). Progress phases "paths", "curve", "align", "landscape". Any model kind: an MLP
 * by default; an ONNX graph (paths-onnx.ts) brings its own weight matching and, for BN running
 * statistics that follow the path, its statistics (ConnectExtras).
 */

import { weightMatching } from "../align";
import type { PathsSettings } from "../config/paths-settings";
import type { LandscapeEvaluator } from "../landscape/evaluator";
import { defaultEvaluatorFor } from "../landscape/evaluators";
import { sampleLandscape } from "../landscape/surfaces";
import { requireMlp } from "../model/architecture";
import { curvePointLabels } from "../paths/curves";
import type { PathModel } from "../paths/evaluate";
import { evaluateCurve, evaluateLinearPath, type PathResult } from "../paths/path";
import { curvePlane, planeGrid, planeLandscapeProblem } from "../paths/plane";
import {
  curveArchAt,
  curveStatistics,
  pathStatisticsEvaluator,
  planeStatisticsEvaluator,
} from "../paths/running-statistics";
import { pathSection } from "../paths/section";
import { type CurveTrainResult, trainCurve } from "../paths/train-curve";
import {
  barrierRecord,
  type PathsSection,
  type SectionAlignment,
  type SectionPath,
  type SectionPathKind,
  type SectionPathModel,
  type SectionRunningStatistics,
} from "../snapshot/paths-section";
import type { Snapshot } from "../snapshot/schema";
import type { TrainResult } from "../train/train";
import type { ConnectProblem, PathsRunOptions } from "./paths-problem";
import type { PlaneSetup, PreparedModel } from "./prepare";
import { buildSnapshot } from "./snapshot-parts";

/** One endpoint model: its parameters and what is known about where it came from. */
export interface Endpoint {
  label: string;
  parameters: Float32Array;
  seed?: number;
  source?: string;
  /** Its initialization, when known: gives the init-to-solution path (model 1 only). */
  initial?: Float32Array;
  training?: SectionPathModel["training"];
  /** Its BN running statistics (statisticsOf), when they follow the path (ConnectExtras.statistics). */
  statistics?: Float32Array;
}

/** Model B aligned to model A: its permuted parameters (and statistics) and the section's record. */
interface Aligned {
  parameters: Float32Array;
  statistics?: Float32Array;
  alignment: SectionAlignment;
  /** For the progress line, e.g. "weight matching: 2 sweeps, objective 12.1 -> 31". */
  detail: string;
}

/**
 * What connect needs beyond an MLP: the model's own weight matching (default: the MLP's), and how
 * BN running statistics are taken along the paths (absent: the problem's graph at every point).
 */
interface ConnectExtras {
  align?: (a: Endpoint, b: Endpoint) => Aligned;
  statistics?: {
    record: SectionRunningStatistics;
    /** Policy "interpolated": every endpoint has `statistics` and each point gets its own (running-statistics.ts). */
    interpolate: boolean;
  };
}

/** The section's record of a weight matching (MLP, or an ONNX graph's spec with its group names). */
export function alignmentRecord(
  m: Pick<ReturnType<typeof weightMatching>, "permutations" | "objective" | "sweeps" | "converged" | "seed">,
  groups?: { name: string; size: number }[],
): SectionAlignment {
  const record: SectionAlignment = {
    method: "weight-matching",
    permutations: m.permutations.map((p) => Array.from(p)),
    objective: [...m.objective],
    sweeps: m.sweeps,
    converged: m.converged,
    seed: m.seed,
  };
  if (groups) record.groups = groups.map((g) => ({ name: g.name, size: g.size }));
  return record;
}

const finiteOrNull = (v: number | undefined): number | null =>
  v !== undefined && Number.isFinite(v) ? v : null;

export function trainingSummary(
  t: Omit<TrainResult, "checkpoints">,
): NonNullable<SectionPathModel["training"]> {
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
    alignment?: SectionAlignment;
    statistics?: Float32Array[];
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
  if (extras.alignment) out.alignment = extras.alignment;
  if (extras.statistics) out.statistics = extras.statistics.map((v) => v.slice());
  return out;
}

export const fmt = (v: number) => (Number.isFinite(v) ? v.toPrecision(4) : String(v));

/** The seed weight matching runs with (it only orders the coordinate-descent steps). */
export const ALIGN_SEED = 0;

interface Connected {
  section: PathsSection;
  plane: PlaneSetup;
  surfaces: Awaited<ReturnType<typeof sampleLandscape>>;
  evaluator: string;
  warnings: string[];
}

/** The MLP's weight matching (align/weight-matching.ts). */
function mlpAligner(problem: ConnectProblem): (a: Endpoint, b: Endpoint) => Aligned {
  return (a, b) => {
    const arch = requireMlp(problem.arch, "weight matching of paths (without an aligner)");
    const m = weightMatching(arch, a.parameters, b.parameters, { seed: ALIGN_SEED });
    return {
      parameters: m.apply(b.parameters),
      alignment: alignmentRecord(m),
      detail: `weight matching: ${m.sweeps} sweeps, objective ${fmt(m.objective[0])} -> ${fmt(m.objective.at(-1) ?? Number.NaN)}`,
    };
  };
}

/**
 * The paths between trained endpoints, the curve's plane and its landscape (everything after
 * training; shared by runPaths, pathsFromSnapshots and pathsBetweenOnnxModels).
 */
export async function connect(
  problem: ConnectProblem,
  endpoints: Endpoint[],
  settings: PathsSettings,
  counts: [number, number],
  options: PathsRunOptions,
  extras: ConnectExtras = {},
): Promise<Connected> {
  const { signal } = options;
  const report = options.onProgress ?? (() => {});
  const evaluator = options.evaluator ?? defaultEvaluatorFor(options.backend, problem.arch.kind);
  const model: PathModel = problem;
  const warnings: string[] = [];
  const [a, b] = endpoints;
  const interpolate = extras.statistics?.interpolate === true && problem.arch.kind === "onnx";
  const names = extras.statistics?.record.names ?? [];
  /** The statistics of the points [from, ...bends, to] when they follow the path, else undefined. */
  const statsOf = (
    from: Endpoint,
    to: { statistics?: Float32Array },
    bends = 0,
  ): Float32Array[] | undefined => {
    if (!interpolate) return undefined;
    if (!from.statistics || !to.statistics)
      throw new Error("interpolated running statistics need every model's");
    return curveStatistics(from.statistics, to.statistics, bends);
  };
  /** The evaluator of a path through points with these statistics. */
  const evaluatorOf = (stats: Float32Array[] | undefined): LandscapeEvaluator =>
    stats ? pathStatisticsEvaluator(evaluator, names, stats) : evaluator;
  const linearOptions = (stats: Float32Array[] | undefined) => ({
    min: settings.alphaRange[0],
    max: settings.alphaRange[1],
    count: settings.count,
    evaluator: evaluatorOf(stats),
  });
  const paths: SectionPath[] = [];
  const pathCount = endpoints.length + (a.initial ? 1 : 0);
  let scored = 0;
  const scoredOne = (what: string) => {
    scored += 1;
    report({ phase: "paths", done: scored, total: pathCount, detail: what });
  };

  signal?.throwIfAborted();
  const lineStats = statsOf(a, b);
  paths.push(
    sectionPath(
      evaluateLinearPath(model, a.parameters, b.parameters, {
        ...linearOptions(lineStats),
        labels: [a.label, b.label],
      }),
      "linear",
      { between: [0, 1], statistics: lineStats },
    ),
  );
  scoredOne(`linear ${a.label} -> ${b.label}`);
  if (a.initial) {
    // The initialization has no statistics of its own: model 1's along this line.
    const initStats = statsOf(a, a);
    paths.push(
      sectionPath(
        evaluateLinearPath(model, a.initial, a.parameters, {
          ...linearOptions(initStats),
          labels: ["init", a.label],
        }),
        "init-to-solution",
        { statistics: initStats },
      ),
    );
    scoredOne(`linear init -> ${a.label}`);
  }

  const curveSettings = settings.curve;
  const curveStats = statsOf(a, b, curveSettings.bends);
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
    archAt:
      curveStats && problem.arch.kind === "onnx" ? curveArchAt(problem.arch, names, curveStats) : undefined,
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
      evaluateCurve(model, trained.curve, { count: settings.count, evaluator: evaluatorOf(curveStats) }),
      curveSettings.kind,
      {
        between: [0, 1],
        training: trained,
        statistics: curveStats,
      },
    ),
  );
  scoredOne(`${curveSettings.kind} ${a.label} -> ${b.label}`);

  if (settings.align) {
    signal?.throwIfAborted();
    report({ phase: "align", done: 0, total: 1, detail: `weight matching ${b.label} to ${a.label}` });
    const aligned = (extras.align ?? mlpAligner(problem))(a, b);
    report({ phase: "align", done: 1, total: 1, detail: aligned.detail });
    const alignedStats = statsOf(a, aligned);
    paths.push(
      sectionPath(
        evaluateLinearPath(model, a.parameters, aligned.parameters, {
          ...linearOptions(alignedStats),
          labels: [a.label, `${b.label} aligned`],
        }),
        "linear-aligned",
        { between: [0, 1], alignment: aligned.alignment, statistics: alignedStats },
      ),
    );
  }
  for (let k = 2; k < endpoints.length; k++) {
    signal?.throwIfAborted();
    const e = endpoints[k];
    const stats = statsOf(a, e);
    paths.push(
      sectionPath(
        evaluateLinearPath(model, a.parameters, e.parameters, {
          ...linearOptions(stats),
          labels: [a.label, e.label],
        }),
        "linear",
        { between: [0, k], statistics: stats },
      ),
    );
    scoredOne(`linear ${a.label} -> ${e.label}`);
  }

  signal?.throwIfAborted();
  const plane = curvePlane(trained.curve, { count: settings.count, margin: settings.plane.margin });
  const grid = planeGrid(plane, counts[0], counts[1]);
  // theta2 sits at (|theta2 - theta1|, 0): the plane's statistics follow x along the segment.
  const planeEvaluator =
    interpolate && a.statistics && b.statistics
      ? planeStatisticsEvaluator(
          evaluator,
          names,
          [a.statistics, b.statistics],
          plane.points[plane.points.length - 2],
        )
      : evaluator;
  const surfaces = await sampleLandscape(planeLandscapeProblem(model, plane), grid, planeEvaluator, {
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
    ...(extras.statistics ? { runningStatistics: { ...extras.statistics.record } } : {}),
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
export function planeCounts(settings: PathsSettings, fallback: readonly number[] | null): [number, number] {
  const c = settings.plane.count;
  if (c !== undefined) return [c, c];
  if (fallback && fallback.length === 2) return [fallback[0], fallback[1]];
  throw new Error(
    "paths.plane.count: needed when the grid is 1-D (grid.y is null): the plane of a curve is 2-D",
  );
}

/** The snapshot of a connected pair: model 1 at the plane's origin, the plane's landscape, the paths section. */
export function pathsSnapshot(
  prepared: PreparedModel,
  connected: Connected,
  options: PathsRunOptions,
): Snapshot {
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
