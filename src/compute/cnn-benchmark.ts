/**
 * The layers models' evaluation paths measured in this browser's own compute worker: what
 * `npm run bench:browser` prints in its "cnn" part (the browser's counterpart of
 * tests/bench/cnn-bench.ts). The digits CNN preset is trained in the worker, then each path
 * samples its landscape: the per-point path on a few points (it takes about 35 ms a point), the
 * fast paths on one tile of the CLI through the centre of the 51x51 grid over [-1, 1]^2 (5 rows x
 * 51 points, the spacing of a 51x51 surface: wasm-cnn's block mode runs on 2-D blocks of a call's
 * points, so the points must be a surface's); every round times each path once, in a rotating order, so a slow moment of
 * a shared machine hits them alike; ratios are per round, then their median.
 * Orchestration only: every number is computed in the worker.
 *
 * @example const report = await runCnnBenchmark({ config: digitsCnnPreset });
 */

import { problemFromSnapshot } from "../core/experiment/landscape-problem";
import type { Grid } from "../core/landscape/grid";
import { maxRelativeDifference } from "../core/landscape/timing";
import { ComputePool } from "./pool";

export interface CnnBenchmarkOptions {
  /** Experiment config input of a layers model (the digits-cnn preset), trained for its epochs. */
  config: unknown;
  /** The per-point path's grid: count x count points over [-1, 1]^2 (default 5: 25 points). */
  naivePerAxis?: number;
  /** The fast paths' grid: this many rows through the centre of the 51x51 grid (default 5: 255 points). */
  fastRows?: number;
  /** Rounds (default 3). */
  rounds?: number;
  /** Paths to time; the first is the reference of the ratios (default naive, tfjs-cnn-batched, wasm-cnn). */
  paths?: string[];
}

export interface CnnBenchmarkReport {
  backend: string;
  samples: { train: number; test: number };
  /** Per path: points per pass and ms per point in each round. */
  paths: { name: string; points: number; msPerPoint: number[]; error?: string }[];
  /** Per fast path: the first path's ms per point over its own, per round. */
  ratios: { name: string; rounds: number[] }[];
  /** Largest relative difference of each path's train loss to the first path's on the common grid. */
  agreement: { name: string; maxRelDiff: number }[];
}

const square = (perAxis: number): Grid => ({
  axes: [
    { label: "x", min: -1, max: 1, count: perAxis },
    { label: "y", min: -1, max: 1, count: perAxis },
  ],
});

/** `rows` rows of the 51x51 grid over [-1, 1]^2 from its centre row on (rows 25.. of 0..50). */
const centreRows = (rows: number): Grid => {
  const at = (i: number) => -1 + (2 * i) / 50;
  return {
    axes: [
      { label: "x", min: -1, max: 1, count: 51 },
      { label: "y", min: at(25), max: at(25 + rows - 1), count: rows },
    ],
  };
};

export async function runCnnBenchmark(options: CnnBenchmarkOptions): Promise<CnnBenchmarkReport> {
  const names = options.paths ?? ["naive", "tfjs-cnn-batched", "wasm-cnn"];
  const rounds = options.rounds ?? 3;
  const naiveGrid = square(options.naivePerAxis ?? 5);
  const fastGrid = centreRows(options.fastRows ?? 5);
  const points = (g: Grid) => g.axes[0].count * g.axes[1].count;
  const one = new ComputePool(1);
  try {
    const init = await one.init(["wasm", "cpu"]);
    const { snapshot } = await one.train(options.config);
    const problem = problemFromSnapshot(snapshot);
    const api = one.primary.api;
    const gridOf = (k: number) => (k === 0 ? naiveGrid : fastGrid);
    const paths: CnnBenchmarkReport["paths"] = names.map((name, k) => ({
      name,
      points: points(gridOf(k)),
      msPerPoint: [],
    }));
    // Agreement on the per-point path's grid, and a warm-up of every path.
    const reference = await api.benchEvaluator(problem, naiveGrid, names[0], 1);
    const agreement: CnnBenchmarkReport["agreement"] = [];
    for (const [k, path] of paths.entries()) {
      try {
        const { trainLoss } =
          k === 0 ? reference : await api.benchEvaluator(problem, naiveGrid, path.name, 1);
        agreement.push({
          name: path.name,
          maxRelDiff: maxRelativeDifference(trainLoss, reference.trainLoss),
        });
      } catch (err) {
        path.error = (err as Error).message;
      }
    }
    for (let r = 0; r < rounds; r++) {
      for (let j = 0; j < paths.length; j++) {
        const k = (j + r) % paths.length;
        const path = paths[k];
        if (path.error) continue;
        const { ms } = await api.benchEvaluator(problem, gridOf(k), path.name, 1);
        path.msPerPoint.push(ms / path.points);
      }
    }
    const ratios = paths.slice(1).map((p) => ({
      name: p.name,
      rounds: p.msPerPoint.map((ms, r) => paths[0].msPerPoint[r] / ms),
    }));
    return {
      backend: init.backend,
      samples: { train: problem.train.count, test: problem.test?.count ?? 0 },
      paths,
      ratios,
      agreement,
    };
  } finally {
    one.terminate();
  }
}
