/**
 * The GCN (model/gcn.ts) computes Kipf and Welling's forward pass, H_{l+1} = act(A_hat H_l W_l + b_l)
 * with A_hat = D^-1/2 (A + I) D^-1/2, and everything built on modelForward works on it: the naive
 * landscape evaluator, the tfjs training engine, the curvature objective, filter-normalized
 * directions; the MLP-only paths are never chosen for it; no tensor is left behind.
 */
import { describe, expect, it } from "vitest";
import { curvatureObjective } from "../../src/core/curvature/model-objective";
import type { GraphData } from "../../src/core/data/graph";
import { normalizeDirection } from "../../src/core/directions/normalize";
import { resolveTrainingPath } from "../../src/core/kernel/training-path";
import { checkEvaluatorFor, defaultEvaluatorFor, EVALUATORS } from "../../src/core/landscape/evaluators";
import { sampleLandscape } from "../../src/core/landscape/surfaces";
import { modelLayout } from "../../src/core/model/architecture";
import { flatToTensors } from "../../src/core/model/flat";
import { modelForward } from "../../src/core/model/forward";
import { gcnNodeOutputs } from "../../src/core/model/gcn";
import {
  type GcnArchitecture,
  initGcnParameters,
  makeGcnArchitecture,
} from "../../src/core/model/gcn-architecture";
import { gcnPredictions } from "../../src/core/model/gcn-predict";
import { createRng } from "../../src/core/rng";
import { forceLayout } from "../../src/core/surface/graph-layout";
import { tf } from "../../src/core/tf";
import { trainModel } from "../../src/core/train/train";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

/** A 10-node graph: a ring 0-1-...-9-0, two chords and one isolated-ish leaf; 3 features per node. */
function tenNodeGraph(): GraphData {
  const edges: [number, number][] = [];
  for (let i = 0; i < 9; i++) edges.push([i, i + 1]);
  edges.push([0, 9], [2, 7], [3, 6]);
  const features: number[] = [];
  for (let i = 0; i < 10; i++)
    features.push(Math.fround(Math.sin(i + 1)), Math.fround((i % 3) - 1), Math.fround(i / 10));
  return { nodes: 10, edges, featureSize: 3, features };
}

/** Float64 GCN written from the definition, independently of model/gcn.ts. */
function referenceForward(arch: GcnArchitecture, theta: Float32Array): number[][] {
  const { nodes: n, edges, featureSize, features } = arch.graph;
  const a = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) a[i][i] = 1;
  for (const [i, j] of edges) {
    a[i][j] = 1;
    a[j][i] = 1;
  }
  const d = a.map((row) => row.reduce((s, v) => s + v, 0));
  const aHat = a.map((row, i) => row.map((v, j) => v / Math.sqrt(d[i] * d[j])));
  let h = Array.from({ length: n }, (_, i) => features.slice(i * featureSize, (i + 1) * featureSize));
  const widths = [featureSize, ...arch.hiddenSizes, arch.outputSize];
  let offset = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const [win, wout] = [widths[l], widths[l + 1]];
    const base = offset;
    const w = (r: number, c: number) => theta[base + r * wout + c];
    const b = (c: number) => theta[base + win * wout + c];
    offset += win * wout + wout;
    const hw = h.map((row) =>
      Array.from({ length: wout }, (_, c) => row.reduce((s, v, r) => s + v * w(r, c), 0)),
    );
    const z = aHat.map((row) =>
      Array.from({ length: wout }, (_, c) => row.reduce((s, v, k) => s + v * hw[k][c], 0) + b(c)),
    );
    const last = l === widths.length - 2;
    h = last
      ? z
      : z.map((row) => row.map((v) => (arch.activation === "tanh" ? Math.tanh(v) : Math.max(0, v))));
  }
  return h;
}

function arch(activation: "relu" | "tanh" = "relu", hiddenSizes = [5, 4]): GcnArchitecture {
  return makeGcnArchitecture(tenNodeGraph(), 3, { hiddenSizes, activation });
}

/** Theta with non-zero biases, so the bias terms are checked too. */
function theta(a: GcnArchitecture, seed = 3): Float32Array {
  const t = initGcnParameters(a, "glorot", createRng(seed));
  const rng = createRng(seed + 100);
  const layout = modelLayout(a);
  let o = 0;
  for (const e of layout) {
    const size = e.shape.reduce((p, s) => p * s, 1);
    if (e.shape.length === 1) for (let k = o; k < o + size; k++) t[k] = Math.fround(0.3 * rng.normal());
    o += size;
  }
  return t;
}

