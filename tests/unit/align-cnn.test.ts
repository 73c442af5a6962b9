/**
 * Weight matching for CNNs with BatchNorm (issue 16, item 3): the permutation spec of an ONNX
 * graph made by PyTorch (tests/fixtures/onnx) has conv output channels as units, BN channels
 * (scale, shift and running statistics) moved with them, a residual Add joining the block's input
 * and output into one group, and a Flatten moving the next Linear's inputs in blocks of H x W.
 * A permuted model computes the same function (max logit difference below 1e-5), and weight
 * matching of a permuted, perturbed copy finds the permutation back.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { onnxPermutationSpec, onnxWeightMatching, permuteOnnxModel } from "../../src/core/align/onnx-spec";
import {
  applySpecPermutations,
  type PermutationSpec,
  permuteTensor,
  specObjective,
} from "../../src/core/align/spec";
import type { OnnxArchitecture } from "../../src/core/onnx/graph";
import { onnxForward } from "../../src/core/onnx/interpret";
import { importOnnxModel, onnxParameterTensors } from "../../src/core/onnx/load";
import { createRng, permutation } from "../../src/core/rng";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

const dir = new URL("../fixtures/onnx/", import.meta.url);
const model = (name: string) => importOnnxModel(new Uint8Array(readFileSync(new URL(`${name}.onnx`, dir))));
const inputs = (name: string): { x: number[]; count: number } =>
  JSON.parse(readFileSync(new URL(`${name}.json`, dir), "utf8"));

function logits(name: string, arch: OnnxArchitecture, theta: Float32Array): Float32Array {
  const { x, count } = inputs(name);
  return tf.tidy(() => {
    const params = onnxParameterTensors(arch, theta);
    return onnxForward(
      arch,
      params,
      tf.tensor2d(Float32Array.from(x), [count, arch.inputSize]),
    ).dataSync() as Float32Array;
  });
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Random permutations of every group, none the identity (so something really moves). */
function randomPerms(spec: PermutationSpec, seed: number): Int32Array[] {
  const rng = createRng(seed);
  return spec.perms.map((g) => {
    for (;;) {
      const p = Int32Array.from(permutation(g.size, rng));
      if (p.some((v, i) => v !== i)) return p;
    }
  });
}

const inverse = (p: Int32Array) => {
  const q = new Int32Array(p.length);
  p.forEach((v, i) => {
    q[v] = i;
  });
  return q;
};

