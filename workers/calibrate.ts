/**
 * Backend and evaluation-path choice by measurement: initialize each candidate tfjs backend, time
 * the same small landscape tile on it (after a warm-up run, which includes shader compilation),
 * keep the fastest; then, on that backend, time every evaluation path that runs here on the same
 * tile and keep the fastest one whose numbers agree with the others; then the training paths
 * (calibrate-training.ts).
 */
import { type BackendName, initBackend } from "../src/core/backend";
import { randomDirection } from "../src/core/directions/random";
import type { LandscapeEvaluator } from "../src/core/landscape/evaluator";
import {
  availableEvaluators,
  defaultEvaluatorFor,
  EVALUATORS,
  type EvaluatorName,
} from "../src/core/landscape/evaluators";
import { prepareLandscape } from "../src/core/landscape/surfaces";
import { maxRelativeDifference } from "../src/core/landscape/timing";
import { initParameters } from "../src/core/model/init";
import { makeArchitecture, mlpLayout } from "../src/core/model/mlp";
import { createRng } from "../src/core/rng";
import { tf } from "../src/core/tf";
import { calibrateTraining, type TrainingCalibration } from "./calibrate-training";

export interface CalibrationResult {
  backend: BackendName;
  /** Milliseconds per calibration tile, or why the backend was not usable. */
  timings: Partial<Record<BackendName, number | string>>;
  /** The fastest evaluation path on `backend`. */
  evaluator: EvaluatorName;
  /** Milliseconds per calibration tile on `backend`, per path, or why the path was not usable. */
  evaluatorTimings: Partial<Record<EvaluatorName, number | string>>;
  /** Grid points per second of the chosen path on the calibration tile. */
  pointsPerSecond: number;
  /** The fastest training path (calibrate-training.ts) and its timings. */
  training: TrainingCalibration["training"];
  trainingTimings: TrainingCalibration["trainingTimings"];
}

/** Grid points in the calibration tile (8 x 8). */
export const CALIBRATION_POINTS = 64;

/** A backend that takes longer than this to initialize or to run the tile is skipped. */
const BACKEND_TIMEOUT_MS = 8000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/**
 * Whether a WebGPU adapter is a software one (SwiftShader, or the browser's fallback adapter):
 * timing it is pointless (it runs on the CPU, far slower than wasm) and creating its device next to
 * the page's WebGL canvases has been seen to reset the GPU process and blank them.
 */
async function softwareWebGpu(): Promise<string | null> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return "not available";
  const adapter = (await gpu.requestAdapter()) as {
    isFallbackAdapter?: boolean;
    info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  } | null;
  if (!adapter) return "no adapter";
  const info = adapter.info ?? {};
  const text = `${info.vendor ?? ""} ${info.architecture ?? ""} ${info.description ?? ""}`;
  if (adapter.isFallbackAdapter || info.isFallbackAdapter || /swiftshader|llvmpipe|software/i.test(text)) {
    return `software adapter (${text.trim() || "fallback"}): skipped`;
  }
  return null;
}

/**
 * Whether WebGL here is a software renderer (SwiftShader, llvmpipe): such a GPU runs on the CPU
 * and loses to wasm, and driving it from a worker next to the page's own canvases can reset the
 * GPU process (the page's canvases then go blank). Checked with a 1x1 context, released at once.
 */
function softwareWebGl(): string | null {
  if (typeof OffscreenCanvas === "undefined") return "no OffscreenCanvas";
  const gl = new OffscreenCanvas(1, 1).getContext("webgl2") as WebGL2RenderingContext | null;
  if (!gl) return "no WebGL2";
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  const renderer = String(
    info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER),
  );
  gl.getExtension("WEBGL_lose_context")?.loseContext();
  return /swiftshader|llvmpipe|software/i.test(renderer) ? `software renderer (${renderer}): skipped` : null;
}

/**
 * The calibration work: the reference network's shape (MLP 2-64-64-2 ReLU) on 256 samples, a
 * 64-point tile of a filter-normalized random plane, timed with `evaluator` (median of 3 after a
 * warm-up). Small enough for a few milliseconds on the fast paths, shaped like real work so the
 * ranking of the paths carries over.
 */
