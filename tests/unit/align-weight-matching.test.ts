import { describe, expect, it } from "vitest";
import {
  applyPermutations,
  identityPermutations,
  invertPermutation,
  matchingObjective,
  permutationGroups,
  randomPermutations,
  weightMatching,
} from "../../src/core/align";
import { flatToTensors } from "../../src/core/model/flat";
import { mlpForward } from "../../src/core/model/forward";
import { initParameters } from "../../src/core/model/init";
import { makeArchitecture, mlpLayout } from "../../src/core/model/mlp";
import type { MlpArchitecture } from "../../src/core/model/types";
import { createRng } from "../../src/core/rng";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

/** Parameters with non-zero biases, so that bias permutation errors would show. */
function network(arch: MlpArchitecture, seed: number): Float32Array {
  const rng = createRng(seed);
  const theta = initParameters(arch, "auto", rng);
  for (let i = 0; i < theta.length; i++) if (theta[i] === 0) theta[i] = 0.3 * rng.normal();
  return theta;
}

function outputs(arch: MlpArchitecture, theta: Float32Array, x: Float32Array, n: number): Float32Array {
  return tf.tidy(() => {
    const params = flatToTensors(theta, mlpLayout(arch));
    return mlpForward(arch, params, tf.tensor2d(x, [n, arch.inputSize])).dataSync() as Float32Array;
  });
}

