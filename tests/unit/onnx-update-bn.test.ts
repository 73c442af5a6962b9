/**
 * BatchNorm running statistics recomputed at a point (dnn-mode-connectivity's update_bn,
 * core/onnx/batch-norm.ts), against PyTorch: tests/fixtures/onnx/<name>.update_bn.json holds, for
 * the model's weights and a point away from them, the statistics bn_update ends with (batches of 6
 * in order, momentum b / (n + b)), the logits after it and the stale logits with the file's
 * statistics (make_update_bn.py). Then the policy in use: a plane sampled with
 * bnStatistics "recompute" gives PyTorch's loss after update_bn at every point, "file" the stale
 * one; the config names the policy in the snapshot and refuses it for a graph without BN.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { runExperiment } from "../../src/core/experiment/run";
import type { SubspaceProblem } from "../../src/core/landscape/evaluator";
import { naiveEvaluator } from "../../src/core/landscape/naive-evaluator";
import { modelLayout } from "../../src/core/model/architecture";
import { recomputeBnStatistics, withBnStatistics } from "../../src/core/onnx/batch-norm";
import type { OnnxArchitecture } from "../../src/core/onnx/graph";
import { onnxForward } from "../../src/core/onnx/interpret";
import { importOnnxModel, onnxParameterTensors } from "../../src/core/onnx/load";
import { summarizeSnapshot } from "../../src/core/snapshot/summary";
import { tf } from "../../src/core/tf";
import { type EngineArgs, tfjsEngine } from "../../src/core/train/tfjs-engine";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

const dir = new URL("../fixtures/onnx/", import.meta.url);
const bytes = (name: string) => new Uint8Array(readFileSync(new URL(name, dir)));
const json = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, dir), "utf8"));

interface UpdateBnPoint {
  scale: number;
  parameters: Record<string, number[]>;
  running: Record<string, number[]>;
  logits: number[];
  loss: number;
  staleLogits: number[];
  staleLoss: number;
  oneBatchLoss: number;
}
interface Fixture {
  arch: OnnxArchitecture;
  fileTheta: Float32Array;
  x: Float32Array;
  labels: number[];
  count: number;
  batchSize: number;
  points: UpdateBnPoint[];
}

function fixture(name: string): Fixture {
  const model = importOnnxModel(bytes(`${name}.onnx`));
  const inputs = json<{ x: number[]; labels: number[]; count: number }>(`${name}.json`);
  const ref = json<{ batchSize: number; points: UpdateBnPoint[] }>(`${name}.update_bn.json`);
  return {
    arch: model.arch,
    fileTheta: model.parameters,
    x: Float32Array.from(inputs.x),
    labels: inputs.labels,
    count: inputs.count,
    batchSize: ref.batchSize,
    points: ref.points,
  };
}

/** A point's flat parameters in the graph's order, from PyTorch's names. */
const thetaOf = (f: Fixture, p: UpdateBnPoint) =>
  Float32Array.from(f.arch.parameters.flatMap((q) => p.parameters[q.name] ?? []));

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
};

