/**
 * npm run bench: the landscape evaluation paths side by side on the same work, in one run.
 *
 * Reference workload (issue "Foundation"): spirals, 512 training samples, MLP 2-64-64-2 ReLU,
 * a 51x51 filter-normalized random plane. Prints grid points per second, effective GFLOP/s
 * (2 x multiply-adds of the forward passes, kernels only) and each path's speed relative to the
 * naive loop (one forward pass per grid point, as the Python reference tools do).
 *
 * The "wasm-kernel" row is the tuned WebAssembly SIMD kernel (src/core/kernel) with the best
 * variant the runtime has: relaxed SIMD (fused multiply-add) where it validates, as in Chromium and
 * Node 22+. Node 20 keeps relaxed SIMD behind --experimental-wasm-relaxed-simd; this bench turns
 * that flag on (BENCH_RELAXED_SIMD=0 leaves it off) and then adds a "wasm-simd" row for the plain
 * SIMD build, which is what Node 20 runs without the flag. Ratios to the tfjs paths follow the table.
 *
 * Options (env): BENCH_GRID=51 BENCH_SAMPLES=512 BENCH_REPEATS=2 BENCH_RELAXED_SIMD=1
 */
import { setFlagsFromString } from "node:v8";
import { makeDataset } from "../../src/core/data/make";
import { parseDatasetSpec } from "../../src/core/data/spec";
import { randomDirection } from "../../src/core/directions/random";
import { resolveKernelVariant } from "../../src/core/kernel/kernel-module";
import { createWasmKernelEvaluator, wasmKernelEvaluator } from "../../src/core/kernel/wasm-kernel-evaluator";
import type { LandscapeEvaluator } from "../../src/core/landscape/evaluator";
import { defaultEvaluatorFor } from "../../src/core/landscape/evaluators";
import { type Grid, gridPointCount } from "../../src/core/landscape/grid";
import { naiveEvaluator } from "../../src/core/landscape/naive-evaluator";
import { sampleLandscape } from "../../src/core/landscape/surfaces";
import { tfjsBatchedEvaluator } from "../../src/core/landscape/tfjs-batched-evaluator";
import { tfjsGemmEvaluator } from "../../src/core/landscape/tfjs-gemm-evaluator";
import { initParameters } from "../../src/core/model/init";
import { forwardMacsPerSample, makeArchitecture, mlpLayout } from "../../src/core/model/mlp";
import { createRng } from "../../src/core/rng";
import { tf } from "../../src/core/tf";
import { initNodeBackend } from "../../src/node/tf-node";

const gridSize = Number(process.env.BENCH_GRID ?? 51);
const samples = Number(process.env.BENCH_SAMPLES ?? 512);
const repeats = Number(process.env.BENCH_REPEATS ?? 2);
// Before the kernel module is first compiled (at its first prepare()).
if (process.env.BENCH_RELAXED_SIMD !== "0") setFlagsFromString("--experimental-wasm-relaxed-simd");
const kernelVariant = resolveKernelVariant("auto");

const backend = await initNodeBackend();
const dataset = makeDataset(parseDatasetSpec({ name: "spirals", trainCount: samples, testCount: 0 }), 1);
const arch = makeArchitecture(2, 2, { hiddenSizes: [64, 64], activation: "relu" });
const layout = mlpLayout(arch);
const theta = initParameters(arch, "he", createRng(2));
const directions = [3, 4].map((seed) =>
  randomDirection(theta, layout, { normalization: "filter", bias: "zero", seed }),
);
const grid: Grid = {
  axes: [
    { label: "x", min: -1, max: 1, count: gridSize },
    { label: "y", min: -1, max: 1, count: gridSize },
  ],
};
const points = gridPointCount(grid);
const flops = 2 * forwardMacsPerSample(arch) * samples * points;
const problem = {
  arch,
  loss: "cross-entropy" as const,
  layout,
  theta,
  directions,
  dataset,
  train: dataset.train,
};

async function timeOne(evaluator: LandscapeEvaluator): Promise<{ ms: number; loss: Float32Array }> {
  let best = Number.POSITIVE_INFINITY;
  let loss: Float32Array = new Float32Array(0);
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const s = await sampleLandscape(problem, grid, evaluator);
    best = Math.min(best, performance.now() - t0);
    loss = s.train_loss as Float32Array;
  }
  return { ms: best, loss };
}

console.log(
  `landscape bench: ${backend} backend, MLP 2-64-64-2 relu, ${samples} samples, ${gridSize}x${gridSize} grid (${points} points), ` +
    `${(flops / 1e9).toFixed(2)} GFLOP per surface, best of ${repeats}`,
);
const before = tf.memory().numTensors;
const paths: [string, LandscapeEvaluator][] = [
  ["naive", naiveEvaluator],
  ["tfjs-batched", tfjsBatchedEvaluator],
  ["tfjs-gemm", tfjsGemmEvaluator],
  ["wasm-kernel", wasmKernelEvaluator],
];
if (kernelVariant !== "simd") paths.push(["wasm-simd", createWasmKernelEvaluator({ variant: "simd" })]);
const results: { name: string; ms: number; loss: Float32Array }[] = [];
for (const [name, evaluator] of paths) results.push({ name, ...(await timeOne(evaluator)) });
const naive = results[0];
const row = (name: string, ms: number, maxRel: number) =>
  `${name.padEnd(14)} ${ms.toFixed(0).padStart(8)} ms ${((points / ms) * 1000).toFixed(0).padStart(10)} points/s ` +
  `${(flops / ms / 1e6).toFixed(2).padStart(8)} GFLOP/s ${(naive.ms / ms).toFixed(2).padStart(7)}x naive   ` +
  `max rel. diff ${maxRel.toExponential(1)}`;
console.log(
  `${"path".padEnd(14)} ${"time".padStart(11)} ${"speed".padStart(19)} ${"effective".padStart(16)} ${"ratio".padStart(13)}`,
);
for (const r of results) {
  let maxRel = 0;
  for (let i = 0; i < points; i++) {
    maxRel = Math.max(maxRel, Math.abs(r.loss[i] - naive.loss[i]) / Math.max(1e-12, Math.abs(naive.loss[i])));
  }
  console.log(row(r.name, r.ms, maxRel));
}
const byName = (name: string) => results.find((r) => r.name === name);
for (const r of results.filter((x) => x.name.startsWith("wasm-"))) {
  const vs = (other: string) => `${((byName(other)?.ms ?? Number.NaN) / r.ms).toFixed(2)}x ${other}`;
  const variant = r.name === "wasm-kernel" ? kernelVariant : "simd";
  console.log(`${r.name} (${variant}): ${vs("tfjs-batched")}, ${vs("tfjs-gemm")}`);
}
const best = results.slice(1).reduce((a, b) => (a.ms < b.ms ? a : b));
console.log(
  `default on ${backend}: ${defaultEvaluatorFor(backend).name}; fastest batched path ${best.name}: ` +
    `${(naive.ms / best.ms).toFixed(2)}x the naive per-point loop`,
);
console.log(`tensors before ${before}, after ${tf.memory().numTensors}`);
