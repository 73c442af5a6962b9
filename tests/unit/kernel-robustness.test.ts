import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { resolveKernelVariant } from "../../src/core/kernel/kernel-module";
import type { SubspaceProblem } from "../../src/core/landscape/evaluator";
import { EVALUATORS } from "../../src/core/landscape/evaluators";
import { tfjsGemmEvaluator } from "../../src/core/landscape/tfjs-gemm-evaluator";
import {
  createWasmKernelEvaluator,
  wasmKernelEvaluator,
} from "../../src/core/landscape/wasm-kernel-evaluator";
import { layoutOffsets } from "../../src/core/model/layout";
import { makeArchitecture, mlpLayout } from "../../src/core/model/mlp";
import { createRng } from "../../src/core/rng";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

function problem(
  opts: { classes?: number; n?: number; hidden?: number[]; k?: number } = {},
): SubspaceProblem {
  const rng = createRng(3);
  const classes = opts.classes ?? 3;
  const n = opts.n ?? 10;
  const arch = makeArchitecture(2, classes, { hiddenSizes: opts.hidden ?? [6, 5], activation: "relu" });
  const layout = mlpLayout(arch);
  const total = layoutOffsets(layout).at(-1) ?? 0;
  const origin = new Float32Array(total).map(() => 0.5 * rng.normal());
  const directions = Array.from({ length: opts.k ?? 2 }, () =>
    new Float32Array(total).map(() => rng.normal()),
  );
  return {
    arch,
    loss: "cross-entropy",
    layout,
    origin,
    directions,
    split: {
      x: new Float32Array(2 * n).map(() => rng.normal()),
      y: new Float32Array(n).map((_, i) => i % classes),
      count: n,
    },
    dataset: { task: "classification", inputSize: 2, outputSize: classes },
  };
}

