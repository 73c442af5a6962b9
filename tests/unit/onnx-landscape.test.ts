/**
 * ONNX models as a model kind ("onnx"): the landscape at (0, 0) is the model's own loss (the mean
 * cross-entropy PyTorch computed from its logits, tests/fixtures/onnx/*.json) within 1e-5; filter
 * normalization takes PyTorch's filters (rows of [out, in, ...]); bias "zero" zeroes biases and BN
 * scales and shifts; running statistics are never parameters; an experiment from an .onnx file
 * (what `landscape compute --model net.onnx` runs) writes a snapshot that reads back, and
 * training through the interpreter (BN in train mode) lowers the loss and leaves the model with the
 * statistics of its final weights.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { randomDirection } from "../../src/core/directions/random";
import { runExperiment } from "../../src/core/experiment/run";
import { torchShape, toTorchOrder } from "../../src/core/export/reference";
import type { Grid } from "../../src/core/landscape/grid";
import { naiveEvaluator } from "../../src/core/landscape/naive-evaluator";
import { sampleLandscape } from "../../src/core/landscape/surfaces";
import { modelLayout } from "../../src/core/model/architecture";
import { bnStatisticsAt } from "../../src/core/model/bn-statistics";
import { layoutOffsets } from "../../src/core/model/layout";
import { importOnnxModel } from "../../src/core/onnx/load";
import { parseSnapshot, serializeSnapshot } from "../../src/core/snapshot/io";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

const dir = new URL("../fixtures/onnx/", import.meta.url);
const file = (name: string) => new Uint8Array(readFileSync(new URL(name, dir)));
interface Reference {
  count: number;
  x: number[];
  labels: number[];
  logitsTorch: number[];
  lossTorch: number;
}
const reference = (name: string): Reference => JSON.parse(readFileSync(new URL(`${name}.json`, dir), "utf8"));

const grid3: Grid = {
  axes: [
    { label: "x", min: -1, max: 1, count: 3 },
    { label: "y", min: -1, max: 1, count: 3 },
  ],
};

/** Mean cross-entropy of logits [n, c] with labels, in float64. */
function crossEntropy(logits: ArrayLike<number>, labels: ArrayLike<number>, c: number): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = Array.from({ length: c }, (_, j) => logits[i * c + j]);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    total += lse - row[labels[i]];
  }
  return total / labels.length;
}