describe("update_bn: BN running statistics recomputed at a point, as PyTorch computes them", () => {
  for (const name of ["mlp_bn", "cnn_bn"]) {
    it(`${name}: statistics and logits after update_bn within 1e-5 of PyTorch, at theta and away from it`, () => {
      const f = fixture(name);
      const before = tf.memory().numTensors;
      for (const p of f.points) {
        const theta = thetaOf(f, p);
        expect(theta.length).toBe(f.fileTheta.length);
        let stats = new Map<string, Float32Array>();
        let logits: Float32Array = new Float32Array(0);
        let stale: Float32Array = new Float32Array(0);
        tf.tidy(() => {
          const params = onnxParameterTensors(f.arch, theta);
          const x = tf.tensor2d(f.x, [f.count, f.arch.inputSize]);
          stats = recomputeBnStatistics(f.arch, params, x, f.batchSize);
          logits = onnxForward(withBnStatistics(f.arch, stats), params, x).dataSync() as Float32Array;
          stale = onnxForward(f.arch, params, x).dataSync() as Float32Array;
        });
        expect([...stats.keys()].sort()).toEqual(Object.keys(p.running).sort());
        for (const [key, values] of stats)
          expect(maxDiff(values, p.running[key]), `${key} at ${p.scale}`).toBeLessThan(1e-5);
        expect(maxDiff(logits, p.logits)).toBeLessThan(1e-5);
        expect(maxDiff(stale, p.staleLogits)).toBeLessThan(1e-5);
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it("refuses a batch size below 2 and data of one sample, naming them", () => {
    const f = fixture("mlp_bn");
    tf.tidy(() => {
      const params = onnxParameterTensors(f.arch, f.fileTheta);
      const x = tf.tensor2d(f.x, [f.count, f.arch.inputSize]);
      expect(() => recomputeBnStatistics(f.arch, params, x, 1)).toThrow(
        /batch size must be an integer of at least 2, got 1/,
      );
      expect(() => recomputeBnStatistics(f.arch, params, tf.slice(x, [0, 0], [1, 4]), 8)).toThrow(
        /at least 2 training samples, got 1/,
      );
    });
  });
});

describe("the BN statistics policy on a plane", () => {
  /** theta (the file's weights) and the fixture's far point as the plane's one direction, at 0, 0.5 and 1. */
  function lineProblem(f: Fixture, statistics: "file" | "recompute"): SubspaceProblem {
    const far = thetaOf(f, f.points[1]);
    const theta = thetaOf(f, f.points[0]);
    return {
      arch: { ...f.arch, batchNorm: { statistics, batchSize: f.batchSize } },
      loss: "cross-entropy",
      layout: modelLayout(f.arch),
      origin: theta,
      directions: [far.map((v, i) => v - theta[i])],
      split: { x: f.x, y: Float32Array.from(f.labels), count: f.count },
      dataset: { task: "classification", inputSize: f.arch.inputSize, outputSize: 3 },
    };
  }

  for (const name of ["mlp_bn", "cnn_bn"]) {
    it(`${name}: "recompute" gives PyTorch's loss after update_bn at both ends; "file" the stale loss`, () => {
      const f = fixture(name);
      const before = tf.memory().numTensors;
      const loss = (statistics: "file" | "recompute") => {
        const prepared = naiveEvaluator.prepare(lineProblem(f, statistics));
        try {
          return prepared.evaluate(new Float32Array([0, 0.5, 1])).loss;
        } finally {
          prepared.dispose();
        }
      };
      const recomputed = loss("recompute");
      const file = loss("file");
      expect(Math.abs(recomputed[0] - f.points[0].loss)).toBeLessThan(1e-5);
      expect(Math.abs(recomputed[2] - f.points[1].loss)).toBeLessThan(1e-5);
      expect(Math.abs(file[2] - f.points[1].staleLoss)).toBeLessThan(1e-5);
      // Where it matters: away from theta the file's statistics are stale and the loss far off.
      expect(file[2] - recomputed[2]).toBeGreaterThan(0.3);
      console.log(
        `${name}: loss at theta + 0.5 d: file statistics ${file[2].toFixed(4)}, recomputed ${recomputed[2].toFixed(4)} (PyTorch ${f.points[1].loss.toFixed(4)})`,
      );
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it("recomputes from the training split when another split is evaluated", () => {
    const f = fixture("mlp_bn");
    const problem = lineProblem(f, "recompute");
    const half = { x: f.x.subarray(0, 8 * 4), y: Float32Array.from(f.labels.slice(0, 8)), count: 8 };
    const withTrain = naiveEvaluator.prepare({ ...problem, split: half, statistics: problem.split });
    const withOwn = naiveEvaluator.prepare({ ...problem, split: half });
    try {
      const a = withTrain.evaluate(new Float32Array([1])).loss[0];
      const b = withOwn.evaluate(new Float32Array([1])).loss[0];
      expect(a).not.toBeCloseTo(b, 4);
    } finally {
      withTrain.dispose();
      withOwn.dispose();
    }
  });
});

describe("training a BN graph: train mode, as PyTorch trains it", () => {
  for (const name of ["mlp_bn", "cnn_bn"]) {
    it(`${name}: one SGD step on every sample equals PyTorch's train-mode step within 1e-5`, () => {
      const f = fixture(name);
      const ref = json<{
        sgdStep: { learningRate: number; loss: number; parameters: Record<string, number[]> };
      }>(`${name}.update_bn.json`).sgdStep;
      const before = tf.memory().numTensors;
      const engine = tfjsEngine({
        arch: f.arch,
        loss: "cross-entropy",
        dataset: {
          name: "fixture",
          task: "classification",
          inputSize: f.arch.inputSize,
          outputSize: 3,
          classes: 3,
          train: { x: f.x, y: Float32Array.from(f.labels), count: f.count },
          test: { x: new Float32Array(0), y: new Float32Array(0), count: 0 },
        } as EngineArgs["dataset"],
        initial: f.fileTheta,
        settings: {
          optimizer: "sgd",
          learningRate: ref.learningRate,
          momentum: 0,
          beta1: 0.9,
          beta2: 0.999,
          epsilon: 1e-8,
          weightDecay: 0,
        },
      });
      try {
        const loss = engine.step(Int32Array.from({ length: f.count }, (_, i) => i));
        // The batch loss is taken in train mode (batch statistics), not with the file's.
        expect(Math.abs(loss - ref.loss)).toBeLessThan(1e-5);
        const expected = Float32Array.from(f.arch.parameters.flatMap((q) => ref.parameters[q.name] ?? []));
        expect(maxDiff(engine.parameters(), expected)).toBeLessThan(1e-5);
      } finally {
        engine.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe("the config's model.bnStatistics", () => {
  const readerOf = (files: Record<string, Uint8Array>) => async (path: string) => {
    const b = files[path];
    if (!b) throw new Error(`no file ${path}`);
    return b;
  };
  const csvOf = (f: Fixture) =>
    new TextEncoder().encode(
      `${Array.from({ length: f.count }, (_, i) => [...f.x.subarray(i * 4, i * 4 + 4), f.labels[i]].join(",")).join("\n")}\n`,
    );

  it('names the policy in the snapshot, and the plane with "recompute" has PyTorch\'s update_bn loss at its centre', async () => {
    const f = fixture("mlp_bn");
    const user = readerOf({ "net.onnx": bytes("mlp_bn.onnx"), "data.csv": csvOf(f) });
    const config = resolveConfig({
      data: { name: "file", path: "data.csv", header: false, classes: 3, trainCount: 16, testCount: 0 },
      model: { kind: "onnx", file: "net.onnx", bnStatistics: "recompute", bnBatchSize: 16 },
      grid: { x: { min: -0.5, max: 0.5, count: 3 }, y: { min: -0.5, max: 0.5, count: 3 } },
    });
    const { snapshot } = await runExperiment(config, { backend: "wasm", files: { user } });
    expect((snapshot.model.architecture as OnnxArchitecture).batchNorm).toEqual({
      statistics: "recompute",
      batchSize: 16,
    });
    expect((snapshot.config.model as { bnStatistics: string }).bnStatistics).toBe("recompute");
    expect(summarizeSnapshot(snapshot)).toMatch(
      /BN statistics\s+recomputed at every point from the training data \(update_bn, batches of 16\)/,
    );
    // The file's rows are shuffled into the train split; one batch of all 16 makes the statistics
    // independent of their order, so the centre is PyTorch's loss after update_bn in one batch.
    expect(
      Math.abs((snapshot.surfaces.train_loss as Float32Array)[4] - f.points[0].oneBatchLoss),
    ).toBeLessThan(1e-5);
  });

  it('refuses "recompute" for a graph without BatchNormalization', async () => {
    const user = readerOf({
      "net.onnx": bytes("mlp.onnx"),
      "x.npy": bytes("mlp-x.npy"),
      "y.npy": bytes("mlp-y.npy"),
    });
    const config = resolveConfig({
      data: { name: "file", path: "x.npy", labels: "y.npy", testFraction: 0.25 },
      model: { kind: "onnx", file: "net.onnx", bnStatistics: "recompute" },
      grid: { x: { min: -1, max: 1, count: 3 }, y: { min: -1, max: 1, count: 3 } },
    });
    await expect(runExperiment(config, { backend: "wasm", files: { user } })).rejects.toThrow(
      /model\.bnStatistics "recompute": net\.onnx has no BatchNormalization node/,
    );
  });
});
