/**
 * Training and Hessian-vector products, WebAssembly kernel against tfjs, measured side by side
 * (part of `npm run bench`; alone: `npx tsx tests/bench/training-bench.ts`).
 *
 * Reference workload: MLP 2-64-64-2 ReLU on spirals (512 training samples), He init (seed 2).
 * - training: one optimizer step (loss, gradient, update) of batch 64 through kernelEngine and
 *   tfjsEngine, for sgd, adam and adam+SAM (rho 0.05); steps per second and effective GFLOP/s,
 *   counted as 6 x forward multiply-adds per sample x batch per step (forward 2 x MACs, backward
 *   twice the forward), twice that with SAM (two gradients per step);
 * - H v: makeKernelHvp against makeHvp (tfjs nested gradients) on all 512 samples; products per
 *   second, and how far the two results are apart (max |a - b| / max |b|, should be < 1e-5).
 * Both paths are warmed up, then run in ROUNDS interleaved rounds (the first path alternating),
 * each path calling until at least ROUND_MS have passed in each round (a full garbage collection
 * before each); rates are medians of the rounds, the ratio kernel/tfjs the median of the
 * per-round ratios, with their min-max. The targets (training step >= 30x, H v >= 10x)
 * are printed next to the ratios, not asserted. tf.memory().numTensors is checked around each part.
 */
import { pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { makeHvp } from "../../src/core/curvature/hvp";
import { makeKernelHvp } from "../../src/core/curvature/kernel-objective";
import { makeDataset } from "../../src/core/data/make";
import { parseDatasetSpec } from "../../src/core/data/spec";
import { resolveKernelVariant } from "../../src/core/kernel/kernel-module";
import { initParameters } from "../../src/core/model/init";
import { forwardMacsPerSample, makeArchitecture } from "../../src/core/model/mlp";
import { createRng, permutation } from "../../src/core/rng";
import { tf } from "../../src/core/tf";
import type { TrainEngine } from "../../src/core/train/engine";
import { kernelEngine } from "../../src/core/train/kernel-engine";
import { type EngineArgs, tfjsEngine } from "../../src/core/train/tfjs-engine";
import { initNodeBackend } from "../../src/node/tf-node";

const ROUNDS = 5;
const ROUND_MS = 300;
const BATCH = 64;
const SAMPLES = 512;
const TARGET_TRAINING = 30;
const TARGET_HVP = 10;

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Calls fn (after a full collection) until at least ms have passed: calls per second and calls made. */
function run(fn: () => void, ms: number): { rate: number; calls: number } {
  collectGarbage();
  const t0 = performance.now();
  let calls = 0;
  let elapsed = 0;
  do {
    fn();
    calls += 1;
    elapsed = performance.now() - t0;
  } while (elapsed < ms);
  return { rate: (calls / elapsed) * 1000, calls };
}

interface PairResult {
  /** Median calls per round and median rate (calls per second) per path. */
  calls: [number, number];
  rate: [number, number];
  /** Per-round ratios rate[0] / rate[1]. */
  ratios: number[];
}

/**
 * Two paths (kernel first, tfjs second) in interleaved rounds, the first path alternating: each
 * path warmed up (ROUND_MS / 2, at least 3 calls), then ROUNDS rounds of at least ROUND_MS each.
 */
function sideBySide(paths: [() => void, () => void]): PairResult {
  for (const fn of paths) {
    for (let i = 0; i < 2; i++) fn();
    run(fn, ROUND_MS / 2);
  }
  const rates: [number[], number[]] = [[], []];
  const calls: [number[], number[]] = [[], []];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const rate = [0, 0];
    for (const k of r % 2 === 0 ? [0, 1] : [1, 0]) {
      const m = run(paths[k], ROUND_MS);
      rate[k] = m.rate;
      rates[k].push(m.rate);
      calls[k].push(m.calls);
    }
    ratios.push(rate[0] / rate[1]);
  }
  return {
    calls: [median(calls[0]), median(calls[1])],
    rate: [median(rates[0]), median(rates[1])],
    ratios,
  };
}

const ratioText = (p: PairResult) =>
  `${median(p.ratios).toFixed(1)}x (rounds ${Math.min(...p.ratios).toFixed(1)}-${Math.max(...p.ratios).toFixed(1)})`;

const tensorCheck = (part: string, before: number) => {
  const after = tf.memory().numTensors;
  console.log(
    `${part}: tf tensors before ${before}, after ${after}${after === before ? " (ok)" : " (LEAK)"}`,
  );
};

