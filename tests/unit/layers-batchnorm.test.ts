/**
 * BatchNormalization in tfjs LayersModels (model kind "layers"): models built and saved by tfjs in
 * the test (tf.io.withSaveHandler, as layers-model.test.ts does) with random weights and moving
 * statistics import with gamma and beta as parameters and the moving statistics as constants of
 * the architecture; the forward pass equals a float64 reference written here (and tfjs's own
 * predict); one SGD step in train mode equals the float64 reference's step (central differences of
 * its train-mode loss); a lab training leaves the statistics update_bn gives at the final weights
 * (recomputed here in float64); "recompute" moves the loss away from theta where the stored
 * statistics are stale; the batched layers path runs BN exactly or leaves the model to "naive".
 */
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { randomDirection } from "../../src/core/directions/random";
import { runExperiment } from "../../src/core/experiment/run";
import type { SubspaceProblem } from "../../src/core/landscape/evaluator";
import { defaultEvaluatorFor, EVALUATORS } from "../../src/core/landscape/evaluators";
import type { Grid } from "../../src/core/landscape/grid";
import { naiveEvaluator } from "../../src/core/landscape/naive-evaluator";
import { sampleLandscape } from "../../src/core/landscape/surfaces";
import { bnStatisticsAt } from "../../src/core/model/bn-statistics";
import { flatToTensors } from "../../src/core/model/flat";
import {
  type LayerSpec,
  type LayersArchitecture,
  layersLayout,
  makeLayersArchitecture,
} from "../../src/core/model/layers";
import { layersForward } from "../../src/core/model/layers-forward";
import { type ImportedLayersModel, importLayersModel } from "../../src/core/model/layers-import";
import { layoutOffsets } from "../../src/core/model/layout";
import { createRng } from "../../src/core/rng";
import { parseSnapshot, serializeSnapshot } from "../../src/core/snapshot/io";
import { summarizeSnapshot } from "../../src/core/snapshot/summary";
import { tf } from "../../src/core/tf";
import { type EngineArgs, tfjsEngine } from "../../src/core/train/tfjs-engine";
import { withWasmBackend } from "./helpers/backend";
import { type SavedLayersModel, saveLayersModel } from "./helpers/layers-save";

withWasmBackend();

function normals(n: number, seed: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.normal() * scale);
}

/**
 * Random weights for every tensor of a tfjs model (seeded): kernels N(0, 0.5^2), gamma around 1,
 * beta and moving means N(0, 0.3^2), moving variances in [0.5, 2), so that nothing is the identity.
 */
function randomize(model: tf.LayersModel, seed: number): void {
  const rng = createRng(seed);
  const values = model.weights.map((w) => {
    const n = w.shape.reduce((a, b) => (a as number) * (b as number), 1) as number;
    const name = w.originalName;
    const draw = () => {
      if (name.endsWith("moving_variance")) return 0.5 + 1.5 * rng.next();
      if (name.endsWith("gamma")) return 1 + 0.3 * rng.normal();
      if (name.endsWith("kernel")) return 0.5 * rng.normal();
      return 0.3 * rng.normal();
    };
    return tf.tensor(Float32Array.from({ length: n }, draw), w.shape as number[]);
  });
  model.setWeights(values);
  tf.dispose(values);
}

/** Dense - BatchNormalization - relu - Dense, 4 inputs, 3 classes. */
function mlpBn(options: { center?: boolean; scale?: boolean } = {}): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.inputLayer({ inputShape: [4] }),
      tf.layers.dense({ units: 5, name: "hidden" }),
      tf.layers.batchNormalization({ name: "bn", epsilon: 1e-3, ...options }),
      tf.layers.activation({ activation: "relu", name: "act" }),
      tf.layers.dense({ units: 3, name: "out" }),
    ],
  });
}

/** Conv2D - BatchNormalization - relu - MaxPooling2D - Flatten - Dense on 6x6x1 images, 3 classes. */
function cnnBn(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.inputLayer({ inputShape: [6, 6, 1] }),
      tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: "same", name: "conv" }),
      tf.layers.batchNormalization({ name: "bn", epsilon: 1e-3 }),
      tf.layers.activation({ activation: "relu", name: "act" }),
      tf.layers.maxPooling2d({ poolSize: 2, name: "pool" }),
      tf.layers.flatten({ name: "flat" }),
      tf.layers.dense({ units: 3, name: "out" }),
    ],
  });
}

// ---------------------------------------------------------------------------------------------
// The float64 reference: written from the maths, independent of src/ (NHWC, channels last).

/** One step of a reference model; parameters are read from a flat vector in the model's order. */
type RefStep =
  | { op: "dense"; units: number }
  | { op: "conv"; k: number; filters: number }
  | { op: "bn"; eps: number; mean: number[]; variance: number[]; gamma: boolean; beta: boolean }
  | { op: "relu" }
  | { op: "pool2" }
  | { op: "flatten" };

