/**
 * Imported tfjs LayersModels (model kind "layers"): models built and saved by tfjs in the test
 * (tf.io.withSaveHandler captures model.json and the weight bytes) load, and their landscape at
 * (0, 0) is their own model.evaluate() loss; unsupported layers and options are refused by name;
 * filter normalization works per output channel of a Conv2D kernel; the MLP-only evaluators refuse
 * these models; the convolution's own gradient matches tfjs's.
 */
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { normalizeDirection } from "../../src/core/directions/normalize";
import { randomDirection } from "../../src/core/directions/random";
import { runExperiment } from "../../src/core/experiment/run";
import { defaultEvaluatorFor, EVALUATORS, evaluatorByName } from "../../src/core/landscape/evaluators";
import type { Grid } from "../../src/core/landscape/grid";
import { naiveEvaluator } from "../../src/core/landscape/naive-evaluator";
import { type LandscapeProblem, sampleLandscape } from "../../src/core/landscape/surfaces";
import { modelLayout } from "../../src/core/model/architecture";
import { flatToTensors } from "../../src/core/model/flat";
import { layersLayout } from "../../src/core/model/layers";
import { conv2d, layersForward } from "../../src/core/model/layers-forward";
import { type ImportedLayersModel, importLayersModel } from "../../src/core/model/layers-import";
import { createRng } from "../../src/core/rng";
import { parseSnapshot, serializeSnapshot } from "../../src/core/snapshot/io";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";
import { saveLayersModel } from "./helpers/layers-save";

withWasmBackend();

function normals(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** A small CNN with every supported layer type, ending in softmax. */
function cnn(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.inputLayer({ inputShape: [6, 6, 1] }));
  m.add(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: "same", activation: "relu" }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 4, kernelSize: 2, strides: 1, padding: "valid", activation: "tanh" }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dropout({ rate: 0.3 }));
  m.add(tf.layers.dense({ units: 5, activation: "elu" }));
  m.add(tf.layers.activation({ activation: "sigmoid" }));
  m.add(tf.layers.dense({ units: 3, activation: "softmax" }));
  m.compile({ optimizer: "sgd", loss: "categoricalCrossentropy" });
  return m;
}

/** The landscape problem at an imported model's parameters, on one split. */
function problemOf(
  m: ImportedLayersModel,
  x: Float32Array,
  y: Float32Array,
  task: "classification" | "regression",
): LandscapeProblem {
  const n = task === "classification" ? y.length : y.length / m.arch.outputSize;
  return {
    arch: m.arch,
    loss: task === "classification" ? "cross-entropy" : "mse",
    layout: m.layout,
    theta: m.parameters,
    directions: [1, 2].map((seed) =>
      randomDirection(m.parameters, m.layout, { normalization: "filter", bias: "zero", seed }),
    ),
    dataset: { task, inputSize: m.arch.inputSize, outputSize: m.arch.outputSize },
    train: { x, y, count: n },
  };
}

const grid3: Grid = {
  axes: [
    { label: "x", min: -1, max: 1, count: 3 },
    { label: "y", min: -1, max: 1, count: 3 },
  ],
};