/** Prints the training table and the H v table. */
export async function benchTraining(): Promise<void> {
  const backend = await initNodeBackend();
  const variant = resolveKernelVariant("auto");
  const dataset = makeDataset(parseDatasetSpec({ name: "spirals", trainCount: SAMPLES, testCount: 0 }), 1);
  const arch = makeArchitecture(2, 2, { hiddenSizes: [64, 64], activation: "relu" });
  const theta = initParameters(arch, "he", createRng(2));
  const macs = forwardMacsPerSample(arch);

  // ---- training steps ----
  // Batches of 64 from seeded epoch permutations, cycled (both paths see the same sequence).
  const rng = createRng(7);
  const batches: Int32Array[] = [];
  for (let e = 0; e < 8; e++) {
    const order = permutation(SAMPLES, rng);
    for (let s = 0; s + BATCH <= SAMPLES; s += BATCH) batches.push(order.slice(s, s + BATCH));
  }
  const base = { momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 };
  const configs: [string, EngineArgs["settings"]][] = [
    ["sgd", { ...base, optimizer: "sgd", learningRate: 0.05 }],
    ["adam", { ...base, optimizer: "adam", learningRate: 0.01 }],
    ["adam+SAM", { ...base, optimizer: "adam", learningRate: 0.01, sam: { rho: 0.05 } }],
  ];
  console.log(
    `\ntraining steps (${backend} backend for tfjs; kernel ${variant}): MLP 2-64-64-2 relu, spirals ${SAMPLES} samples, batch ${BATCH}; ` +
      `GFLOP/s counts 6 x ${macs} forward MACs/sample x ${BATCH} per step (forward 2 x MACs, backward 2x forward), 2x with SAM; ` +
      `${ROUNDS} interleaved rounds of >= ${ROUND_MS} ms per path, medians`,
  );
  console.log(
    `${"optimizer".padEnd(10)} ${"path".padEnd(12)} ${"steps/round".padStart(11)} ${"steps/s".padStart(10)} ${"GFLOP/s".padStart(8)}   kernel/tfjs (target >= ${TARGET_TRAINING}x)`,
  );
  let before = tf.memory().numTensors;
  for (const [name, settings] of configs) {
    const args: EngineArgs = { arch, loss: "cross-entropy", dataset, initial: theta, settings };
    const engines: TrainEngine[] = [];
    try {
      engines.push(kernelEngine(args));
      engines.push(tfjsEngine(args));
      const stepper = (engine: TrainEngine) => {
        let i = 0;
        return () => {
          const loss = engine.step(batches[i++ % batches.length]);
          if (!Number.isFinite(loss)) throw new Error(`training bench: ${engine.path} ${name} diverged`);
        };
      };
      const result = sideBySide([stepper(engines[0]), stepper(engines[1])]);
      const flopsPerStep = 6 * macs * BATCH * (settings.sam ? 2 : 1);
      for (const [k, path] of ["wasm-kernel", "tfjs"].entries()) {
        const ratio = k === 0 ? ratioText(result) : "";
        console.log(
          `${name.padEnd(10)} ${path.padEnd(12)} ${String(result.calls[k]).padStart(11)} ${result.rate[k].toFixed(0).padStart(10)} ` +
            `${((result.rate[k] * flopsPerStep) / 1e9).toFixed(2).padStart(8)}   ${ratio}`,
        );
      }
    } finally {
      for (const e of engines) e.dispose();
    }
  }
  tensorCheck("training", before);

  // ---- Hessian-vector products ----
  before = tf.memory().numTensors;
  const problem = { arch, loss: "cross-entropy" as const, theta, dataset, train: dataset.train };
  const vRng = createRng(9);
  const v = Float32Array.from({ length: theta.length }, () => vRng.normal());
  const fast = makeKernelHvp(problem);
  try {
    const ref = makeHvp(problem);
    try {
      const a = fast.hvp(v);
      const b = ref.hvp(v);
      let diff = 0;
      let scale = 0;
      for (let i = 0; i < b.length; i++) {
        diff = Math.max(diff, Math.abs(a[i] - b[i]));
        scale = Math.max(scale, Math.abs(b[i]));
      }
      const rel = diff / scale;
      console.log(
        `\nHessian-vector products (${SAMPLES} samples, ${theta.length} parameters; ${ROUNDS} interleaved rounds of >= ${ROUND_MS} ms per path, medians):`,
      );
      const result = sideBySide([() => fast.hvp(v), () => ref.hvp(v)]);
      console.log(`${"path".padEnd(22)} ${"H v/round".padStart(9)} ${"H v/s".padStart(10)}`);
      for (const [k, path] of ["makeKernelHvp (kernel)", "makeHvp (tfjs)"].entries())
        console.log(
          `${path.padEnd(22)} ${String(result.calls[k]).padStart(9)} ${result.rate[k].toFixed(1).padStart(10)}`,
        );
      console.log(
        `kernel/tfjs ${ratioText(result)} (target >= ${TARGET_HVP}x); ` +
          `agreement max|a-b|/max|b| = ${rel.toExponential(2)} (${rel < 1e-5 ? "ok, < 1e-5" : "FAIL, >= 1e-5"})`,
      );
    } finally {
      ref.dispose();
    }
  } finally {
    fast.dispose();
  }
  tensorCheck("H v", before);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchTraining();
