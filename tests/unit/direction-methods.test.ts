/**
 * The direction methods' registry (experiment/direction-methods.ts): makePlane dispatches through
 * it alone, checks each method's validity rules before its maker runs, and its names are the
 * config's (directions/methods.ts). A fixture method defined and registered in this file only
 * (what a new direction-<name>.ts plus its registry line would be) runs through makePlane, the
 * landscape and the snapshot like a shipped one. A tiny tanh MLP (2-4-2, 22 parameters) on 32
 * moons points, 6 full-batch epochs.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import type { ExperimentConfig, ExperimentConfigInput } from "../../src/core/config/schema";
import { DIRECTION_METHODS as SCHEMA_METHODS } from "../../src/core/config/schema";
import { HESSIAN_DIRECTION_METHODS } from "../../src/core/curvature/hessian-methods";
import { DIRECTION_METHODS } from "../../src/core/directions/methods";
import { DIRECTION_METHOD_REGISTRY, directionMethodSpec } from "../../src/core/experiment/direction-methods";
import { AXIS_LABELS, type DirectionMethodSpec } from "../../src/core/experiment/plane";
import { replayTrajectory, withTrajectory } from "../../src/core/experiment/plane-trajectory";
import {
  landscapeProblem,
  makePlane,
  type PreparedModel,
  prepareModel,
} from "../../src/core/experiment/prepare";
import { buildSnapshot } from "../../src/core/experiment/snapshot-parts";
import { naiveEvaluator } from "../../src/core/landscape/naive-evaluator";
import { sampleLandscape } from "../../src/core/landscape/surfaces";
import { parseSnapshot, serializeSnapshot } from "../../src/core/snapshot/io";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

// --- What a new method's file would hold: direction-coordinate-axes.ts ----------------------------

/**
 * Fixture method "coordinate-axes": axis k is the unit basis vector e_k of parameter space (the
 * first weight, the second weight), so the landscape at (a, b) is L(theta + a e_0 + b e_1): a
 * slice through two single weights. MLPs only, 1 or 2 axes.
 */
const coordinateAxes: DirectionMethodSpec = {
  models: ["mlp"],
  axes: [1, 2],
  async make(_config, model, grid) {
    const directions = grid.axes.map((_, k) => {
      const values = new Float32Array(model.theta.length);
      values[k] = 1;
      return {
        label: AXIS_LABELS[k],
        method: "coordinate-axes",
        normalization: "none" as const,
        bias: "include" as const,
        values,
      };
    });
    const trajectory = replayTrajectory(
      model,
      directions.map((d) => d.values),
      "projection",
    );
    return { directions, grid, ...withTrajectory(trajectory) };
  },
};

// --- ...and its one registry line (here a copy of the registry, so the shipped one stays as it is).
const methods = { ...DIRECTION_METHOD_REGISTRY, "coordinate-axes": coordinateAxes };

// -------------------------------------------------------------------------------------------------

const base = {
  seed: 3,
  data: { name: "moons", trainCount: 32, testCount: 8 },
  model: { hiddenSizes: [4], activation: "tanh" },
  training: { epochs: 6, batchSize: "full", learningRate: 0.05, checkpointEvery: 2 },
  grid: { x: { min: -0.5, max: 0.5, count: 3 }, y: { min: -0.5, max: 0.5, count: 3 } },
} satisfies ExperimentConfigInput;

/** The config with a method the schema does not know (it lists the shipped methods only). */
function withMethod(config: ExperimentConfig, method: string): ExperimentConfig {
  return { ...config, directions: { ...config.directions, method } } as unknown as ExperimentConfig;
}

let config: ExperimentConfig;
let model: PreparedModel;

beforeAll(async () => {
  config = resolveConfig(base);
  model = await prepareModel(config);
}, 60_000);

describe("the direction methods' registry", () => {
  it("has one entry per method name, in the names' order, and the config schema takes exactly those names", () => {
    expect(Object.keys(DIRECTION_METHOD_REGISTRY)).toEqual([...DIRECTION_METHODS]);
    expect(SCHEMA_METHODS).toBe(DIRECTION_METHODS);
    for (const method of DIRECTION_METHODS) {
      expect(resolveConfig({ ...base, directions: { method } }).directions.method).toBe(method);
    }
    expect(() => resolveConfig({ ...base, directions: { method: "coordinate-axes" } })).toThrow(
      /directions\.method/,
    );
  });

  it("names every Hessian method the curvature code solves for, each taking MLPs and ONNX models", () => {
    for (const method of HESSIAN_DIRECTION_METHODS) {
      expect(DIRECTION_METHODS).toContain(method);
      expect(DIRECTION_METHOD_REGISTRY[method].models).toEqual(["mlp", "onnx"]);
    }
  });

  it("states each shipped method's rules: pca wants a 2-D grid, random and pca take every model kind", () => {
    expect(DIRECTION_METHOD_REGISTRY.pca.axes).toEqual([2]);
    expect(DIRECTION_METHOD_REGISTRY.pca.models).toBe("any");
    expect(DIRECTION_METHOD_REGISTRY.random).toMatchObject({ models: "any", axes: [1, 2] });
  });

  it("refuses an unknown method, listing the known ones", () => {
    expect(() => directionMethodSpec("sideways")).toThrow(
      /directions\.method: unknown method "sideways"; expected one of random, pca, hessian-top2, hessian-top-bottom/,
    );
    // Not an inherited property either.
    expect(() => directionMethodSpec("toString")).toThrow(/unknown method "toString"/);
  });
});