interface T64 {
  v: Float64Array;
  /** Per-sample shape; the last axis is the channels. */
  shape: number[];
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Logits [n, C] of the reference model on x (n rows of the input shape). train: BN layers use the
 * batch's mean and biased variance; `record(step, mean, unbiasedVariance)` sees them.
 */
function refForward(
  steps: readonly RefStep[],
  flat: ArrayLike<number>,
  x: ArrayLike<number>,
  inputShape: number[],
  n: number,
  train = false,
  record?: (step: number, mean: Float64Array, unbiased: Float64Array) => void,
): Float64Array {
  let at = 0;
  const take = (count: number) => {
    const out = Float64Array.from({ length: count }, (_, i) => flat[at + i]);
    at += count;
    return out;
  };
  let h: T64 = { v: Float64Array.from(x), shape: inputShape };
  steps.forEach((step, si) => {
    const per = sizeOf(h.shape);
    const c = h.shape[h.shape.length - 1];
    switch (step.op) {
      case "dense": {
        const w = take(c * step.units);
        const b = take(step.units);
        const v = new Float64Array(n * step.units);
        for (let s = 0; s < n; s++)
          for (let j = 0; j < step.units; j++) {
            let z = b[j];
            for (let i = 0; i < c; i++) z += h.v[s * c + i] * w[i * step.units + j];
            v[s * step.units + j] = z;
          }
        h = { v, shape: [step.units] };
        break;
      }
      case "conv": {
        // "same" padding, stride 1, odd k: (k - 1) / 2 zeros on every side.
        const [H, W] = h.shape;
        const { k, filters: f } = step;
        const w = take(k * k * c * f);
        const b = take(f);
        const p = (k - 1) / 2;
        const v = new Float64Array(n * H * W * f);
        for (let s = 0; s < n; s++)
          for (let y = 0; y < H; y++)
            for (let xx = 0; xx < W; xx++)
              for (let o = 0; o < f; o++) {
                let z = b[o];
                for (let dy = 0; dy < k; dy++)
                  for (let dx = 0; dx < k; dx++) {
                    const iy = y + dy - p;
                    const ix = xx + dx - p;
                    if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                    for (let i = 0; i < c; i++)
                      z += h.v[((s * H + iy) * W + ix) * c + i] * w[((dy * k + dx) * c + i) * f + o];
                  }
                v[((s * H + y) * W + xx) * f + o] = z;
              }
        h = { v, shape: [H, W, f] };
        break;
      }
      case "bn": {
        const gamma = step.gamma ? take(c) : new Float64Array(c).fill(1);
        const beta = step.beta ? take(c) : new Float64Array(c);
        let mean = Float64Array.from(step.mean);
        let variance = Float64Array.from(step.variance);
        if (train) {
          const count = h.v.length / c;
          mean = new Float64Array(c);
          variance = new Float64Array(c);
          for (let q = 0; q < h.v.length; q++) mean[q % c] += h.v[q] / count;
          for (let q = 0; q < h.v.length; q++) variance[q % c] += (h.v[q] - mean[q % c]) ** 2 / count;
          record?.(
            si,
            mean,
            variance.map((v) => (v * count) / (count - 1)),
          );
        }
        const v = h.v.map((value, q) => {
          const ch = q % c;
          return (gamma[ch] * (value - mean[ch])) / Math.sqrt(variance[ch] + step.eps) + beta[ch];
        });
        h = { v, shape: h.shape };
        break;
      }
      case "relu":
        h = { v: h.v.map((value) => Math.max(value, 0)), shape: h.shape };
        break;
      case "pool2": {
        const [H, W] = h.shape;
        const [oh, ow] = [Math.floor(H / 2), Math.floor(W / 2)];
        const v = new Float64Array(n * oh * ow * c);
        for (let s = 0; s < n; s++)
          for (let y = 0; y < oh; y++)
            for (let xx = 0; xx < ow; xx++)
              for (let i = 0; i < c; i++) {
                let m = -Infinity;
                for (let dy = 0; dy < 2; dy++)
                  for (let dx = 0; dx < 2; dx++)
                    m = Math.max(m, h.v[((s * H + 2 * y + dy) * W + 2 * xx + dx) * c + i]);
                v[((s * oh + y) * ow + xx) * c + i] = m;
              }
        h = { v, shape: [oh, ow, c] };
        break;
      }
      case "flatten":
        h = { v: h.v, shape: [per] };
        break;
    }
  });
  if (at !== flat.length) throw new Error(`reference used ${at} of ${flat.length} parameters`);
  return h.v;
}

/** Mean softmax cross-entropy of logits [n, C] in float64. */
function refLoss(logits: Float64Array, labels: ArrayLike<number>, n: number): number {
  const c = logits.length / n;
  let sum = 0;
  for (let s = 0; s < n; s++) {
    const row = logits.subarray(s * c, (s + 1) * c);
    const m = Math.max(...row);
    let e = 0;
    for (const z of row) e += Math.exp(z - m);
    sum += m + Math.log(e) - row[labels[s]];
  }
  return sum / n;
}

/** update_bn in float64: batches in order (a last batch of one joins the one before), momentum b / (n + b). */
function refUpdateBn(
  steps: readonly RefStep[],
  flat: ArrayLike<number>,
  x: ArrayLike<number>,
  inputShape: number[],
  count: number,
  batchSize: number,
): RefStep[] {
  const bounds: [number, number][] = [];
  for (let s = 0; s < count; s += batchSize) bounds.push([s, Math.min(count, s + batchSize)]);
  if (bounds.length > 1 && bounds[bounds.length - 1][1] - bounds[bounds.length - 1][0] === 1) {
    bounds.pop();
    bounds[bounds.length - 1][1] = count;
  }
  const per = sizeOf(inputShape);
  const running = new Map<number, [Float64Array, Float64Array]>();
  let seen = 0;
  for (const [start, end] of bounds) {
    const b = end - start;
    const m = b / (seen + b);
    refForward(
      steps,
      flat,
      Array.from(x).slice(start * per, end * per),
      inputShape,
      b,
      true,
      (si, mean, v) => {
        const r = running.get(si) ?? [new Float64Array(mean.length), new Float64Array(mean.length)];
        for (let i = 0; i < mean.length; i++) {
          r[0][i] = (1 - m) * r[0][i] + m * mean[i];
          r[1][i] = (1 - m) * r[1][i] + m * v[i];
        }
        running.set(si, r);
      },
    );
    seen += b;
  }
  return steps.map((s, si) => {
    const r = running.get(si);
    return s.op === "bn" && r ? { ...s, mean: Array.from(r[0]), variance: Array.from(r[1]) } : s;
  });
}

/** The reference steps of an imported model (from its layer list and moving statistics). */
function refSteps(arch: LayersArchitecture): RefStep[] {
  return arch.layers.flatMap((l): RefStep[] => {
    switch (l.type) {
      case "dense":
        return [
          { op: "dense", units: l.units },
          ...(l.activation === "relu" ? [{ op: "relu" } as const] : []),
        ];
      case "conv2d":
        return [{ op: "conv", k: l.kernelSize[0], filters: l.filters }];
      case "batchNormalization":
        return [
          {
            op: "bn",
            eps: l.epsilon,
            mean: l.movingMean,
            variance: l.movingVariance,
            gamma: l.scale,
            beta: l.center,
          },
        ];
      case "activation":
        return [{ op: "relu" }];
      case "maxPooling2d":
        return [{ op: "pool2" }];
      case "flatten":
        return [{ op: "flatten" }];
      default:
        throw new Error(`no reference for ${l.type}`);
    }
  });
}

const maxRel = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
};

