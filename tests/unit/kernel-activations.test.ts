import { setFlagsFromString } from "node:v8";
import { describe, expect, it } from "vitest";
import {
  instantiateKernel,
  type KernelVariant,
  kernelVariantSupported,
} from "../../src/core/kernel/kernel-module";

setFlagsFromString("--experimental-wasm-relaxed-simd"); // Node 20: check the relaxed build too

const VARIANTS = (["simd", "relaxed-simd"] as const).filter((v) => kernelVariantSupported(v));

/** Activation codes of the kernel, with float64 references. */
const ACTS: [string, number, (z: number) => number][] = [
  ["relu", 1, (z) => Math.max(z, 0)],
  ["leaky_relu", 2, (z) => (z > 0 ? z : Math.fround(0.01) * z)],
  ["tanh", 3, Math.tanh],
  ["sigmoid", 4, (z) => 1 / (1 + Math.exp(-z))],
  ["elu", 5, (z) => (z > 0 ? z : Math.expm1(z))],
  ["softplus", 6, (z) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)))],
];

/** act(z) for every z, through the kernel: a 1 -> 1 layer with weight 1 and bias 0. */
function applyActivation(variant: KernelVariant, act: number, zs: Float32Array): Float32Array {
  const n = zs.length; // a multiple of 4
  const { kernel, base } = instantiateKernel(variant, n * 32 + 256);
  const f32 = new Float32Array(kernel.memory.buffer);
  const a = base;
  const b = a + n * 16; // packed kernel [1, 4] then bias [4]
  const c = b + 32;
  // Strips of width 4: row r, column 0 at (r >> 2) * 16 + (r & 3).
  zs.forEach((z, r) => {
    f32[a / 4 + (r >> 2) * 16 + (r & 3)] = z;
  });
  f32[b / 4] = 1;
  kernel.exports.gemm(a, 4, b, c, 4, n, 1, 1, 4, act, 0, 0, 0, 0, 0, 0, 0);
  return Float32Array.from(zs, (_, r) => f32[c / 4 + (r >> 2) * 16 + (r & 3)]);
}

describe("wasm-kernel activations", () => {
  const dense = Array.from({ length: 80001 }, (_, i) => (i - 40000) / 1000); // -40 .. 40
  const scales = Array.from({ length: 158 }, (_, i) => 10 ** (-40 + i / 2)).flatMap((v) => [v, -v]);
  const special = [0, -0, 87, -87, 88.5, -88.5, -100, 100, 1e30, -1e30];
  const values = [...dense, ...scales, ...special];
  while (values.length % 4) values.push(0);
  const zs = Float32Array.from(values);

  for (const variant of VARIANTS) {
    for (const [name, code, ref] of ACTS) {
      it(`computes ${name} within 4e-7 relative of float64, on -40..40 and |z| from 1e-40 to 3e38 (${variant})`, () => {
        const got = applyActivation(variant, code, zs);
        let worst = 0;
        let at = 0;
        zs.forEach((z, i) => {
          const want = ref(z);
          // Below the smallest normal float (1.18e-38) the kernel may flush to zero.
          const err =
            Math.abs(want) < 1.2e-38
              ? Math.abs(got[i] - want) < 1.2e-38
                ? 0
                : 1
              : Math.abs(got[i] - want) / Math.abs(want);
          if (err > worst) [worst, at] = [err, z];
        });
        expect(worst, `${name}: worst relative error ${worst} at z = ${at}`).toBeLessThan(4e-7);
      });
    }

    it(`keeps NaN and infinities as the activation's limit (${variant})`, () => {
      const zs4 = Float32Array.from([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0]);
      const expected: Record<string, number[]> = {
        tanh: [Number.NaN, 1, -1, 0],
        sigmoid: [Number.NaN, 1, 0, 0.5],
        elu: [Number.NaN, Number.POSITIVE_INFINITY, -1, 0],
        softplus: [Number.NaN, Number.POSITIVE_INFINITY, 0, Math.fround(Math.LN2)],
      };
      for (const [name, code] of ACTS) {
        const want = expected[name];
        if (!want) continue;
        const got = Array.from(applyActivation(variant, code, zs4));
        expect(got, name).toEqual(want);
      }
    });
  }
});
