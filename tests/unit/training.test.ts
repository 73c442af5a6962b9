import { describe, expect, it } from "vitest";
import { makeDataset } from "../../src/core/data/make";
import { parseDatasetSpec } from "../../src/core/data/spec";
import { initParameters } from "../../src/core/model/init";
import { makeArchitecture } from "../../src/core/model/mlp";
import { createRng } from "../../src/core/rng";
import { tf } from "../../src/core/tf";
import { type TrainingSettings, trainModel } from "../../src/core/train/train";
import { withWasmBackend } from "./helpers/backend";
import { referenceLoss } from "./helpers/reference-mlp";

withWasmBackend();

const dataset = makeDataset(parseDatasetSpec({ name: "moons", trainCount: 96, testCount: 48 }), 5);
const arch = makeArchitecture(2, 2, { hiddenSizes: [12], activation: "tanh" });
const initial = initParameters(arch, "auto", createRng(9));
const settings = (over: Partial<TrainingSettings> = {}): TrainingSettings => ({
  optimizer: "adam",
  learningRate: 0.02,
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 0,
  batchSize: 32,
  epochs: 15,
  checkpointEvery: 5,
  seed: 3,
  ...over,
});

describe("training", () => {
  for (const optimizer of ["sgd", "momentum", "adam"] as const) {
    it(`lowers the training loss with ${optimizer}`, async () => {
      const lr = optimizer === "adam" ? 0.02 : 0.2;
      const r = await trainModel({
        arch,
        loss: "cross-entropy",
        dataset,
        initial,
        settings: settings({ optimizer, learningRate: lr }),
      });
      expect(r.status).toBe("completed");
      expect(r.history.at(-1)?.trainLoss).toBeLessThan(r.history[0].trainLoss * 0.8);
    });
  }

  it("records the history and the loss in it equals the loss of the returned parameters", async () => {
    const r = await trainModel({ arch, loss: "cross-entropy", dataset, initial, settings: settings() });
    expect(r.history.map((h) => h.epoch)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(r.steps).toBe(15 * 3); // 96 samples in batches of 32
    const last = r.history.at(-1);
    const ref = referenceLoss(
      arch,
      "cross-entropy",
      r.parameters,
      dataset.train.x,
      dataset.train.y,
      dataset.train.count,
    );
    expect(last?.trainLoss).toBeCloseTo(ref.loss, 5);
    expect(last?.trainAccuracy).toBeCloseTo(ref.accuracy, 6);
    expect(last?.testLoss).toBeGreaterThan(0);
  });

  it("keeps checkpoints at the start, every checkpointEvery epochs and at the end", async () => {
    const r = await trainModel({
      arch,
      loss: "cross-entropy",
      dataset,
      initial,
      settings: settings({ epochs: 12 }),
    });
    expect(r.checkpoints.map((c) => c.epoch)).toEqual([0, 5, 10, 12]);
    expect(Array.from(r.checkpoints[0].parameters)).toEqual(Array.from(initial));
    expect(Array.from(r.checkpoints.at(-1)?.parameters ?? [])).toEqual(Array.from(r.parameters));
  });

  it("is deterministic for the same seed and differs for another seed", async () => {
    const a = await trainModel({ arch, loss: "cross-entropy", dataset, initial, settings: settings() });
    const b = await trainModel({ arch, loss: "cross-entropy", dataset, initial, settings: settings() });
    const c = await trainModel({
      arch,
      loss: "cross-entropy",
      dataset,
      initial,
      settings: settings({ seed: 4 }),
    });
    expect(Array.from(a.parameters)).toEqual(Array.from(b.parameters));
    expect(Array.from(a.parameters)).not.toEqual(Array.from(c.parameters));
  });

  it("runs full-batch gradient descent with one step per epoch", async () => {
    const r = await trainModel({
      arch,
      loss: "cross-entropy",
      dataset,
      initial,
      settings: settings({ optimizer: "sgd", batchSize: "full", epochs: 4, learningRate: 0.1 }),
    });
    expect(r.steps).toBe(4);
  });

  it("stops after a given number of steps, mid-epoch if need be", async () => {
    const r = await trainModel({
      arch,
      loss: "cross-entropy",
      dataset,
      initial,
      settings: settings({ epochs: 10, steps: 7 }),
    });
    expect(r.steps).toBe(7);
    expect(r.epochs).toBe(3);
    expect(r.history.at(-1)).toMatchObject({ epoch: 3, step: 7 });
    expect(r.checkpoints.at(-1)).toMatchObject({ epoch: 3, step: 7 });
  });

  it("shrinks the weights with weight decay", async () => {
    const norm = (v: Float32Array) => Math.hypot(...v);
    const plain = await trainModel({
      arch,
      loss: "cross-entropy",
      dataset,
      initial,
      settings: settings({ optimizer: "sgd", learningRate: 0.1 }),
    });
    const decayed = await trainModel({
      arch,
      loss: "cross-entropy",
      dataset,
      initial,
      settings: settings({ optimizer: "sgd", learningRate: 0.1, weightDecay: 0.5 }),
    });
    expect(norm(decayed.parameters)).toBeLessThan(norm(plain.parameters));
  });

  it("stops and says so when the loss diverges, keeping the last finite parameters", async () => {
    const reg = makeDataset(parseDatasetSpec({ name: "sine", trainCount: 64, testCount: 0 }), 1);
    const regArch = makeArchitecture(1, 1, { hiddenSizes: [16], activation: "relu" });
    const start = initParameters(regArch, "auto", createRng(2));
    const r = await trainModel({
      arch: regArch,
      loss: "mse",
      dataset: reg,
      initial: start,
      settings: settings({ optimizer: "sgd", learningRate: 1e4, epochs: 50, batchSize: "full" }),
    });
    expect(r.status).toBe("diverged");
    expect(r.message).toMatch(/diverged at epoch \d+/);
    expect(r.diverged?.epoch).toBeLessThan(50);
    expect(r.parameters.every(Number.isFinite)).toBe(true);
  });

  it("leaves no tensor behind, also when cancelled", async () => {
    const before = tf.memory().numTensors;
    await trainModel({ arch, loss: "cross-entropy", dataset, initial, settings: settings({ epochs: 3 }) });
    expect(tf.memory().numTensors).toBe(before);
    const controller = new AbortController();
    const run = trainModel({
      arch,
      loss: "cross-entropy",
      dataset,
      initial,
      settings: settings({ epochs: 50 }),
      signal: controller.signal,
      onEpoch: (e) => {
        if (e.epoch === 2) controller.abort(new Error("user cancelled"));
      },
    });
    await expect(run).rejects.toThrow(/user cancelled/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("rejects initial parameters of the wrong length or with NaN", async () => {
    await expect(
      trainModel({
        arch,
        loss: "cross-entropy",
        dataset,
        initial: new Float32Array(3),
        settings: settings(),
      }),
    ).rejects.toThrow(/initial parameters: expected \d+ values/);
    const bad = initial.slice();
    bad[4] = Number.NaN;
    await expect(
      trainModel({ arch, loss: "cross-entropy", dataset, initial: bad, settings: settings() }),
    ).rejects.toThrow(/index 4 \(dense_0\/kernel\) is not finite/);
  });
});

describe("pausing and stepping training", () => {
  it("waits while paused, runs one epoch per step, finishes after resume, and gives the same result", async () => {
    const { TrainControl } = await import("../../src/core/train/control");
    const control = new TrainControl();
    control.pause();
    const epochs: number[] = [];
    const run = trainModel({
      arch,
      loss: "cross-entropy",
      dataset,
      initial,
      settings: settings({ epochs: 4 }),
      control,
      onEpoch: (e) => epochs.push(e.epoch),
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(epochs).toEqual([0]);
    control.step();
    await new Promise((r) => setTimeout(r, 30));
    expect(epochs).toEqual([0, 1]);
    control.resume();
    const r = await run;
    expect(epochs).toEqual([0, 1, 2, 3, 4]);
    const plain = await trainModel({
      arch,
      loss: "cross-entropy",
      dataset,
      initial,
      settings: settings({ epochs: 4 }),
    });
    expect(Array.from(r.parameters)).toEqual(Array.from(plain.parameters));
  });

  it("can be cancelled while paused", async () => {
    const { TrainControl } = await import("../../src/core/train/control");
    const control = new TrainControl();
    control.pause();
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    const run = trainModel({
      arch,
      loss: "cross-entropy",
      dataset,
      initial,
      settings: settings(),
      control,
      signal: controller.signal,
    });
    await new Promise((r) => setTimeout(r, 20));
    controller.abort(new Error("reset while paused"));
    await expect(run).rejects.toThrow(/reset while paused/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