function logitsOf(arch: LayersArchitecture, theta: Float32Array, x: Float32Array, n: number): Float64Array {
  const out = tf.tidy(() => {
    const params = flatToTensors(theta, layersLayout(arch));
    return layersForward(arch, params, tf.tensor2d(x, [n, arch.inputSize]));
  });
  const values = Float64Array.from(out.dataSync());
  out.dispose();
  return values;
}

const labelsOf = (n: number, classes = 3) => Float32Array.from({ length: n }, (_, i) => (i * 7) % classes);

async function imported(model: tf.LayersModel, seed: number): Promise<ImportedLayersModel> {
  randomize(model, seed);
  const saved = await saveLayersModel(model);
  return importLayersModel(saved.modelJson, saved.weights);
}

describe("importing BatchNormalization layers", () => {
  it("Dense - BN - relu - Dense: gamma and beta are parameters, the moving statistics constants; forward = float64 within 1e-5", async () => {
    const model = mlpBn();
    const m = await imported(model, 1);
    expect(m.arch.layers.map((l) => l.type)).toEqual(["dense", "batchNormalization", "activation", "dense"]);
    expect(m.layout).toEqual([
      { name: "hidden/kernel", shape: [4, 5] },
      { name: "hidden/bias", shape: [5] },
      { name: "bn/gamma", shape: [5] },
      { name: "bn/beta", shape: [5] },
      { name: "out/kernel", shape: [5, 3] },
      { name: "out/bias", shape: [3] },
    ]);
    const bn = m.arch.layers[1] as Extract<LayerSpec, { type: "batchNormalization" }>;
    const byName = new Map(model.weights.map((w) => [w.originalName, Array.from(w.read().dataSync())]));
    expect(bn.movingMean).toEqual(byName.get("bn/moving_mean"));
    expect(bn.movingVariance).toEqual(byName.get("bn/moving_variance"));
    expect(bn).toMatchObject({ epsilon: 1e-3, center: true, scale: true });
    const n = 20;
    const x = normals(n * 4, 2);
    const before = tf.memory().numTensors;
    const ours = logitsOf(m.arch, m.parameters, x, n);
    expect(tf.memory().numTensors).toBe(before);
    const ref = refForward(refSteps(m.arch), m.parameters, x, [4], n);
    const theirs = tf.tidy(() => (model.predict(tf.tensor2d(x, [n, 4])) as tf.Tensor).dataSync());
    console.log(
      `Dense-BN: forward vs float64 ${maxRel(ours, ref).toExponential(2)}, vs tfjs predict ${maxRel(ours, theirs).toExponential(2)}`,
    );
    expect(maxRel(ours, ref)).toBeLessThan(1e-5);
    expect(maxRel(ours, theirs)).toBeLessThan(1e-5);
    model.dispose();
  });

  it("Conv2D - BN - relu - MaxPooling2D - Flatten - Dense: forward = float64 within 1e-5 (channels of the last axis)", async () => {
    const model = cnnBn();
    const m = await imported(model, 3);
    expect(m.layout.map((e) => e.name)).toEqual([
      "conv/kernel",
      "conv/bias",
      "bn/gamma",
      "bn/beta",
      "out/kernel",
      "out/bias",
    ]);
    const n = 10;
    const x = normals(n * 36, 4);
    const ours = logitsOf(m.arch, m.parameters, x, n);
    const ref = refForward(refSteps(m.arch), m.parameters, x, [6, 6, 1], n);
    const theirs = tf.tidy(() => (model.predict(tf.tensor4d(x, [n, 6, 6, 1])) as tf.Tensor).dataSync());
    console.log(
      `Conv-BN: forward vs float64 ${maxRel(ours, ref).toExponential(2)}, vs tfjs predict ${maxRel(ours, theirs).toExponential(2)}`,
    );
    expect(maxRel(ours, ref)).toBeLessThan(1e-5);
    expect(maxRel(ours, theirs)).toBeLessThan(1e-5);
    model.dispose();
  });

  it("center false / scale false: no beta / gamma in the layout (0 and 1), forward still the reference's", async () => {
    for (const [options, names] of [
      [{ center: false }, ["bn/gamma"]],
      [{ scale: false }, ["bn/beta"]],
      [{ center: false, scale: false }, []],
    ] as const) {
      const model = mlpBn(options);
      const m = await imported(model, 5);
      expect(m.layout.map((e) => e.name).filter((n) => n.startsWith("bn/"))).toEqual(names);
      const x = normals(8 * 4, 6);
      expect(
        maxRel(logitsOf(m.arch, m.parameters, x, 8), refForward(refSteps(m.arch), m.parameters, x, [4], 8)),
      ).toBeLessThan(1e-5);
      model.dispose();
    }
  });

  it("Keras's axis [3] (the last axis, counting the batch) is accepted; other axes and options are refused by name", async () => {
    const model = cnnBn();
    randomize(model, 7);
    const saved = await saveLayersModel(model);
    const withBn = (change: (config: Record<string, unknown>) => void) => {
      const json = structuredClone(saved.modelJson);
      const topology = json.modelTopology as {
        config: { layers: { class_name: string; config: Record<string, unknown> }[] };
      };
      const layer = topology.config.layers.find((l) => l.class_name === "BatchNormalization");
      if (!layer) throw new Error("no BN layer");
      change(layer.config);
      return json;
    };
    const m = importLayersModel(
      withBn((c) => {
        c.axis = [3];
      }),
      saved.weights,
    );
    expect(m.arch.layers[1].type).toBe("batchNormalization");
    expect(() =>
      importLayersModel(
        withBn((c) => {
          c.axis = 1;
        }),
        saved.weights,
      ),
    ).toThrow(
      /layer 2 "bn" \(BatchNormalization\): axis 1 is not supported; only the last \(channels\) axis, -1 \(or 3 for its input \[batch, 6, 6, 3\]\)/,
    );
    expect(() =>
      importLayersModel(
        withBn((c) => {
          c.axis = -2;
        }),
        saved.weights,
      ),
    ).toThrow(/axis -2 is not supported/);
    expect(() =>
      importLayersModel(
        withBn((c) => {
          c.axis = [1, 2];
        }),
        saved.weights,
      ),
    ).toThrow(/axis \[1,2\] is not supported; only the last \(channels\) axis, -1, is/);
    expect(() =>
      importLayersModel(
        withBn((c) => {
          c.renorm = true;
        }),
        saved.weights,
      ),
    ).toThrow(/"bn" \(BatchNormalization\): renorm true is not supported/);
    expect(() =>
      importLayersModel(
        withBn((c) => {
          c.virtual_batch_size = 4;
        }),
        saved.weights,
      ),
    ).toThrow(/virtual_batch_size 4 is not supported/);
    expect(() =>
      importLayersModel(
        withBn((c) => {
          c.epsilon = 0;
        }),
        saved.weights,
      ),
    ).toThrow(/epsilon must be a finite number > 0, got 0/);
    // The moving statistics must be in the manifest, one per channel, the variance not negative.
    const manifest = saved.modelJson.weightsManifest as { weights: { name: string; shape: number[] }[] }[];
    const renamed = structuredClone(saved.modelJson);
    const specs = (renamed.weightsManifest as typeof manifest)[0].weights;
    const at = specs.findIndex((w) => w.name === "bn/moving_variance");
    specs[at].name = "bn/moving_var";
    expect(() => importLayersModel(renamed, saved.weights)).toThrow(
      /no weight "bn\/moving_variance" in the manifest/,
    );
    const negative = saved.weights.slice();
    const offset = specs.slice(0, at).reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
    new DataView(negative.buffer).setFloat32(offset + 4, -1, true);
    expect(() => importLayersModel(saved.modelJson, negative)).toThrow(
      /"bn".*movingVariance\[1\] = -1 is not a valid statistic/,
    );
    model.dispose();
  });
});

