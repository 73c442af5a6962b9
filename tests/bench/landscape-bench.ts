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
 * Then, with the default evaluator (defaultEvaluatorFor(backend)):
 * - the worker pool: the same surface split into tiles (splitTiles, BENCH_TILE_POINTS points each,
 *   128 as in src/compute/pool.ts) handed out, three queued per worker as the app's pool does, to
 *   1 and then 2 Node worker_threads (bench-worker.ts, run through tsx), each of which prepares
 *   the problem once (prepareLandscape(...).computeTile); wall time from the first tile sent to
 *   the last received, worker start-up, preparation and a warm-up pass excluded; both pools run
 *   side by side, one pass each per round (at least 9), and the speedup is printed from the best
 *   passes and as the median of the rounds;
 * - compute --workers: the tile pool `compute --workers N` and `shard --workers N` use, in this
 *   thread and over 2 worker threads, on the plan's 256-point tiles of a BENCH_COMPUTE_GRID grid
 *   (default 101x101), side by side; prints the speedup and checks the surfaces are bit-identical;
 * - scaling: four problem sizes (21x21 and 41x41 at 512 samples, 51x51 at 256 and 1024 samples),
 *   in the main thread, with time per (grid point x sample) so linearity shows.
 *
 * Last, training-bench.ts (alone: npx tsx tests/bench/training-bench.ts): the training table
 * (optimizer steps of batch 64 on the same MLP and data, wasm-kernel against tfjs, for sgd, adam
 * and adam+SAM: steps/s, effective GFLOP/s, ratio; target >= 30x) and the Hessian-vector product
 * table (makeKernelHvp against makeHvp on the 512 samples: H v/s, ratio, target >= 10x, and
 * their agreement), each measured in interleaved rounds, with a tf tensor-count check.
 *
 * Options (env): BENCH_GRID=51 BENCH_SAMPLES=512 BENCH_REPEATS=2 BENCH_RELAXED_SIMD=1
 * BENCH_TILE_POINTS=128 BENCH_COMPUTE_GRID=101 BENCH_TRAINING=1 (0 skips the training and
 * H v tables)
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Worker } from "node:worker_threads";
import { makeDataset } from "../../src/core/data/make";
import { parseDatasetSpec } from "../../src/core/data/spec";
import { randomDirection } from "../../src/core/directions/random";
import { resolveKernelVariant } from "../../src/core/kernel/kernel-module";
import type { LandscapeEvaluator } from "../../src/core/landscape/evaluator";
import { defaultEvaluatorFor } from "../../src/core/landscape/evaluators";
import { type Grid, gridPointCount, splitTiles, writeTile } from "../../src/core/landscape/grid";
import { naiveEvaluator } from "../../src/core/landscape/naive-evaluator";
import { sampleLandscape } from "../../src/core/landscape/surfaces";
import { tfjsBatchedEvaluator } from "../../src/core/landscape/tfjs-batched-evaluator";
import { tfjsGemmEvaluator } from "../../src/core/landscape/tfjs-gemm-evaluator";
import {
  createWasmKernelEvaluator,
  wasmKernelEvaluator,
} from "../../src/core/landscape/wasm-kernel-evaluator";
import { initParameters } from "../../src/core/model/init";
import { forwardMacsPerSample, makeArchitecture, mlpLayout } from "../../src/core/model/mlp";
import { createRng } from "../../src/core/rng";
import { DEFAULT_TILE_POINTS } from "../../src/core/shards/plan";
import type { PlanSection } from "../../src/core/snapshot/plan-section";
import { tf } from "../../src/core/tf";
import { initNodeBackend } from "../../src/node/tf-node";
import { startTilePool, type TileJob } from "../../src/node/tile-pool";
import { makeBenchProblem, squareGrid } from "./bench-problem";
import type { BenchWorkerData, BenchWorkerReply, BenchWorkerRequest } from "./bench-worker";

