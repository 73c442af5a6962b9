/**
 * Replayable trajectories: which checkpoints a training run keeps so that a replay of it looks
 * smooth, and where each checkpoint lies relative to the landscape's plane.
 *
 * The rule (README, "Snapshot format", trajectory): a run keeps its parameters at epoch 0, every
 * `every` epochs and at its last epoch, at most N checkpoints (N = the config's
 * trajectory.checkpoints, default 200; lowered so that all runs together hold at most
 * REPLAY_HELD_FLOATS parameter values while they train). Short runs (epochs + 1 <= N) keep every
 * epoch, and with full-batch training an epoch is one optimizer step, so those replay every step.
 * Longer runs keep every r-th epoch, r = ceil(epochs / (N - 2)), rounded up to a divisor or a
 * multiple of training.checkpointEvery so that the training keeps one set of checkpoints serving
 * both the replay and the config's own checkpoints (the PCA plane's).
 *
 * @example const plan = replayPlan({ epochs: 400, checkpointEvery: 10, parameters: 4482, runs: 1 }); // every 5
 */
import type { Checkpoint, HistoryEntry, TrainResult } from "../train/train";

/** Replay checkpoints per run when the config does not say (trajectory.checkpoints). */
export const DEFAULT_REPLAY_CHECKPOINTS = 200;

/**
 * Parameter values all runs may hold in replay checkpoints while they train (8,388,608 floats,
 * 32 MiB): a model too large for N checkpoints of every run keeps fewer.
 */
const REPLAY_HELD_FLOATS = 2 ** 23;

/**
 * Parameter values the trajectory section may store (524,288 floats, 2 MiB of float32): the
 * checkpoints' parameters are written only when all runs' replay checkpoints together fit.
 */
export const REPLAY_STORED_FLOATS = 2 ** 19;

export interface ReplayPlan {
  /** At most this many replay checkpoints per run (after the memory bound). */
  maxCheckpoints: number;
  /** Replay checkpoints at epoch 0, every `every` epochs and the last epoch. */
  every: number;
  /** The checkpoint interval the training runs with: every checkpoint either set needs. */
  trainEvery: number;
}

interface ReplayPlanArgs {
  epochs: number;
  /** The config's training.checkpointEvery (0: start and end only). */
  checkpointEvery: number;
  /** Length of the flat parameter vector. */
  parameters: number;
  /** Runs trained (a race trains several). */
  runs: number;
  /** The config's trajectory.checkpoints (default DEFAULT_REPLAY_CHECKPOINTS). */
  checkpoints?: number;
}

/** The smallest divisor of n that is >= k (n itself at worst). */
function divisorAtLeast(n: number, k: number): number {
  for (let d = Math.max(1, k); d < n; d++) if (n % d === 0) return d;
  return n;
}

/**
 * The replay interval of a run and the checkpoint interval to train with (see the module comment).
 *
 * @example replayPlan({ epochs: 100, checkpointEvery: 10, parameters: 354, runs: 4 }) // { maxCheckpoints: 200, every: 1, trainEvery: 1 }
 */
export function replayPlan(args: ReplayPlanArgs): ReplayPlan {
  const wanted = args.checkpoints ?? DEFAULT_REPLAY_CHECKPOINTS;
  if (!Number.isInteger(wanted) || wanted < 2)
    throw new Error(`trajectory.checkpoints must be an integer >= 2, got ${wanted}`);
  const perRun = Math.floor(REPLAY_HELD_FLOATS / Math.max(1, args.parameters * args.runs));
  const maxCheckpoints = Math.max(2, Math.min(wanted, perRun));
  const epochs = Math.max(0, args.epochs);
  let every =
    epochs + 1 <= maxCheckpoints
      ? 1
      : maxCheckpoints <= 2
        ? epochs
        : Math.ceil(epochs / (maxCheckpoints - 2));
  every = Math.max(1, every);
  const c = args.checkpointEvery;
  if (c <= 0) return { maxCheckpoints, every, trainEvery: every };
  if (every <= c) {
    every = divisorAtLeast(c, every);
    return { maxCheckpoints, every, trainEvery: every };
  }
  every = c * Math.ceil(every / c);
  return { maxCheckpoints, every, trainEvery: c };
}

