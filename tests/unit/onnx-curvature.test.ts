/**
 * Curvature of an ONNX model (tests/fixtures/onnx/mlp.onnx, PyTorch's Linear(4, 8) - ReLU -
 * Linear(8, 3)) through the interpreter: the tfjs gradient equals an independent float64
 * gradient written from the state_dict shapes, the Hessian-vector products equal the columns of an
 * explicit Hessian (central differences of that float64 gradient), and power iteration's top
 * eigenvalue equals the explicit Hessian's.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { topEigenpairs } from "../../src/core/curvature/eigen";
import { makeModelHvp } from "../../src/core/curvature/model-objective";
import { symmetricEigen } from "../../src/core/directions/pca";
import { importOnnxModel } from "../../src/core/onnx/load";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

const dir = new URL("../fixtures/onnx/", import.meta.url);
const ref: { count: number; x: number[]; labels: number[] } = JSON.parse(
  readFileSync(new URL("mlp.json", dir), "utf8"),
);
const onnxBytes = new Uint8Array(readFileSync(new URL("mlp.onnx", dir)));
const [IN, HIDDEN, OUT] = [4, 8, 3];
const x = Float64Array.from(ref.x, (v) => Math.fround(v));

/**
 * Mean cross-entropy gradient of logits = W2 relu(W1 x + b1) + b2 in float64, with the flat vector
 * in the layout's order and PyTorch shapes: W1 [8, 4], b1 [8], W2 [3, 8], b2 [3].
 */
function gradient64(theta: Float64Array): Float64Array {
  const w1 = 0;
  const b1 = w1 + HIDDEN * IN;
  const w2 = b1 + HIDDEN;
  const b2 = w2 + OUT * HIDDEN;
  const g = new Float64Array(theta.length);
  const n = ref.count;
  for (let s = 0; s < n; s++) {
    const a = new Float64Array(HIDDEN);
    for (let h = 0; h < HIDDEN; h++) {
      let z = theta[b1 + h];
      for (let i = 0; i < IN; i++) z += theta[w1 + h * IN + i] * x[s * IN + i];
      a[h] = z;
    }
    const logits = new Float64Array(OUT);
    for (let o = 0; o < OUT; o++) {
      let z = theta[b2 + o];
      for (let h = 0; h < HIDDEN; h++) z += theta[w2 + o * HIDDEN + h] * Math.max(a[h], 0);
      logits[o] = z;
    }
    const m = Math.max(...logits);
    const e = logits.map((v) => Math.exp(v - m));
    const sum = e.reduce((p, q) => p + q, 0);
    const dz = e.map((v, o) => (v / sum - (o === ref.labels[s] ? 1 : 0)) / n);
    for (let o = 0; o < OUT; o++) {
      g[b2 + o] += dz[o];
      for (let h = 0; h < HIDDEN; h++) g[w2 + o * HIDDEN + h] += dz[o] * Math.max(a[h], 0);
    }
    for (let h = 0; h < HIDDEN; h++) {
      if (a[h] <= 0) continue;
      let da = 0;
      for (let o = 0; o < OUT; o++) da += dz[o] * theta[w2 + o * HIDDEN + h];
      g[b1 + h] += da;
      for (let i = 0; i < IN; i++) g[w1 + h * IN + i] += da * x[s * IN + i];
    }
  }
  return g;
}

/** The explicit Hessian by central differences of the float64 gradient, symmetrized: [P, P] row-major. */
function explicitHessian(theta: Float64Array, eps = 1e-6): Float64Array {
  const p = theta.length;
  const h = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    const plus = Float64Array.from(theta);
    const minus = Float64Array.from(theta);
    plus[j] += eps;
    minus[j] -= eps;
    const gp = gradient64(plus);
    const gm = gradient64(minus);
    for (let i = 0; i < p; i++) h[i * p + j] = (gp[i] - gm[i]) / (2 * eps);
  }
  for (let i = 0; i < p; i++) {
    for (let j = i + 1; j < p; j++) {
      const v = (h[i * p + j] + h[j * p + i]) / 2;
      h[i * p + j] = v;
      h[j * p + i] = v;
    }
  }
  return h;
}