export function timeTile(evaluator: LandscapeEvaluator): { ms: number; loss: Float32Array } {
  const rng = createRng(1);
  const n = 256;
  const x = Float32Array.from({ length: 2 * n }, () => rng.normal());
  const y = Float32Array.from({ length: n }, () => rng.int(2));
  const arch = makeArchitecture(2, 2, { hiddenSizes: [64, 64], activation: "relu" });
  const layout = mlpLayout(arch);
  const theta = initParameters(arch, "he", rng);
  const directions = [1, 2].map((seed) =>
    randomDirection(theta, layout, { normalization: "filter", bias: "zero", seed }),
  );
  const prepared = prepareLandscape(
    {
      arch,
      loss: "cross-entropy",
      layout,
      theta,
      directions,
      dataset: { task: "classification", inputSize: 2, outputSize: 2 },
      train: { x, y, count: n },
    },
    evaluator,
  );
  const grid = {
    axes: [
      { label: "x", min: -1, max: 1, count: 8 },
      { label: "y", min: -1, max: 1, count: 8 },
    ],
  };
  const tile = { ix0: 0, ix1: 8, iy0: 0, iy1: 8 };
  try {
    prepared.computeTile(grid, tile); // warm-up: shader compilation, wasm memory growth
    const times: number[] = [];
    let loss: Float32Array = new Float32Array(0);
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      loss = prepared.computeTile(grid, tile).train_loss as Float32Array;
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { ms: times[1], loss };
  } finally {
    prepared.dispose();
  }
}

export async function calibrateBackends(candidates: readonly BackendName[]): Promise<CalibrationResult> {
  const timings: CalibrationResult["timings"] = {};
  const original = tf.getBackend() as BackendName;
  let reference: Float32Array | null = null;
  for (const name of candidates) {
    try {
      const skip = name === "webgpu" ? await softwareWebGpu() : name === "webgl" ? softwareWebGl() : null;
      if (skip) throw new Error(skip);
      await withTimeout(initBackend([name]), BACKEND_TIMEOUT_MS, `${name} initialization`);
      const t0 = performance.now();
      const { ms, loss } = timeTile(defaultEvaluatorFor(name));
      if (performance.now() - t0 > BACKEND_TIMEOUT_MS) throw new Error("too slow");
      // A backend must also be right: the same tile within 1e-3 relative of the first one measured.
      if (reference) {
        const ref = reference;
        const bad = loss.findIndex((v, i) => !(Math.abs(v - ref[i]) <= 1e-3 * Math.max(1, Math.abs(ref[i]))));
        if (bad >= 0) throw new Error(`wrong numbers (point ${bad}: ${loss[bad]} vs ${ref[bad]})`);
      } else reference = loss;
      timings[name] = ms;
    } catch (err) {
      timings[name] = (err as Error).message;
    }
  }
  const measured = Object.entries(timings).filter(
    (e): e is [BackendName, number] => typeof e[1] === "number",
  );
  const best = measured.length > 0 ? measured.reduce((a, b) => (a[1] <= b[1] ? a : b))[0] : original;
  await initBackend([best]);
  return { backend: best, timings, ...calibrateEvaluators(best), ...calibrateTraining() };
}

/**
 * Time every evaluation path that runs here on the current backend and pick the fastest whose
 * numbers match the backend's default path within 1e-4 relative (a path that is fast but wrong
 * is never chosen). Falls back to the default path when nothing else could be measured.
 */
export function calibrateEvaluators(
  backend: string,
): Pick<CalibrationResult, "evaluator" | "evaluatorTimings" | "pointsPerSecond"> {
  const fallback = defaultEvaluatorFor(backend).name as EvaluatorName;
  const evaluatorTimings: CalibrationResult["evaluatorTimings"] = {};
  let reference: Float32Array | null = null;
  const order = [fallback, ...availableEvaluators().filter((n) => n !== fallback)];
  for (const name of order) {
    try {
      const { ms, loss } = timeTile(EVALUATORS[name]);
      if (reference) {
        const diff = maxRelativeDifference(loss, reference);
        if (!(diff <= 1e-4))
          throw new Error(`wrong numbers (max relative difference ${diff.toExponential(1)})`);
      } else reference = loss;
      evaluatorTimings[name] = ms;
    } catch (err) {
      evaluatorTimings[name] = (err as Error).message;
    }
  }
  const measured = Object.entries(evaluatorTimings).filter(
    (e): e is [EvaluatorName, number] => typeof e[1] === "number",
  );
  const [evaluator, ms] =
    measured.length > 0 ? measured.reduce((a, b) => (a[1] <= b[1] ? a : b)) : [fallback, Number.NaN];
  return { evaluator, evaluatorTimings, pointsPerSecond: (CALIBRATION_POINTS / ms) * 1000 };
}
