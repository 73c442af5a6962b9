/**
 * Hand-made snapshots for the export tests: an MLP 2-3-2 (17 parameters) with a 3 x 2 grid (x has
 * 3 points, y has 2, so that swapping the axes would show) and a 1-D line of 5 points. The loss is
 * 1 + x + 10 y at (x, y), so any file can be checked point by point against its coordinates.
 */
import type { Snapshot } from "../../src/core/snapshot/schema";

export const XS = [-1, 0, 1];
export const YS = [-0.5, 0.5];

/** The fixture's train loss at (x, y), as float32. */
export const lossAt = (x: number, y: number): number => Math.fround(1 + x + 10 * y);

function direction(scale: number): Float32Array {
  const d = new Float32Array(17);
  for (let i = 0; i < 17; i++) d[i] = scale * Math.sin(i + 1);
  d.fill(0, 6, 9); // biases are 0 for bias "zero"
  d.fill(0, 15, 17);
  return d;
}

function base(): Pick<
  Snapshot,
  "format" | "version" | "createdAt" | "producer" | "config" | "model" | "data"
> {
  return {
    format: "loss-landscape-snapshot",
    version: 1,
    createdAt: "2026-11-27T10:00:00Z",
    producer: { name: "loss-landscape-lab", version: "0.1.0", backend: "cpu" },
    config: { seed: 7 },
    model: {
      architecture: {
        kind: "mlp",
        inputSize: 2,
        hiddenSizes: [3],
        outputSize: 2,
        activation: "relu",
        residual: false,
      },
      loss: "cross-entropy",
      layout: [
        { name: "dense_0/kernel", shape: [2, 3] },
        { name: "dense_0/bias", shape: [3] },
        { name: "dense_1/kernel", shape: [3, 2] },
        { name: "dense_1/bias", shape: [2] },
      ],
      parameters: Float32Array.from({ length: 17 }, (_, i) => (i - 8) / 7),
    },
    data: {
      name: "moons",
      task: "classification",
      inputSize: 2,
      outputSize: 2,
      classes: 2,
      train: {
        x: new Float32Array([0.1, 0.2, -0.3, 0.4, 0.5, -0.6]),
        y: new Float32Array([0, 1, 1]),
        count: 3,
      },
      test: { x: new Float32Array([1.5, -2.5]), y: new Float32Array([1]), count: 1 },
    },
  };
}

/** 2-D: 3 x 2 grid, four surfaces; test_loss holds a NaN and an Infinity. */
export function planeSnapshot(): Snapshot {
  const trainLoss = new Float32Array(6);
  for (let iy = 0; iy < 2; iy++)
    for (let ix = 0; ix < 3; ix++) trainLoss[iy * 3 + ix] = lossAt(XS[ix], YS[iy]);
  return {
    ...base(),
    directions: [
      {
        label: "x",
        method: "random",
        normalization: "filter",
        bias: "zero",
        seed: 123,
        values: direction(0.3),
      },
      {
        label: "y",
        method: "random",
        normalization: "filter",
        bias: "zero",
        seed: 124,
        values: direction(-0.7),
      },
    ],
    grid: {
      axes: [
        { label: "x", min: -1, max: 1, count: 3 },
        { label: "y", min: -0.5, max: 0.5, count: 2 },
      ],
    },
    surfaces: {
      train_loss: trainLoss,
      train_accuracy: new Float32Array([1 / 3, 2 / 3, 1, 0, 0.1, 0.7]),
      test_loss: new Float32Array([0.25, Number.NaN, 1e-8, Number.POSITIVE_INFINITY, 123456.79, 3]),
      test_accuracy: new Float32Array([0, 1, 1, 0, 1, 0]),
    },
  };
}

/** 1-D: 5 points on [-2, 2], two surfaces. */
export function lineSnapshot(): Snapshot {
  return {
    ...base(),
    directions: [
      {
        label: "x",
        method: "random",
        normalization: "layer",
        bias: "copy",
        seed: 5,
        values: lineDirection(),
      },
    ],
    grid: { axes: [{ label: "x", min: -2, max: 2, count: 5 }] },
    surfaces: {
      train_loss: new Float32Array([2.5, 1.25, 0.1, 0.9, 3.75]),
      train_accuracy: new Float32Array([0.5, 0.75, 1, 2 / 3, 0.25]),
    },
  };
}

/** A direction whose biases equal theta's (bias "copy"). */
function lineDirection(): Float32Array {
  const d = direction(0.5);
  const theta = base().model.parameters;
  for (const [from, to] of [
    [6, 9],
    [15, 17],
  ])
    for (let i = from; i < to; i++) d[i] = theta[i];
  return d;
}

/** 1-D regression (mse, two outputs): 5 points on [-2, 2], train and test loss, no accuracy. */
export function regressionLineSnapshot(): Snapshot {
  const line = lineSnapshot();
  return {
    ...line,
    model: { ...line.model, loss: "mse" },
    data: {
      name: "regression-fixture",
      task: "regression",
      inputSize: 2,
      outputSize: 2,
      train: { ...line.data.train, y: new Float32Array([0.5, -1, 2, 0.25, -0.75, 1.5]) },
      test: { x: new Float32Array([1.5, -2.5]), y: new Float32Array([0.1, -0.2]), count: 1 },
    },
    surfaces: {
      train_loss: new Float32Array([2.5, 1.25, 0.1, 0.9, 3.75]),
      test_loss: new Float32Array([3, 1.5, 0.2, 1, 4]),
    },
  };
}