const gridSize = Number(process.env.BENCH_GRID ?? 51);
const samples = Number(process.env.BENCH_SAMPLES ?? 512);
const repeats = Number(process.env.BENCH_REPEATS ?? 2);
/** Rounds of the side-by-side pool measurement. */
const poolRounds = Math.max(9, repeats);
const tilePoints = Number(process.env.BENCH_TILE_POINTS ?? 128);
// Before the kernel module is first compiled (at its first prepare()).
if (process.env.BENCH_RELAXED_SIMD !== "0") setFlagsFromString("--experimental-wasm-relaxed-simd");
const kernelVariant = resolveKernelVariant("auto");
// A full garbage collection before every timed pass, so that no path pays for the garbage of the
// one measured before it (the naive and tfjs paths leave a lot).
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

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

/**
 * Passes of a path: at least `repeats`, and more for a fast path (up to 10) until its passes add
 * up to BENCH_MIN_MS: every path gets about the same measuring time, so one slow moment of this
 * shared machine does not decide a short path's best pass.
 */
const minMeasureMs = Number(process.env.BENCH_MIN_MS ?? 1500);
const passesFor = (firstPassMs: number) =>
  Math.max(repeats, Math.min(10, Math.ceil(minMeasureMs / Math.max(1, firstPassMs))));

async function timeOne(
  evaluator: LandscapeEvaluator,
): Promise<{ ms: number; loss: Float32Array; passes: number }> {
  let best = Number.POSITIVE_INFINITY;
  let loss: Float32Array = new Float32Array(0);
  let passes = repeats;
  for (let r = 0; r < passes; r++) {
    collectGarbage();
    const t0 = performance.now();
    const s = await sampleLandscape(problem, grid, evaluator);
    const ms = performance.now() - t0;
    if (r === 0) passes = passesFor(ms);
    best = Math.min(best, ms);
    loss = s.train_loss as Float32Array;
  }
  return { ms: best, loss, passes };
}

console.log(
  `landscape bench: ${backend} backend, MLP 2-64-64-2 relu, ${samples} samples, ${gridSize}x${gridSize} grid (${points} points), ` +
    `${(flops / 1e9).toFixed(2)} GFLOP per surface, best of at least ${repeats} passes (fast paths: until ${minMeasureMs} ms of passes, at most 10)`,
);
const before = tf.memory().numTensors;
const paths: [string, LandscapeEvaluator][] = [
  ["naive", naiveEvaluator],
  ["tfjs-batched", tfjsBatchedEvaluator],
  ["tfjs-gemm", tfjsGemmEvaluator],
  ["wasm-kernel", wasmKernelEvaluator],
];
if (kernelVariant !== "simd") paths.push(["wasm-simd", createWasmKernelEvaluator({ variant: "simd" })]);
const results: { name: string; ms: number; loss: Float32Array; passes: number }[] = [];
for (const [name, evaluator] of paths) results.push({ name, ...(await timeOne(evaluator)) });
const naive = results[0];
const row = (name: string, ms: number, maxRel: number, passes: number) =>
  `${name.padEnd(14)} ${ms.toFixed(0).padStart(8)} ms ${((points / ms) * 1000).toFixed(0).padStart(10)} points/s ` +
  `${(flops / ms / 1e6).toFixed(2).padStart(8)} GFLOP/s ${(naive.ms / ms).toFixed(2).padStart(7)}x naive   ` +
  `max rel. diff ${maxRel.toExponential(1)}   best of ${passes}`;
