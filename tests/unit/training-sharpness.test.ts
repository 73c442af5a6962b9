import { describe, expect, it } from "vitest";
import { topEigenpairs } from "../../src/core/curvature/eigen";
import { makeHvp } from "../../src/core/curvature/hvp";
import { makeQuadraticHvp, matrixWithSpectrum } from "../../src/core/curvature/quadratic";
import { trainingSubset } from "../../src/core/curvature/subset";
import { makeDataset } from "../../src/core/data/make";
import { parseDatasetSpec } from "../../src/core/data/spec";
import { trainingSection } from "../../src/core/experiment/snapshot-parts";
import { initParameters } from "../../src/core/model/init";
import { makeArchitecture } from "../../src/core/model/mlp";
import { createRng, deriveSeed } from "../../src/core/rng";
import { tf } from "../../src/core/tf";
import type { SharpnessEntry } from "../../src/core/train/history";
import { largestEigenvalue, SharpnessTracker, stabilityBound } from "../../src/core/train/sharpness";
import { type TrainingSettings, trainModel } from "../../src/core/train/train";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

const dataset = makeDataset(parseDatasetSpec({ name: "moons", trainCount: 90, testCount: 0 }), 5);
const arch = makeArchitecture(2, 2, { hiddenSizes: [10], activation: "tanh" });
const initial = initParameters(arch, "auto", createRng(9));
const settings = (over: Partial<TrainingSettings> = {}): TrainingSettings => ({
  optimizer: "sgd",
  learningRate: 0.3,
  momentum: 0,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 0,
  batchSize: 30,
  epochs: 5,
  checkpointEvery: 0,
  seed: 3,
  ...over,
});

/** lambda_max by an independent cold start: PyHessian's power iteration, seeded differently. */
async function coldLambdaMax(theta: Float32Array, split = dataset.train, weightDecay = 0): Promise<number> {
  const op = makeHvp({ arch, loss: "cross-entropy", theta, dataset, train: split }, { weightDecay });
  try {
    const r = await topEigenpairs(op, { seed: 12345, maxIterations: 300, tolerance: 1e-5 });
    return r.values[0];
  } finally {
    op.dispose();
  }
}