describe("importing a tfjs LayersModel", () => {
  it("loads a CNN saved by tfjs; its landscape at (0, 0) is its own model.evaluate() loss", async () => {
    const model = cnn();
    const saved = await saveLayersModel(model);
    const n = 24;
    const x = normals(n * 36, 3);
    const labels = Float32Array.from({ length: n }, (_, i) => i % 3);
    const expected = tf.tidy(() => {
      const loss = model.evaluate(
        tf.tensor4d(x, [n, 6, 6, 1]),
        tf.oneHot(tf.tensor1d(labels, "int32"), 3),
      ) as tf.Scalar;
      return loss.dataSync()[0];
    });
    const before = tf.memory().numTensors;
    const imported = importLayersModel(saved.modelJson, saved.weights);
    expect(imported.arch).toMatchObject({
      kind: "layers",
      inputShape: [6, 6, 1],
      inputSize: 36,
      outputSize: 3,
      source: "tfjs-layers",
    });
    expect(imported.arch.layers.map((l) => l.type)).toEqual([
      "conv2d",
      "maxPooling2d",
      "conv2d",
      "flatten",
      "dropout",
      "dense",
      "activation",
      "dense",
    ]);
    expect(imported.layout.map((e) => e.shape)).toEqual([
      [3, 3, 1, 3],
      [3],
      [2, 2, 3, 4],
      [4],
      [16, 5],
      [5],
      [5, 3],
      [3],
    ]);
    const s = await sampleLandscape(problemOf(imported, x, labels, "classification"), grid3, naiveEvaluator);
    const centre = (s.train_loss as Float32Array)[4];
    expect(Math.abs(centre - expected) / expected).toBeLessThan(1e-5);
    expect(tf.memory().numTensors).toBe(before);
    // The forward pass gives the model's own probabilities after the softmax it leaves out.
    const [ours, theirs] = tf.tidy(() => {
      const params = flatToTensors(imported.parameters, imported.layout);
      const p = tf.softmax(layersForward(imported.arch, params, tf.tensor2d(x, [n, 36])));
      return [p.dataSync(), (model.predict(tf.tensor4d(x, [n, 6, 6, 1])) as tf.Tensor).dataSync()];
    });
    for (let i = 0; i < ours.length; i++) expect(ours[i]).toBeCloseTo(theirs[i], 5);
    model.dispose();
  });

  it("loads a dense regression model; its landscape at (0, 0) is its mean squared error", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.inputLayer({ inputShape: [5] }),
        tf.layers.dense({ units: 8, activation: "tanh" }),
        tf.layers.dense({ units: 6, activation: "softplus", useBias: false }),
        tf.layers.dense({ units: 2 }),
      ],
    });
    model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
    const saved = await saveLayersModel(model);
    const n = 30;
    const x = normals(n * 5, 4);
    const y = normals(n * 2, 5);
    const expected = tf.tidy(
      () => (model.evaluate(tf.tensor2d(x, [n, 5]), tf.tensor2d(y, [n, 2])) as tf.Scalar).dataSync()[0],
    );
    const before = tf.memory().numTensors;
    const imported = importLayersModel(saved.modelJson, [saved.weights]);
    expect(imported.layout.map((e) => e.name)).toEqual(modelLayout(imported.arch).map((e) => e.name));
    expect(imported.layout.filter((e) => e.name.endsWith("/bias"))).toHaveLength(2);
    const s = await sampleLandscape(problemOf(imported, x, y, "regression"), grid3, naiveEvaluator);
    expect(Math.abs((s.train_loss as Float32Array)[4] - expected) / expected).toBeLessThan(1e-5);
    expect(s.train_accuracy).toBeUndefined();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("refuses an unsupported layer, naming its class and its name", async () => {
    const bn = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 3, name: "first" }),
        tf.layers.layerNormalization({ name: "ln_here" }),
        tf.layers.dense({ units: 2 }),
      ],
    });
    const a = await saveLayersModel(bn);
    expect(() => importLayersModel(a.modelJson, a.weights)).toThrow(
      /layer 1 "ln_here" is a LayerNormalization, which is not supported; supported layers: InputLayer, Dense, Conv2D,.*BatchNormalization/,
    );
    const lstm = tf.sequential({
      layers: [tf.layers.lstm({ inputShape: [3, 2], units: 4, name: "memory" })],
    });
    const b = await saveLayersModel(lstm);
    expect(() => importLayersModel(b.modelJson, b.weights, { source: "rnn.json" })).toThrow(
      /rnn\.json: layer 0 "memory" is a LSTM, which is not supported/,
    );
    bn.dispose();
    lstm.dispose();
  });

  it("refuses unsupported options, activations and a softmax before the end", async () => {
    const dilated = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 2, dilationRate: 2, name: "wide" }),
        tf.layers.flatten(),
      ],
    });
    const a = await saveLayersModel(dilated);
    expect(() => importLayersModel(a.modelJson, a.weights)).toThrow(
      /layer 0 "wide" \(Conv2D\): dilation_rate \[2,2\] is not supported; only 1/,
    );
    const selu = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [3], units: 2, activation: "selu", name: "s" })],
    });
    const b = await saveLayersModel(selu);
    expect(() => importLayersModel(b.modelJson, b.weights)).toThrow(
      /layer 0 "s" \(Dense\): activation "selu" is not supported/,
    );
    const early = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [3], units: 4, activation: "softmax", name: "early" }),
        tf.layers.dense({ units: 2 }),
      ],
    });
    const c = await saveLayersModel(early);
    expect(() => importLayersModel(c.modelJson, c.weights)).toThrow(
      /"early".*softmax is supported only as the last operation/,
    );
    for (const m of [dilated, selu, early]) m.dispose();
  });

  it("refuses weights that do not match the manifest, and files that are not LayersModels", async () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
    const a = await saveLayersModel(m);
    expect(() => importLayersModel(a.modelJson, a.weights.subarray(0, 8))).toThrow(
      /the weight files hold 8 bytes, the manifest describes 32/,
    );
    const manifest = a.modelJson.weightsManifest as { weights: { dtype: string }[] }[];
    const intWeights = structuredClone(a.modelJson);
    (intWeights.weightsManifest as typeof manifest)[0].weights[0].dtype = "int32";
    expect(() => importLayersModel(intWeights, a.weights)).toThrow(
      /has dtype int32; only float32 weights are supported/,
    );
    expect(() => importLayersModel({ format: "graph-model", modelTopology: {} }, a.weights)).toThrow(
      /format "graph-model" is not supported; only tfjs LayersModels/,
    );
    expect(() => importLayersModel([1, 2], a.weights)).toThrow(/not a tfjs model\.json/);
    const input = tf.input({ shape: [3] });
    const functional = tf.model({
      inputs: input,
      outputs: tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor,
    });
    const b = await saveLayersModel(functional);
    expect(() => importLayersModel(b.modelJson, b.weights)).toThrow(
      /only Sequential models are supported; this model is "Model"/,
    );
    m.dispose();
    functional.dispose();
  });
});

