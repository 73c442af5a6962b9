/**
 * The evaluation paths, the worker pool and the problem sizes measured in this browser's own
 * workers: what `npm run bench:browser` prints (the same table as `npm run bench` in Node).
 * Orchestration only: every number is computed in compute workers.
 *
 * @example const report = await runBenchmark({ config: { data: { name: "spirals", trainCount: 512 } } });
 */

import { problemFromSnapshot } from "../core/experiment/landscape-problem";
import type { Grid } from "../core/landscape/grid";
import type { LandscapeProblem } from "../core/landscape/surfaces";
import { maxRelativeDifference } from "../core/landscape/timing";
import type { Snapshot } from "../core/snapshot/schema";
import { ComputePool } from "./pool";

export interface BenchmarkOptions {
  /** Experiment config input of the reference problem (trained for its epochs, then sampled). */
  config: unknown;
  /** Training samples of the path and pool measurements (the first ones); absent: all. */
  samples?: number;
  /** Evaluation paths to time; absent: every path. */
  paths?: string[];
  /** Best of this many passes per measurement (after a warm-up pass); the pools run max(9, repeats) rounds. */
  repeats?: number;
  /** Points per tile in the pool measurement (as the app's fine pass). */
  tilePoints?: number;
  /** Problem sizes for the scaling rows: [points per axis, training samples]. */
  sizes?: [number, number][];
  /** Pool sizes to compare. */
  workers?: number[];
  onProgress?: (what: string) => void;
}

export interface BenchmarkReport {
  backend: string;
  /** The path each pool worker uses by default on this backend. */
  defaultPath: string;
  gridPoints: number;
  samples: number;
  /** Per path: best ms for the whole grid, or why it could not run; max relative difference to the first. */
  paths: { name: string; ms: number | null; passes?: number; error?: string; maxRelDiff: number | null }[];
  /** Per pool size: best ms for the whole grid in tiles (no coarse pass). */
  pool: { workers: number; ms: number }[];
  /** Per round, ms of one pass of each pool (in the order of `pool`), measured back to back. */
  poolRounds: number[][];
  /** Per problem size: best ms with the default path in one worker. */
  scaling: { perAxis: number; samples: number; ms: number }[];
}

const ALL_PATHS = ["naive", "tfjs-batched", "tfjs-gemm", "wasm-kernel"];

function squareGrid(perAxis: number): Grid {
  return {
    axes: [
      { label: "x", min: -1, max: 1, count: perAxis },
      { label: "y", min: -1, max: 1, count: perAxis },
    ],
  };
}

/** The first `n` training samples of a problem (x is [count, inputSize] row-major). */
function withSamples(problem: LandscapeProblem, n: number): LandscapeProblem {
  const { train } = problem;
  if (n > train.count) throw new Error(`the reference problem has ${train.count} samples, ${n} asked`);
  const yPer = train.y.length / train.count;
  return {
    ...problem,
    train: { x: train.x.slice(0, n * problem.dataset.inputSize), y: train.y.slice(0, n * yPer), count: n },
    test: undefined,
  };
}

export async function runBenchmark(options: BenchmarkOptions): Promise<BenchmarkReport> {
  const repeats = options.repeats ?? 2;
  const progress = options.onProgress ?? (() => {});
  const one = new ComputePool(1);
  try {
    const init = await one.init(["wasm", "cpu"]);
    progress("training the reference problem");
    const { snapshot: trained } = await one.train(options.config);
    const full = problemFromSnapshot(trained);
    const problem = withSamples(full, options.samples ?? full.train.count);
    const snapshot: Snapshot = {
      ...trained,
      data: { ...trained.data, train: { ...problem.train }, test: undefined },
    };
    const grid: Grid = snapshot.grid;
    const gridPoints = grid.axes.reduce((n, a) => n * a.count, 1);
    const w = one.primary;

    const paths: BenchmarkReport["paths"] = [];
    let reference: Float32Array | null = null;
    for (const name of options.paths ?? ALL_PATHS) {
      progress(`path ${name}`);
      try {
        const warm = await w.api.benchEvaluator(problem, grid, name, 1); // warm-up
        // Fast paths get more passes (up to 10), so every path is measured for about 1.5 s and one
        // slow moment of a shared machine does not decide a short path's best pass.
        const passes = Math.max(repeats, Math.min(10, Math.ceil(1500 / Math.max(1, warm.ms))));
        const { ms, trainLoss } = await w.api.benchEvaluator(problem, grid, name, passes);
        reference ??= trainLoss;
        paths.push({ name, ms, passes, maxRelDiff: maxRelativeDifference(trainLoss, reference) });
      } catch (err) {
        paths.push({ name, ms: null, error: (err as Error).message, maxRelDiff: null });
      }
    }
    const defaultPath = await one.selectEvaluator(null);

    // The pools side by side: all start and warm up first, then every round times one pass of
    // each, back to back, so a slow moment of a shared machine hits them alike (as npm run bench).
    const sizes = options.workers ?? [1, 2];
    const pools = sizes.map((size) => (size === 1 ? one : new ComputePool(size)));
    const pool: BenchmarkReport["pool"] = [];
    const poolRounds: number[][] = [];
    try {
      progress(`pools of ${sizes.join(" and ")}`);
      const pass = (p: ComputePool) =>
        p.sample(snapshot, { coarsePerAxis: 0, tilePoints: options.tilePoints ?? 128 });
      for (const p of pools) {
        await p.init([init.backend]);
        await pass(p); // warm-up: compilation, memory growth
      }
      for (let r = 0; r < Math.max(9, repeats); r++) {
        const round: number[] = [];
        for (const p of pools) {
          const t0 = performance.now();
          await pass(p);
          round.push(performance.now() - t0);
        }
        poolRounds.push(round);
      }
      sizes.forEach((size, k) => {
        pool.push({ workers: size, ms: Math.min(...poolRounds.map((round) => round[k])) });
      });
    } finally {
      for (const p of pools) if (p !== one) p.terminate();
    }

    const scaling: BenchmarkReport["scaling"] = [];
    for (const [perAxis, samples] of options.sizes ?? []) {
      progress(`size ${perAxis}x${perAxis}, ${samples} samples`);
      const sized = withSamples(full, samples);
      await w.api.benchEvaluator(sized, squareGrid(perAxis), defaultPath, 1);
      const { ms } = await w.api.benchEvaluator(sized, squareGrid(perAxis), defaultPath, repeats);
      scaling.push({ perAxis, samples, ms });
    }
    return {
      backend: init.backend,
      defaultPath,
      gridPoints,
      samples: problem.train.count,
      paths,
      pool,
      poolRounds,
      scaling,
    };
  } finally {
    one.terminate();
  }
}
