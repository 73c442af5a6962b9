/**
 * What a run will cost before it starts: grid points, an estimate of the time (training and the
 * landscape) from the speeds measured on this device, and the memory (a compute worker's, from
 * memory.ts, plus the page's copy of the surfaces and the 3D mesh). Pure: the app shows it next to
 * Run and asks before a long or large run; the numbers are estimates, and say so.
 *
 * Time model (both parts scale linearly, as `npm run bench` shows for the landscape):
 * - landscape: grid points / (measured points per second), the measured speed rescaled by the
 *   work per point, (train + test samples) x parameters, of the run it was measured on;
 * - training: optimizer steps x milliseconds per step: the measured figure, which is mostly
 *   tfjs's per-step overhead for the small models here, or, for a step with more arithmetic,
 *   6 x batch x parameters floating-point operations (forward and backward) at TRAIN_FLOPS_PER_MS.
 * Without a measurement: DEFAULT_SPEED, this machine's reference figures.
 *
 * @example estimateRun(resolveConfig({}), null) // { points: 1681, seconds: ..., bytes: ... }
 */
import { estimateJobMemory, MEMORY_BUDGET_BYTES } from "./memory";
import type { ExperimentConfig } from "./schema";

/** Speeds measured on a finished run, with the work they were measured on. */
export interface MeasuredSpeed {
  pointsPerSecond: number;
  /** (train + test samples) x parameters of the measured run. */
  workPerPoint: number;
  /** Training time of the measured run per optimizer step (evaluation of the splits included). */
  msPerStep: number;
}

/** What tfjs trains at on this kind of machine once a step is large enough to be arithmetic-bound (0.6 GFLOP/s). */
const TRAIN_FLOPS_PER_MS = 6e5;

/**
 * Reference figures of a 2-core machine without a GPU (measured in headless Chromium): the
 * default experiment (512 samples x 1,218 parameters of a 2-32-32-2 MLP) at about 10,000
 * points/s, and about 4.5 ms per optimizer step (batch 64).
 */
export const DEFAULT_SPEED: MeasuredSpeed = {
  pointsPerSecond: 10_000,
  workPerPoint: 512 * 1_218,
  msPerStep: 4.5,
};

/** Bytes the page holds per grid point: four float32 surfaces and the 3D mesh (positions, normals, colours, two index entries). */
export const PAGE_BYTES_PER_POINT = 4 * 4 + 3 * 3 * 4 + 6 * 4 + 4 * 4;

/** A run above this many seconds asks first. */
export const CONFIRM_SECONDS = 10;
/** A run whose surfaces and mesh take more of the page's memory than this (about 640,000 points) asks first. */
const CONFIRM_PAGE_BYTES = 64 * 2 ** 20;

export interface RunEstimate {
  points: number;
  steps: number;
  seconds: { training: number; landscape: number; total: number };
  bytes: { worker: number; page: number };
  /** Whether the speeds were measured on this device, or DEFAULT_SPEED. */
  basis: "measured" | "reference";
  /** The compute worker's memory exceeds what it may use (the run would be refused). */
  overBudget: boolean;
  /** Long or large enough to ask before running. */
  confirm: boolean;
}

function gridPoints(config: ExperimentConfig): number {
  const g = config.grid as { x: { count: number }; y?: { count: number } | null };
  return g.x.count * (g.y ? g.y.count : 1);
}

/** The estimate of `config`; null when it cannot be made before reading files (own data or model). */
export function estimateRun(config: ExperimentConfig, measured: MeasuredSpeed | null): RunEstimate | null {
  if (config.data.name === "file" || config.model.kind === "layers" || config.model.kind === "onnx")
    return null;
  const memory = estimateJobMemory(config);
  const speed = measured ?? DEFAULT_SPEED;
  const points = gridPoints(config);
  const samples = (config.data.trainCount ?? 0) + (config.data.testCount ?? 0);
  const workPerPoint = samples * memory.parameters;
  const pointsPerSecond = speed.pointsPerSecond * (speed.workPerPoint / Math.max(1, workPerPoint));
  const trainCount = config.data.trainCount ?? 0;
  const batch =
    config.training.batchSize === "full" ? trainCount : Math.min(config.training.batchSize, trainCount);
  const stepsPerEpoch = Math.max(1, Math.ceil(trainCount / Math.max(1, batch)));
  const capped = (config.training as { maxSteps?: number | null }).maxSteps;
  const steps = Math.min(config.training.epochs * stepsPerEpoch, capped ?? Number.POSITIVE_INFINITY);
  const msPerStep = Math.max(speed.msPerStep, (6 * batch * memory.parameters) / TRAIN_FLOPS_PER_MS);
  const training = (steps * msPerStep) / 1000;
  const landscape = points / pointsPerSecond;
  const total = training + landscape;
  const worker = memory.bytes;
  const page = points * PAGE_BYTES_PER_POINT;
  const overBudget = worker > MEMORY_BUDGET_BYTES;
  return {
    points,
    steps,
    seconds: { training, landscape, total },
    bytes: { worker, page },
    basis: measured ? "measured" : "reference",
    overBudget,
    confirm: total > CONFIRM_SECONDS || overBudget || page > CONFIRM_PAGE_BYTES,
  };
}

const seconds = (s: number) =>
  s < 10 ? `${s.toFixed(1)} s` : s < 120 ? `${Math.round(s)} s` : `${(s / 60).toFixed(1)} min`;
const megabytes = (b: number) => `${Math.max(1, Math.round(b / 2 ** 20)).toLocaleString("en-US")} MB`;

/**
 * One line for the page: "1,681 grid points · about 2.1 s (training 1.4 s, landscape 0.7 s) ·
 * about 110 MB".
 */
export function describeEstimate(e: RunEstimate): string {
  const where = e.basis === "measured" ? "at the speed measured here" : "at reference speed";
  return (
    `${e.points.toLocaleString("en-US")} grid points · about ${seconds(e.seconds.total)} ` +
    `(training ${seconds(e.seconds.training)}, landscape ${seconds(e.seconds.landscape)}, ${where}) · ` +
    `about ${megabytes(e.bytes.worker + e.bytes.page)}`
  );
}