describe("BN parameters in directions and landscapes", () => {
  it("with bias 'zero' gamma and beta are 0 in a direction; a landscape never moves the moving statistics", async () => {
    const model = cnnBn();
    const m = await imported(model, 8);
    const offsets = layoutOffsets(m.layout);
    const d = randomDirection(m.parameters, m.layout, { normalization: "filter", bias: "zero", seed: 1 });
    for (const name of ["bn/gamma", "bn/beta"]) {
      const i = m.layout.findIndex((e) => e.name === name);
      expect(Array.from(d.subarray(offsets[i], offsets[i + 1]))).toEqual([0, 0, 0]);
    }
    const copy = randomDirection(m.parameters, m.layout, { normalization: "filter", bias: "copy", seed: 1 });
    const g = m.layout.findIndex((e) => e.name === "bn/gamma");
    expect(Array.from(copy.subarray(offsets[g], offsets[g + 1]))).toEqual(
      Array.from(m.parameters.subarray(offsets[g], offsets[g + 1])),
    );
    expect(m.layout.some((e) => /moving/.test(e.name))).toBe(false);
    const statistics = JSON.stringify(m.arch.layers);
    const n = 12;
    const problem = {
      arch: m.arch,
      loss: "cross-entropy" as const,
      layout: m.layout,
      theta: m.parameters,
      directions: [
        d,
        randomDirection(m.parameters, m.layout, { normalization: "filter", bias: "zero", seed: 2 }),
      ],
      dataset: { task: "classification" as const, inputSize: 36, outputSize: 3 },
      train: { x: normals(n * 36, 9), y: labelsOf(n), count: n },
    };
    const before = tf.memory().numTensors;
    const grid: Grid = {
      axes: [
        { label: "x", min: -1, max: 1, count: 3 },
        { label: "y", min: -1, max: 1, count: 3 },
      ],
    };
    const naive = await sampleLandscape(problem, grid, naiveEvaluator);
    const fast = await sampleLandscape(problem, grid, EVALUATORS["tfjs-cnn-batched"]);
    expect(tf.memory().numTensors).toBe(before);
    expect(JSON.stringify(m.arch.layers)).toBe(statistics);
    const centre = refLoss(
      refForward(refSteps(m.arch), m.parameters, problem.train.x, [6, 6, 1], n),
      problem.train.y,
      n,
    );
    expect(Math.abs((naive.train_loss as Float32Array)[4] - centre)).toBeLessThan(1e-5);
    expect(maxRel(fast.train_loss as Float32Array, naive.train_loss as Float32Array)).toBeLessThan(1e-5);
    model.dispose();
  });
});