/**
 * Splits a training's checkpoints (taken every plan.trainEvery epochs) into the config's own set
 * (epoch 0, every checkpointEvery epochs, the end of a completed run: what trainModel keeps with
 * the config's settings) and the replay set (epoch 0, every plan.every epochs and the last one).
 */
export function splitCheckpoints(
  training: Pick<TrainResult, "checkpoints" | "status" | "epochs">,
  checkpointEvery: number,
  plan: ReplayPlan,
): { kept: Checkpoint[]; replay: Checkpoint[] } {
  const all = training.checkpoints;
  const last = all.length - 1;
  const atEnd = (i: number) =>
    i === last && training.status === "completed" && all[i].epoch === training.epochs;
  const kept = all.filter(
    (ck, i) => ck.epoch === 0 || (checkpointEvery > 0 && ck.epoch % checkpointEvery === 0) || atEnd(i),
  );
  const replay = all.filter((ck, i) => ck.epoch === 0 || ck.epoch % plan.every === 0 || i === last);
  return { kept, replay };
}

/** Each point's least-squares coordinates in the plane through `origin` and its distance from it. */
interface PlaneProjection {
  /** One array per direction: the coordinates of every point. */
  coords: Float64Array[];
  /** || (p - origin) - sum_k c_k d_k ||: the distance from the plane (or line). */
  offPlane: Float64Array;
}

/**
 * Projects points onto the affine plane (or line) origin + span(directions). The coordinates c
 * minimize || (p - origin) - sum_k c_k d_k || (least squares: G c = D^T (p - origin) with the
 * 2 x 2 Gram matrix G of the directions), which for orthonormal directions (PCA, Hessian) is the
 * plain dot product and for the non-orthogonal, non-unit random directions is the nearest point
 * of the plane. Parallel or zero directions (G singular) give the coordinate along the longer one
 * and 0 along the other. Sums in float64.
 *
 * @example const { coords, offPlane } = projectOntoPlane(points, theta, [dx, dy]);
 */
export function projectOntoPlane(
  points: readonly Float32Array[],
  origin: Float32Array,
  directions: readonly Float32Array[],
): PlaneProjection {
  const k = directions.length;
  if (k < 1 || k > 2) throw new Error(`a plane has 1 or 2 directions, got ${k}`);
  const n = origin.length;
  for (const [i, d] of directions.entries()) {
    if (d.length !== n) throw new Error(`direction ${i} has ${d.length} values, the origin has ${n}`);
  }
  const dot = (a: Float32Array, b: Float32Array) => {
    let s = 0;
    for (let j = 0; j < n; j++) s += a[j] * b[j];
    return s;
  };
  const g11 = dot(directions[0], directions[0]);
  const g22 = k === 2 ? dot(directions[1], directions[1]) : 0;
  const g12 = k === 2 ? dot(directions[0], directions[1]) : 0;
  const det = g11 * g22 - g12 * g12;
  const full = k === 2 && det > 1e-12 * g11 * g22 && det > 0;
  const coords = directions.map(() => new Float64Array(points.length));
  const offPlane = new Float64Array(points.length);
  const m = new Float64Array(n);
  points.forEach((p, i) => {
    if (p.length !== n) throw new Error(`point ${i} has ${p.length} values, the origin has ${n}`);
    let b1 = 0;
    let b2 = 0;
    for (let j = 0; j < n; j++) {
      const v = p[j] - origin[j];
      m[j] = v;
      b1 += directions[0][j] * v;
      if (k === 2) b2 += directions[1][j] * v;
    }
    let c1 = 0;
    let c2 = 0;
    if (full) {
      c1 = (g22 * b1 - g12 * b2) / det;
      c2 = (g11 * b2 - g12 * b1) / det;
    } else if (g11 > 0 && g11 >= g22) {
      c1 = b1 / g11;
    } else if (g22 > 0) {
      c2 = b2 / g22;
    }
    let r2 = 0;
    for (let j = 0; j < n; j++) {
      const r = m[j] - c1 * directions[0][j] - (k === 2 ? c2 * directions[1][j] : 0);
      r2 += r * r;
    }
    coords[0][i] = c1;
    if (k === 2) coords[1][i] = c2;
    offPlane[i] = Math.sqrt(r2);
  });
  return { coords, offPlane };
}

