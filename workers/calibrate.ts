/**
 * Backend choice by measurement: initialize each candidate tfjs backend, time the same small
 * landscape tile on it (after a warm-up run, which includes shader compilation), keep the fastest.
 */
import { type BackendName, initBackend } from "../src/core/backend";
import { randomDirection } from "../src/core/directions/random";
import { defaultEvaluatorFor } from "../src/core/landscape/evaluators";
import { prepareLandscape } from "../src/core/landscape/surfaces";
import { initParameters } from "../src/core/model/init";
import { makeArchitecture, mlpLayout } from "../src/core/model/mlp";
import { createRng } from "../src/core/rng";
import { tf } from "../src/core/tf";

export interface CalibrationResult {
  backend: BackendName;
  /** Milliseconds per calibration tile, or why the backend was not usable. */
  timings: Partial<Record<BackendName, number | string>>;
}

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

/** The calibration work: MLP 2-32-32-2 on 256 samples, a 64-point tile of a random plane. */
function timeTile(backend: string): number {
  const rng = createRng(1);
  const n = 256;
  const x = Float32Array.from({ length: 2 * n }, () => rng.normal());
  const y = Float32Array.from({ length: n }, () => rng.int(2));
  const arch = makeArchitecture(2, 2, { hiddenSizes: [32, 32], activation: "relu" });
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
    defaultEvaluatorFor(backend),
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
    const t0 = performance.now();
    prepared.computeTile(grid, tile);
    return performance.now() - t0;
  } finally {
    prepared.dispose();
  }
}

export async function calibrateBackends(candidates: readonly BackendName[]): Promise<CalibrationResult> {
  const timings: CalibrationResult["timings"] = {};
  const original = tf.getBackend() as BackendName;
  for (const name of candidates) {
    try {
      await withTimeout(initBackend([name]), BACKEND_TIMEOUT_MS, `${name} initialization`);
      const t0 = performance.now();
      const ms = timeTile(name);
      if (performance.now() - t0 > BACKEND_TIMEOUT_MS) throw new Error("too slow");
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
  return { backend: best, timings };
}
