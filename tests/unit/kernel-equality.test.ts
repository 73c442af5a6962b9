import { setFlagsFromString } from "node:v8";
import { describe, expect, it } from "vitest";
import { randomDirection } from "../../src/core/directions/random";
import { pointInSubspace } from "../../src/core/directions/vector";
import { kernelVariantSupported } from "../../src/core/kernel/kernel-module";
import type { Metrics, SubspaceProblem } from "../../src/core/landscape/evaluator";
import { naiveEvaluator } from "../../src/core/landscape/naive-evaluator";
import { tfjsGemmEvaluator } from "../../src/core/landscape/tfjs-gemm-evaluator";
import { createWasmKernelEvaluator } from "../../src/core/landscape/wasm-kernel-evaluator";
import { requireMlp } from "../../src/core/model/architecture";
import { initParameters } from "../../src/core/model/init";
import { makeArchitecture, mlpLayout } from "../../src/core/model/mlp";
import { ACTIVATIONS, type Activation, type LossKind } from "../../src/core/model/types";
import { createRng } from "../../src/core/rng";
import { withWasmBackend } from "./helpers/backend";
import { referenceLoss } from "./helpers/reference-mlp";

// Node 20 keeps relaxed SIMD behind a flag (Chromium and Node 22+ have it): turn it on before the
// kernel module is first compiled so both builds of the kernel are checked here.
setFlagsFromString("--experimental-wasm-relaxed-simd");

withWasmBackend();

const VARIANTS = (["simd", "relaxed-simd"] as const).filter((v) => kernelVariantSupported(v));

