/**
 * Function-preserving rescaling (Dinh et al. 2017): hidden layer l times c, layer l + 1's kernel
 * divided by c. Same outputs, same filter-normalized landscape, a different raw Hessian.
 */

import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { randomDirection } from "../../src/core/directions/random";
import { curvatureReport } from "../../src/core/experiment/curvature-report";
import { runExperiment } from "../../src/core/experiment/run";
import type { Grid } from "../../src/core/landscape/grid";
import { sampleLandscape } from "../../src/core/landscape/surfaces";
import { tfjsBatchedEvaluator } from "../../src/core/landscape/tfjs-batched-evaluator";
import { requireMlp } from "../../src/core/model/architecture";
import { initParameters } from "../../src/core/model/init";
import { makeArchitecture, mlpLayout } from "../../src/core/model/mlp";
import { predict } from "../../src/core/model/predict";
import { rescaleParameters, rescaleProblem } from "../../src/core/model/rescale";
import type { Activation, MlpArchitecture } from "../../src/core/model/types";
import { createRng } from "../../src/core/rng";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

function problem(activation: Activation, hiddenSizes = [6, 5], residual = false) {
  const rng = createRng(11);
  const n = 48;
  const x = Float32Array.from({ length: n * 2 }, () => rng.normal());
  const y = Float32Array.from({ length: n }, () => rng.int(3));
  const arch = makeArchitecture(2, 3, { hiddenSizes, activation, residual });
  const theta = initParameters(arch, "auto", rng);
  for (let i = 0; i < theta.length; i++) if (theta[i] === 0) theta[i] = 0.1 * rng.normal();
  return {
    arch,
    layout: mlpLayout(arch),
    theta,
    split: { x, y, count: n },
    dataset: { task: "classification" as const, inputSize: 2, outputSize: 3 },
  };
}

const maxRel = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]) / Math.max(1e-6, Math.abs(v), Math.abs(b[i]))), 0);

describe("rescaleParameters", () => {
  for (const activation of ["relu", "leaky_relu", "linear"] as const) {
    for (const layer of [0, 1]) {
      it(`keeps the outputs of a ${activation} network (layer ${layer} times 4, the next kernel divided by 4)`, () => {
        const p = problem(activation);
        const scaled = rescaleParameters(p.arch, p.theta, { layer, factor: 4 });
        const before = predict(p.arch, p.theta, p.split.x, p.split.count, "regression");
        const after = predict(p.arch, scaled, p.split.x, p.split.count, "regression");
        const scale = before.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        for (let i = 0; i < before.length; i++)
          expect(Math.abs(before[i] - after[i])).toBeLessThanOrEqual(1e-5 * scale);
        expect(maxRel(p.theta, scaled)).toBeGreaterThan(0.5); // the parameters did move
      });
    }
  }

  it("multiplies exactly layer l's kernel and bias by c and divides exactly layer l + 1's kernel by c", () => {
    const arch = makeArchitecture(1, 1, { hiddenSizes: [2], activation: "relu" });
    // dense_0/kernel [1, 2], dense_0/bias [2], dense_1/kernel [2, 1], dense_1/bias [1]
    const theta = Float32Array.of(1, 2, 3, 4, 5, 6, 7);
    expect(Array.from(rescaleParameters(arch, theta, { layer: 0, factor: 2 }))).toEqual([
      2, 4, 6, 8, 2.5, 3, 7,
    ]);
    expect(Array.from(theta)).toEqual([1, 2, 3, 4, 5, 6, 7]); // the input is not touched
  });

  it("leaves the filter-normalized landscape unchanged but changes the raw one and lambda_max", async () => {
    const p = problem("relu");
    const scaled = rescaleParameters(p.arch, p.theta, { layer: 0, factor: 5 });
    const grid: Grid = {
      axes: [
        { label: "x", min: -1, max: 1, count: 7 },
        { label: "y", min: -1, max: 1, count: 7 },
      ],
    };
    const surface = async (theta: Float32Array, normalization: "filter" | "none") => {
      const directions = [3, 4].map((seed) =>
        randomDirection(theta, p.layout, { normalization, bias: "zero", seed }),
      );
      const s = await sampleLandscape(
        { ...p, theta, directions, loss: "cross-entropy", train: p.split },
        grid,
        tfjsBatchedEvaluator,
      );
      return s.train_loss as Float32Array;
    };
    expect(maxRel(await surface(p.theta, "filter"), await surface(scaled, "filter"))).toBeLessThan(1e-4);
    expect(maxRel(await surface(p.theta, "none"), await surface(scaled, "none"))).toBeGreaterThan(0.01);
    const lambda = async (theta: Float32Array) =>
      (
        await curvatureReport(
          { arch: p.arch, loss: "cross-entropy", theta, dataset: p.dataset, train: p.split },
          { topK: 1, traceSamples: 0, maxIterations: 200, tolerance: 1e-5, seed: 1 },
        )
      ).top.values[0];
    const before = tf.memory().numTensors;
    const [a, b] = [await lambda(p.theta), await lambda(scaled)];
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.max(a, b) / Math.min(a, b)).toBeGreaterThan(2);
  });

  it("refuses what would change the function, with a message naming the field", () => {
    const relu = problem("relu");
    const cases: [MlpArchitecture, { layer: number; factor: number }, RegExp][] = [
      [
        problem("tanh").arch,
        { layer: 0, factor: 2 },
        /rescale: needs a positively homogeneous activation.*got tanh/,
      ],
      [problem("sigmoid").arch, { layer: 0, factor: 2 }, /got sigmoid/],
      [problem("elu").arch, { layer: 0, factor: 2 }, /got elu/],
      [relu.arch, { layer: 2, factor: 2 }, /rescale\.layer: must be a hidden layer index in \[0, 1\].*got 2/],
      [relu.arch, { layer: -1, factor: 2 }, /rescale\.layer/],
      [relu.arch, { layer: 0.5, factor: 2 }, /rescale\.layer/],
      [relu.arch, { layer: 0, factor: 0 }, /rescale\.factor: must be a finite number > 0, got 0/],
      [relu.arch, { layer: 0, factor: Number.NaN }, /rescale\.factor/],
      [relu.arch, { layer: 0, factor: Number.POSITIVE_INFINITY }, /rescale\.factor/],
      [problem("relu", []).arch, { layer: 0, factor: 2 }, /no hidden layer/],
      [problem("relu", [6, 6], true).arch, { layer: 0, factor: 2 }, /layer 1 is a residual layer/],
      [problem("relu", [6, 6, 6], true).arch, { layer: 2, factor: 2 }, /layer 2 is a residual layer/],
    ];
    for (const [arch, r, message] of cases) {
      expect(rescaleProblem(arch, r)).toMatch(message);
      expect(() => rescaleParameters(arch, initParameters(arch, "auto", createRng(1)), r)).toThrow(message);
    }
    // A residual layer elsewhere does not matter: [6, 4, 4] has its residual layer at index 2.
    expect(rescaleProblem(problem("relu", [6, 4, 4], true).arch, { layer: 0, factor: 2 })).toBeNull();
    expect(() => rescaleParameters(relu.arch, new Float32Array(3), { layer: 0, factor: 2 })).toThrow(
      /expected/,
    );
  });
});