describe("curvature of an ONNX model", () => {
  // The parser runs no tfjs op; the forward probe in importOnnxModel does, so it waits for the backend.
  let problem: Parameters<typeof makeModelHvp>[0];
  let theta64: Float64Array;
  let p: number;
  let hessian: Float64Array;
  beforeAll(() => {
    const model = importOnnxModel(onnxBytes);
    problem = {
      arch: model.arch,
      loss: "cross-entropy",
      theta: model.parameters,
      dataset: { task: "classification", inputSize: IN, outputSize: OUT },
      data: { x: Float32Array.from(ref.x), y: Float32Array.from(ref.labels), count: ref.count },
    };
    theta64 = Float64Array.from(model.parameters);
    p = theta64.length;
    hessian = explicitHessian(theta64);
  });

  it("has the gradient of an independent float64 computation", () => {
    const op = makeModelHvp(problem);
    const g = op.gradient();
    op.dispose();
    const expected = gradient64(theta64);
    let worst = 0;
    for (let i = 0; i < p; i++) worst = Math.max(worst, Math.abs(g[i] - expected[i]));
    console.log(`mlp.onnx gradient: max |tfjs - float64| ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-5);
  });

  it("has Hessian-vector products equal to the explicit Hessian's columns", () => {
    const before = tf.memory().numTensors;
    const op = makeModelHvp(problem);
    let worst = 0;
    let scale = 0;
    for (let j = 0; j < p; j++) {
      const e = new Float32Array(p);
      e[j] = 1;
      const column = op.hvp(e);
      for (let i = 0; i < p; i++) {
        worst = Math.max(worst, Math.abs(column[i] - hessian[i * p + j]));
        scale = Math.max(scale, Math.abs(hessian[i * p + j]));
      }
    }
    op.dispose();
    expect(tf.memory().numTensors).toBe(before);
    console.log(
      `mlp.onnx Hessian: max |H e_j - explicit| ${worst.toExponential(2)} (largest entry ${scale.toFixed(4)})`,
    );
    expect(worst).toBeLessThan(1e-5 * Math.max(1, scale) + 1e-6);
  });

  it("finds the explicit Hessian's top eigenvalue by power iteration", async () => {
    const { values } = symmetricEigen(hessian, p);
    const top = [...values].sort((a, b) => Math.abs(b) - Math.abs(a))[0];
    const op = makeModelHvp(problem);
    const result = await topEigenpairs(op, { topK: 1, maxIterations: 2000, tolerance: 1e-7, seed: 1 });
    op.dispose();
    const relative = Math.abs(result.values[0] - top) / Math.abs(top);
    console.log(
      `mlp.onnx top eigenvalue: power iteration ${result.values[0]}, explicit Hessian ${top}, relative difference ${relative.toExponential(2)}`,
    );
    expect(relative).toBeLessThan(1e-4);
  });
});

describe("derivatives of ONNX conv nets (Conv, depthwise Conv, strides, pads, pooling, BN, a residual Add)", () => {
  for (const name of ["cnn_bn", "residual", "strided"]) {
    it(`${name}.onnx: the gradient and Hessian-vector products agree with finite differences, on tfjs-wasm`, () => {
      const dir2 = new URL("../fixtures/onnx/", import.meta.url);
      const r: { count: number; x: number[]; labels: number[] } = JSON.parse(
        readFileSync(new URL(`${name}.json`, dir2), "utf8"),
      );
      const m = importOnnxModel(new Uint8Array(readFileSync(new URL(`${name}.onnx`, dir2))));
      const before = tf.memory().numTensors;
      const op = makeModelHvp({
        arch: m.arch,
        loss: "cross-entropy",
        theta: m.parameters,
        dataset: { task: "classification", inputSize: m.arch.inputSize, outputSize: 3 },
        data: { x: Float32Array.from(r.x), y: Float32Array.from(r.labels), count: r.count },
      });
      const n = m.parameters.length;
      const rng = (seed: number) => {
        let s = seed;
        return () => {
          s = (s * 1103515245 + 12345) % 2147483648;
          return s / 2147483648 - 0.5;
        };
      };
      const next = rng(7);
      const unit = (a: Float32Array) => {
        const norm = Math.hypot(...a);
        return a.map((x) => x / norm);
      };
      const v = unit(Float32Array.from({ length: n }, () => next()));
      const u = unit(Float32Array.from({ length: n }, () => next()));
      const along = (a: Float32Array, t: number) => Float32Array.from(m.parameters, (p, i) => p + t * a[i]);
      // Directional derivative: g . v vs (L(theta + e v) - L(theta - e v)) / 2e.
      const g = op.gradient();
      const gv = g.reduce((s, gi, i) => s + gi * v[i], 0);
      const e = 1e-3;
      const fd = (op.loss(along(v, e)) - op.loss(along(v, -e))) / (2 * e);
      // Hessian-vector product: H v vs (g(theta + e v) - g(theta - e v)) / 2e, and u . H v = v . H u.
      const hv = op.hvp(v);
      const hu = op.hvp(u);
      // A small step: ReLU and max-pooling kinks make the gradient jump, and a wide step crosses more of them.
      const h = 1e-4;
      const gp = op.gradient(along(v, h));
      const gm = op.gradient(along(v, -h));
      op.dispose();
      expect(tf.memory().numTensors).toBe(before);
      let worst = 0;
      let scale = 0;
      for (let i = 0; i < n; i++) {
        worst = Math.max(worst, Math.abs(hv[i] - (gp[i] - gm[i]) / (2 * h)));
        scale = Math.max(scale, Math.abs(hv[i]));
      }
      const uHv = u.reduce((s, ui, i) => s + ui * hv[i], 0);
      const vHu = v.reduce((s, vi, i) => s + vi * hu[i], 0);
      console.log(
        `${name}: g.v ${gv.toFixed(6)} vs finite difference ${fd.toFixed(6)}; |Hv - finite difference| ${worst.toExponential(2)} of ${scale.toFixed(4)}; u.Hv ${uHv.toFixed(6)}, v.Hu ${vHu.toFixed(6)}`,
      );
      expect(Math.abs(gv - fd)).toBeLessThan(1e-3 * Math.max(1, Math.abs(gv)));
      expect(worst).toBeLessThan(2e-2 * Math.max(scale, 1e-3));
      expect(Math.abs(uHv - vHu)).toBeLessThan(1e-4 * Math.max(1, Math.abs(uHv)));
    });
  }
});