console.log(
  `${"path".padEnd(14)} ${"time".padStart(11)} ${"speed".padStart(19)} ${"effective".padStart(16)} ${"ratio".padStart(13)}`,
);
for (const r of results) {
  let maxRel = 0;
  for (let i = 0; i < points; i++) {
    maxRel = Math.max(maxRel, Math.abs(r.loss[i] - naive.loss[i]) / Math.max(1e-12, Math.abs(naive.loss[i])));
  }
  console.log(row(r.name, r.ms, maxRel, r.passes));
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

// ---- worker pool: 1 vs 2 worker threads, tiles as the unit of work ----

const maxRelDiff = (a: Float32Array, ref: Float32Array) => {
  let m = 0;
  for (let i = 0; i < ref.length; i++)
    m = Math.max(m, Math.abs(a[i] - ref[i]) / Math.max(1e-12, Math.abs(ref[i])));
  return m;
};

// On Node 20, `new Worker(url of a .ts file, { execArgv: ["--import", "tsx"] })` fails with
// ERR_UNKNOWN_FILE_EXTENSION (the worker's entry is resolved before tsx's hooks apply), so each
// worker starts from a tiny script that registers tsx's ESM loader and then imports the .ts file.
const workerBootstrap =
  `import("tsx/esm/api").then(({ register }) => { register(); ` +
  `return import(${JSON.stringify(new URL("./bench-worker.ts", import.meta.url).href)}); });`;

/** Start `count` bench workers (tsx loader), resolved once each has prepared the problem. */
async function startWorkers(count: number): Promise<{ workers: Worker[]; evaluator: string }> {
  const data: BenchWorkerData = { samples, gridSize, tilePoints };
  const workers = Array.from(
    { length: count },
    () => new Worker(workerBootstrap, { eval: true, workerData: data }),
  );
  const names = await Promise.all(
    workers.map(
      (w) =>
        new Promise<string>((resolve, reject) => {
          w.once("error", reject);
          w.once("message", (m: BenchWorkerReply) => (m.type === "ready" ? resolve(m.evaluator) : reject(m)));
        }),
    ),
  );
  return { workers, evaluator: names[0] };
}

/** Tiles queued per worker: 3 as the app's pool (src/compute/pool.ts TILES_IN_FLIGHT); BENCH_TILES_IN_FLIGHT changes it. */
const TILES_IN_FLIGHT = Number(process.env.BENCH_TILES_IN_FLIGHT ?? 3);

/**
 * One pass over the grid: tiles handed out to whichever worker has room, TILES_IN_FLIGHT each
 * while at least that many per worker are unassigned, then one at a time (as the app's pool).
 */
function poolPass(workers: Worker[], tiles: ReturnType<typeof splitTiles>): Promise<Float32Array> {
  const loss = new Float32Array(points);
  let next = 0;
  let received = 0;
  const inFlight = new Map<Worker, number>(workers.map((w) => [w, 0]));
  return new Promise((resolve, reject) => {
    const fill = (w: Worker) => {
      const depth = tiles.length - next >= TILES_IN_FLIGHT * workers.length ? TILES_IN_FLIGHT : 1;
      while (next < tiles.length && (inFlight.get(w) ?? 0) < depth) {
        inFlight.set(w, (inFlight.get(w) ?? 0) + 1);
        w.postMessage({ type: "tile", index: next++ } satisfies BenchWorkerRequest);
      }
    };
    for (const w of workers) {
      const onMessage = (m: BenchWorkerReply) => {
        if (m.type !== "done") return;
        inFlight.set(w, (inFlight.get(w) ?? 1) - 1);
        writeTile(grid, tiles[m.index], m.loss, loss);
        if (++received === tiles.length) {
          for (const x of workers) {
            x.off("message", onMessage);
            x.off("error", reject);
          }
          resolve(loss);
        } else fill(w);
      };
      w.on("message", onMessage);
      w.on("error", reject);
      fill(w);
    }
  });
}

/**
 * The pool with 1 and with 2 workers, measured side by side: both pools start first, then every
 * round times one pass of each, back to back, so a slow moment of this shared machine hits both
 * alike. Reports each pool's best pass and the median of the per-round speedups.
 */
async function timePools(): Promise<{
  ms: [number, number];
  ratios: number[];
  maxRel: number;
  evaluator: string;
}> {
  const one = await startWorkers(1);
  const two = await startWorkers(2);
  const tiles = splitTiles(grid, tilePoints);
  const best: [number, number] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  const ratios: number[] = [];
  let loss: Float32Array = new Float32Array(0);
  try {
    // Warm-up passes (compilation and tier-up in every worker) before the timed rounds.
    for (const pool of [one, two]) await poolPass(pool.workers, tiles);
    for (let r = 0; r < poolRounds; r++) {
      const pass: number[] = [];
      for (const [k, pool] of [one, two].entries()) {
        const t0 = performance.now();
        loss = await poolPass(pool.workers, tiles);
        pass.push(performance.now() - t0);
        best[k] = Math.min(best[k], pass[k]);
      }
      ratios.push(pass[0] / pass[1]);
    }
  } finally {
    const workers = [...one.workers, ...two.workers];
    for (const w of workers) w.postMessage({ type: "exit" } satisfies BenchWorkerRequest);
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once("exit", resolve))));
  }
  return { ms: best, ratios, maxRel: maxRelDiff(loss, naive.loss), evaluator: one.evaluator };
}