describe("directions and evaluators for layers models", () => {
  it("filter-normalizes a Conv2D kernel [kh, kw, in, out] per output channel (its last axis)", () => {
    const layout = [
      { name: "conv/kernel", shape: [2, 2, 3, 4] },
      { name: "conv/bias", shape: [4] },
    ];
    const theta = normals(52, 11);
    theta[3] = 0;
    // Output channel 3 of theta is all zero: its slice of the direction must become 0, not NaN.
    for (let k = 3; k < 48; k += 4) theta[k] = 0;
    const d = normalizeDirection(normals(52, 12), theta, layout, "filter", "zero");
    const norm = (v: Float32Array, j: number) => {
      let s = 0;
      for (let a = 0; a < 2; a++)
        for (let b = 0; b < 2; b++) for (let c = 0; c < 3; c++) s += v[((a * 2 + b) * 3 + c) * 4 + j] ** 2;
      return Math.sqrt(s);
    };
    for (let j = 0; j < 3; j++) expect(norm(d, j)).toBeCloseTo(norm(theta, j), 5);
    expect(norm(d, 3)).toBe(0);
    expect(Array.from(d.subarray(48))).toEqual([0, 0, 0, 0]);
  });

  it("uses the layers fast path for them and refuses the MLP-only paths by name", async () => {
    expect(defaultEvaluatorFor("wasm", "layers").name).toBe("wasm-cnn");
    expect(defaultEvaluatorFor("webgl", "layers").name).toBe("wasm-cnn");
    expect(defaultEvaluatorFor("wasm").name).not.toBe("naive");
    expect(() => evaluatorByName("tfjs-gemm", "layers")).toThrow(
      /evaluator "tfjs-gemm" works on MLPs only; this model is kind "layers": use the "naive" evaluator/,
    );
    expect(evaluatorByName("naive", "layers").name).toBe("naive");
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
    const imported = importLayersModel(
      (await saveLayersModel(m)).modelJson,
      (await saveLayersModel(m)).weights,
    );
    const problem = problemOf(imported, normals(12, 1), Float32Array.from([0, 1, 0, 1]), "classification");
    for (const name of ["tfjs-gemm", "tfjs-batched", "wasm-kernel"] as const) {
      expect(() =>
        EVALUATORS[name].prepare({ ...problem, origin: problem.theta, split: problem.train }),
      ).toThrow(new RegExp(`evaluator "${name}" works on MLPs only; this model is kind "layers"`));
    }
    m.dispose();
  });

  it("differentiates its convolution exactly as tfjs does (kernel gradient without Conv2DBackpropFilter)", async () => {
    for (const [padding, stride, size] of [
      ["same", 1, 7],
      ["valid", 2, 8],
      ["same", 2, 7],
    ] as const) {
      const xs = normals(2 * size * size * 3, 21);
      const ws = normals(3 * 3 * 3 * 4, 22);
      const gradients = (ours: boolean) =>
        tf.tidy(() => {
          const f = (x: tf.Tensor, w: tf.Tensor) => {
            const op = ours ? conv2d : tf.conv2d;
            return tf.sum(tf.square(op(x as tf.Tensor4D, w as tf.Tensor4D, [stride, stride], padding)));
          };
          return tf
            .grads(f)([tf.tensor4d(xs, [2, size, size, 3]), tf.tensor4d(ws, [3, 3, 3, 4])])
            .map((g) => g.dataSync());
        });
      const mine = gradients(true);
      // tfjs's own gradient, on the cpu backend (tfjs-wasm cannot differentiate conv2d by its filter).
      await tf.setBackend("cpu");
      const reference = gradients(false);
      await tf.setBackend("wasm");
      for (let t = 0; t < 2; t++) {
        for (let i = 0; i < mine[t].length; i++) {
          expect(Math.abs(mine[t][i] - reference[t][i])).toBeLessThan(1e-4 * (1 + Math.abs(reference[t][i])));
        }
      }
    }
  });

  it("writes a valid snapshot whose architecture lists the layers (config keys model.file and data.path)", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 2, activation: "relu" }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: "softmax" }),
      ],
    });
    const saved = await saveLayersModel(model);
    const n = 20;
    const header = (shape: number[]) => {
      let h = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
      h += " ".repeat((64 - ((11 + h.length) % 64)) % 64);
      return `${h}\n`;
    };
    const npy = (values: Float32Array, shape: number[]) => {
      const h = header(shape);
      const out = new Uint8Array(10 + h.length + values.length * 4);
      out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length, 0]);
      for (let i = 0; i < h.length; i++) out[10 + i] = h.charCodeAt(i);
      out.set(new Uint8Array(values.buffer), 10 + h.length);
      return out;
    };
    const files: Record<string, Uint8Array> = {
      "models/cnn.json": new TextEncoder().encode(JSON.stringify(saved.modelJson)),
      "models/weights.bin": saved.weights,
      "x.npy": npy(normals(n * 16, 8), [n, 4, 4, 1]),
      "y.npy": npy(
        Float32Array.from({ length: n }, (_, i) => i % 2),
        [n],
      ),
    };
    const config = resolveConfig({
      model: { kind: "layers", file: "models/cnn.json" },
      data: { name: "file", path: "x.npy", labels: "y.npy", testFraction: 0.25 },
      grid: { x: { count: 3 }, y: { count: 3 } },
    });
    const before = tf.memory().numTensors;
    const { snapshot } = await runExperiment(config, {
      backend: "wasm",
      files: { user: async (p) => files[p] ?? Promise.reject(new Error("no such file")) },
    });
    expect(tf.memory().numTensors).toBe(before);
    const back = parseSnapshot(serializeSnapshot(snapshot));
    expect(back.model.architecture.kind).toBe("layers");
    if (back.model.architecture.kind !== "layers") throw new Error("expected layers");
    expect(back.model.architecture.layers.map((l) => l.type)).toEqual(["conv2d", "flatten", "dense"]);
    expect(back.model.architecture.semantics).toMatch(/final softmax is not applied/);
    expect(back.model.layout).toEqual(layersLayout(back.model.architecture));
    expect(back.producer.evaluator).toBe("wasm-cnn");
    // The layout must be the one the layers imply; a reader says which tensor is wrong.
    const tampered = JSON.parse(new TextDecoder().decode(serializeSnapshot(snapshot, { arrays: "plain" })));
    tampered.model.layout[0].shape = [2, 2, 2, 1];
    expect(() => parseSnapshot(new TextEncoder().encode(JSON.stringify(tampered)))).toThrow(
      /model\.layout\[0\]\.shape: expected \[2, 2, 1, 2\] for conv2d_Conv2D\d+\/kernel \(from model\.architecture\.layers\), got \[2, 2, 2, 1\]/,
    );
    expect(back.training).toBeUndefined();
    expect([back.data.train.count, back.data.test?.count]).toEqual([15, 5]);
    await expect(
      runExperiment(config, {
        backend: "wasm",
        evaluator: EVALUATORS["tfjs-gemm"],
        files: { user: async (p) => files[p] },
      }),
    ).rejects.toThrow(/evaluator "tfjs-gemm" works on MLPs only/);
    // With train: true the imported weights are the starting point of the config's training.
    const trained = await runExperiment(
      resolveConfig({
        ...config,
        model: { kind: "layers", file: "models/cnn.json", train: true },
        training: { epochs: 5, batchSize: 5, learningRate: 0.05, checkpointEvery: 1 },
        directions: { method: "pca" },
      }),
      { backend: "wasm", files: { user: async (p) => files[p] } },
    );
    const history = (trained.snapshot.training as { history: { trainLoss: number[] } }).history.trainLoss;
    expect(history).toHaveLength(6);
    expect(history[5]).toBeLessThan(history[0]);
    expect(trained.snapshot.trajectory).toBeDefined();
    model.dispose();
  });
});
