/**
 * Curvature of the lab's CNNs (layers models) through the twice-differentiable pass
 * (src/core/model/layers-twice.ts): it gives layersForward's outputs; on a small conv-pool-dense
 * CNN (363 parameters) its gradient equals an independent float64 gradient written from the
 * layout, its Hessian-vector products equal central differences of that gradient (the explicit
 * Hessian, column by column), and power iteration finds the explicit Hessian's top eigenvalue;
 * on strided and "same"-padded CNNs with every activation H v agrees with central differences of
 * the tfjs gradient; no tensor is left behind; a layer it cannot do is refused, naming it; and a
 * config's curvature section now runs on a CNN.
 */
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { topEigenpairs } from "../../src/core/curvature/eigen";
import { curvatureObjective, makeModelHvp } from "../../src/core/curvature/model-objective";
import { symmetricEigen } from "../../src/core/directions/pca";
import { runExperiment } from "../../src/core/experiment/run";
import { initModelParameters } from "../../src/core/model/architecture";
import { flatToTensors } from "../../src/core/model/flat";
import {
  type LayerActivation,
  type LayerSpec,
  type LayersArchitecture,
  layersLayout,
  makeLayersArchitecture,
} from "../../src/core/model/layers";
import { makeCnnArchitecture } from "../../src/core/model/layers-cnn";
import { layersForward } from "../../src/core/model/layers-forward";
import { layersForwardTwice, layersTwiceProblem } from "../../src/core/model/layers-twice";
import { createRng } from "../../src/core/rng";
import { tf } from "../../src/core/tf";
import { nodeDataReaders } from "../../src/node/data-files";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

// ---- the small CNN: 8x8x1 -> conv 3x3 valid (4, tanh) -> maxpool 2x2 -> flatten 36 -> dense 8 tanh -> dense 3
const [H, W, F, K, POOL, HIDDEN, OUT, N] = [8, 8, 4, 3, 2, 8, 3, 12];
const CH = H - K + 1; // 6
const PH = CH / POOL; // 3
const FLAT = PH * PH * F; // 36

const smallArch = makeLayersArchitecture([H, W, 1], OUT, [
  {
    type: "conv2d",
    name: "conv",
    filters: F,
    kernelSize: [K, K],
    strides: [1, 1],
    padding: "valid",
    activation: "tanh",
    useBias: true,
  },
  { type: "maxPooling2d", name: "pool", poolSize: [POOL, POOL], strides: [POOL, POOL], padding: "valid" },
  { type: "flatten", name: "flatten" },
  { type: "dense", name: "hidden", units: HIDDEN, activation: "tanh", useBias: true },
  { type: "dense", name: "out", units: OUT, activation: "softmax", useBias: true },
]);

// Offsets of the flat vector (kernel then bias, layer order, tfjs layouts).
const W1 = 0;
const B1 = W1 + K * K * F;
const W2 = B1 + F;
const B2 = W2 + FLAT * HIDDEN;
const W3 = B2 + HIDDEN;
const B3 = W3 + HIDDEN * OUT;
const P = B3 + OUT;

/** Seeded data and parameters (non-zero biases, so the bias blocks matter too). */
function smallProblem() {
  const rng = createRng(11);
  const theta = initModelParameters(smallArch, "auto", rng);
  for (let i = 0; i < theta.length; i++) if (theta[i] === 0) theta[i] = 0.1 * rng.normal();
  const x = Float32Array.from({ length: N * H * W }, () => rng.normal());
  const labels = Float32Array.from({ length: N }, (_, i) => i % OUT);
  return { theta, x, labels };
}

/**
 * The mean cross-entropy gradient of the small CNN in float64, written from the layout alone:
 * z1[n, y, x, f] = b1[f] + sum_ij x[n, y + i, x + j] W1[i, j, 0, f]; a1 = tanh(z1); p = 2x2 max;
 * a2 = tanh(p W2 + b2) (p flattened row-major [y, x, f]); logits = a2 W3 + b3.
 */