describe("GCN forward pass", () => {
  for (const activation of ["relu", "tanh"] as const) {
    it(`equals a float64 reference on a 10-node graph within 1e-5 (${activation})`, () => {
      const a = arch(activation);
      const t = theta(a);
      const ref = referenceForward(a, t);
      // Not a vacuous comparison: the logits differ from node to node and from 0.
      expect(Math.max(...ref.flat().map(Math.abs))).toBeGreaterThan(0.1);
      expect(ref[0][0]).not.toBeCloseTo(ref[5][0], 3);
      const ids = [7, 0, 3, 3, 9];
      const before = tf.memory().numTensors;
      const out = tf.tidy(() =>
        modelForward(a, flatToTensors(t, modelLayout(a)), tf.tensor2d(ids, [ids.length, 1])),
      );
      const got = out.arraySync() as number[][];
      out.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(got).toHaveLength(ids.length);
      ids.forEach((id, r) => {
        for (let c = 0; c < 3; c++) expect(Math.abs(got[r][c] - ref[id][c])).toBeLessThan(1e-5);
      });
      // The whole-graph outputs are the reference's rows in node order.
      const all = tf.tidy(() => gcnNodeOutputs(a, flatToTensors(t, modelLayout(a))));
      const rows = all.arraySync();
      all.dispose();
      for (let i = 0; i < 10; i++) for (let c = 0; c < 3; c++) expect(rows[i][c]).toBeCloseTo(ref[i][c], 5);
    });
  }

  it("predicts in plain JavaScript (the data plot's colours) the argmax of the tfjs logits", () => {
    for (const activation of ["relu", "tanh"] as const) {
      const a = arch(activation);
      const t = theta(a, 11);
      const logits = tf.tidy(() => gcnNodeOutputs(a, flatToTensors(t, modelLayout(a))).arraySync());
      const expected = logits.map((row) => row.indexOf(Math.max(...row)));
      expect(Array.from(gcnPredictions(a, t))).toEqual(expected);
    }
    expect(() => gcnPredictions(arch(), new Float32Array(3))).toThrow(/3 parameters, the GCN has 59/);
  });

  it("lays the graph out the same way for a seed, inside [-1, 1]^2, neighbours closer than strangers", () => {
    const g = tenNodeGraph();
    const xy = forceLayout(g.nodes, g.edges, 1);
    expect(forceLayout(g.nodes, g.edges, 1)).toEqual(xy);
    expect(Math.max(...xy.map(Math.abs))).toBeLessThanOrEqual(1 + 1e-12);
    const dist = (i: number, j: number) => Math.hypot(xy[2 * i] - xy[2 * j], xy[2 * i + 1] - xy[2 * j + 1]);
    const linked = new Set(g.edges.map(([i, j]) => `${i}-${j}`));
    let near = 0;
    let far = 0;
    let [nNear, nFar] = [0, 0];
    for (let i = 0; i < 10; i++)
      for (let j = i + 1; j < 10; j++)
        if (linked.has(`${i}-${j}`)) {
          near += dist(i, j);
          nNear++;
        } else {
          far += dist(i, j);
          nFar++;
        }
    expect(near / nNear).toBeLessThan(far / nFar);
  });

  it("lays out gcn_l/kernel [in, out] and gcn_l/bias [out], from the features to the classes", () => {
    expect(modelLayout(arch("relu", [5, 4]))).toEqual([
      { name: "gcn_0/kernel", shape: [3, 5] },
      { name: "gcn_0/bias", shape: [5] },
      { name: "gcn_1/kernel", shape: [5, 4] },
      { name: "gcn_1/bias", shape: [4] },
      { name: "gcn_2/kernel", shape: [4, 3] },
      { name: "gcn_2/bias", shape: [3] },
    ]);
  });

  it("initializes kernels Glorot uniform from the seed, biases at 0", () => {
    const a = arch();
    const t1 = initGcnParameters(a, "auto", createRng(5));
    expect(initGcnParameters(a, "auto", createRng(5))).toEqual(t1);
    expect(t1.subarray(15, 20).every((v) => v === 0)).toBe(true); // gcn_0/bias
    const limit = Math.sqrt(6 / (3 + 5));
    expect(Math.max(...t1.subarray(0, 15).map(Math.abs))).toBeLessThanOrEqual(limit);
  });

  it("refuses what it cannot run, naming the problem", () => {
    expect(() => makeGcnArchitecture(tenNodeGraph(), 3, { hiddenSizes: [0], activation: "relu" })).toThrow(
      /hiddenSizes\[0\]/,
    );
    expect(() =>
      makeGcnArchitecture(tenNodeGraph(), 3, { hiddenSizes: [4], activation: "elu" as "relu" }),
    ).toThrow(/a GCN takes relu, tanh/);
  });
});