/** |a - b| <= tol max(1, |a|, |b|), as the landscape tests; non-finite values must agree in kind. */
function relClose(a: number, b: number, tol = 1e-5): boolean {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Number.isFinite(a) === Number.isFinite(b);
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

interface Case {
  activation: Activation;
  loss: LossKind;
  residual?: boolean;
  k: number;
  hidden: number[];
  n: number;
  inputSize?: number;
  outputSize?: number;
  seed?: number;
}

function makeProblem(c: Case): SubspaceProblem {
  const rng = createRng(c.seed ?? 7);
  const inputSize = c.inputSize ?? 3;
  const classification = c.loss === "cross-entropy";
  const outputSize = c.outputSize ?? (classification ? 3 : 2);
  const x = new Float32Array(c.n * inputSize).map(() => rng.normal());
  const y = classification
    ? new Float32Array(c.n).map(() => rng.int(outputSize))
    : new Float32Array(c.n * outputSize).map(() => rng.normal());
  const arch = makeArchitecture(inputSize, outputSize, {
    hiddenSizes: c.hidden,
    activation: c.activation,
    residual: c.residual,
  });
  const layout = mlpLayout(arch);
  const theta = initParameters(arch, "auto", rng);
  for (let i = 0; i < theta.length; i++) if (theta[i] === 0) theta[i] = 0.1 * rng.normal();
  const directions = Array.from({ length: c.k }, (_, j) =>
    randomDirection(theta, layout, { normalization: "filter", bias: j % 2 ? "copy" : "zero", seed: 11 + j }),
  );
  return {
    arch,
    loss: c.loss,
    layout,
    origin: theta,
    directions,
    split: { x, y, count: c.n },
    dataset: { task: classification ? "classification" : "regression", inputSize, outputSize },
  };
}

function coordsFor(k: number, points: number, seed = 5): Float32Array {
  const rng = createRng(seed);
  const c = new Float32Array(points * k).map(() => 2 * rng.next() - 1);
  c.fill(0, 0, k); // the origin itself
  return c;
}

function run(
  evaluator: { prepare(p: SubspaceProblem): { evaluate(c: Float32Array): Metrics; dispose(): void } },
  problem: SubspaceProblem,
  coords: Float32Array,
): Metrics {
  const prepared = evaluator.prepare(problem);
  try {
    return prepared.evaluate(coords);
  } finally {
    prepared.dispose();
  }
}

function expectSame(actual: Metrics, expected: Metrics, what: string): void {
  expect(actual.loss.length, what).toBe(expected.loss.length);
  for (let i = 0; i < expected.loss.length; i++) {
    expect(
      relClose(actual.loss[i], expected.loss[i]),
      `${what} loss[${i}]: ${actual.loss[i]} vs ${expected.loss[i]}`,
    ).toBe(true);
  }
  if (expected.accuracy === null) {
    expect(actual.accuracy, what).toBeNull();
  } else {
    expect(actual.accuracy, what).not.toBeNull();
    for (let i = 0; i < expected.accuracy.length; i++) {
      expect(actual.accuracy?.[i], `${what} accuracy[${i}]`).toBeCloseTo(expected.accuracy[i], 6);
    }
  }
}

describe("wasm-kernel evaluator equals the tfjs paths (1e-5 relative)", () => {
  it("runs at least the plain SIMD build here", () => {
    expect(VARIANTS).toContain("simd");
  });

  const cases: Case[] = [];
  ACTIVATIONS.forEach((activation, a) => {
    for (const loss of ["cross-entropy", "mse"] as const) {
      for (const residual of [false, true]) {
        // Widths that are not multiples of 4 (layer 1 is residual: 5 -> 5), N not a multiple of 4.
        cases.push({
          activation,
          loss,
          residual,
          k: 1 + ((a + (residual ? 1 : 0)) % 3),
          hidden: [5, 5, 7],
          n: 13,
        });
      }
    }
  });
  for (const c of cases) {
    it(`matches tfjs-gemm and naive for ${c.activation}, ${c.loss}, residual ${c.residual}, K = ${c.k}`, () => {
      const problem = makeProblem(c);
      const coords = coordsFor(c.k, 6);
      const gemm = run(tfjsGemmEvaluator, problem, coords);
      const naive = run(naiveEvaluator, problem, coords);
      for (const variant of VARIANTS) {
        const kernel = run(createWasmKernelEvaluator({ variant }), problem, coords);
        expectSame(kernel, gemm, `${variant} vs tfjs-gemm`);
        expectSame(kernel, naive, `${variant} vs naive`);
      }
    });
  }

  it("matches an independent float64 reference on the reference-sized MLP (K = 2, 64 wide, 2 classes)", () => {
    const problem = makeProblem({
      activation: "relu",
      loss: "cross-entropy",
      k: 2,
      hidden: [64, 64],
      n: 67,
      inputSize: 2,
      outputSize: 2,
    });
    const coords = coordsFor(2, 5);
    for (const variant of VARIANTS) {
      const m = run(createWasmKernelEvaluator({ variant }), problem, coords);
      for (let i = 0; i < 5; i++) {
        const point = pointInSubspace(problem.origin, problem.directions, [coords[2 * i], coords[2 * i + 1]]);
        const ref = referenceLoss(
          requireMlp(problem.arch, "the reference loss"),
          problem.loss,
          point,
          problem.split.x,
          problem.split.y,
          problem.split.count,
        );
        expect(relClose(m.loss[i], ref.loss), `${variant} point ${i}: ${m.loss[i]} vs ${ref.loss}`).toBe(
          true,
        );
        expect(m.accuracy?.[i]).toBeCloseTo(ref.accuracy, 6);
      }
    }
  });

  const shapes: [string, Case][] = [
    ["a single sample", { activation: "tanh", loss: "cross-entropy", k: 2, hidden: [6], n: 1 }],
    [
      "a linear model (no hidden layer)",
      { activation: "relu", loss: "cross-entropy", k: 2, hidden: [], n: 9 },
    ],
    ["a linear regression", { activation: "linear", loss: "mse", k: 1, hidden: [], n: 10, outputSize: 1 }],
    [
      "one output (regression, four-strip narrow path)",
      { activation: "sigmoid", loss: "mse", k: 2, hidden: [9, 3], n: 37, outputSize: 1 },
    ],
    [
      "two classes (four-strip narrow path, 2-class loss)",
      { activation: "elu", loss: "cross-entropy", k: 3, hidden: [11, 6], n: 41, outputSize: 2 },
    ],
    [
      "three and four classes",
      { activation: "softplus", loss: "cross-entropy", k: 1, hidden: [4, 4], n: 21, outputSize: 4 },
    ],
    [
      "ten classes (a panel of 8 and one of 4)",
      { activation: "leaky_relu", loss: "cross-entropy", k: 2, hidden: [9], n: 30, outputSize: 10 },
    ],
    [
      "wide layers (cache blocks: k > 256, columns > 256, widths 4 mod 8)",
      { activation: "relu", loss: "cross-entropy", k: 2, hidden: [300, 260, 12], n: 6, inputSize: 5 },
    ],
    [
      "a residual chain of equal widths",
      { activation: "tanh", loss: "mse", residual: true, k: 3, hidden: [8, 8, 8], n: 17 },
    ],
    [
      "mse on classification data (one-hot targets, with accuracy)",
      { activation: "relu", loss: "mse", k: 2, hidden: [7], n: 15, outputSize: 3 },
    ],
    ["K = 4 directions", { activation: "sigmoid", loss: "cross-entropy", k: 4, hidden: [6, 5], n: 11 }],
  ];
  for (const [what, c] of shapes) {
    it(`matches tfjs-gemm for ${what}`, () => {
      let problem = makeProblem(c);
      if (what.startsWith("mse on classification")) {
        problem = { ...makeProblem({ ...c, loss: "cross-entropy" }), loss: "mse" };
      }
      const coords = coordsFor(c.k, 5);
      const gemm = run(tfjsGemmEvaluator, problem, coords);
      for (const variant of VARIANTS) {
        expectSame(run(createWasmKernelEvaluator({ variant }), problem, coords), gemm, `${variant}, ${what}`);
      }
    });
  }

  it("gives the same numbers over many vectors at once as one vector at a time", () => {
    const problem = makeProblem({ activation: "relu", loss: "cross-entropy", k: 2, hidden: [10, 10], n: 50 });
    const coords = coordsFor(2, 120);
    const prepared = createWasmKernelEvaluator().prepare(problem);
    const all = prepared.evaluate(coords);
    for (const i of [0, 1, 59, 119]) {
      const one = prepared.evaluate(coords.subarray(2 * i, 2 * i + 2));
      expect(one.loss[0]).toBe(all.loss[i]);
      expect(one.accuracy?.[0]).toBe(all.accuracy?.[i]);
    }
    prepared.dispose();
  });
});