function gradient64(theta: Float64Array, x: Float64Array, labels: Float32Array): Float64Array {
  const g = new Float64Array(P);
  for (let n = 0; n < N; n++) {
    const a1 = new Float64Array(CH * CH * F);
    for (let y = 0; y < CH; y++)
      for (let c = 0; c < CH; c++)
        for (let f = 0; f < F; f++) {
          let z = theta[B1 + f];
          for (let i = 0; i < K; i++)
            for (let j = 0; j < K; j++)
              z += x[n * H * W + (y + i) * W + c + j] * theta[W1 + (i * K + j) * F + f];
          a1[(y * CH + c) * F + f] = Math.tanh(z);
        }
    const p = new Float64Array(FLAT);
    const arg = new Int32Array(FLAT); // which a1 cell won each window
    for (let y = 0; y < PH; y++)
      for (let c = 0; c < PH; c++)
        for (let f = 0; f < F; f++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let i = 0; i < POOL; i++)
            for (let j = 0; j < POOL; j++) {
              const idx = ((y * POOL + i) * CH + c * POOL + j) * F + f;
              if (a1[idx] > best) {
                best = a1[idx];
                at = idx;
              }
            }
          p[(y * PH + c) * F + f] = best;
          arg[(y * PH + c) * F + f] = at;
        }
    const a2 = new Float64Array(HIDDEN);
    for (let h = 0; h < HIDDEN; h++) {
      let z = theta[B2 + h];
      for (let i = 0; i < FLAT; i++) z += p[i] * theta[W2 + i * HIDDEN + h];
      a2[h] = Math.tanh(z);
    }
    const logits = new Float64Array(OUT);
    for (let o = 0; o < OUT; o++) {
      let z = theta[B3 + o];
      for (let h = 0; h < HIDDEN; h++) z += a2[h] * theta[W3 + h * OUT + o];
      logits[o] = z;
    }
    const m = Math.max(...logits);
    const e = logits.map((v) => Math.exp(v - m));
    const sum = e.reduce((s, v) => s + v, 0);
    const dLogits = e.map((v, o) => (v / sum - (o === labels[n] ? 1 : 0)) / N);
    const dA2 = new Float64Array(HIDDEN);
    for (let o = 0; o < OUT; o++) {
      g[B3 + o] += dLogits[o];
      for (let h = 0; h < HIDDEN; h++) {
        g[W3 + h * OUT + o] += a2[h] * dLogits[o];
        dA2[h] += theta[W3 + h * OUT + o] * dLogits[o];
      }
    }
    const dP = new Float64Array(FLAT);
    for (let h = 0; h < HIDDEN; h++) {
      const dz = dA2[h] * (1 - a2[h] * a2[h]);
      g[B2 + h] += dz;
      for (let i = 0; i < FLAT; i++) {
        g[W2 + i * HIDDEN + h] += p[i] * dz;
        dP[i] += theta[W2 + i * HIDDEN + h] * dz;
      }
    }
    const dZ1 = new Float64Array(CH * CH * F);
    for (let i = 0; i < FLAT; i++) {
      const idx = arg[i];
      dZ1[idx] += dP[i] * (1 - a1[idx] * a1[idx]);
    }
    for (let y = 0; y < CH; y++)
      for (let c = 0; c < CH; c++)
        for (let f = 0; f < F; f++) {
          const dz = dZ1[(y * CH + c) * F + f];
          if (dz === 0) continue;
          g[B1 + f] += dz;
          for (let i = 0; i < K; i++)
            for (let j = 0; j < K; j++)
              g[W1 + (i * K + j) * F + f] += x[n * H * W + (y + i) * W + c + j] * dz;
        }
  }
  return g;
}