describe("what runs on a GCN", () => {
  it("is the naive evaluator and the tfjs training path, never the MLP kernels", () => {
    expect(defaultEvaluatorFor("wasm", "gcn").name).toBe("naive");
    expect(defaultEvaluatorFor("webgl", "gcn").name).toBe("naive");
    expect(resolveTrainingPath("gcn", "auto")).toBe("tfjs");
    for (const name of ["tfjs-gemm", "tfjs-batched", "wasm-kernel", "tfjs-cnn-batched", "wasm-cnn"] as const)
      expect(() => checkEvaluatorFor(EVALUATORS[name], "gcn")).toThrow(/this model is kind "gcn"/);
  });

  it("samples a landscape with the naive evaluator equal to modelForward at each point, releasing every tensor", async () => {
    const a = arch();
    const t = theta(a);
    const layout = modelLayout(a);
    const d1 = normalizeDirection(
      Float32Array.from(t, (_, i) => Math.sin(3 * i)),
      t,
      layout,
      "filter",
      "zero",
    );
    const d2 = normalizeDirection(
      Float32Array.from(t, (_, i) => Math.cos(5 * i)),
      t,
      layout,
      "filter",
      "zero",
    );
    const split = { x: Float32Array.of(0, 2, 4, 6, 8), y: Float32Array.of(0, 1, 2, 0, 1), count: 5 };
    const dataset = {
      name: "ten",
      task: "classification" as const,
      inputSize: 1,
      outputSize: 3,
      classes: 3,
      train: split,
      test: { x: new Float32Array(0), y: new Float32Array(0), count: 0 },
      graph: a.graph,
    };
    const before = tf.memory().numTensors;
    const grid = {
      axes: [
        { label: "x", min: -1, max: 1, count: 3 },
        { label: "y", min: -1, max: 1, count: 3 },
      ],
    };
    const surfaces = await sampleLandscape(
      {
        arch: a,
        loss: "cross-entropy",
        layout,
        theta: t,
        directions: [d1, d2],
        dataset,
        train: split,
        test: dataset.test,
      },
      grid,
      defaultEvaluatorFor("wasm", "gcn"),
    );
    expect(tf.memory().numTensors).toBe(before);
    // The centre point (ix 1, iy 1) is theta itself.
    const centre = tf.tidy(() => {
      const out = modelForward(a, flatToTensors(t, layout), tf.tensor2d(split.x, [5, 1]));
      const labels = tf.oneHot(tf.tensor1d(Array.from(split.y), "int32"), 3).toFloat();
      return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(out), labels), -1))).dataSync()[0];
    });
    expect(surfaces.train_loss?.[4]).toBeCloseTo(centre, 5);
  });

  it("keeps filter normalization per output unit: each column of a direction's kernel gets theta's column norm", () => {
    const a = arch();
    const t = theta(a);
    const d = normalizeDirection(
      Float32Array.from(t, (_, i) => 1 + (i % 7)),
      t,
      modelLayout(a),
      "filter",
      "zero",
    );
    // gcn_0/kernel [3, 5]: column j is entries j, j + 5, j + 10.
    for (let j = 0; j < 5; j++) {
      const col = (v: Float32Array) => Math.hypot(v[j], v[j + 5], v[j + 10]);
      expect(col(d)).toBeCloseTo(col(t), 5);
    }
  });

  it("trains with the tfjs engine (full batch): the training loss falls", async () => {
    const a = arch("relu", [8]);
    const split = {
      x: Float32Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
      y: Float32Array.of(0, 0, 0, 1, 1, 1, 2, 2, 2, 0),
      count: 10,
    };
    const dataset = {
      name: "ten",
      task: "classification" as const,
      inputSize: 1,
      outputSize: 3,
      classes: 3,
      train: split,
      test: { x: new Float32Array(0), y: new Float32Array(0), count: 0 },
      graph: a.graph,
    };
    const before = tf.memory().numTensors;
    const result = await trainModel({
      arch: a,
      loss: "cross-entropy",
      dataset,
      initial: initGcnParameters(a, "auto", createRng(1)),
      settings: {
        optimizer: "adam",
        learningRate: 0.05,
        momentum: 0.9,
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
        weightDecay: 0,
        batchSize: "full",
        epochs: 60,
        checkpointEvery: 0,
        seed: 1,
        sharpnessEvery: 0,
        sharpnessSamples: 1024,
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.path).toBe("tfjs");
    const losses = result.history.map((h) => h.trainLoss);
    expect(losses.at(-1)).toBeLessThan(0.5 * (losses[0] as number));
  });

  it("has exact Hessian-vector products through the model objective (central differences of the gradient)", () => {
    const a = arch("tanh", [4]);
    const t = theta(a);
    const split = {
      x: Float32Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
      y: Float32Array.of(0, 0, 0, 1, 1, 1, 2, 2, 2, 0),
      count: 10,
    };
    const before = tf.memory().numTensors;
    const op = curvatureObjective(
      {
        arch: a,
        loss: "cross-entropy",
        theta: t,
        dataset: { task: "classification", inputSize: 1, outputSize: 3 },
        train: split,
      },
      split,
    );
    try {
      const v = Float32Array.from(t, (_, i) => Math.sin(i + 0.5));
      const hv = op.hvp(v);
      const h = 1e-2;
      const plus = op.gradient(Float32Array.from(t, (x, i) => x + h * v[i]));
      const minus = op.gradient(Float32Array.from(t, (x, i) => x - h * v[i]));
      let err = 0;
      let norm = 0;
      for (let i = 0; i < t.length; i++) {
        const fd = (plus[i] - minus[i]) / (2 * h);
        err = Math.max(err, Math.abs(fd - hv[i]));
        norm = Math.max(norm, Math.abs(hv[i]));
      }
      expect(norm).toBeGreaterThan(1e-3);
      expect(err / norm).toBeLessThan(2e-2);
    } finally {
      op.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
