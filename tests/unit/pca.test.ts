import { describe, expect, it } from "vitest";
import { rangeAround, symmetricEigen, trajectoryPca } from "../../src/core/directions/pca";
import { dot } from "../../src/core/directions/vector";
import type { Layout } from "../../src/core/model/types";
import { createRng } from "../../src/core/rng";

const layout: Layout = [
  { name: "k", shape: [4, 5] },
  { name: "b", shape: [5] },
];

describe("symmetric eigen-decomposition", () => {
  it("recovers the eigenvalues of a known symmetric matrix", () => {
    // [[2, 1], [1, 2]] has eigenvalues 3 and 1.
    const { values, vectors } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
    expect(values[0]).toBeCloseTo(3, 10);
    expect(values[1]).toBeCloseTo(1, 10);
    expect(Math.abs(vectors[0])).toBeCloseTo(Math.SQRT1_2, 10);
  });
});

describe("trajectory PCA (Li et al. 2018)", () => {
  const rng = createRng(8);
  const theta = new Float32Array(25).map(() => rng.normal());
  const u = new Float32Array(25).map((_, i) => (i < 20 ? rng.normal() : 0));
  const v = new Float32Array(25).map((_, i) => (i < 20 ? rng.normal() : 0));
  // Checkpoints on a plane through theta: theta + a_i u + b_i v, with a much larger spread in a.
  const ab = Array.from({ length: 12 }, (_, i) => [3 * Math.cos(i / 3) + i, 0.5 * Math.sin(i)]);
  const checkpoints = ab.map(([a, b]) => theta.map((t, j) => t + a * u[j] + b * v[j]));

  it("finds unit directions spanning the plane of the path and explaining all its variance", () => {
    const { directions, explained } = trajectoryPca(checkpoints, theta, layout, true);
    for (const d of directions) {
      expect(dot(d, d)).toBeCloseTo(1, 5);
      // d lies in span(u, v): its residual after projecting on the plane is ~0.
      const uu = dot(u, u);
      const uv = dot(u, v);
      const vv = dot(v, v);
      const det = uu * vv - uv * uv;
      const cu = (dot(d, u) * vv - dot(d, v) * uv) / det;
      const cv = (dot(d, v) * uu - dot(d, u) * uv) / det;
      const residual = d.reduce((s, x, j) => s + (x - cu * u[j] - cv * v[j]) ** 2, 0);
      expect(residual).toBeLessThan(1e-8);
    }
    expect(dot(directions[0], directions[1])).toBeCloseTo(0, 5);
    expect(explained[0] + explained[1]).toBeCloseTo(1, 5);
    expect(explained[0]).toBeGreaterThan(explained[1]);
  });

  it("projects each checkpoint so that the plane coordinates reproduce its offset from theta", () => {
    const { directions, coords } = trajectoryPca(checkpoints, theta, layout, true);
    checkpoints.forEach((c, i) => {
      const rebuilt = theta.map(
        (t, j) => t + coords[2 * i] * directions[0][j] + coords[2 * i + 1] * directions[1][j],
      );
      const err = Math.max(...rebuilt.map((x, j) => Math.abs(x - c[j])));
      expect(err).toBeLessThan(1e-3);
    });
  });

  it("ignores the biases when asked (their entries are 0 in both directions)", () => {
    const moved = checkpoints.map((c, i) => c.map((x, j) => (j >= 20 ? x + i : x)));
    const { directions } = trajectoryPca(moved, theta, layout, true);
    for (const d of directions) for (let j = 20; j < 25; j++) expect(d[j]).toBe(0);
  });

  it("rejects too few or identical checkpoints", () => {
    expect(() => trajectoryPca(checkpoints.slice(0, 2), theta, layout, true)).toThrow(
      /at least 3 checkpoints/,
    );
    expect(() => trajectoryPca([theta, theta, theta], theta, layout, true)).toThrow(/do not move/);
  });

  it("makes a grid range that holds the path with a margin", () => {
    const r = rangeAround(new Float32Array([0, 0, 2, 1, -1, 0.5]), 0.25);
    expect(r.x[0]).toBeLessThan(-1);
    expect(r.x[1]).toBeGreaterThan(2);
    expect(r.y[0]).toBeLessThan(0);
    expect(r.y[1]).toBeGreaterThan(1);
  });
});