describe("the batched layers paths (tfjs-cnn-batched, wasm-cnn) on BN models", () => {
  const bnLayer = (
    name: string,
    channels: number,
    seed: number,
    extra: { center?: boolean; scale?: boolean } = {},
  ): LayerSpec => ({
    type: "batchNormalization",
    name,
    epsilon: 1e-3,
    center: true,
    scale: true,
    movingMean: Array.from(normals(channels, seed, 0.3)),
    movingVariance: Array.from(normals(channels, seed + 1), (v) => 0.5 + Math.abs(v)),
    ...extra,
  });
  /** A 7x7 CNN with BN in the prefix (no parameters), after a cropped conv, after a conv and after a dense. */
  const arch = makeLayersArchitecture([7, 7, 1], 3, [
    bnLayer("bn_in", 1, 20, { center: false, scale: false }),
    {
      type: "conv2d",
      name: "c1",
      filters: 3,
      kernelSize: [3, 3],
      strides: [1, 1],
      padding: "same",
      activation: "linear",
      useBias: true,
    },
    bnLayer("bn1", 3, 22),
    { type: "activation", name: "a1", activation: "relu" },
    { type: "maxPooling2d", name: "p1", poolSize: [2, 2], strides: [2, 2], padding: "valid" },
    {
      type: "conv2d",
      name: "c2",
      filters: 4,
      kernelSize: [2, 2],
      strides: [1, 1],
      padding: "valid",
      activation: "tanh",
      useBias: true,
    },
    bnLayer("bn2", 4, 24, { center: false }),
    { type: "flatten", name: "f" },
    { type: "dense", name: "d1", units: 5, activation: "linear", useBias: true },
    bnLayer("bn3", 5, 26, { scale: false }),
    { type: "activation", name: "a2", activation: "relu" },
    { type: "dense", name: "d2", units: 3, activation: "softmax", useBias: true },
  ]);

  it("runs BN in evaluation mode exactly: the same numbers as naive within 1e-5", async () => {
    const layout = layersLayout(arch);
    const size = layoutOffsets(layout).at(-1) as number;
    const theta = normals(size, 30, 0.5);
    const n = 14;
    const problem = {
      arch,
      loss: "cross-entropy" as const,
      layout,
      theta,
      directions: [1, 2].map((seed) =>
        randomDirection(theta, layout, { normalization: "filter", bias: "copy", seed }),
      ),
      dataset: { task: "classification" as const, inputSize: 49, outputSize: 3 },
      train: { x: normals(n * 49, 31), y: labelsOf(n), count: n },
    };
    const grid: Grid = {
      axes: [
        { label: "x", min: -1, max: 1, count: 4 },
        { label: "y", min: -1, max: 1, count: 3 },
      ],
    };
    const before = tf.memory().numTensors;
    const naive = await sampleLandscape(problem, grid, naiveEvaluator);
    for (const name of ["tfjs-cnn-batched", "wasm-cnn"] as const) {
      const fast = await sampleLandscape(problem, grid, EVALUATORS[name]);
      expect(tf.memory().numTensors).toBe(before);
      const diff = maxRel(fast.train_loss as Float32Array, naive.train_loss as Float32Array);
      console.log(`${name} vs naive on a CNN with four BN layers: ${diff.toExponential(2)}`);
      expect(diff, name).toBeLessThan(1e-5);
      expect(Array.from(fast.train_accuracy as Float32Array), name).toEqual(
        Array.from(naive.train_accuracy as Float32Array),
      );
    }
  });

  it("is the default for BN models it runs; recompute and a BN with parameters before the first conv fall back to naive", () => {
    expect(defaultEvaluatorFor("wasm", arch).name).toBe("wasm-cnn");
    const recompute: LayersArchitecture = { ...arch, batchNorm: { statistics: "recompute", batchSize: 8 } };
    expect(defaultEvaluatorFor("wasm", recompute).name).toBe("naive");
    expect(
      defaultEvaluatorFor("webgl", { ...arch, batchNorm: { statistics: "file", batchSize: 8 } }).name,
    ).toBe("wasm-cnn");
    const first = makeLayersArchitecture([7, 7, 1], 3, [bnLayer("bn_first", 1, 40), ...arch.layers.slice(1)]);
    expect(defaultEvaluatorFor("wasm", first).name).toBe("naive");
    const layout = layersLayout(first);
    const theta = normals(layoutOffsets(layout).at(-1) as number, 41);
    const problem = (a: LayersArchitecture): SubspaceProblem => ({
      arch: a,
      loss: "cross-entropy",
      layout: layersLayout(a),
      origin: a === first ? theta : normals(layoutOffsets(layersLayout(a)).at(-1) as number, 42),
      directions: [],
      split: { x: normals(4 * 49, 43), y: labelsOf(4), count: 4 },
      dataset: { task: "classification", inputSize: 49, outputSize: 3 },
    });
    expect(() => EVALUATORS["tfjs-cnn-batched"].prepare(problem(first))).toThrow(
      /evaluator "tfjs-cnn-batched" cannot run this model: layer 0 "bn_first" is a BatchNormalization with parameters before the first Dense or Conv2D layer; use the "naive" evaluator/,
    );
    expect(() => EVALUATORS["tfjs-cnn-batched"].prepare(problem(recompute))).toThrow(
      /cannot run this model: its BatchNorm statistics are recomputed at every point \(model\.bnStatistics "recompute"\)/,
    );
  });
});