describe("wasm-kernel evaluator: edge cases", () => {
  it("keeps non-finite losses (huge or NaN coordinates) as data, like the tfjs path", () => {
    for (const classes of [2, 3]) {
      const p = problem({ classes });
      const coords = new Float32Array([1e30, 1e30, 0, 0, Number.NaN, 0, -1e30, 1e30]);
      const gemm = tfjsGemmEvaluator.prepare(p);
      const expected = gemm.evaluate(coords);
      gemm.dispose();
      const prepared = wasmKernelEvaluator.prepare(p);
      const m = prepared.evaluate(coords);
      prepared.dispose();
      for (const i of [0, 2, 3]) {
        expect(Number.isFinite(m.loss[i]), `${classes} classes, point ${i}: ${m.loss[i]}`).toBe(false);
        expect(Number.isFinite(expected.loss[i]), `tfjs point ${i}`).toBe(false);
      }
      expect(Number.isNaN(m.loss[2])).toBe(true);
      expect(Number.isFinite(m.loss[1])).toBe(true);
    }
  });

  it("keeps an infinite mse as Infinity", () => {
    const p = problem();
    const prepared = wasmKernelEvaluator.prepare({
      ...p,
      loss: "mse",
      dataset: { ...p.dataset, task: "regression" },
      split: { ...p.split, y: new Float32Array(p.split.count * 3) },
    });
    const m = prepared.evaluate(new Float32Array([1e30, 0, 0, 0]));
    prepared.dispose();
    expect(m.accuracy).toBeNull();
    expect(Number.isFinite(m.loss[0])).toBe(false);
    expect(Number.isFinite(m.loss[1])).toBe(true);
  });

  it("breaks accuracy ties towards the first class, as tfjs's argMax (2 and 3 classes)", () => {
    for (const classes of [2, 3]) {
      const p = problem({ classes, n: 9 });
      // Output kernel, its directions and the output bias all zero: every logit ties at 0.
      const offsets = layoutOffsets(p.layout);
      const last = p.layout.length - 2;
      for (const v of [p.origin, ...p.directions]) v.fill(0, offsets[last], offsets[last + 2]);
      const coords = new Float32Array([0, 0, 0.7, -0.3]);
      const gemm = tfjsGemmEvaluator.prepare(p);
      const expected = gemm.evaluate(coords);
      gemm.dispose();
      const prepared = wasmKernelEvaluator.prepare(p);
      const m = prepared.evaluate(coords);
      prepared.dispose();
      const firstClassShare = p.split.y.filter((y) => y === 0).length / p.split.count;
      for (let i = 0; i < 2; i++) {
        expect(m.accuracy?.[i]).toBeCloseTo(firstClassShare, 6);
        expect(m.accuracy?.[i]).toBeCloseTo(expected.accuracy?.[i] ?? Number.NaN, 6);
        expect(m.loss[i]).toBeCloseTo(Math.log(classes), 6);
      }
    }
  });

  it("holds one fixed-size memory per prepared problem and releases it on dispose", () => {
    const p = problem({ n: 100, hidden: [32, 32] });
    const coords = new Float32Array(2 * 50).map((_, i) => (i % 7) / 7);
    const first = wasmKernelEvaluator.prepare(p);
    const bytes = first.memoryBytes;
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(4 * 65536);
    for (let i = 0; i < 5; i++) first.evaluate(coords);
    expect(first.memoryBytes).toBe(bytes); // evaluate never grows it, whatever P is
    first.evaluate(new Float32Array(2 * 2000));
    expect(first.memoryBytes).toBe(bytes);
    const none = first.evaluate(new Float32Array(0));
    expect([none.loss.length, none.accuracy?.length]).toEqual([0, 0]);
    first.dispose();
    expect(first.memoryBytes).toBe(0);
    expect(() => first.evaluate(coords)).toThrow(/after dispose/);
    for (let i = 0; i < 200; i++) {
      const again = wasmKernelEvaluator.prepare(p);
      expect(again.memoryBytes).toBe(bytes);
      again.evaluate(coords.subarray(0, 4));
      again.dispose();
    }
  });

  it("rejects bad input with messages that say what was wrong", () => {
    const p = problem();
    const prepared = wasmKernelEvaluator.prepare(p);
    expect(() => prepared.evaluate(new Float32Array(3))).toThrow(/not a multiple of K = 2/);
    prepared.dispose();
    expect(() =>
      wasmKernelEvaluator.prepare({ ...p, directions: [p.directions[0], new Float32Array(5)] }),
    ).toThrow(/direction 1 has 5 values/);
    expect(() => wasmKernelEvaluator.prepare({ ...p, directions: [] }).evaluate(new Float32Array(0))).toThrow(
      /at least one direction/,
    );
    expect(() =>
      wasmKernelEvaluator.prepare({
        ...p,
        split: { ...p.split, y: new Float32Array(p.split.count).fill(3) },
      }),
    ).toThrow(/label 3 of sample 0 is not a class index in \[0, 3\)/);
    expect(() =>
      wasmKernelEvaluator.prepare({ ...p, dataset: { ...p.dataset, task: "regression" } }),
    ).toThrow(/cross-entropy needs classification labels/);
    expect(() => wasmKernelEvaluator.prepare({ ...p, layout: p.layout.slice(0, 2) })).toThrow(
      /layout does not match the MLP architecture/,
    );
    expect(() => wasmKernelEvaluator.prepare({ ...p, dataset: { ...p.dataset, outputSize: 4 } })).toThrow(
      /the data have 2 inputs and 4 outputs, the model 2 and 3/,
    );
    const short = { origin: p.origin.subarray(1), directions: p.directions.map((d) => d.subarray(1)) };
    expect(() => wasmKernelEvaluator.prepare({ ...p, ...short })).toThrow(
      /origin has 70 values, the model has 71/,
    );
    expect(() => wasmKernelEvaluator.prepare({ ...p, split: { ...p.split, count: 0 } })).toThrow(
      /empty data split/,
    );
    expect(() => createWasmKernelEvaluator({ variant: "no-such" as "simd" }).prepare(p)).toThrow(
      /unknown variant "no-such"/,
    );
  });

  it("is registered as the wasm-kernel evaluation path and names the variant it runs", () => {
    expect(EVALUATORS["wasm-kernel"]).toBe(wasmKernelEvaluator);
    expect(wasmKernelEvaluator.name).toBe("wasm-kernel");
    const prepared = wasmKernelEvaluator.prepare(problem());
    expect(prepared.variant).toBe(resolveKernelVariant("auto"));
    prepared.dispose();
  });

  it("runs a kernel built from the current source (build.mjs --check)", () => {
    const out = execFileSync(process.execPath, ["src/core/kernel/build.mjs", "--check"], {
      encoding: "utf8",
    });
    expect(out).toMatch(/up to date/);
  });
});