const poolTiles = splitTiles(grid, tilePoints).length;
console.log(
  `\nworker pool (${defaultEvaluatorFor(backend).name} in each worker thread), ${gridSize}x${gridSize} grid in ` +
    `${poolTiles} tiles of <= ${tilePoints} points (${TILES_IN_FLIGHT} in flight per worker), a warm-up pass, then ${poolRounds} rounds of one pass each:`,
);
const pools = await timePools();
for (const [k, count] of [1, 2].entries()) {
  const ms = pools.ms[k];
  console.log(
    `${String(count).padStart(2)} worker${count > 1 ? "s" : " "} (${pools.evaluator}) ${ms.toFixed(0).padStart(8)} ms ` +
      `${((points / ms) * 1000).toFixed(0).padStart(10)} points/s   max rel. diff ${pools.maxRel.toExponential(1)}`,
  );
}
const sortedRatios = [...pools.ratios].sort((a, b) => a - b);
console.log(
  `pool speedup, 2 workers over 1: ${(pools.ms[0] / pools.ms[1]).toFixed(2)}x (best passes); ` +
    `median of the rounds ${sortedRatios[Math.floor(sortedRatios.length / 2)].toFixed(2)}x ` +
    `(rounds: ${pools.ratios.map((r) => r.toFixed(2)).join(", ")})`,
);

// ---- compute --workers: the tile pool compute and shard use (src/node/tile-pool.ts) ----

/**
 * `landscape compute --workers N` (and `shard --workers N`): the plan's tiles (256 points, as
 * compute cuts the grid) over N worker threads, or in this thread for N = 1, through the same
 * pool code. Timed from the first tile handed out to the last result, after a warm-up pass; the
 * threads' start-up (once per command) is printed apart. Side by side, one pass each per round.
 */
