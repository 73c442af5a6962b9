/**
 * The digits CNN's landscape, per-point path ("naive") against the fast paths for layers models
 * ("tfjs-cnn-batched", src/core/landscape/tfjs-cnn-evaluator.ts, and "wasm-cnn",
 * src/core/landscape/wasm-cnn-evaluator.ts), measured side by side
 * (part of `npm run bench`; alone: `npx tsx tests/bench/cnn-bench.ts`).
 *
 * Workload: the digits-cnn preset (public/presets/digits-cnn.json: 14x14x1 digits, conv 8 3x3 relu,
 * pool 2, conv 16 3x3 relu, pool 2, dense 32 relu, dense 10), trained as the preset says, on its
 * 2,000 training and 500 test samples; a 51x51 grid over [-1, 1]^2 of the preset's
 * filter-normalized plane. Every point gives the four surfaces (train / test loss and accuracy).
 *
 * The per-point path takes about 40 ms a point here, so a whole 51x51 surface would take minutes:
 * each round times it on BENCH_CNN_NAIVE_POINTS (30) points spread over the grid and each fast path
 * on BENCH_CNN_POINTS (260) points spread over it (the 30 among them), in calls of at most 256
 * points (the app's tiles are 128, the CLI's 256), each path once per round in a rotating order
 * (BENCH_CNN_ROUNDS, 3), a full garbage collection before each. Prints ms per point (median of the
 * rounds) and the 51x51 surface time they project, each fast path's ratio naive / fast (median of
 * the per-round ratios, with the rounds) next to the issue's target (>= 10x, printed, not
 * asserted), and the largest difference to naive on the common points, absolute and relative to
 * max(1, |naive|).
 * tf.memory().numTensors is checked around the part.
 */
import { pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { LandscapeEvaluator, PreparedEvaluation } from "../../src/core/landscape/evaluator";
import { gridPointCount, tileCoordinates } from "../../src/core/landscape/grid";
import { naiveEvaluator } from "../../src/core/landscape/naive-evaluator";
import type { LandscapeProblem } from "../../src/core/landscape/surfaces";
import { tfjsCnnEvaluator } from "../../src/core/landscape/tfjs-cnn-evaluator";
import { wasmCnnEvaluator } from "../../src/core/landscape/wasm-cnn-evaluator";
import { tf } from "../../src/core/tf";
import { initNodeBackend } from "../../src/node/tf-node";
import { trainedDigitsCnn } from "./digits-cnn-problem";

const TARGET = 10;
/** The fast paths for layers models, each timed against the per-point path in the same rounds. */
const FAST_PATHS: LandscapeEvaluator[] = [tfjsCnnEvaluator, wasmCnnEvaluator];
const GRID = 51;
/** Points per evaluate() call: the CLI's tile size. */
const CALL_POINTS = 256;

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** `count` indices spread evenly over 0..total-1 (distinct, in order). */
function spread(count: number, total: number): number[] {
  if (count >= total) return Array.from({ length: total }, (_, i) => i);
  return Array.from({ length: count }, (_, j) => Math.round((j * (total - 1)) / Math.max(1, count - 1)));
}

/** Both splits of a problem prepared for one evaluator: evaluate(coords) gives all four surfaces. */
function prepareBoth(problem: LandscapeProblem, evaluator: LandscapeEvaluator) {
  const splits: [string, PreparedEvaluation][] = [];
  for (const name of ["train", "test"] as const) {
    const split = problem[name];
    if (!split || split.count === 0) continue;
    const { arch, loss, layout, theta: origin, directions, dataset } = problem;
    splits.push([name, evaluator.prepare({ arch, loss, layout, origin, directions, split, dataset })]);
  }
  return {
    /** Surfaces by name ("train_loss", ...) of coords [P, 2], in calls of at most CALL_POINTS. */
    evaluate(coords: Float32Array): Map<string, Float32Array> {
      const p = coords.length / 2;
      const out = new Map<string, Float32Array>();
      for (const [name, prepared] of splits) {
        for (let start = 0; start < p; start += CALL_POINTS) {
          const end = Math.min(p, start + CALL_POINTS);
          const m = prepared.evaluate(coords.subarray(2 * start, 2 * end));
          const parts: [string, Float32Array | null][] = [
            [`${name}_loss`, m.loss],
            [`${name}_accuracy`, m.accuracy],
          ];
          for (const [surface, values] of parts) {
            if (!values) continue;
            if (!out.has(surface)) out.set(surface, new Float32Array(p));
            out.get(surface)?.set(values, start);
          }
        }
      }
      return out;
    },
    dispose() {
      for (const [, s] of splits) s.dispose();
    },
  };
}

export async function benchCnn(): Promise<void> {
  const backend = await initNodeBackend();
  const naivePoints = Number(process.env.BENCH_CNN_NAIVE_POINTS ?? 30);
  const fastPoints = Number(process.env.BENCH_CNN_POINTS ?? 260);
  const rounds = Number(process.env.BENCH_CNN_ROUNDS ?? 3);
  const t0 = performance.now();
  const { model, plane, problem } = await trainedDigitsCnn(GRID);
  const total = gridPointCount(plane.grid);
  const all = tileCoordinates(plane.grid, { ix0: 0, ix1: GRID, iy0: 0, iy1: GRID });
  const pick = (indices: number[]) => {
    const c = new Float32Array(2 * indices.length);
    indices.forEach((g, j) => {
      c.set(all.subarray(2 * g, 2 * g + 2), 2 * j);
    });
    return c;
  };
  const naiveIdx = spread(naivePoints, total);
  const naiveSet = new Set(naiveIdx);
  // The fast path's points: the naive ones first (for the comparison), then others spread over the grid.
  const fastIdx = [
    ...naiveIdx,
    ...spread(fastPoints, total)
      .filter((g) => !naiveSet.has(g))
      .slice(0, Math.max(0, fastPoints - naiveIdx.length)),
  ];
  const naiveCoords = pick(naiveIdx);
  const fastCoords = pick(fastIdx);
  const samples = `${problem.train.count.toLocaleString("en-US")} train + ${(problem.test?.count ?? 0).toLocaleString("en-US")} test samples`;
  console.log(
    `\nCNN landscape: digits-cnn preset (trained in ${((performance.now() - t0) / 1000).toFixed(1)} s, test accuracy ` +
      `${((model.training?.history.at(-1)?.testAccuracy ?? Number.NaN) * 100).toFixed(1)} %), ${samples}, ` +
      `${GRID}x${GRID} grid, ${backend} backend, one thread; ${rounds} rounds side by side`,
  );

  const before = tf.memory().numTensors;
  const paths = [
    { name: "naive (per point)", run: prepareBoth(problem, naiveEvaluator), coords: naiveCoords },
    ...FAST_PATHS.map((evaluator) => ({
      name: evaluator.name,
      run: prepareBoth(problem, evaluator),
      coords: fastCoords,
    })),
  ];
  try {
    // Warm-up: compile kernels, grow the wasm heap.
    for (const path of paths) path.run.evaluate(path.coords.subarray(0, 8));
    const perPoint: number[][] = paths.map(() => []);
    const outputs: Map<string, Float32Array>[] = paths.map(() => new Map());
    for (let r = 0; r < rounds; r++) {
      // A rotating order, so that no path always runs first (or right after another).
      const order = paths.map((_, i) => (i + r) % paths.length);
      for (const which of order) {
        collectGarbage();
        const { run, coords } = paths[which];
        const start = performance.now();
        outputs[which] = run.evaluate(coords);
        perPoint[which].push((performance.now() - start) / (coords.length / 2));
      }
    }
    console.log(
      `${"path".padEnd(20)} ${"points/round".padStart(12)} ${"ms/point".padStart(9)} ${`${GRID}x${GRID} (projected)`.padStart(20)}`,
    );
    for (const [k, path] of paths.entries()) {
      const ms = median(perPoint[k]);
      console.log(
        `${path.name.padEnd(20)} ${String(path.coords.length / 2).padStart(12)} ` +
          `${ms.toFixed(2).padStart(9)} ${`${((ms * total) / 1000).toFixed(1)} s`.padStart(20)}`,
      );
    }
    for (let k = 1; k < paths.length; k++) {
      const ratios = perPoint[0].map((ms, r) => ms / perPoint[k][r]);
      const ratio = median(ratios);
      const { abs, rel } = largestDifference(outputs[0], outputs[k]);
      console.log(
        `naive / ${paths[k].name}: ${ratio.toFixed(2)}x (rounds ${ratios.map((x) => x.toFixed(2)).join(", ")}); ` +
          `target >= ${TARGET}x: ${ratio >= TARGET ? "met" : "NOT met"}; max difference on the ${naiveIdx.length} ` +
          `common points, ${outputs[0].size} surfaces: ${abs.toExponential(2)} absolute, ${rel.toExponential(2)} ` +
          `relative to max(1, |naive|) (${rel < 1e-5 ? "ok, < 1e-5" : "FAIL, >= 1e-5"})`,
      );
    }
  } finally {
    for (const path of paths) path.run.dispose();
  }
  const after = tf.memory().numTensors;
  if (after !== before) console.log(`tensor check: ${after - before} tensors left behind (FAIL)`);
}

/** Largest |fast - naive| over the surfaces, absolute and relative to max(1, |naive|), on the naive points (listed first). */
function largestDifference(naive: Map<string, Float32Array>, fast: Map<string, Float32Array>) {
  let abs = 0;
  let rel = 0;
  for (const [name, ref] of naive) {
    const got = fast.get(name);
    if (!got) throw new Error(`the fast path gave no ${name}`);
    for (let j = 0; j < ref.length; j++) {
      const d = Math.abs(got[j] - ref[j]);
      abs = Math.max(abs, d);
      rel = Math.max(rel, d / Math.max(1, Math.abs(ref[j])));
    }
  }
  return { abs, rel };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchCnn();
