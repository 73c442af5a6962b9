import { describe, expect, it } from "vitest";
import { makeDataset } from "../../src/core/data/make";
import { parseDatasetSpec } from "../../src/core/data/spec";
import { initParameters } from "../../src/core/model/init";
import { makeArchitecture } from "../../src/core/model/mlp";
import { createRng } from "../../src/core/rng";
import { tf } from "../../src/core/tf";
import { type TrainingSettings, trainModel } from "../../src/core/train/train";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

const dataset = makeDataset(parseDatasetSpec({ name: "moons", trainCount: 96, testCount: 0 }), 5);
const arch = makeArchitecture(2, 2, { hiddenSizes: [12], activation: "tanh" });
const initial = initParameters(arch, "auto", createRng(9));
const settings = (over: Partial<TrainingSettings> = {}): TrainingSettings => ({
  optimizer: "sgd",
  learningRate: 0.2,
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 0,
  batchSize: 32,
  epochs: 6,
  checkpointEvery: 0,
  seed: 3,
  ...over,
});
const train = (over: Partial<TrainingSettings>, signal?: AbortSignal) =>
  trainModel({ arch, loss: "cross-entropy", dataset, initial, settings: settings(over), signal });
const maxAbsDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe("sharpness-aware minimization", () => {
  it("changes the trajectory of plain SGD with the same seed", async () => {
    const plain = await train({});
    const sam = await train({ sam: { rho: 0.05 } });
    expect(sam.status).toBe("completed");
    expect(sam.steps).toBe(plain.steps);
    expect(maxAbsDiff(sam.parameters, plain.parameters)).toBeGreaterThan(1e-3);
  });

  it("equals plain SGD when rho is tiny", async () => {
    const plain = await train({});
    const sam = await train({ sam: { rho: 1e-9 } });
    expect(maxAbsDiff(sam.parameters, plain.parameters)).toBeLessThan(1e-5);
  });

  it("takes one step exactly as written by hand on a linear least-squares problem", async () => {
    // L(w, b) = mean_i (w x_i + b - y_i)^2 with a [1, 1] kernel and a [1] bias (hiddenSizes []).
    const reg = makeDataset(parseDatasetSpec({ name: "sine", trainCount: 8, testCount: 0 }), 2);
    const linear = makeArchitecture(1, 1, { hiddenSizes: [], activation: "linear" });
    const start = Float32Array.from([0.7, -0.3]);
    const { x, y, count } = reg.train;
    const grad = (w: number, b: number) => {
      let gw = 0;
      let gb = 0;
      for (let i = 0; i < count; i++) {
        const r = w * x[i] + b - y[i];
        gw += (2 * r * x[i]) / count;
        gb += (2 * r) / count;
      }
      return [gw, gb];
    };
    const rho = 0.3;
    const lr = 0.1;
    const [gw, gb] = grad(start[0], start[1]);
    const norm = Math.hypot(gw, gb);
    // The gradient at the ascent point w + rho g/||g||, applied at w.
    const [sw, sb] = grad(start[0] + (rho * gw) / norm, start[1] + (rho * gb) / norm);
    const expected = [start[0] - lr * sw, start[1] - lr * sb];
    const r = await trainModel({
      arch: linear,
      loss: "mse",
      dataset: reg,
      initial: start,
      settings: settings({ learningRate: lr, batchSize: "full", epochs: 1, sam: { rho } }),
    });
    expect(r.steps).toBe(1);
    expect(r.parameters[0]).toBeCloseTo(expected[0], 5);
    expect(r.parameters[1]).toBeCloseTo(expected[1], 5);
    // And it is not the plain step.
    expect(Math.abs(r.parameters[0] - (start[0] - lr * gw))).toBeGreaterThan(1e-3);
  });

  it("without SAM, sgd on the full batch is plain gradient descent (momentum ignored), with coupled L2 decay", async () => {
    const reg = makeDataset(parseDatasetSpec({ name: "sine", trainCount: 8, testCount: 0 }), 2);
    const linear = makeArchitecture(1, 1, { hiddenSizes: [], activation: "linear" });
    const start = Float32Array.from([0.7, -0.3]);
    const { x, y, count } = reg.train;
    let gw = 0;
    let gb = 0;
    for (let i = 0; i < count; i++) {
      const r = start[0] * x[i] + start[1] - y[i];
      gw += (2 * r * x[i]) / count;
      gb += (2 * r) / count;
    }
    const wd = 0.1;
    const lr = 0.1;
    const r = await trainModel({
      arch: linear,
      loss: "mse",
      dataset: reg,
      initial: start,
      settings: settings({ learningRate: lr, momentum: 0.9, weightDecay: wd, batchSize: "full", epochs: 1 }),
    });
    // w <- w - lr (g + wd w): L2 added to the gradient, not decoupled.
    expect(r.parameters[0]).toBeCloseTo(start[0] - lr * (gw + wd * start[0]), 5);
    expect(r.parameters[1]).toBeCloseTo(start[1] - lr * (gb + wd * start[1]), 5);
  });

  it("works with every optimizer and lowers the training loss", async () => {
    for (const optimizer of ["sgd", "momentum", "adam"] as const) {
      const r = await train({
        optimizer,
        learningRate: optimizer === "adam" ? 0.02 : 0.2,
        sam: { rho: 0.05 },
      });
      expect(r.status).toBe("completed");
      expect(r.history.at(-1)?.trainLoss).toBeLessThan(r.history[0].trainLoss * 0.9);
    }
  });

  it("rejects a rho that is not a positive number", async () => {
    await expect(train({ sam: { rho: 0 } })).rejects.toThrow(
      /training\.sam\.rho must be a finite number > 0, got 0/,
    );
  });

  it("leaves no tensor behind, also when cancelled", async () => {
    const before = tf.memory().numTensors;
    await train({ sam: { rho: 0.05 }, epochs: 2 });
    expect(tf.memory().numTensors).toBe(before);
    const controller = new AbortController();
    const run = trainModel({
      arch,
      loss: "cross-entropy",
      dataset,
      initial,
      settings: settings({ sam: { rho: 0.05 }, epochs: 50 }),
      signal: controller.signal,
      onEpoch: (e) => {
        if (e.epoch === 2) controller.abort(new Error("user cancelled"));
      },
    });
    await expect(run).rejects.toThrow(/user cancelled/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