async function timeComputeWorkers(): Promise<void> {
  const size = Number(process.env.BENCH_COMPUTE_GRID ?? 101);
  const computeGrid = squareGrid(size);
  const computeTiles = splitTiles(computeGrid, DEFAULT_TILE_POINTS);
  const evaluatorName = defaultEvaluatorFor(backend).name;
  // What planEvaluator reads of a plan: the path, its kernel build, the backend.
  const plan = {
    evaluator: evaluatorName,
    ...(evaluatorName === "wasm-kernel" ? { kernel: kernelVariant } : {}),
    backend,
  } as PlanSection;
  const job: TileJob = {
    problem: makeBenchProblem(samples),
    grid: computeGrid,
    tiles: computeTiles,
    plan,
    kind: "mlp",
  };
  const indices = computeTiles.map((_, i) => i);
  const t0 = performance.now();
  const pools = [
    await startTilePool(job, 1, backend, { slowMs: 0 }),
    await startTilePool(job, 2, backend, { slowMs: 0 }),
  ];
  const startMs = performance.now() - t0;
  const loss = pools.map(() => new Float32Array(gridPointCount(computeGrid)));
  const pass = async (k: number) => {
    const start = performance.now();
    await pools[k].run(indices, (r) =>
      writeTile(computeGrid, computeTiles[r.index], r.values.train_loss, loss[k]),
    );
    return performance.now() - start;
  };
  console.log(
    `\ncompute --workers (${evaluatorName}${evaluatorName === "wasm-kernel" ? `, ${kernelVariant}` : ""}), ${size}x${size} grid in ${computeTiles.length} tiles of <= ${DEFAULT_TILE_POINTS} points, ` +
      `a warm-up pass, then ${poolRounds} rounds of one pass each:`,
  );
  const best = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  const ratios: number[] = [];
  try {
    await pass(0);
    await pass(1);
    for (let r = 0; r < poolRounds; r++) {
      const ms = [await pass(0), await pass(1)];
      best[0] = Math.min(best[0], ms[0]);
      best[1] = Math.min(best[1], ms[1]);
      ratios.push(ms[0] / ms[1]);
    }
  } finally {
    for (const p of pools) await p.close();
  }
  const same = loss[0].every((v, i) => Object.is(v, loss[1][i]));
  const points = gridPointCount(computeGrid);
  for (const [k, label] of ["--workers 1 (this thread)", "--workers 2 (threads)   "].entries()) {
    console.log(
      `${label} ${best[k].toFixed(0).padStart(8)} ms ${((points / best[k]) * 1000).toFixed(0).padStart(10)} points/s`,
    );
  }
  const sorted = [...ratios].sort((a, b) => a - b);
  console.log(
    `compute --workers 2 over --workers 1: ${(best[0] / best[1]).toFixed(2)}x (best passes); median of the rounds ` +
      `${sorted[Math.floor(sorted.length / 2)].toFixed(2)}x; bit-identical surfaces: ${same ? "yes" : "NO"}; ` +
      `start-up of both pools ${startMs.toFixed(0)} ms (once per command) (rounds: ${ratios.map((r) => r.toFixed(2)).join(", ")})`,
  );
}
await timeComputeWorkers();

// ---- scaling: time against grid points and samples ----

const defaultEvaluator = defaultEvaluatorFor(backend);
const sizes: [grid: number, samples: number][] = [
  [21, 512],
  [41, 512],
  [51, 256],
  [51, 1024],
];
console.log(`\nscaling (${defaultEvaluator.name}, main thread, best of ${repeats}):`);
console.log(
  `${"grid".padEnd(7)} ${"samples".padStart(7)} ${"points".padStart(7)} ${"time".padStart(11)} ${"per point x sample".padStart(20)}`,
);
const refTime = byName(defaultEvaluator.name);
const scaleRows: [number, number, number][] = sizes.map(([g, n]) => [g, n, Number.NaN]);
if (refTime) scaleRows.push([gridSize, samples, refTime.ms]);
for (const rowSpec of scaleRows) {
  const [g, n] = rowSpec;
  if (Number.isNaN(rowSpec[2])) {
    const p = makeBenchProblem(n);
    const sg = squareGrid(g);
    let bestMs = Number.POSITIVE_INFINITY;
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      await sampleLandscape(p, sg, defaultEvaluator);
      bestMs = Math.min(bestMs, performance.now() - t0);
    }
    rowSpec[2] = bestMs;
  }
}
scaleRows.sort((a, b) => a[0] * a[0] * a[1] - b[0] * b[0] * b[1]);
for (const [g, n, ms] of scaleRows) {
  const work = g * g * n;
  const ref = g === gridSize && n === samples ? " (table above)" : "";
  console.log(
    `${`${g}x${g}`.padEnd(7)} ${String(n).padStart(7)} ${String(g * g).padStart(7)} ${ms.toFixed(1).padStart(8)} ms ` +
      `${((ms * 1e6) / work).toFixed(2).padStart(14)} ns${ref}`,
  );
}

// ---- training steps and Hessian-vector products: wasm-kernel against tfjs (training-bench.ts) ----
if (process.env.BENCH_TRAINING !== "0") await (await import("./training-bench")).benchTraining();

// ---- the digits CNN: per-point path against tfjs-cnn-batched and wasm-cnn (cnn-bench.ts; BENCH_CNN=0 skips it) ----
if (process.env.BENCH_CNN !== "0") await (await import("./cnn-bench")).benchCnn();
