import { describe, expect, it } from "vitest";
import { requireMlpModel, resolveConfig } from "../../src/core/config/resolve";
import { applyLabelNoise } from "../../src/core/data/label-noise";
import { makeDataset } from "../../src/core/data/make";
import { parseDatasetSpec } from "../../src/core/data/spec";
import type { DataSplit } from "../../src/core/data/types";
import { trainingSection } from "../../src/core/experiment/snapshot-parts";
import { initParameters } from "../../src/core/model/init";
import { makeArchitecture } from "../../src/core/model/mlp";
import { createRng } from "../../src/core/rng";
import { trainModel } from "../../src/core/train/train";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

const make = (spec: object, seed = 4) => makeDataset(parseDatasetSpec(spec), seed);
const differing = (a: Float32Array, b: Float32Array) => a.reduce((n, v, i) => n + (v === b[i] ? 0 : 1), 0);
const split = (n: number, classes: number): DataSplit => ({
  x: Float32Array.from({ length: 2 * n }, (_, i) => i),
  y: Float32Array.from({ length: n }, (_, i) => i % classes),
  count: n,
});

describe("label noise", () => {
  it.each([
    [97, 3, 0.1],
    [97, 3, 0.25],
    [10, 2, 0.05],
    [10, 2, 0.95],
    [1, 4, 0.6],
  ])(
    "flips exactly round(f n) of %i labels of %i classes at f = %f, each to another valid class",
    (n, classes, f) => {
      const clean = split(n, classes);
      const { split: noisy, changed } = applyLabelNoise(clean, classes, f, createRng(1));
      expect(changed.length).toBe(Math.round(f * n));
      expect(differing(noisy.y, clean.y)).toBe(Math.round(f * n));
      for (const row of changed) {
        expect(noisy.y[row]).not.toBe(clean.y[row]);
        expect(Number.isInteger(noisy.y[row]) && noisy.y[row] >= 0 && noisy.y[row] < classes).toBe(true);
      }
      expect(noisy.x).toBe(clean.x);
      expect(clean.y).toEqual(split(n, classes).y); // the input is not modified
    },
  );

  it("is deterministic for a seed and differs for another", () => {
    const clean = split(200, 5);
    const a = applyLabelNoise(clean, 5, 0.3, createRng(7));
    const b = applyLabelNoise(clean, 5, 0.3, createRng(7));
    const c = applyLabelNoise(clean, 5, 0.3, createRng(8));
    expect(Array.from(a.split.y)).toEqual(Array.from(b.split.y));
    expect(Array.from(a.changed)).toEqual(Array.from(b.changed));
    expect(Array.from(a.changed)).not.toEqual(Array.from(c.changed));
  });

  it("spreads the new labels over every other class", () => {
    const clean = split(3000, 3);
    const { split: noisy, changed } = applyLabelNoise(clean, 3, 0.5, createRng(2));
    const shifts = [0, 0, 0];
    for (const row of changed) shifts[(noisy.y[row] - clean.y[row] + 3) % 3] += 1;
    expect(shifts[0]).toBe(0);
    expect(shifts[1] / changed.length).toBeCloseTo(0.5, 1);
  });

  it("changes nothing at 0, or when absent", () => {
    const clean = split(50, 2);
    const { split: same, changed } = applyLabelNoise(clean, 2, 0, createRng(1));
    expect(changed.length).toBe(0);
    expect(Array.from(same.y)).toEqual(Array.from(clean.y));
    const absent = make({ name: "spirals", trainCount: 64, testCount: 16 });
    const zero = make({ name: "spirals", trainCount: 64, testCount: 16, labelNoise: 0 });
    expect(zero).toEqual(absent);
    expect(absent.labelNoise).toBeUndefined();
  });

  it("flips training labels only, from the data seed, leaving points and test split as they were", () => {
    const spec = { name: "blobs", classes: 4, trainCount: 150, testCount: 60 };
    const clean = make(spec);
    const noisy = make({ ...spec, labelNoise: 0.2 });
    expect(noisy.labelNoise).toEqual({ fraction: 0.2, changed: 30 });
    expect(differing(noisy.train.y, clean.train.y)).toBe(30);
    expect(Array.from(noisy.train.x)).toEqual(Array.from(clean.train.x));
    expect(noisy.test).toEqual(clean.test);
    expect(Array.from(make({ ...spec, labelNoise: 0.2 }).train.y)).toEqual(Array.from(noisy.train.y));
    expect(Array.from(make({ ...spec, labelNoise: 0.2 }, 5).train.y)).not.toEqual(Array.from(noisy.train.y));
  });

  it("records the flipped count in the training result and the snapshot's training section", async () => {
    const config = resolveConfig({
      data: { name: "moons", trainCount: 40, testCount: 0, labelNoise: 0.25 },
      model: { hiddenSizes: [4] },
      training: { epochs: 1, batchSize: "full" },
    });
    expect(config.data).toMatchObject({ labelNoise: 0.25 });
    const dataset = makeDataset(config.data, config.data.seed);
    const arch = makeArchitecture(2, 2, requireMlpModel(config.model, "this test"));
    const r = await trainModel({
      arch,
      loss: "cross-entropy",
      dataset,
      initial: initParameters(arch, "auto", createRng(1)),
      settings: config.training,
    });
    expect(r.labelNoise).toEqual({ fraction: 0.25, changed: 10 });
    expect(trainingSection(r).labelNoise).toEqual({ fraction: 0.25, changed: 10 });
  });

  it("is refused for regression datasets and outside [0, 1), naming the field", () => {
    expect(() => parseDatasetSpec({ name: "sine", labelNoise: 0.1 })).toThrow(
      /data\.labelNoise: applies to classification datasets only .*use noise.*, got 0\.1/,
    );
    expect(parseDatasetSpec({ name: "sine", labelNoise: 0 })).toMatchObject({ labelNoise: 0 });
    expect(() => parseDatasetSpec({ name: "moons", labelNoise: 1 })).toThrow(
      /data\.labelNoise: must be a number in \[0, 1\), got 1/,
    );
    expect(() => parseDatasetSpec({ name: "moons", labelNoise: -0.1 })).toThrow(/data\.labelNoise/);
    expect(() => applyLabelNoise(split(4, 2), 2, 1, createRng(1))).toThrow(
      /labelNoise must be a number in \[0, 1\)/,
    );
  });
});