describe("makePlane through the registry", () => {
  it("runs a method registered in this test alone: one spec and one registry line", async () => {
    const plane = await makePlane(withMethod(config, "coordinate-axes"), model, { methods });
    expect(plane.directions.map((d) => [d.label, d.method, d.normalization])).toEqual([
      ["x", "coordinate-axes", "none"],
      ["y", "coordinate-axes", "none"],
    ]);
    expect(Array.from(plane.directions[0].values.slice(0, 3))).toEqual([1, 0, 0]);
    expect(Array.from(plane.directions[1].values.slice(0, 3))).toEqual([0, 1, 0]);
    expect(plane.grid.axes.map((a) => [a.label, a.min, a.max, a.count])).toEqual([
      ["x", -0.5, 0.5, 3],
      ["y", -0.5, 0.5, 3],
    ]);
    // The trained run's replay path on the plane: its x is the first weight's offset from theta.
    const run = plane.trajectory?.runs[0];
    expect(run?.label).toBe("training");
    expect(run?.x[0]).toBeCloseTo((model.runs?.[0].checkpoints[0].parameters[0] ?? 0) - model.theta[0], 5);
  });

  it("gives a plane the landscape and the snapshot take like a shipped method's", async () => {
    const plane = await makePlane(withMethod(config, "coordinate-axes"), model, { methods });
    const surfaces = await sampleLandscape(landscapeProblem(model, plane), plane.grid, naiveEvaluator);
    const loss = surfaces.train_loss as Float32Array;
    expect(loss).toHaveLength(9);
    // Grid point (b, a) of a 3 x 3 grid over [-0.5, 0.5]^2 is theta + a e_0 + b e_1: the centre is theta.
    const shifted = model.theta.slice();
    shifted[0] += 0.5;
    shifted[1] -= 0.5;
    const direct = await sampleLandscape(
      landscapeProblem({ ...model, theta: shifted }, { ...plane, directions: [plane.directions[0]] }),
      { axes: [{ label: "x", min: 0, max: 1, count: 2 }] },
      naiveEvaluator,
    );
    expect(loss[0 * 3 + 2]).toBeCloseTo((direct.train_loss as Float32Array)[0], 5);
    const snapshot = buildSnapshot({
      config: model.recordedConfig,
      backend: "wasm",
      createdAt: new Date("2026-11-27T10:00:00Z"),
      model,
      plane,
      surfaces,
      evaluator: naiveEvaluator.name,
    });
    const back = parseSnapshot(serializeSnapshot(snapshot));
    expect(back.directions.map((d) => d.method)).toEqual(["coordinate-axes", "coordinate-axes"]);
  });

  it("dispatches by the registry alone: replacing the entry of a shipped name replaces its maker", async () => {
    const plane = await makePlane(config, model, { methods: { ...methods, random: coordinateAxes } });
    expect(plane.directions.map((d) => d.method)).toEqual(["coordinate-axes", "coordinate-axes"]);
    const shipped = await makePlane(config, model);
    expect(shipped.directions.map((d) => d.method)).toEqual(["random", "random"]);
  });

  it("checks a method's rules before its maker runs: model kinds and the grid's axes", async () => {
    let made = 0;
    const counting: DirectionMethodSpec = {
      models: ["onnx"],
      axes: [2],
      make: async (...args) => {
        made++;
        return coordinateAxes.make(...args);
      },
    };
    const registry = { ...methods, counting };
    await expect(makePlane(withMethod(config, "counting"), model, { methods: registry })).rejects.toThrow(
      /directions\.method counting works on ONNX models only; this model is kind "mlp"/,
    );
    const line = resolveConfig({ ...base, grid: { ...base.grid, y: null } });
    const onnxModel = { ...model, arch: { ...model.arch, kind: "onnx" } } as unknown as PreparedModel;
    await expect(makePlane(withMethod(line, "counting"), onnxModel, { methods: registry })).rejects.toThrow(
      /directions\.method counting needs a 2-D grid \(grid\.y must not be null\)/,
    );
    expect(made).toBe(0);
  });

  it("refuses the shipped methods' misuses with their messages: pca on a line, Hessian axes of a layers model", async () => {
    const line = { ...config, grid: { ...config.grid, y: null } } as ExperimentConfig;
    await expect(makePlane(withMethod(line, "pca"), model)).rejects.toThrow(
      /^directions\.method pca needs a 2-D grid \(grid\.y must not be null\)$/,
    );
    const layers = { ...model, arch: { ...model.arch, kind: "layers" } } as unknown as PreparedModel;
    await expect(makePlane(withMethod(config, "hessian-top2"), layers)).rejects.toThrow(
      /^directions\.method hessian-top2 works on MLPs and ONNX models only; this model is kind "layers"$/,
    );
    await expect(makePlane(withMethod(config, "sideways"), model)).rejects.toThrow(
      /unknown method "sideways"/,
    );
  });
});