describe("sharpness tracking", () => {
  it("measures at step 0, every sharpnessEvery steps and at the last step, on history's epoch axis", async () => {
    const seen: SharpnessEntry[] = [];
    const r = await trainModel({
      arch,
      loss: "cross-entropy",
      dataset,
      initial,
      settings: settings({ sharpnessEvery: 4, epochs: 5 }),
      onSharpness: (e) => seen.push(e),
    });
    expect(r.steps).toBe(15); // 3 steps per epoch
    const entries = r.sharpness?.entries ?? [];
    expect(entries.map((e) => e.step)).toEqual([0, 4, 8, 12, 15]);
    expect(entries.map((e) => e.epoch)).toEqual([0, 4 / 3, 8 / 3, 4, 5]);
    expect(seen).toEqual(entries);
    expect(entries.every((e) => e.lambdaMax > 0 && e.converged)).toBe(true);
    // The same entries ride on the per-epoch history, each once.
    expect(r.history.flatMap((h) => h.sharpness ?? [])).toEqual(entries);
    expect(r.history[0].sharpness?.map((e) => e.step)).toEqual([0]);
    expect(r.history[2].sharpness?.map((e) => e.step)).toEqual([4]);
    expect(r.history[5].sharpness?.map((e) => e.step)).toEqual([15]);
    expect(r.sharpness).toMatchObject({
      every: 4,
      samples: 90,
      learningRate: 0.3,
      bound: 2 / 0.3,
      weightDecay: 0,
    });
  });

  it("records at the final step the lambda_max of a cold-start power iteration on the final parameters, within 1%", async () => {
    const r = await trainModel({
      arch,
      loss: "cross-entropy",
      dataset,
      initial,
      settings: settings({ sharpnessEvery: 2, epochs: 8 }),
    });
    const last = r.sharpness?.entries.at(-1);
    expect(last?.step).toBe(r.steps);
    const cold = await coldLambdaMax(r.parameters);
    expect(Math.abs((last?.lambdaMax ?? 0) - cold) / cold).toBeLessThan(0.01);
    // Warm starts are cheap: after the first, measurements take few products.
    const later = (r.sharpness?.entries ?? []).slice(1).map((e) => e.iterations);
    expect(Math.min(...later)).toBeLessThan(r.sharpness?.entries[0].iterations ?? 0);
  });

  it("stops with a steps cap mid-epoch and still measures there", async () => {
    const r = await trainModel({
      arch,
      loss: "cross-entropy",
      dataset,
      initial,
      settings: settings({ sharpnessEvery: 3, epochs: 10, steps: 7 }),
    });
    expect(r.sharpness?.entries.map((e) => e.step)).toEqual([0, 3, 6, 7]);
  });

  it("measures once, at the start, without training, and not at all when off", async () => {
    const none = await trainModel({ arch, loss: "cross-entropy", dataset, initial, settings: settings() });
    expect(none.sharpness).toBeUndefined();
    expect(none.history.some((h) => h.sharpness)).toBe(false);
    const zero = await trainModel({
      arch,
      loss: "cross-entropy",
      dataset,
      initial,
      settings: settings({ epochs: 0, sharpnessEvery: 5 }),
    });
    expect(zero.sharpness?.entries.map((e) => e.step)).toEqual([0]);
  });

  it("uses a fixed seeded subset of sharpnessSamples training samples", async () => {
    const r = await trainModel({
      arch,
      loss: "cross-entropy",
      dataset,
      initial,
      settings: settings({ sharpnessEvery: 100, epochs: 2, sharpnessSamples: 40 }),
    });
    expect(r.sharpness?.samples).toBe(40);
    const { split: subset } = trainingSubset(dataset.train, 1, 40, deriveSeed(3, "sharpness-subset"));
    expect(subset.count).toBe(40);
    const cold = await coldLambdaMax(r.parameters, subset);
    const last = r.sharpness?.entries.at(-1)?.lambdaMax ?? 0;
    expect(Math.abs(last - cold) / cold).toBeLessThan(0.01);
    expect(trainingSubset(dataset.train, 1, 200, 1).split).toBe(dataset.train);
  });

  it("includes coupled weight decay: H = H_loss + wd I", async () => {
    const make = (weightDecay: number) =>
      new SharpnessTracker({
        arch,
        loss: "cross-entropy",
        dataset,
        theta: initial,
        samples: 1024,
        weightDecay,
        seed: 1,
      });
    const plain = make(0);
    const decayed = make(0.5);
    try {
      const a = await plain.measure(initial, 0, 0);
      const b = await decayed.measure(initial, 0, 0);
      expect(b.lambdaMax - a.lambdaMax).toBeCloseTo(0.5, 2);
    } finally {
      plain.dispose();
      decayed.dispose();
    }
  });

  it("finds the largest eigenvalue even when a negative one dominates in magnitude", async () => {
    const { matrix, n } = matrixWithSpectrum([3, 1, 0.5, -10], 4);
    const op = makeQuadraticHvp(matrix, n, new Float32Array(n));
    try {
      expect((await topEigenpairs(op, { seed: 2 })).values[0]).toBeCloseTo(-10, 2); // the dominant one
      const r = await largestEigenvalue(op, { seed: 2 });
      expect(r.value).toBeCloseTo(3, 3);
      expect(r.converged).toBe(true);
    } finally {
      op.dispose();
    }
  });

  it("gives the stability bound of each optimizer", () => {
    expect(stabilityBound({ optimizer: "sgd", learningRate: 0.1, momentum: 0.9 })).toBeCloseTo(20, 10);
    expect(stabilityBound({ optimizer: "momentum", learningRate: 0.1, momentum: 0.9 })).toBeCloseTo(38, 10);
    expect(stabilityBound({ optimizer: "adam", learningRate: 0.1, momentum: 0.9 })).toBeNull();
  });

  it("writes sharpness columns into the snapshot's training section", async () => {
    const r = await trainModel({
      arch,
      loss: "cross-entropy",
      dataset,
      initial,
      settings: settings({ sharpnessEvery: 6, epochs: 4, optimizer: "momentum", momentum: 0.5 }),
    });
    const section = trainingSection(r).sharpness as Record<string, unknown>;
    expect(section).toMatchObject({
      every: 6,
      samples: 90,
      learningRate: 0.3,
      bound: 3 / 0.3,
      step: [0, 6, 12],
      epoch: [0, 2, 4],
    });
    expect(section.lambdaMax).toEqual(r.sharpness?.entries.map((e) => e.lambdaMax));
    expect((section.iterations as number[]).length).toBe(3);
    expect(trainingSection({ ...r, sharpness: undefined }).sharpness).toBeUndefined();
  });

  it("rejects a negative sharpnessEvery", async () => {
    await expect(
      trainModel({
        arch,
        loss: "cross-entropy",
        dataset,
        initial,
        settings: settings({ sharpnessEvery: -1 }),
      }),
    ).rejects.toThrow(/training\.sharpnessEvery must be an integer >= 0, got -1/);
  });

  it("leaves no tensor behind, with SAM too, and when cancelled mid-measurement", async () => {
    const before = tf.memory().numTensors;
    await trainModel({
      arch,
      loss: "cross-entropy",
      dataset,
      initial,
      settings: settings({ sharpnessEvery: 2, epochs: 2, sam: { rho: 0.05 } }),
    });
    expect(tf.memory().numTensors).toBe(before);
    for (const at of [1, 3]) {
      const controller = new AbortController();
      let measured = 0;
      const run = trainModel({
        arch,
        loss: "cross-entropy",
        dataset,
        initial,
        settings: settings({ sharpnessEvery: 1, epochs: 50, sam: { rho: 0.05 } }),
        signal: controller.signal,
        onSharpness: () => {
          measured += 1;
          if (measured === at) controller.abort(new Error("user cancelled"));
        },
      });
      await expect(run).rejects.toThrow(/user cancelled/);
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});