/** A Dataset for the engine from rows and labels (3 classes, no test split). */
const datasetOf = (x: Float32Array, y: Float32Array, inputSize: number): EngineArgs["dataset"] => ({
  name: "test",
  task: "classification",
  inputSize,
  outputSize: 3,
  classes: 3,
  train: { x, y, count: y.length },
  test: { x: new Float32Array(0), y: new Float32Array(0), count: 0 },
});

describe("training a layers model with BN: train mode", () => {
  for (const [name, make, shape] of [
    ["Dense-BN", mlpBn, [4]],
    ["Conv-BN", cnnBn, [6, 6, 1]],
  ] as const) {
    it(`${name}: one SGD step equals the float64 reference's train-mode step within 1e-5`, async () => {
      const model = make();
      const m = await imported(model, 11);
      const per = sizeOf(shape);
      const n = 12;
      const x = normals(n * per, 12);
      const y = labelsOf(n);
      const lr = 0.1;
      const steps = refSteps(m.arch);
      const lossAt = (flat: ArrayLike<number>) =>
        refLoss(refForward(steps, flat, x, [...shape], n, true), y, n);
      // d loss / d theta by central differences of the float64 train-mode loss.
      const theta = Float64Array.from(m.parameters);
      const h = 1e-5;
      const grad = theta.map((_, i) => {
        const p = theta.slice();
        p[i] += h;
        const up = lossAt(p);
        p[i] -= 2 * h;
        return (up - lossAt(p)) / (2 * h);
      });
      const expected = theta.map((v, i) => v - lr * grad[i]);
      const before = tf.memory().numTensors;
      const engine = tfjsEngine({
        arch: m.arch,
        loss: "cross-entropy",
        dataset: datasetOf(x, y, per),
        initial: m.parameters,
        settings: {
          optimizer: "sgd",
          learningRate: lr,
          momentum: 0,
          beta1: 0.9,
          beta2: 0.999,
          epsilon: 1e-8,
          weightDecay: 0,
        },
      });
      try {
        const loss = engine.step(Int32Array.from({ length: n }, (_, i) => i));
        // The batch loss is the train-mode one (batch statistics), not the moving statistics' one.
        expect(Math.abs(loss - lossAt(theta))).toBeLessThan(1e-5);
        expect(Math.abs(loss - refLoss(refForward(steps, theta, x, [...shape], n), y, n))).toBeGreaterThan(
          1e-3,
        );
        const diff = maxRel(engine.parameters(), expected);
        console.log(`${name}: one SGD step vs float64 reference ${diff.toExponential(2)}`);
        expect(diff).toBeLessThan(1e-5);
        // gamma and beta moved: they are trained.
        const g = m.layout.findIndex((e) => e.name === "bn/gamma");
        const offsets = layoutOffsets(m.layout);
        expect(
          maxRel(
            engine.parameters().subarray(offsets[g], offsets[g + 2]),
            m.parameters.subarray(offsets[g], offsets[g + 2]),
          ),
        ).toBeGreaterThan(1e-4);
      } finally {
        engine.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });
  }
});

/** In-memory files: model.json and weights, and the data as CSV rows (features..., label). */
function filesOf(saved: SavedLayersModel, x: Float32Array, y: Float32Array, per: number) {
  const csv = Array.from({ length: y.length }, (_, i) =>
    [...x.subarray(i * per, (i + 1) * per), y[i]].join(","),
  ).join("\n");
  const files: Record<string, Uint8Array> = {
    "m/model.json": new TextEncoder().encode(JSON.stringify(saved.modelJson)),
    "m/weights.bin": saved.weights,
    "data.csv": new TextEncoder().encode(`${csv}\n`),
  };
  return async (path: string) => {
    const b = files[path];
    if (!b) throw new Error(`no file ${path}`);
    return b;
  };
}

describe("the lab with BN layers models", () => {
  for (const [name, make, shape] of [
    ["Dense-BN", mlpBn, [4]],
    ["Conv-BN", cnnBn, [6, 6, 1]],
  ] as const) {
    it(`${name}: after training, the moving statistics are update_bn's at the final weights (float64 within 1e-5)`, async () => {
      const model = make();
      randomize(model, 13);
      const saved = await saveLayersModel(model);
      const per = sizeOf(shape);
      const n = 30;
      const user = filesOf(saved, normals(n * per, 14), labelsOf(n), per);
      const config = resolveConfig({
        data: {
          name: "file",
          path: "data.csv",
          header: false,
          classes: 3,
          trainCount: 21,
          testCount: 9,
          inputShape: [...shape],
        },
        model: { kind: "layers", file: "m/model.json", train: true, bnBatchSize: 8 },
        training: { epochs: 3, batchSize: 5, learningRate: 0.05 },
        grid: { x: { min: -0.5, max: 0.5, count: 3 }, y: { min: -0.5, max: 0.5, count: 3 } },
      });
      const before = tf.memory().numTensors;
      const { snapshot } = await runExperiment(config, { backend: "wasm", files: { user } });
      expect(tf.memory().numTensors).toBe(before);
      const back = parseSnapshot(serializeSnapshot(snapshot));
      const arch = back.model.architecture as LayersArchitecture;
      expect(arch.batchNorm).toEqual({ statistics: "file", batchSize: 8 });
      expect(back.producer.evaluator).toBe("wasm-cnn");
      expect(back.model.layout.some((e) => /moving/.test(e.name))).toBe(false);
      const train = back.data.train;
      const expected = refUpdateBn(
        refSteps(arch),
        back.model.parameters,
        train.x,
        [...shape],
        train.count,
        8,
      );
      const ours = arch.layers.find((l) => l.type === "batchNormalization") as Extract<
        LayerSpec,
        { type: "batchNormalization" }
      >;
      const ref = expected.find((s) => s.op === "bn") as Extract<RefStep, { op: "bn" }>;
      const diff = Math.max(maxRel(ours.movingMean, ref.mean), maxRel(ours.movingVariance, ref.variance));
      console.log(`${name}: moving statistics after training vs float64 update_bn ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(1e-5);
      // Not the file's: training moved the weights, and the statistics with them.
      const original = importLayersModel(saved.modelJson, saved.weights).arch.layers.find(
        (l) => l.type === "batchNormalization",
      ) as Extract<LayerSpec, { type: "batchNormalization" }>;
      expect(maxRel(ours.movingMean, original.movingMean)).toBeGreaterThan(1e-2);
      // The landscape's centre is the trained model's loss with those statistics.
      const centre = refLoss(
        refForward(expected, back.model.parameters, train.x, [...shape], train.count),
        train.y,
        train.count,
      );
      expect(Math.abs((back.surfaces.train_loss as Float32Array)[4] - centre)).toBeLessThan(1e-5);
      model.dispose();
    });
  }

  it('"recompute": update_bn at every point moves the loss away from theta, where the stored statistics are stale', async () => {
    const model = mlpBn();
    const m = await imported(model, 15);
    const n = 24;
    const x = normals(n * 4, 16);
    const y = labelsOf(n);
    // Stored statistics measured at theta (as after a lab training), so the policies agree there.
    const atTheta = bnStatisticsAt(
      { ...m.arch, batchNorm: { statistics: "file", batchSize: 8 } },
      m.parameters,
      {
        x,
        y,
        count: n,
      },
    );
    const direction = randomDirection(m.parameters, m.layout, {
      normalization: "filter",
      bias: "zero",
      seed: 3,
    });
    const lossOf = (statistics: "file" | "recompute") => {
      const prepared = naiveEvaluator.prepare({
        arch: { ...atTheta, batchNorm: { statistics, batchSize: 8 } },
        loss: "cross-entropy",
        layout: m.layout,
        origin: m.parameters,
        directions: [direction],
        split: { x, y, count: n },
        dataset: { task: "classification", inputSize: 4, outputSize: 3 },
      });
      try {
        return prepared.evaluate(new Float32Array([0, 2]));
      } finally {
        prepared.dispose();
      }
    };
    const before = tf.memory().numTensors;
    const file = lossOf("file").loss;
    const recomputed = lossOf("recompute").loss;
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.abs(file[0] - recomputed[0])).toBeLessThan(1e-6);
    const far = m.parameters.map((v, i) => v + 2 * direction[i]);
    const steps = refSteps(atTheta);
    const refRecomputed = refLoss(refForward(refUpdateBn(steps, far, x, [4], n, 8), far, x, [4], n), y, n);
    const refStale = refLoss(refForward(steps, far, x, [4], n), y, n);
    console.log(
      `Dense-BN at theta + 2 d: stored statistics ${file[1].toFixed(4)} (float64 ${refStale.toFixed(4)}), recomputed ${recomputed[1].toFixed(4)} (float64 ${refRecomputed.toFixed(4)})`,
    );
    expect(Math.abs(recomputed[1] - refRecomputed)).toBeLessThan(1e-5);
    expect(Math.abs(file[1] - refStale)).toBeLessThan(1e-5);
    expect(Math.abs(file[1] - recomputed[1])).toBeGreaterThan(0.1);
    model.dispose();
  });

  it('the config\'s bnStatistics "recompute" for kind layers: named in the snapshot, naive by default; refused without BN', async () => {
    const model = mlpBn();
    randomize(model, 17);
    const saved = await saveLayersModel(model);
    const n = 20;
    const user = filesOf(saved, normals(n * 4, 18), labelsOf(n), 4);
    const config = resolveConfig({
      data: { name: "file", path: "data.csv", header: false, classes: 3, trainCount: 16, testCount: 4 },
      model: { kind: "layers", file: "m/model.json", bnStatistics: "recompute", bnBatchSize: 16 },
      grid: { x: { min: -0.5, max: 0.5, count: 3 }, y: { min: -0.5, max: 0.5, count: 3 } },
    });
    const before = tf.memory().numTensors;
    const { snapshot } = await runExperiment(config, { backend: "wasm", files: { user } });
    expect(tf.memory().numTensors).toBe(before);
    expect((snapshot.model.architecture as LayersArchitecture).batchNorm).toEqual({
      statistics: "recompute",
      batchSize: 16,
    });
    expect(snapshot.producer.evaluator).toBe("naive");
    expect(summarizeSnapshot(snapshot)).toMatch(
      /BN statistics\s+recomputed at every point from the training data \(update_bn, batches of 16\)/,
    );
    // The centre with recomputed statistics: update_bn in one batch of the 16 training rows.
    const arch = snapshot.model.architecture as LayersArchitecture;
    const train = snapshot.data.train;
    const steps = refUpdateBn(refSteps(arch), snapshot.model.parameters, train.x, [4], train.count, 16);
    const centre = refLoss(
      refForward(steps, snapshot.model.parameters, train.x, [4], train.count),
      train.y,
      train.count,
    );
    expect(Math.abs((snapshot.surfaces.train_loss as Float32Array)[4] - centre)).toBeLessThan(1e-5);

    const plain = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, name: "only" })] });
    const noBn = filesOf(await saveLayersModel(plain), normals(n * 4, 18), labelsOf(n), 4);
    await expect(runExperiment(config, { backend: "wasm", files: { user: noBn } })).rejects.toThrow(
      /model\.bnStatistics "recompute": m\/model\.json has no BatchNormalization layer to recompute/,
    );
    model.dispose();
    plain.dispose();
  });
});