/** How a race run was trained and where it ended (absent for a single run). */
export interface RunFinal {
  status: "completed" | "diverged";
  message?: string;
  epochs: number;
  steps: number;
  trainLoss: number;
  trainAccuracy?: number;
  testLoss?: number;
  testAccuracy?: number;
  /** lambda_max of the training loss (plus weight decay) at the run's end point; NaN when not finite. */
  lambdaMax: number;
  /** Hessian-vector products the power iteration spent, and whether it met its tolerance. */
  lambdaMaxIterations: number;
  lambdaMaxConverged: boolean;
}

/** One trained run as the plane sees it: its replay checkpoints and its history. */
export interface ReplayRun {
  label: string;
  /** The replay checkpoints. */
  checkpoints: Checkpoint[];
  /** The config's own checkpoints (every training.checkpointEvery epochs): a race's PCA plane uses them. */
  kept: Checkpoint[];
  history: HistoryEntry[];
  /** Race runs: the optimizer settings the run trained with (everything else is the config's training). */
  settings?: Record<string, unknown>;
  final?: RunFinal;
}

/** A run's replay trajectory on the plane, as the trajectory section stores it. */
export interface TrajectoryRun {
  label: string;
  epochs: number[];
  steps: number[];
  x: Float64Array;
  /** Absent for a 1-D landscape. */
  y?: Float64Array;
  offPlane: Float64Array;
  /** Training loss (and accuracy, for classification) at each checkpoint, from the run's history. */
  loss: Float64Array;
  accuracy?: Float64Array;
  /** The checkpoints' parameters, when they fit REPLAY_STORED_FLOATS (and trajectory.parameters is not false). */
  parameters?: Float32Array[];
  settings?: Record<string, unknown>;
  final?: RunFinal;
}

/**
 * Every run's replay checkpoints projected on the plane through `origin` spanned by `directions`,
 * with the training loss and accuracy of each checkpoint (the run's history at that epoch) and,
 * when `storeParameters`, the checkpoints' parameters.
 *
 * @example const runs = trajectoryRuns(model.runs, theta, directions.map((d) => d.values), true);
 */
export function trajectoryRuns(
  runs: readonly ReplayRun[],
  origin: Float32Array,
  directions: readonly Float32Array[],
  storeParameters: boolean,
): TrajectoryRun[] {
  return runs.map((run) => {
    const { coords, offPlane } = projectOntoPlane(
      run.checkpoints.map((c) => c.parameters),
      origin,
      directions,
    );
    const byEpoch = new Map(run.history.map((h) => [h.epoch, h]));
    const column = (key: "trainLoss" | "trainAccuracy") =>
      Float64Array.from(run.checkpoints, (c) => byEpoch.get(c.epoch)?.[key] ?? Number.NaN);
    const out: TrajectoryRun = {
      label: run.label,
      epochs: run.checkpoints.map((c) => c.epoch),
      steps: run.checkpoints.map((c) => c.step),
      x: coords[0],
      offPlane,
      loss: column("trainLoss"),
    };
    if (coords.length === 2) out.y = coords[1];
    if (run.history.some((h) => h.trainAccuracy !== undefined)) out.accuracy = column("trainAccuracy");
    if (storeParameters) out.parameters = run.checkpoints.map((c) => c.parameters);
    if (run.settings) out.settings = run.settings;
    if (run.final) out.final = run.final;
    return out;
  });
}

/** Whether the replay checkpoints' parameters of all runs fit REPLAY_STORED_FLOATS. */
export function parametersFit(runs: readonly ReplayRun[], parameterCount: number): boolean {
  const total = runs.reduce((n, r) => n + r.checkpoints.length, 0) * parameterCount;
  return total <= REPLAY_STORED_FLOATS;
}
