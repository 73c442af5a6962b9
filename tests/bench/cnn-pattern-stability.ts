/**
 * How often the digits CNN's first layer changes its piecewise-linear choices across a block of
 * grid points: the measurement behind wasm-cnn's block mode (README, Evaluation paths; kernel
 * src/core/kernel/cnn-block.as).
 * Not part of `npm run bench` (it times nothing): `npx tsx tests/bench/cnn-pattern-stability.ts`.
 *
 * Why: the first layer's pre-activation at (x, y) is S_0 + x S_1 + y S_2 (linear in the plane).
 * After its 2x2 max-pool and relu, a pooled value is affine in (x, y) wherever the pool's argmax
 * and the relu's sign stay the same; over a block of points where they do, the second conv's
 * output is a quadratic in (x, y). The fraction of values whose choice at a point differs from the
 * choice at the block's centre is what block mode's per-point corrections handle.
 *
 * Workload: the digits-cnn preset (public/presets/digits-cnn.json) trained as it says, its
 * filter-normalized plane, a 51x51 grid over [-1, 1]^2, k x k blocks of grid points (every other
 * block, in both directions), the first BENCH_PATTERN_GROUPS (60) groups of four training samples.
 * Prints, per block size: the fraction of (point, sample, pooled value) whose choice differs from
 * the block centre's; the same when four samples share a vector (it differs in any of them); and
 * the fraction of values that are not the same choice over the whole block in all four samples.
 */
import { cnnPlan } from "../../src/core/landscape/cnn-plan";
import { requireLayers, runStep } from "../../src/core/landscape/tfjs-cnn-evaluator";
import { layoutOffsets } from "../../src/core/model/layout";
import { tf } from "../../src/core/tf";
import { initNodeBackend } from "../../src/node/tf-node";
import { trainedDigitsCnn } from "./digits-cnn-problem";

const GRID = 51;
const BLOCKS = [3, 5, 7, 9, 11];
const GROUPS = Number(process.env.BENCH_PATTERN_GROUPS ?? 60);

await initNodeBackend();
const { problem } = await trainedDigitsCnn(GRID);
const arch = requireLayers(problem.arch);
const plan = cnnPlan(arch);
const first = plan.first;
if (first?.op !== "conv2d" || plan.rest[0]?.op !== "maxPool")
  throw new Error(`expected a conv then a max-pool first, got ${plan.rest.map((s) => s.op).join(", ")}`);
const offsets = layoutOffsets(problem.layout);
const samples = Math.min(4 * GROUPS, problem.train.x.length / problem.dataset.inputSize);

/** S_j = the first layer's output for theta (j = 0) and each direction, NHWC, as one flat array. */
const S = [problem.theta, ...problem.directions].map((v) =>
  tf.tidy(() => {
    const part = (i: number | null) =>
      i === null
        ? undefined
        : tf.tensor(v.slice(offsets[i], offsets[i + 1]), problem.layout[i].shape, "float32");
    const x = tf.tensor(problem.train.x.subarray(0, samples * problem.dataset.inputSize), [
      samples,
      ...arch.inputShape,
    ]);
    return runStep(first, x, part(first.kernel), part(first.bias)).dataSync() as Float32Array;
  }),
);
const [H, W, C] = first.outShape;
const coord = (i: number) => -1 + (2 * i) / (GRID - 1);

/** The choice of pooled value (s, py, px, c) at (x, y): the 2x2 window's argmax, or -1 when relu is off. */
function choice(s: number, py: number, px: number, c: number, x: number, y: number): number {
  let best = -Infinity;
  let arg = -1;
  for (let dy = 0; dy < 2; dy++)
    for (let dx = 0; dx < 2; dx++) {
      const i = ((s * H + 2 * py + dy) * W + 2 * px + dx) * C + c;
      const v = S[0][i] + x * S[1][i] + y * S[2][i];
      if (v > best) {
        best = v;
        arg = dy * 2 + dx;
      }
    }
  return best > 0 ? arg : -1;
}

const groups = Math.floor(samples / 4);
console.log(
  `digits CNN, ${GRID}x${GRID} plane over [-1, 1]^2, ${groups} groups of 4 training samples, pooled values ${H >> 1}x${W >> 1}x${C}`,
);
for (const k of BLOCKS) {
  let differs = 0;
  let values = 0;
  let differsInGroup = 0;
  let unstableInGroup = 0;
  let groupValues = 0;
  for (let by = 0; by + k <= GRID; by += 2 * k)
    for (let bx = 0; bx + k <= GRID; bx += 2 * k) {
      const cx = coord(bx + (k >> 1));
      const cy = coord(by + (k >> 1));
      for (let g = 0; g < groups; g++)
        for (let py = 0; py < H >> 1; py++)
          for (let px = 0; px < W >> 1; px++)
            for (let c = 0; c < C; c++) {
              const centre = [0, 1, 2, 3].map((l) => choice(4 * g + l, py, px, c, cx, cy));
              let unstable = false;
              for (let iy = 0; iy < k; iy++)
                for (let ix = 0; ix < k; ix++) {
                  let any = false;
                  for (let l = 0; l < 4; l++) {
                    if (choice(4 * g + l, py, px, c, coord(bx + ix), coord(by + iy)) !== centre[l]) {
                      differs++;
                      any = true;
                    }
                    values++;
                  }
                  if (any) {
                    differsInGroup++;
                    unstable = true;
                  }
                  groupValues++;
                }
              if (unstable) unstableInGroup += k * k;
            }
    }
  console.log(
    `${k}x${k} blocks: differs from the centre's choice ${(differs / values).toFixed(3)}; ` +
      `in any of 4 samples of a vector ${(differsInGroup / groupValues).toFixed(3)}; ` +
      `not one choice over the block in all 4 ${(unstableInGroup / groupValues).toFixed(3)}`,
  );
}