describe("the config's rescale key", () => {
  const tiny = (extra: Record<string, unknown> = {}) => ({
    seed: 2,
    data: { name: "moons", trainCount: 48, testCount: 16 },
    model: { hiddenSizes: [6, 6], activation: "relu" },
    training: { epochs: 3, batchSize: 16 },
    grid: { x: { count: 3 }, y: { count: 3 } },
    ...extra,
  });

  it("is checked before training, naming the field", () => {
    expect(() => resolveConfig(tiny({ rescale: { layer: 0, factor: -1 } }))).toThrow(/rescale\.factor/);
    expect(() => resolveConfig(tiny({ rescale: { layer: 0 } }))).toThrow(/rescale\.factor/);
    expect(() => resolveConfig(tiny({ rescale: { layer: 0, factor: 2, c: 1 } }))).toThrow(/rescale.*"c"/);
    expect(() => resolveConfig(tiny({ rescale: { layer: 2, factor: 2 } }))).toThrow(
      /rescale\.layer.*\[0, 1\]/,
    );
    expect(() =>
      resolveConfig(
        tiny({ rescale: { layer: 0, factor: 2 }, model: { hiddenSizes: [6], activation: "tanh" } }),
      ),
    ).toThrow(/positively homogeneous.*tanh/);
    expect(() =>
      resolveConfig(
        tiny({
          rescale: { layer: 0, factor: 2 },
          directions: { method: "pca" },
          training: { epochs: 4, checkpointEvery: 1 },
        }),
      ),
    ).toThrow(/rescale: cannot be combined with directions.method pca/);
    expect(resolveConfig(tiny({ rescale: { layer: 1, factor: 3 } })).rescale).toEqual({
      layer: 1,
      factor: 3,
    });
  });

  it("rescales the trained parameters before the directions; the snapshot records it and its filter-normalized surface is unchanged", async () => {
    const plain = await runExperiment(resolveConfig(tiny()), { backend: "wasm" });
    const scaled = await runExperiment(resolveConfig(tiny({ rescale: { layer: 0, factor: 4 } })), {
      backend: "wasm",
    });
    const expected = rescaleParameters(
      requireMlp(plain.snapshot.model.architecture, "rescale"),
      plain.snapshot.model.parameters,
      {
        layer: 0,
        factor: 4,
      },
    );
    expect(Array.from(scaled.snapshot.model.parameters)).toEqual(Array.from(expected));
    expect(scaled.snapshot.config.rescale).toEqual({ layer: 0, factor: 4 });
    expect(plain.snapshot.config.rescale).toBeUndefined();
    // Filter-normalized random plane, same seeds: the same surface.
    expect(maxRel(plain.snapshot.surfaces.train_loss, scaled.snapshot.surfaces.train_loss)).toBeLessThan(
      1e-4,
    );
    // Rescaling a snapshot's model again (from): applied on top, the source's own rescale recorded.
    const again = await runExperiment(resolveConfig(tiny({ rescale: { layer: 1, factor: 2 } })), {
      backend: "wasm",
      from: scaled.snapshot,
    });
    expect(again.snapshot.config.rescale).toEqual({ layer: 1, factor: 2 });
    expect((again.snapshot.config.source as { rescale?: unknown }).rescale).toEqual({ layer: 0, factor: 4 });
    expect(maxRel(again.snapshot.surfaces.train_loss, plain.snapshot.surfaces.train_loss)).toBeLessThan(1e-4);
  });
});