describe("permutation specs of ONNX graphs", () => {
  it("permute a tensor's axes in blocks of `inner` entries per unit", () => {
    const axes = [null, { perm: 0, inner: 2 }];
    // [1, 4]: units of 2 entries, swapped.
    expect(Array.from(permuteTensor(Float32Array.of(1, 2, 3, 4), [1, 4], axes, [[1, 0]]))).toEqual([
      3, 4, 1, 2,
    ]);
  });

  it("take a CNN's conv channels as units, with the BN after the conv, the depthwise conv and the Flatten's blocks", () => {
    const cnn = model("cnn_bn");
    const { spec, constants } = onnxPermutationSpec(cnn.arch, cnn.parameters);
    expect(spec.perms).toEqual([{ name: "conv1.weight axis 0", size: 4 }]);
    const g = { perm: 0, inner: 1 };
    expect(spec.axes).toEqual({
      "conv1.weight": [g, null, null, null],
      "conv1.bias": [g],
      "bn1.weight": [g],
      "bn1.bias": [g],
      // Depthwise: output channel c reads input channel c, so it moves with conv1's channels.
      "conv2.weight": [g, null, null, null],
      "conv2.bias": [g],
      // Flatten of [4, 2, 2]: 4 inputs of the Linear per channel.
      "fc.weight": [null, { perm: 0, inner: 4 }],
      "bn1.running_mean": [g],
      "bn1.running_var": [g],
    });
    expect(constants.map((c) => c.name)).toEqual(["bn1.running_mean", "bn1.running_var"]);
  });

  it("join a residual block's input and output channels into one group, as git-re-basin's ResNet spec", () => {
    const res = model("residual");
    const { spec } = onnxPermutationSpec(res.arch, res.parameters);
    expect(spec.perms.map((p) => p.size)).toEqual([4, 4]);
    const group = (name: string, axis: number) => spec.axes[name]?.[axis]?.perm;
    const stream = group("conv0.weight", 0);
    const inner = group("conv1.weight", 0);
    expect(stream).not.toBe(inner);
    for (const [name, axis] of [
      ["bn0.weight", 0],
      ["bn0.bias", 0],
      ["conv1.weight", 1],
      ["conv2.weight", 0],
      ["bn2.weight", 0],
      ["bn2.running_var", 0],
      ["fc.weight", 1],
    ] as const)
      expect(group(name, axis), `${name} axis ${axis}`).toBe(stream);
    for (const [name, axis] of [
      ["bn1.weight", 0],
      ["bn1.running_mean", 0],
      ["conv2.weight", 1],
    ] as const)
      expect(group(name, axis), `${name} axis ${axis}`).toBe(inner);
    // The input's channels (conv0.weight axis 1) and the logits (fc.weight axis 0) never move.
    expect(group("conv0.weight", 1)).toBeUndefined();
    expect(group("fc.weight", 0)).toBeUndefined();
  });

  it("fix every channel that a Concat, Reshape or Transpose touches (no group proved free in ops.onnx)", () => {
    const ops = model("ops");
    expect(onnxPermutationSpec(ops.arch, ops.parameters).spec).toEqual({ perms: [], axes: {} });
  });

  for (const name of ["cnn_bn", "residual", "strided", "mlp_bn"]) {
    it(`leave ${name}.onnx's function unchanged under random permutations (max logit difference < 1e-5)`, () => {
      const m = model(name);
      const { spec } = onnxPermutationSpec(m.arch, m.parameters);
      expect(spec.perms.length).toBeGreaterThan(0);
      const before = tf.memory().numTensors;
      for (const seed of [1, 2, 3]) {
        const permuted = permuteOnnxModel(m.arch, m.parameters, spec, randomPerms(spec, seed));
        expect(maxAbsDifference(permuted.parameters, m.parameters)).toBeGreaterThan(0);
        const diff = maxAbsDifference(
          logits(name, permuted.arch, permuted.parameters),
          logits(name, m.arch, m.parameters),
        );
        expect(diff).toBeLessThan(1e-5);
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it("would change the function if the BN statistics stayed behind (they must move with the channels)", () => {
    const m = model("cnn_bn");
    const { spec } = onnxPermutationSpec(m.arch, m.parameters);
    const permuted = permuteOnnxModel(m.arch, m.parameters, spec, randomPerms(spec, 1));
    const stale = logits("cnn_bn", m.arch, permuted.parameters); // the file's statistics, unpermuted
    expect(maxAbsDifference(stale, logits("cnn_bn", m.arch, m.parameters))).toBeGreaterThan(1e-3);
  });
});

describe("weight matching of two CNNs", () => {
  for (const name of ["cnn_bn", "residual"]) {
    it(`finds ${name}.onnx's permutation back from a permuted copy: the aligned copy is the model itself`, () => {
      const a = model(name);
      const { spec } = onnxPermutationSpec(a.arch, a.parameters);
      const shuffle = randomPerms(spec, 7);
      const b = permuteOnnxModel(a.arch, a.parameters, spec, shuffle);
      const m = onnxWeightMatching(a.arch, a.parameters, b.parameters, { seed: 0 });
      expect(m.permutations.map((p) => Array.from(p))).toEqual(shuffle.map((p) => Array.from(inverse(p))));
      expect(Array.from(m.apply(b.parameters))).toEqual(Array.from(a.parameters));
      expect(m.applyConstants(b.arch).constants).toEqual(a.arch.constants);
      expect(m.converged).toBe(true);
    });

    it(`aligns a perturbed, permuted ${name}.onnx: same function as before, closer to A, objective non-decreasing`, () => {
      const a = model(name);
      const { spec, tensors } = onnxPermutationSpec(a.arch, a.parameters);
      const rng = createRng(11);
      const noisy = Float32Array.from(a.parameters, (v) => v + 0.05 * (rng.next() - 0.5));
      const shuffle = randomPerms(spec, 5);
      const b = permuteOnnxModel(a.arch, noisy, spec, shuffle);
      const m = onnxWeightMatching(a.arch, a.parameters, b.parameters, { seed: 3 });
      const aligned = { arch: m.applyConstants(b.arch), parameters: m.apply(b.parameters) };
      expect(
        maxAbsDifference(logits(name, aligned.arch, aligned.parameters), logits(name, b.arch, b.parameters)),
      ).toBeLessThan(1e-5);
      const distance = (u: Float32Array) => Math.hypot(...u.map((v, i) => v - a.parameters[i]));
      expect(distance(aligned.parameters)).toBeLessThan(distance(b.parameters));
      expect(m.permutations.map((p) => Array.from(p))).toEqual(shuffle.map((p) => Array.from(inverse(p))));
      for (let k = 1; k < m.objective.length; k++)
        expect(m.objective[k]).toBeGreaterThanOrEqual(m.objective[k - 1]);
      expect(m.objective[m.objective.length - 1]).toBeCloseTo(
        specObjective(spec, tensors, a.parameters, b.parameters, m.permutations),
        6,
      );
      expect(applySpecPermutations(spec, tensors, b.parameters, m.permutations)).toEqual(aligned.parameters);
    });
  }

  it("refuses vectors of the wrong length and NaN with a clear message", () => {
    const a = model("cnn_bn");
    expect(() => onnxWeightMatching(a.arch, a.parameters, a.parameters.slice(1))).toThrow(
      /theta_b: expected \d+ values, got \d+/,
    );
    const bad = a.parameters.slice();
    bad[3] = Number.NaN;
    expect(() => onnxWeightMatching(a.arch, a.parameters, bad)).toThrow(/theta_b\[3\] is NaN/);
  });
});
