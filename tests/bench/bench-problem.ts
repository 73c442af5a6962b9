/**
 * The benchmarks' reference problem, built deterministically so the main thread and each
 * worker thread (bench-worker.ts) construct the very same landscape from (grid size, samples):
 * spirals, MLP 2-64-64-2 ReLU (He init, seed 2), filter-normalized random directions (seeds 3, 4),
 * a square grid on [-1, 1]^2.
 */
import { makeDataset } from "../../src/core/data/make";
import { parseDatasetSpec } from "../../src/core/data/spec";
import { randomDirection } from "../../src/core/directions/random";
import type { Grid } from "../../src/core/landscape/grid";
import type { LandscapeProblem } from "../../src/core/landscape/surfaces";
import { initParameters } from "../../src/core/model/init";
import { makeArchitecture, mlpLayout } from "../../src/core/model/mlp";
import { createRng } from "../../src/core/rng";

export function makeBenchProblem(samples: number): LandscapeProblem {
  const dataset = makeDataset(parseDatasetSpec({ name: "spirals", trainCount: samples, testCount: 0 }), 1);
  const arch = makeArchitecture(2, 2, { hiddenSizes: [64, 64], activation: "relu" });
  const layout = mlpLayout(arch);
  const theta = initParameters(arch, "he", createRng(2));
  const directions = [3, 4].map((seed) =>
    randomDirection(theta, layout, { normalization: "filter", bias: "zero", seed }),
  );
  return { arch, loss: "cross-entropy", layout, theta, directions, dataset, train: dataset.train };
}

export function squareGrid(size: number): Grid {
  return {
    axes: [
      { label: "x", min: -1, max: 1, count: size },
      { label: "y", min: -1, max: 1, count: size },
    ],
  };
}