/** Equal up to float32 summation order: within 1e-6, relative to the output's size when it exceeds 1. */
function expectSameOutputs(before: Float32Array, after: Float32Array): void {
  expect(after.length).toBe(before.length);
  for (let i = 0; i < before.length; i++) {
    expect(Math.abs(after[i] - before[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(before[i])));
  }
}

const plain = makeArchitecture(3, 4, { hiddenSizes: [16, 12, 16], activation: "relu" });
const residual = makeArchitecture(3, 4, { hiddenSizes: [8, 12, 12, 12], activation: "tanh", residual: true });
const inputs = (() => {
  const rng = createRng(99);
  return Float32Array.from({ length: 50 * 3 }, () => 2 * rng.normal());
})();

describe("permutations of hidden units", () => {
  for (const [name, arch] of [
    ["a plain MLP", plain],
    ["a residual MLP", residual],
  ] as const) {
    it(`leave the outputs of ${name} unchanged (mlpForward, within 1e-6)`, () => {
      const theta = network(arch, 1);
      const perms = randomPermutations(arch, createRng(5));
      const permuted = applyPermutations(arch, theta, perms);
      expect(permuted).not.toEqual(theta);
      const before = outputs(arch, theta, inputs, 50);
      const after = outputs(arch, permuted, inputs, 50);
      expectSameOutputs(before, after);
    });
  }

  it("join residual layers of equal width into one group sharing a permutation", () => {
    expect(permutationGroups(plain)).toEqual([[0], [1], [2]]);
    expect(permutationGroups(residual)).toEqual([[0], [1, 2, 3]]);
    const perms = randomPermutations(residual, createRng(2));
    expect(Array.from(perms[2])).toEqual(Array.from(perms[1]));
    expect(Array.from(perms[3])).toEqual(Array.from(perms[1]));
  });

  it("are undone by their inverses", () => {
    const theta = network(plain, 3);
    const perms = randomPermutations(plain, createRng(4));
    const back = applyPermutations(
      plain,
      applyPermutations(plain, theta, perms),
      perms.map(invertPermutation),
    );
    expect(Array.from(back)).toEqual(Array.from(theta));
  });

  it("move a hidden unit's incoming column, bias and outgoing row together (a worked 2-unit example)", () => {
    const arch = makeArchitecture(1, 1, { hiddenSizes: [2], activation: "relu" });
    // dense_0/kernel [1, 2] = [1, 2]; bias [3, 4]; dense_1/kernel [2, 1] = [5, 6]; bias [7]
    const theta = new Float32Array([1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(applyPermutations(arch, theta, [[1, 0]]))).toEqual([2, 1, 4, 3, 6, 5, 7]);
  });
});

describe("weight matching", () => {
  it("matching a randomly permuted copy of A back to A recovers A exactly", () => {
    const a = network(plain, 10);
    const perms = randomPermutations(plain, createRng(11));
    const b = applyPermutations(plain, a, perms);
    const m = weightMatching(plain, a, b, { seed: 0 });
    expect(Array.from(m.apply(b))).toEqual(Array.from(a));
    // It found the inverse of the scrambling.
    m.permutations.forEach((p, h) => {
      expect(Array.from(p)).toEqual(Array.from(invertPermutation(perms[h])));
    });
    expect(m.converged).toBe(true);
  });

  it("recovers a permuted copy of a residual MLP too", () => {
    const a = network(residual, 20);
    const b = applyPermutations(residual, a, randomPermutations(residual, createRng(21)));
    const m = weightMatching(residual, a, b, { seed: 1 });
    expect(Array.from(m.apply(b))).toEqual(Array.from(a));
  });

  for (const [name, arch] of [
    ["a plain MLP", plain],
    ["a residual MLP", residual],
  ] as const) {
    it(`never decreases the objective across sweeps between two independent networks (${name})`, () => {
      const a = network(arch, 30);
      const b = network(arch, 31);
      const m = weightMatching(arch, a, b, { seed: 2 });
      expect(m.sweeps).toBeGreaterThanOrEqual(1);
      expect(m.objective).toHaveLength(m.sweeps + 1);
      for (let i = 1; i < m.objective.length; i++) {
        expect(m.objective[i]).toBeGreaterThanOrEqual(m.objective[i - 1]);
      }
      expect(m.objective.at(-1)).toBeGreaterThan(m.objective[0]);
      // The reported objective is <A, pi(B)> of the returned permutations.
      expect(m.objective.at(-1)).toBeCloseTo(matchingObjective(arch, a, b, m.permutations), 8);
      // And the aligned B computes the same function as B.
      const before = outputs(arch, b, inputs, 50);
      const after = outputs(arch, m.apply(b), inputs, 50);
      expectSameOutputs(before, after);
    });
  }

  it("brings B closer to A than the identity does", () => {
    const a = network(plain, 40);
    const b = network(plain, 41);
    const m = weightMatching(plain, a, b);
    const d = (x: Float32Array, y: Float32Array) => x.reduce((s, xi, i) => s + (xi - y[i]) ** 2, 0);
    expect(d(a, m.apply(b))).toBeLessThan(d(a, b));
  });

  it("is deterministic for a seed and stops after maxSweeps", () => {
    const a = network(plain, 50);
    const b = network(plain, 51);
    const m1 = weightMatching(plain, a, b, { seed: 9 });
    const m2 = weightMatching(plain, a, b, { seed: 9 });
    expect(m1.permutations.map((p) => Array.from(p))).toEqual(m2.permutations.map((p) => Array.from(p)));
    expect(m1.objective).toEqual(m2.objective);
    const one = weightMatching(plain, a, b, { seed: 9, maxSweeps: 1 });
    expect(one.sweeps).toBe(1);
    expect(one.objective).toHaveLength(2);
  });

  it("uses no tensors (tf.memory unchanged)", () => {
    const before = tf.memory().numTensors;
    weightMatching(plain, network(plain, 60), network(plain, 61));
    expect(tf.memory().numTensors).toBe(before);
  });

  it("returns no permutations for a network without hidden layers", () => {
    const linear = makeArchitecture(2, 3, { hiddenSizes: [], activation: "relu" });
    const m = weightMatching(linear, network(linear, 1), network(linear, 2));
    expect(m.permutations).toEqual([]);
    expect(m.sweeps).toBe(0);
  });

  it("rejects vectors of the wrong length, NaN and bad permutations with a clear message", () => {
    const a = network(plain, 70);
    const b = network(plain, 71);
    expect(() => weightMatching(plain, a, b.subarray(1))).toThrow(/theta_b: expected \d+ values/);
    const nan = b.slice();
    nan[7] = Number.NaN;
    expect(() => weightMatching(plain, a, nan)).toThrow(/theta_b: value NaN at index 7 \(dense_0\/kernel\)/);
    expect(() => weightMatching(plain, a, b, { maxSweeps: -1 })).toThrow(/maxSweeps must be an integer >= 0/);
    const perms = identityPermutations(plain);
    perms[1][0] = 1;
    expect(() => applyPermutations(plain, a, perms)).toThrow(
      /hidden layer 1: entry 1 \(1\) makes this not a permutation/,
    );
    expect(() => applyPermutations(plain, a, perms.slice(1))).toThrow(
      /one permutation per hidden layer \(3\), got 2/,
    );
    const tied = identityPermutations(residual);
    tied[2] = randomPermutations(residual, createRng(1))[2];
    expect(() => applyPermutations(residual, network(residual, 1), tied)).toThrow(
      /hidden layers 1 and 2 are joined by residual connections and must share one permutation/,
    );
  });
});
