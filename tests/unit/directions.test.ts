import { describe, expect, it } from "vitest";
import { normalizeDirection } from "../../src/core/directions/normalize";
import { randomDirection } from "../../src/core/directions/random";
import { cosine, targetDirection } from "../../src/core/directions/vector";
import { initParameters } from "../../src/core/model/init";
import { layoutOffsets } from "../../src/core/model/layout";
import { makeArchitecture, mlpLayout } from "../../src/core/model/mlp";
import type { Layout } from "../../src/core/model/types";
import { createRng } from "../../src/core/rng";

const arch = makeArchitecture(2, 3, { hiddenSizes: [8, 5], activation: "relu" });
const layout = mlpLayout(arch);
const theta = initParameters(arch, "he", createRng(11));
for (let i = 0; i < theta.length; i++) if (theta[i] === 0) theta[i] = 0.1 * ((i % 7) - 3); // non-zero biases

function columnNorm(v: Float32Array, offset: number, rows: number, cols: number, j: number): number {
  let s = 0;
  for (let r = 0; r < rows; r++) s += v[offset + r * cols + j] ** 2;
  return Math.sqrt(s);
}

function eachKernelColumn(l: Layout, fn: (offset: number, rows: number, cols: number, j: number) => void) {
  const offsets = layoutOffsets(l);
  l.forEach((e, i) => {
    if (e.shape.length < 2) return;
    const [rows, cols] = e.shape;
    for (let j = 0; j < cols; j++) fn(offsets[i], rows, cols, j);
  });
}

describe("filter normalization (Li et al. 2018)", () => {
  it("gives every last-axis slice of each kernel the norm of the same slice of theta", () => {
    const d = randomDirection(theta, layout, { normalization: "filter", bias: "zero", seed: 5 });
    let checked = 0;
    eachKernelColumn(layout, (off, rows, cols, j) => {
      const want = columnNorm(theta, off, rows, cols, j);
      expect(Math.abs(columnNorm(d, off, rows, cols, j) - want) / want).toBeLessThan(1e-5);
      checked++;
    });
    expect(checked).toBe(8 + 5 + 3);
  });

  it("sets every 1-D tensor exactly to 0 with bias zero and to theta's with bias copy", () => {
    const zero = randomDirection(theta, layout, { normalization: "filter", bias: "zero", seed: 5 });
    const copy = randomDirection(theta, layout, { normalization: "filter", bias: "copy", seed: 5 });
    const offsets = layoutOffsets(layout);
    layout.forEach((e, i) => {
      if (e.shape.length !== 1) return;
      for (let k = offsets[i]; k < offsets[i + 1]; k++) {
        expect(zero[k]).toBe(0);
        expect(copy[k]).toBe(theta[k]);
      }
    });
  });

  it("gives a zero slice, never NaN, where theta's filter is zero", () => {
    const t = theta.slice();
    const off = layoutOffsets(layout)[2]; // dense_1/kernel [8, 5]
    for (let r = 0; r < 8; r++) t[off + r * 5 + 2] = 0;
    const d = randomDirection(t, layout, { normalization: "filter", bias: "zero", seed: 9 });
    expect(d.every(Number.isFinite)).toBe(true);
    for (let r = 0; r < 8; r++) expect(d[off + r * 5 + 2]).toBe(0);
  });

  it("gives a zero slice where the direction's filter is zero", () => {
    const d = new Float32Array(theta.length).fill(1);
    const off = layoutOffsets(layout)[0];
    for (let r = 0; r < 2; r++) d[off + r * 8 + 3] = 0;
    normalizeDirection(d, theta, layout, "filter", "zero");
    expect(d.every(Number.isFinite)).toBe(true);
    expect(d[off + 3]).toBe(0);
  });

  it("is a Gaussian direction (mean near 0, not uniform [0, 1)) before normalization", () => {
    const d = randomDirection(theta, layout, { normalization: "none", bias: "copy", seed: 1 });
    const kernel = Array.from(d.subarray(0, 16));
    expect(kernel.some((v) => v < 0)).toBe(true);
    const big = randomDirection(new Float32Array(20000), [{ name: "k", shape: [100, 200] }], {
      normalization: "none",
      bias: "zero",
      seed: 3,
    });
    const mean = big.reduce((a, b) => a + b, 0) / big.length;
    const variance = big.reduce((a, b) => a + (b - mean) ** 2, 0) / big.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});

describe("layer and model normalization", () => {
  it("rescales each kernel to the kernel's norm with layer", () => {
    const d = randomDirection(theta, layout, { normalization: "layer", bias: "zero", seed: 2 });
    const offsets = layoutOffsets(layout);
    layout.forEach((e, i) => {
      if (e.shape.length < 2) return;
      const norm = (v: Float32Array) => Math.hypot(...v.subarray(offsets[i], offsets[i + 1]));
      expect(Math.abs(norm(d) - norm(theta)) / norm(theta)).toBeLessThan(1e-5);
    });
  });

  it("rescales the whole vector to the norm of theta with model and bias zero", () => {
    const d = randomDirection(theta, layout, { normalization: "model", bias: "zero", seed: 2 });
    expect(Math.abs(Math.hypot(...d) - Math.hypot(...theta)) / Math.hypot(...theta)).toBeLessThan(1e-5);
  });

  it("keeps the copied biases equal to theta's with model and bias copy", () => {
    const d = randomDirection(theta, layout, { normalization: "model", bias: "copy", seed: 2 });
    const offsets = layoutOffsets(layout);
    expect(Array.from(d.subarray(offsets[1], offsets[2]))).toEqual(
      Array.from(theta.subarray(offsets[1], offsets[2])),
    );
  });

  it("is reproducible from the seed and differs between seeds", () => {
    const a = randomDirection(theta, layout, { normalization: "filter", bias: "zero", seed: 4 });
    const b = randomDirection(theta, layout, { normalization: "filter", bias: "zero", seed: 4 });
    const c = randomDirection(theta, layout, { normalization: "filter", bias: "zero", seed: 5 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it("rejects a direction whose length differs from theta's", () => {
    expect(() => normalizeDirection(new Float32Array(3), theta, layout, "filter", "zero")).toThrow(
      /direction has 3 values/,
    );
  });
});

describe("direction helpers", () => {
  it("computes the cosine of two directions and NaN for a zero vector", () => {
    expect(cosine(new Float32Array([1, 0]), new Float32Array([0, 2]))).toBe(0);
    expect(cosine(new Float32Array([1, 1]), new Float32Array([2, 2]))).toBeCloseTo(1, 12);
    expect(cosine(new Float32Array([0, 0]), new Float32Array([1, 2]))).toBeNaN();
  });

  it("makes two random high-dimensional directions nearly orthogonal", () => {
    const big = new Float32Array(20000).fill(1);
    const l: Layout = [{ name: "k", shape: [100, 200] }];
    const a = randomDirection(big, l, { normalization: "filter", bias: "zero", seed: 1 });
    const b = randomDirection(big, l, { normalization: "filter", bias: "zero", seed: 2 });
    expect(Math.abs(cosine(a, b))).toBeLessThan(0.05);
  });

  it("makes the target direction theta2 - theta1", () => {
    expect(Array.from(targetDirection(new Float32Array([1, 2]), new Float32Array([4, 0])))).toEqual([3, -2]);
    expect(() => targetDirection(new Float32Array(2), new Float32Array(3))).toThrow(/2 and 3 parameters/);
  });
});