/** The explicit Hessian, [P, P] row-major: central differences of the float64 gradient, symmetrized. */
function explicitHessian(
  theta: Float64Array,
  x: Float64Array,
  labels: Float32Array,
  eps = 1e-6,
): Float64Array {
  const h = new Float64Array(P * P);
  for (let j = 0; j < P; j++) {
    const plus = Float64Array.from(theta);
    const minus = Float64Array.from(theta);
    plus[j] += eps;
    minus[j] -= eps;
    const gp = gradient64(plus, x, labels);
    const gm = gradient64(minus, x, labels);
    for (let i = 0; i < P; i++) h[i * P + j] = (gp[i] - gm[i]) / (2 * eps);
  }
  for (let i = 0; i < P; i++)
    for (let j = i + 1; j < P; j++) {
      const v = (h[i * P + j] + h[j * P + i]) / 2;
      h[i * P + j] = v;
      h[j * P + i] = v;
    }
  return h;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const unitVector = (n: number, seed: number) => {
  const rng = createRng(seed);
  const v = Float64Array.from({ length: n }, () => rng.normal());
  const norm = Math.sqrt(dot(v, v));
  return Float32Array.from(v, (a) => a / norm);
};

describe("the twice-differentiable pass of layers models", () => {
  const activations: Exclude<LayerActivation, "softmax">[] = [
    "relu",
    "tanh",
    "sigmoid",
    "elu",
    "softplus",
    "linear",
  ];
  const variants: { name: string; arch: LayersArchitecture }[] = [
    { name: "the small conv-pool-dense CNN", arch: smallArch },
    {
      name: "the digits preset's CNN (two conv layers, same padding)",
      arch: makeCnnArchitecture([14, 14, 1], 10, {
        conv: [
          { filters: 8, kernel: 3 },
          { filters: 16, kernel: 3 },
        ],
        dense: [32],
        activation: "relu",
      }),
    },
    ...activations.map((activation) => ({
      name: `a strided, same-padded CNN with ${activation} and same-padded pooling`,
      arch: makeLayersArchitecture([7, 9, 2], 4, [
        {
          type: "conv2d",
          name: "c0",
          filters: 3,
          kernelSize: [3, 2],
          strides: [2, 1],
          padding: "same",
          activation,
          useBias: true,
        },
        { type: "maxPooling2d", name: "p0", poolSize: [2, 3], strides: [2, 2], padding: "same" },
        {
          type: "conv2d",
          name: "c1",
          filters: 2,
          kernelSize: [2, 2],
          strides: [1, 1],
          padding: "valid",
          activation,
          useBias: false,
        },
        { type: "dropout", name: "d", rate: 0.5 },
        { type: "flatten", name: "f" },
        { type: "dense", name: "h", units: 5, activation, useBias: true },
        { type: "activation", name: "a", activation },
        { type: "dense", name: "o", units: 4, activation: "linear", useBias: true },
      ] as LayerSpec[]),
    })),
  ];

  for (const { name, arch } of variants) {
    it(`gives layersForward's outputs within 1e-5: ${name}`, () => {
      const rng = createRng(5);
      const theta = initModelParameters(arch, "auto", rng);
      for (let i = 0; i < theta.length; i++) if (theta[i] === 0) theta[i] = 0.1 * rng.normal();
      const x = Float32Array.from({ length: 6 * arch.inputSize }, () => rng.normal());
      const before = tf.memory().numTensors;
      const [a, b] = tf.tidy(() => {
        const params = flatToTensors(theta, layersLayout(arch));
        const xt = tf.tensor2d(x, [6, arch.inputSize]);
        return [layersForward(arch, params, xt).dataSync(), layersForwardTwice(arch, params, xt).dataSync()];
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(b.length).toBe(6 * arch.outputSize);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      expect(worst).toBeLessThan(1e-5);
    });
  }

  it("refuses a layer it cannot differentiate twice, naming it, before any tensor is made", () => {
    const bn = {
      type: "batchNormalization",
      name: "bn",
      epsilon: 1e-3,
      center: true,
      scale: true,
      movingMean: [0, 0, 0, 0],
      movingVariance: [1, 1, 1, 1],
    } as unknown as LayerSpec;
    const arch = { ...smallArch, layers: [smallArch.layers[0], bn, ...smallArch.layers.slice(1)] };
    expect(layersTwiceProblem(arch)).toMatch(/layer 1 \("bn", batchNormalization\)/);
    expect(layersTwiceProblem(smallArch)).toBeNull();
    const { theta, x, labels } = smallProblem();
    const before = tf.memory().numTensors;
    expect(() =>
      makeModelHvp({
        arch,
        loss: "cross-entropy",
        theta,
        dataset: { task: "classification", inputSize: H * W, outputSize: OUT },
        data: { x, y: labels, count: N },
      }),
    ).toThrow(/curvature: layer 1 \("bn", batchNormalization\) has no twice-differentiable forward pass/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("curvature of a small CNN (conv-pool-dense, 363 parameters) against an explicit Hessian", () => {
  const { theta, x, labels } = smallProblem();
  const theta64 = Float64Array.from(theta);
  const x64 = Float64Array.from(x);
  const problem = {
    arch: smallArch,
    loss: "cross-entropy" as const,
    theta,
    dataset: { task: "classification" as const, inputSize: H * W, outputSize: OUT },
    data: { x, y: labels, count: N },
  };
  let hessian: Float64Array | null = null;
  const explicit = () => {
    hessian ??= explicitHessian(theta64, x64, labels);
    return hessian;
  };

  it("has 363 parameters and the gradient of an independent float64 computation", () => {
    expect(layersLayout(smallArch).reduce((s, e) => s + e.shape.reduce((a, b) => a * b, 1), 0)).toBe(P);
    expect(P).toBe(363);
    const op = makeModelHvp(problem);
    const g = op.gradient();
    op.dispose();
    const expected = gradient64(theta64, x64, labels);
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < P; i++) {
      worst = Math.max(worst, Math.abs(g[i] - expected[i]));
      scale = Math.max(scale, Math.abs(expected[i]));
    }
    console.log(
      `small CNN gradient: max |tfjs - float64| ${worst.toExponential(2)} (largest ${scale.toFixed(4)})`,
    );
    expect(worst).toBeLessThan(1e-5 * Math.max(1, scale));
  });

  it("has Hessian-vector products equal to central differences of the gradient, and no tensor left behind", () => {
    const h = explicit();
    const before = tf.memory().numTensors;
    const op = curvatureObjective({ ...problem, train: problem.data }, problem.data);
    // Every column: H e_j against the explicit Hessian's column j.
    let worst = 0;
    let scale = 0;
    for (let j = 0; j < P; j++) {
      const e = new Float32Array(P);
      e[j] = 1;
      const column = op.hvp(e);
      for (let i = 0; i < P; i++) {
        worst = Math.max(worst, Math.abs(column[i] - h[i * P + j]));
        scale = Math.max(scale, Math.abs(h[i * P + j]));
      }
    }
    // A random direction: H v against (g(theta + eps v) - g(theta - eps v)) / 2 eps in float64.
    const v = unitVector(P, 3);
    const hv = op.hvp(v);
    const eps = 1e-6;
    const gp = gradient64(
      Float64Array.from(theta64, (t, i) => t + eps * v[i]),
      x64,
      labels,
    );
    const gm = gradient64(
      Float64Array.from(theta64, (t, i) => t - eps * v[i]),
      x64,
      labels,
    );
    let worstV = 0;
    let normV = 0;
    for (let i = 0; i < P; i++) {
      const fd = (gp[i] - gm[i]) / (2 * eps);
      worstV = Math.max(worstV, Math.abs(hv[i] - fd));
      normV = Math.max(normV, Math.abs(fd));
    }
    // Symmetry: u . H v = v . H u.
    const u = unitVector(P, 4);
    const hu = op.hvp(u);
    const asymmetry = Math.abs(dot(u, hv) - dot(v, hu)) / Math.max(Math.abs(dot(u, hv)), 1e-12);
    expect(op.hvpCount).toBe(P + 2);
    op.dispose();
    expect(tf.memory().numTensors).toBe(before);
    console.log(
      `small CNN Hessian: max |H e_j - explicit| ${worst.toExponential(2)} (largest entry ${scale.toFixed(4)}); ` +
        `max |H v - central difference| ${worstV.toExponential(2)} (largest ${normV.toFixed(4)}); u.Hv vs v.Hu ${asymmetry.toExponential(2)}`,
    );
    expect(worst).toBeLessThan(1e-4 * Math.max(1, scale));
    expect(worstV).toBeLessThan(1e-4 * Math.max(1, normV));
    expect(asymmetry).toBeLessThan(1e-4);
  });

  it("finds the explicit Hessian's top eigenvalue by power iteration, within 1e-3 relative", async () => {
    const h = explicit();
    const { values } = symmetricEigen(h, P);
    const byMagnitude = [...values].sort((a, b) => Math.abs(b) - Math.abs(a));
    const before = tf.memory().numTensors;
    const op = makeModelHvp(problem);
    const result = await topEigenpairs(op, { topK: 1, maxIterations: 2000, tolerance: 1e-7, seed: 1 });
    op.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const relative = Math.abs(result.values[0] - byMagnitude[0]) / Math.abs(byMagnitude[0]);
    console.log(
      `small CNN top eigenvalue: power iteration ${result.values[0]} (${result.iterations[0]} products), ` +
        `explicit Hessian ${byMagnitude[0]} (next ${byMagnitude[1]}), relative difference ${relative.toExponential(2)}`,
    );
    expect(relative).toBeLessThan(1e-3);
  });
});

/**
 * The smallest gap between the two largest cells of any 2x2 stride-1 "same" pooling window over
 * conv outputs [N, h, w, C] (padded cells never win): a gap smaller than a difference step puts a
 * kink (the window's winner changes) inside the step. (With seed 21, say, three of the five
 * activations had a window within 1e-6 of a tie, and no difference step agreed with H v there.)
 */
function poolingGap(conv: number[][][][]): number {
  let gap = Number.POSITIVE_INFINITY;
  for (const sample of conv) {
    const [h, w, c] = [sample.length, sample[0].length, sample[0][0].length];
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let f = 0; f < c; f++) {
          const cells: number[] = [];
          for (let i = 0; i < 2; i++)
            for (let j = 0; j < 2; j++) if (y + i < h && x + j < w) cells.push(sample[y + i][x + j][f]);
          if (cells.length < 2) continue;
          cells.sort((a, b) => b - a);
          // Two dead ReLU cells tie at 0 harmlessly: neither passes a gradient on either side.
          if (cells[0] === 0 && cells[1] === 0) continue;
          gap = Math.min(gap, cells[0] - cells[1]);
        }
  }
  return gap;
}

describe("Hessian-vector products of strided, same-padded CNNs with every activation", () => {
  for (const activation of ["relu", "tanh", "sigmoid", "elu", "softplus"] as const) {
    it(`${activation}: H v agrees with central differences of the tfjs gradient, and u.Hv = v.Hu`, () => {
      const conv: LayerSpec = {
        type: "conv2d",
        name: "c0",
        filters: 3,
        kernelSize: [3, 3],
        strides: [2, 2],
        padding: "same",
        activation,
        useBias: true,
      };
      const arch = makeLayersArchitecture([7, 7, 1], 3, [
        conv,
        { type: "maxPooling2d", name: "p0", poolSize: [2, 2], strides: [1, 1], padding: "same" },
        { type: "flatten", name: "f" },
        { type: "dense", name: "h", units: 6, activation, useBias: true },
        { type: "dense", name: "o", units: 3, activation: "linear", useBias: true },
      ]);
      const rng = createRng(24);
      const theta = initModelParameters(arch, "auto", rng);
      for (let i = 0; i < theta.length; i++) if (theta[i] === 0) theta[i] = 0.1 * rng.normal();
      const count = 10;
      const x = Float32Array.from({ length: count * arch.inputSize }, () => rng.normal());
      // The premise of the differences: no pooling window is within 1e-4 of a tie at theta.
      const convOnly = makeLayersArchitecture([7, 7, 1], 48, [conv, { type: "flatten", name: "f" }]);
      const convOut = tf.tidy(() => {
        const params = flatToTensors(theta.subarray(0, 30), layersLayout(convOnly));
        const out = layersForwardTwice(convOnly, params, tf.tensor2d(x, [count, 49]));
        return tf.reshape(out, [count, 4, 4, 3]).arraySync() as number[][][][];
      });
      expect(poolingGap(convOut)).toBeGreaterThan(1e-4);
      const before = tf.memory().numTensors;
      const op = makeModelHvp({
        arch,
        loss: "cross-entropy",
        theta,
        dataset: { task: "classification", inputSize: arch.inputSize, outputSize: 3 },
        data: { x, y: Float32Array.from({ length: count }, (_, i) => i % 3), count },
      });
      const v = unitVector(theta.length, 8);
      const u = unitVector(theta.length, 9);
      const hv = op.hvp(v);
      const hu = op.hvp(u);
      // Central differences of the float32 gradient at several steps: a step crossing a ReLU or a
      // max-pooling kink (the window's winner changes) jumps the gradient and spoils that step's
      // difference, and rounding grows as the step shrinks, but a missing term would spoil every step.
      const errors = [1e-2, 3e-3, 1e-3, 3e-4].map((e) => {
        const gp = op.gradient(Float32Array.from(theta, (t, i) => t + e * v[i]));
        const gm = op.gradient(Float32Array.from(theta, (t, i) => t - e * v[i]));
        let diff = 0;
        let norm = 0;
        for (let i = 0; i < theta.length; i++) {
          const fd = (gp[i] - gm[i]) / (2 * e);
          diff += (hv[i] - fd) ** 2;
          norm += fd * fd;
        }
        return Math.sqrt(diff / norm);
      });
      op.dispose();
      expect(tf.memory().numTensors).toBe(before);
      const relative = Math.min(...errors);
      const asymmetry = Math.abs(dot(u, hv) - dot(v, hu)) / Math.max(Math.abs(dot(u, hv)), 1e-6);
      console.log(
        `${activation} CNN: ||H v - fd|| / ||fd|| at steps 1e-2, 3e-3, 1e-3, 3e-4: ${errors.map((r) => r.toExponential(2)).join(", ")}; ` +
          `u.Hv vs v.Hu ${asymmetry.toExponential(2)}`,
      );
      expect(relative).toBeLessThan(2e-3);
      expect(asymmetry).toBeLessThan(1e-3);
    });
  }
});

describe("the config's curvature section on a CNN", () => {
  it("is accepted for model.kind cnn and computed into the snapshot", async () => {
    const config = resolveConfig({
      seed: 2,
      data: { name: "digits", trainCount: 48, testCount: 16 },
      model: { kind: "cnn", conv: [{ filters: 2, kernel: 3 }], dense: [], activation: "relu" },
      training: { optimizer: "adam", learningRate: 0.01, batchSize: 16, epochs: 2 },
      grid: { x: { count: 3 }, y: { count: 3 } },
      curvature: { topK: 1, traceSamples: 4, averageRadius: [0.1], averageSamples: 2 },
    });
    const before = tf.memory().numTensors;
    const { snapshot } = await runExperiment(config, { backend: "wasm", files: nodeDataReaders() });
    expect(tf.memory().numTensors).toBe(before);
    expect(snapshot.model.architecture.kind).toBe("layers");
    const section = snapshot.curvature;
    expect(section).toBeDefined();
    expect(Number.isFinite(section?.top.values[0])).toBe(true);
    expect(Number.isFinite(section?.trace?.value)).toBe(true);
    expect(Number.isFinite(section?.averageSharpness[0]?.sharpness)).toBe(true);
  });
});
