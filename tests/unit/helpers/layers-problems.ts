/**
 * Shared pieces of the layers-model evaluator tests (cnn-fast-evaluator.test.ts,
 * wasm-cnn-evaluator.test.ts): random layers problems, layer builders, the random models, a far
 * grid, the presets and the surface comparison.
 */
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { randomDirection } from "../../../src/core/directions/random";
import type { SubspaceProblem } from "../../../src/core/landscape/evaluator";
import type { Grid } from "../../../src/core/landscape/grid";
import type { LandscapeProblem, Surfaces } from "../../../src/core/landscape/surfaces";
import { initModelParameters, modelLayout } from "../../../src/core/model/architecture";
import { type LayerSpec, makeLayersArchitecture } from "../../../src/core/model/layers";
import type { LossKind } from "../../../src/core/model/types";
import { createRng } from "../../../src/core/rng";

/** A preset of public/presets, parsed. */
export const preset = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../public/presets/${name}.json`, import.meta.url), "utf8"));

/** Coordinates from -4 to 4 (four times the directions' filter norms): the centre and far points. */
export const farGrid: Grid = {
  axes: [
    { label: "x", min: -4, max: 4, count: 5 },
    { label: "y", min: -4, max: 4, count: 4 },
  ],
};

/** Largest |a - b| / max(1, |b|) over every surface; the two must have the same surface names. */
export function maxDifference(fast: Surfaces, ref: Surfaces): number {
  expect(Object.keys(fast).sort()).toEqual(Object.keys(ref).sort());
  let worst = 0;
  for (const [name, values] of Object.entries(ref) as [keyof Surfaces, Float32Array][]) {
    const other = fast[name] as Float32Array;
    expect(other.length, name).toBe(values.length);
    values.forEach((v, i) => {
      expect(Number.isFinite(other[i]), `${name}[${i}]`).toBe(Number.isFinite(v));
      if (Number.isFinite(v)) worst = Math.max(worst, Math.abs(other[i] - v) / Math.max(1, Math.abs(v)));
    });
  }
  return worst;
}

/** What a random problem may change; the defaults are what randomProblem always gave. */
export interface RandomProblemOptions {
  /** Number of directions K (seeds seed + 1 ... seed + K); default 2. */
  directions?: number;
  /** Samples of the train and test splits; default 70 and 30 (test 0: no test split). */
  trainCount?: number;
  testCount?: number;
  /** Default: cross-entropy for classification, mse for regression. */
  loss?: LossKind;
}

/**
 * A layers model with random parameters (zero ones replaced by small random values, so bias and
 * BN beta blocks matter), filter-normalized random directions and random data.
 */
export function randomProblem(
  layers: LayerSpec[],
  inputShape: number[],
  outputSize: number,
  task: "classification" | "regression",
  seed: number,
  options: RandomProblemOptions = {},
): LandscapeProblem {
  const { directions = 2, trainCount = 70, testCount = 30 } = options;
  const arch = makeLayersArchitecture(inputShape, outputSize, layers);
  const layout = modelLayout(arch);
  const rng = createRng(seed);
  const theta = initModelParameters(arch, "auto", rng);
  // Non-zero biases (copied into the directions), so the bias blocks of S_k are exercised too.
  for (let i = 0; i < theta.length; i++) if (theta[i] === 0) theta[i] = 0.1 * rng.normal();
  const inputSize = arch.inputSize;
  const split = (count: number) => ({
    x: Float32Array.from({ length: count * inputSize }, () => rng.normal()),
    y:
      task === "classification"
        ? Float32Array.from({ length: count }, () => rng.int(outputSize))
        : Float32Array.from({ length: count * outputSize }, () => rng.normal()),
    count,
  });
  const problem: LandscapeProblem = {
    arch,
    loss: options.loss ?? (task === "classification" ? "cross-entropy" : "mse"),
    layout,
    theta,
    directions: Array.from({ length: directions }, (_, j) =>
      randomDirection(theta, layout, { normalization: "filter", bias: "copy", seed: seed + 1 + j }),
    ),
    dataset: { task, inputSize, outputSize },
    train: split(trainCount),
  };
  if (testCount > 0) problem.test = split(testCount);
  return problem;
}

export const conv = (
  name: string,
  filters: number,
  kernel: number,
  activation: "relu" | "tanh" | "sigmoid" | "elu" | "softplus" | "linear",
  padding: "same" | "valid" = "same",
  stride = 1,
): LayerSpec => ({
  type: "conv2d",
  name,
  filters,
  kernelSize: [kernel, kernel],
  strides: [stride, stride],
  padding,
  activation,
  useBias: true,
});

export const pool = (
  name: string,
  size = 2,
  padding: "valid" | "same" = "valid",
  stride = size,
): LayerSpec => ({
  type: "maxPooling2d",
  name,
  poolSize: [size, size],
  strides: [stride, stride],
  padding,
});

export const dense = (
  name: string,
  units: number,
  activation: "relu" | "tanh" | "sigmoid" | "elu" | "softplus" | "linear" | "softmax" = "linear",
): LayerSpec => ({ type: "dense", name, units, activation, useBias: true });

export const flatten = (name = "f"): LayerSpec => ({ type: "flatten", name });

/**
 * A BatchNormalization layer over `channels` channels with moving statistics that differ per
 * channel (means around 0, variances 0.3 to 1.6), gamma (scale) and beta (center) as asked.
 */
export const batchNorm = (name: string, channels: number, scale = true, center = true): LayerSpec => ({
  type: "batchNormalization",
  name,
  epsilon: 1e-3,
  center,
  scale,
  movingMean: Array.from({ length: channels }, (_, i) => 0.15 * (i % 5) - 0.3),
  movingVariance: Array.from({ length: channels }, (_, i) => 0.3 + 0.13 * ((i * 7) % 11)),
});

/** Random models: conv stacks with odd sizes (crops), unfused activations, strides, a dense-first one. */
export const RANDOM_MODELS: [string, () => LandscapeProblem][] = [
  [
    "two convs: 9x9x2 tanh conv (cropped to 8x8) + relu layer + pool, softplus conv (cropped) + dropout + pool, dense sigmoid, softmax",
    () =>
      randomProblem(
        [
          conv("c0", 4, 3, "tanh"),
          { type: "activation", name: "a0", activation: "relu" },
          pool("p0"),
          conv("c1", 5, 3, "softplus"),
          { type: "dropout", name: "d0", rate: 0.5 },
          pool("p1", 3),
          { type: "flatten", name: "f" },
          { type: "dense", name: "h", units: 6, activation: "sigmoid", useBias: true },
          { type: "dense", name: "out", units: 3, activation: "softmax", useBias: true },
        ],
        [9, 9, 2],
        3,
        "classification",
        11,
      ),
  ],
  [
    "two convs: a stride-2 elu conv (cropped by its pool, 6x5 -> 6x4), then a valid relu conv, a regression head",
    () =>
      randomProblem(
        [
          conv("c0", 3, 3, "elu", "same", 2),
          pool("p0"),
          conv("c1", 4, 2, "relu", "valid"),
          { type: "flatten", name: "f" },
          { type: "dense", name: "out", units: 2, activation: "linear", useBias: true },
        ],
        [11, 10, 1],
        2,
        "regression",
        21,
      ),
  ],
  [
    "a pooled input, then a Dense layer on the last axis of an image, flatten, dense",
    () =>
      randomProblem(
        [
          pool("p0"),
          { type: "dense", name: "h", units: 4, activation: "relu", useBias: true },
          { type: "flatten", name: "f" },
          { type: "dense", name: "out", units: 3, activation: "linear", useBias: true },
        ],
        [6, 4, 3],
        3,
        "classification",
        31,
      ),
  ],
];

/** The problem of one split, as sampleLandscape hands it to an evaluator. */
export function subspace(problem: LandscapeProblem, split: "train" | "test" = "train"): SubspaceProblem {
  const data = problem[split];
  if (!data) throw new Error(`the problem has no ${split} split`);
  return {
    arch: problem.arch,
    loss: problem.loss,
    layout: problem.layout,
    origin: problem.theta,
    directions: problem.directions,
    split: data,
    dataset: problem.dataset,
    statistics: problem.train,
  };
}