describe("ONNX models in the landscape", () => {
  for (const name of ["mlp", "mlp_bn", "cnn_bn", "residual", "residual_dynamo", "strided", "ops"]) {
    it(`samples ${name}.onnx with its own PyTorch loss at (0, 0), within 1e-5`, async () => {
      const model = importOnnxModel(file(`${name}.onnx`));
      const ref = reference(name);
      const layout = modelLayout(model.arch);
      const before = tf.memory().numTensors;
      const s = await sampleLandscape(
        {
          arch: model.arch,
          loss: "cross-entropy",
          layout,
          theta: model.parameters,
          directions: [1, 2].map((seed) =>
            randomDirection(model.parameters, layout, { normalization: "filter", bias: "zero", seed }),
          ),
          dataset: { task: "classification", inputSize: model.arch.inputSize, outputSize: 3 },
          train: { x: Float32Array.from(ref.x), y: Float32Array.from(ref.labels), count: ref.count },
        },
        grid3,
        naiveEvaluator,
      );
      expect(tf.memory().numTensors).toBe(before);
      const centre = (s.train_loss as Float32Array)[4];
      const difference = Math.abs(centre - ref.lossTorch);
      console.log(
        `${name}: landscape at (0, 0) ${centre}, PyTorch's loss ${ref.lossTorch}, |difference| ${difference.toExponential(2)}`,
      );
      expect(difference).toBeLessThan(1e-5);
      // Other grid points differ from the centre: the directions move the model.
      expect(Math.abs((s.train_loss as Float32Array)[0] - centre)).toBeGreaterThan(1e-4);
    });
  }

  it("normalizes per PyTorch filter (rows of [out, in, kh, kw]) and zeroes biases and BN scale and shift", () => {
    const model = importOnnxModel(file("cnn_bn.onnx"));
    const layout = modelLayout(model.arch);
    const d = randomDirection(model.parameters, layout, { normalization: "filter", bias: "zero", seed: 5 });
    const offsets = layoutOffsets(layout);
    const norm = (v: Float32Array, a: number, b: number) => Math.hypot(...v.subarray(a, b));
    layout.forEach((entry, i) => {
      if (entry.shape.length === 1) {
        // conv biases, bn1.weight, bn1.bias, fc.bias
        expect(Array.from(d.subarray(offsets[i], offsets[i + 1])).every((v) => v === 0)).toBe(true);
        return;
      }
      const rows = entry.shape[0];
      const block = (offsets[i + 1] - offsets[i]) / rows;
      for (let r = 0; r < rows; r++) {
        const a = offsets[i] + r * block;
        expect(norm(d, a, a + block)).toBeCloseTo(norm(model.parameters, a, a + block), 4);
      }
    });
    expect(layout.filter((e) => e.shape.length === 1).map((e) => e.name)).toEqual([
      "conv1.bias",
      "bn1.weight",
      "bn1.bias",
      "conv2.bias",
      "fc.bias",
    ]);
  });

  it("exports an ONNX direction in PyTorch's order as it is (the reference tool's .h5 layout)", () => {
    const entry = { name: "conv1.weight", shape: [4, 1, 3, 3], filterAxis: 0 as const };
    const values = Float32Array.from({ length: 36 }, (_, i) => i);
    expect(torchShape(entry)).toEqual([4, 1, 3, 3]);
    expect(Array.from(toTorchOrder(values, entry))).toEqual(Array.from(values));
    // A tfjs kernel [kh, kw, in, out] is still transposed to [out, in, kh, kw].
    expect(torchShape({ name: "conv2d_0/kernel", shape: [3, 3, 1, 4] })).toEqual([4, 1, 3, 3]);
  });

  it("runs an experiment from an .onnx file and .npy data (compute --model net.onnx) and reads its snapshot back", async () => {
    const files: Record<string, Uint8Array> = {
      "net.onnx": file("mlp.onnx"),
      "x.npy": file("mlp-x.npy"),
      "y.npy": file("mlp-y.npy"),
    };
    const user = async (path: string) => {
      const bytes = files[path];
      if (!bytes) throw new Error(`no file ${path}`);
      return bytes;
    };
    const config = resolveConfig({
      data: { name: "file", path: "x.npy", labels: "y.npy", testFraction: 0.25 },
      model: { kind: "onnx", file: "net.onnx" },
      grid: { x: { min: -1, max: 1, count: 3 }, y: { min: -1, max: 1, count: 3 } },
    });
    const { snapshot } = await runExperiment(config, { backend: "wasm", files: { user } });
    expect(snapshot.model.architecture.kind).toBe("onnx");
    expect(snapshot.model.layout.map((e) => e.name)).toEqual([
      "fc1.weight",
      "fc1.bias",
      "fc2.weight",
      "fc2.bias",
    ]);
    // The origin is the model's loss on the rows that went to the train split, from PyTorch's logits.
    const ref = reference("mlp");
    const train = snapshot.data.train;
    const logits: number[] = [];
    const labels: number[] = [];
    for (let r = 0; r < train.count; r++) {
      const row = Array.from(train.x.subarray(r * 4, r * 4 + 4));
      const i = Array.from({ length: ref.count }, (_, k) => k).find((k) =>
        row.every((v, j) => v === Math.fround(ref.x[k * 4 + j])),
      );
      expect(i).toBeDefined();
      logits.push(...ref.logitsTorch.slice((i as number) * 3, (i as number) * 3 + 3));
      labels.push(train.y[r]);
    }
    const expected = crossEntropy(logits, labels, 3);
    const centre = (snapshot.surfaces.train_loss as Float32Array)[4];
    expect(Math.abs(centre - expected)).toBeLessThan(1e-5);
    // The snapshot holds the graph: it reads back and evaluates without the .onnx file.
    const again = parseSnapshot(serializeSnapshot(snapshot));
    expect(again.model.architecture).toEqual(snapshot.model.architecture);
    // A layout that does not name the graph's parameters is refused, naming the entry.
    const wrong = JSON.parse(new TextDecoder().decode(serializeSnapshot(snapshot)));
    wrong.model.layout[0].name = "fc1.kernel";
    expect(() => parseSnapshot(JSON.stringify(wrong))).toThrow(
      /model\.layout\[0\]\.name: expected "fc1\.weight"/,
    );
    const { snapshot: fromSnapshot } = await runExperiment(config, { backend: "wasm", from: again });
    expect((fromSnapshot.surfaces.train_loss as Float32Array)[4]).toBeCloseTo(centre, 6);
  });

  it("makes a Hessian plane (hessian-top2) of an ONNX MLP with BatchNorm: unit eigenvectors, eigenvalues stated", async () => {
    const ref = reference("mlp_bn");
    const rows = Array.from({ length: ref.count }, (_, i) =>
      [...ref.x.slice(i * 4, i * 4 + 4), ref.labels[i]].join(","),
    );
    const files: Record<string, Uint8Array> = {
      "net.onnx": file("mlp_bn.onnx"),
      "data.csv": new TextEncoder().encode(`${rows.join("\n")}\n`),
    };
    const config = resolveConfig({
      data: { name: "file", path: "data.csv", header: false, classes: 3, trainCount: 16, testCount: 0 },
      model: { kind: "onnx", file: "net.onnx" },
      directions: { method: "hessian-top2", hessian: { maxIterations: 60, tolerance: 1e-4 } },
      grid: { x: { min: -0.5, max: 0.5, count: 3 }, y: { min: -0.5, max: 0.5, count: 3 } },
    });
    const { snapshot } = await runExperiment(config, {
      backend: "wasm",
      files: { user: async (p) => files[p] },
    });
    const [dx, dy] = snapshot.directions;
    expect(dx.method).toBe("hessian");
    expect(Math.hypot(...dx.values)).toBeCloseTo(1, 4);
    expect(Math.abs(dx.values.reduce((s, v, i) => s + v * dy.values[i], 0))).toBeLessThan(1e-3);
    const eigen = (d: unknown) => (d as { eigenvalue: number }).eigenvalue;
    expect(Math.abs(eigen(dx))).toBeGreaterThanOrEqual(Math.abs(eigen(dy)) * 0.99);
    // The centre is still the model's own loss.
    expect(Math.abs((snapshot.surfaces.train_loss as Float32Array)[4] - ref.lossTorch)).toBeLessThan(1e-5);
  });

  it("trains an ONNX-defined CNN with BatchNorm through the interpreter (train: true)", async () => {
    const ref = reference("cnn_bn");
    const files: Record<string, Uint8Array> = { "net.onnx": file("cnn_bn.onnx") };
    const user = async (path: string) => files[path];
    // The fixture's 8 images, as a CSV of 64 pixels and a label.
    const rows = Array.from({ length: ref.count }, (_, i) =>
      [...ref.x.slice(i * 64, i * 64 + 64), ref.labels[i]].join(","),
    );
    files["data.csv"] = new TextEncoder().encode(`${rows.join("\n")}\n`);
    const config = resolveConfig({
      data: { name: "file", path: "data.csv", header: false, classes: 3, trainCount: 8, testCount: 0 },
      model: { kind: "onnx", file: "net.onnx", train: true },
      training: { epochs: 8, learningRate: 0.05, batchSize: "full" },
      grid: { x: { min: -0.5, max: 0.5, count: 3 }, y: { min: -0.5, max: 0.5, count: 3 } },
    });
    const before = tf.memory().numTensors;
    const { snapshot } = await runExperiment(config, { backend: "wasm", files: { user } });
    expect(tf.memory().numTensors).toBe(before);
    const history = (snapshot.training as { history: { trainLoss: number[] } }).history.trainLoss;
    console.log(`cnn_bn training: train loss ${history.map((v) => v.toFixed(4)).join(" ")}`);
    expect(history.length).toBeGreaterThanOrEqual(8);
    expect(history[history.length - 1]).toBeLessThan(history[0]);
    // Running statistics are constants of the graph, never parameters: the trained model carries
    // those of its final weights, recomputed over the training data (update_bn), not the file's.
    const model = importOnnxModel(file("cnn_bn.onnx"));
    const trainedArch = snapshot.model.architecture as typeof model.arch;
    expect(trainedArch.constants).not.toEqual(model.arch.constants);
    expect(trainedArch.constants).toEqual(
      bnStatisticsAt(
        { ...model.arch, batchNorm: trainedArch.batchNorm },
        snapshot.model.parameters,
        snapshot.data.train,
      ).constants,
    );
    expect(trainedArch.batchNorm).toEqual({ statistics: "file", batchSize: 128 });
  });
});
