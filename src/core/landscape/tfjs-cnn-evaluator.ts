import { activate, fusedActivation } from "../model/activation";
import type { ModelArchitecture } from "../model/architecture";
import { type LayersArchitecture, layersLayout } from "../model/layers";
import { batchNormEval } from "../model/layers-forward";
import { layoutOffsets } from "../model/layout";
import { type DataTensors, dataTensors, disposeDataTensors } from "../model/loss";
import { tf } from "../tf";
import { ACTIVATION_BUDGET, batchMetrics, readMetrics } from "./chunked";
import { type CnnPlan, cnnPlan, cnnPlanRefusal, type LinearStep, type PlanStep } from "./cnn-plan";
import {
  checkCoords,
  checkProblem,
  type LandscapeEvaluator,
  type PreparedEvaluation,
  type SubspaceProblem,
} from "./evaluator";

const TFJS_CNN_EVALUATOR_NAME = "tfjs-cnn-batched";

interface TfjsCnnOptions {
  /**
   * Floats the first layer's outputs S_0..S_K of one block of samples may take, and likewise one
   * point's widest activation on a block: bounds the memory whatever the data size. Default
   * ACTIVATION_BUDGET (4 Mi floats, 16 MB; the digits CNN's 2,000 samples go in 3 blocks).
   */
  budget?: number;
}

/** The architecture as a layers model, or an Error naming the evaluator and the kind it got. */
export function requireLayers(arch: ModelArchitecture, name = TFJS_CNN_EVALUATOR_NAME): LayersArchitecture {
  if (arch.kind === "layers") return arch;
  throw new Error(
    `evaluator "${name}" works on layers models (CNNs, imported tfjs models) only; ` +
      `this model is kind "${arch.kind}"`,
  );
}

export function checkLayout(
  problem: SubspaceProblem,
  arch: LayersArchitecture,
  name = TFJS_CNN_EVALUATOR_NAME,
): void {
  const expected = layersLayout(arch);
  const same =
    expected.length === problem.layout.length &&
    expected.every((e, i) => e.shape.join(",") === problem.layout[i].shape.join(","));
  if (!same) {
    throw new Error(`${name}: the parameter layout does not match the layers of the model`);
  }
}

/**
 * One plan step on a batch h [B, ...shape] -> [B, ...outShape]; conv2d and dense take their
 * kernel and bias (bias and the activation fused into the conv / matMul where tfjs has it), a
 * batchNorm its gamma and beta in their place (layersForward's own evaluation-mode formula).
 * Call inside tf.tidy.
 */
export function runStep(step: PlanStep, h: tf.Tensor, kernel?: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  switch (step.op) {
    case "conv2d": {
      const fused = fusedActivation(step.activation);
      const z = tf.fused.conv2d({
        x: h as tf.Tensor4D,
        filter: kernel as tf.Tensor4D,
        strides: step.strides,
        pad: step.pad,
        bias,
        ...(fused ?? { activation: "linear" as const }),
      });
      return fused ? z : activate(z, step.activation);
    }
    case "dense": {
      const batch = h.shape[0];
      const inner = step.inShape[step.inShape.length - 1];
      const rows = (step.inShape.length > 1 ? tf.reshape(h, [-1, inner]) : h) as tf.Tensor2D;
      const fused = fusedActivation(step.activation);
      let z: tf.Tensor = tf.fused.matMul({
        a: rows,
        b: kernel as tf.Tensor2D,
        bias,
        ...(fused ?? { activation: "linear" as const }),
      });
      if (!fused) z = activate(z, step.activation);
      return step.outShape.length > 1 ? tf.reshape(z, [batch, ...step.outShape]) : z;
    }
    case "maxPool":
      return tf.maxPool(h as tf.Tensor4D, step.poolSize, step.strides, step.padding);
    case "activation":
      return activate(h, step.activation);
    case "reshape":
      return tf.reshape(h, [h.shape[0], ...step.outShape]);
    case "batchNorm":
      return batchNormEval(step.spec, h, kernel, bias);
  }
}

interface Block {
  data: DataTensors;
  count: number;
}

/**
 * Fast landscapes of layers models (the config's CNNs, imported tfjs LayersModels): the first
 * layer with parameters runs K + 1 times per block of samples instead of once per grid point, and
 * every layer runs as one fused tfjs op. Same numbers as "naive" (within 1e-5); the plan and its
 * two exact rewrites (pool before activation, conv cropped to what its pool reads) are in cnn-plan.ts.
 *
 * With c [K] the coordinates of a grid point, theta the origin and d_k the directions:
 * - the first Dense / Conv2D layer L (kernel and bias together: L is linear in them) gives on the
 *   data X of a block of n samples (after any parameter-free layers before it)
 *     L(X; theta + sum_k c_k d_k) = S_0 + sum_k c_k S_k,   S_0 = L(X; theta), S_k = L(X; d_k),
 *   so S [K+1, n m1] (m1 values per sample: 14 * 14 * 8 for the digits CNN) is computed once per
 *   evaluate() call (a tile of the grid) and block, and each point's pre-activations are one
 *   matMul [1, K+1] x [K+1, n m1] with the row (1, c_1, ..., c_K), reshaped to [n, 14, 14, 8];
 * - a BatchNormalization layer after the first Dense / Conv2D runs in evaluation mode (its moving
 *   statistics, the point's gamma and beta), the formula layersForward runs;
 * - every later Dense / Conv2D layer runs with the point's kernel W + sum_k c_k D_k and bias,
 *   formed in JavaScript (a few thousand values against the n * 36 * 72 * 16 multiply-adds of the
 *   digits CNN's second conv), as ONE fused conv / matMul (bias and activation fused): exactly 1x
 *   the multiply-adds, where the naive path adds the bias and applies the activation as extra ops;
 * - loss and accuracy of a chunk of points are reduced at once over their stacked logits
 *   [P, n, C] with one read-back; blocks add up as sum(block mean * block size) / N (float64).
 *
 * Measured alternatives (tfjs-wasm, one thread, digits CNN, 2,000 samples, ms per point):
 * - first layer: the combination + pool + relu above 5.1; the conv from the data per point
 *   (fused bias and relu) + pool 8.7; one matMul [P, K+1] x [K+1, n m1] for P = 4 points with
 *   tf.split into points 15 (tfjs-wasm's slice copies about 5 ms per million floats; its
 *   tf.maximum, for pooling over precomputed window candidates, 12 ms per million);
 * - second conv: fused and cropped to 6 x 6 6.5 (best of 15), uncropped ("same", 7 x 7) 9.3; the
 *   K+1 kernels concatenated into one conv [3, 3, 8, 48] over the data (the tfjs-batched trick:
 *   3x the multiply-adds) 25 per point; im2col by nine tf.slice + concat + matMul 306; a grouped
 *   conv over points stacked along the channels by tf.depthwiseConv2d runs at about 11 GFLOP/s,
 *   under half of tf.conv2d's, before the sum over input channels and the transposes it needs.
 * So the batching over points that pays for MLPs does not pay here: what costs is the second
 * conv's multiply-adds (2,000 x 6 x 6 x 72 x 16 = 83 million per point even cropped), which
 * tfjs-wasm's XNNPACK runs at about 25 GFLOP/s whether the points are batched or not. On the
 * whole digits surface this path is about 1.9x "naive" (tests/bench/cnn-bench.ts).
 *
 * Memory: S [K+1, n m1] and one point's widest activation n * widest are bounded by `budget`
 * floats (samples go in blocks of nearly equal size); a chunk of points holds only its logits.
 *
 * @example const s = await sampleLandscape(problem, grid, tfjsCnnEvaluator);
 */
export function createTfjsCnnEvaluator(options: TfjsCnnOptions = {}): LandscapeEvaluator {
  const budget = options.budget ?? ACTIVATION_BUDGET;
  if (!(Number.isInteger(budget) && budget >= 1)) {
    throw new Error(`${TFJS_CNN_EVALUATOR_NAME}: budget must be a positive integer, got ${budget}`);
  }
  return {
    name: TFJS_CNN_EVALUATOR_NAME,
    prepare(problem: SubspaceProblem): PreparedEvaluation {
      checkProblem(problem);
      const arch = requireLayers(problem.arch);
      checkLayout(problem, arch);
      const refusal = cnnPlanRefusal(arch);
      if (refusal) {
        throw new Error(
          `evaluator "${TFJS_CNN_EVALUATOR_NAME}" cannot run this model: ${refusal}; use the "naive" evaluator (the default for it)`,
        );
      }
      const plan = cnnPlan(arch);
      return prepareWithPlan(problem, arch, plan, budget);
    },
  };
}

function prepareWithPlan(
  problem: SubspaceProblem,
  arch: LayersArchitecture,
  plan: CnnPlan,
  budget: number,
): PreparedEvaluation {
  const { layout, origin, directions, split } = problem;
  const k = directions.length;
  const n = split.count;
  const offsets = layoutOffsets(layout);
  const { first } = plan;

  // Blocks of samples of nearly equal size, each small enough for S [K+1, nb m1] and for one
  // point's widest activation [nb, widest].
  const perSample = Math.max((k + 1) * plan.firstSize, plan.widest, plan.outputSize);
  const blockCount = Math.ceil(n / Math.max(1, Math.floor(budget / perSample)));
  const blockSize = Math.ceil(n / blockCount);
  // Points per read-back: their logits [P, nb, C] stay small; activations live one point at a time.
  const chunk = Math.max(1, Math.floor(budget / (blockSize * plan.outputSize)));
  const inputSize = problem.dataset.inputSize;
  const yPer = split.y.length / n;
  const blocks: Block[] = [];
  try {
    for (let start = 0; start < n; start += blockSize) {
      const count = Math.min(blockSize, n - start);
      const part = {
        x: split.x.subarray(start * inputSize, (start + count) * inputSize),
        y: split.y.subarray(start * yPer, (start + count) * yPer),
        count,
      };
      blocks.push({ data: dataTensors(part, problem.dataset), count });
    }
  } catch (err) {
    for (const b of blocks) disposeDataTensors(b.data);
    throw err;
  }
  const hasAccuracy = blocks[0].data.labels !== undefined;

  // One point's block of parameters: origin + sum_k c_k d_k over layout entry i. A fresh array
  // each time: the cpu and webgl backends keep the array a tensor is made from (no copy), so a
  // shared scratch would change a kernel already handed to tfjs.
  const paramTensor = (i: number, c: Float32Array): tf.Tensor => {
    const from = offsets[i];
    const out = origin.slice(from, offsets[i + 1]);
    const size = out.length;
    for (let j = 0; j < k; j++) {
      const cj = c[j];
      if (cj === 0) continue;
      const d = directions[j];
      for (let q = 0; q < size; q++) out[q] += cj * d[from + q];
    }
    return tf.tensor(out, layout[i].shape, "float32");
  };
  const vectorTensor = (i: number, v: Float32Array): tf.Tensor =>
    tf.tensor(v.slice(offsets[i], offsets[i + 1]), layout[i].shape, "float32");

  /** S [K+1, nb m1] of a block (or, for a model without parameters, its output [nb, C]). Inside tf.tidy. */
  const firstOutputs = (block: Block): tf.Tensor => {
    let x: tf.Tensor = tf.reshape(block.data.x, [block.count, ...arch.inputShape]);
    for (const step of plan.prefix) x = runStep(step, x);
    if (!first) return x;
    const vectors = [origin, ...directions];
    return tf.stack(
      vectors.map((v) =>
        tf.reshape(
          runStep(
            first,
            x,
            vectorTensor(first.kernel, v),
            first.bias === null ? undefined : vectorTensor(first.bias, v),
          ),
          [-1],
        ),
      ),
    );
  };

  /**
   * Logits [nb, C] of one point c [K] on a block. The first layer's pre-activations are
   * [1, K+1] x [K+1, nb m1] with the row (1, c_1, ..., c_K). Inside tf.tidy.
   */
  const pointLogits = (block: Block, s: tf.Tensor, c: Float32Array): tf.Tensor => {
    const nb = block.count;
    const row = new Float32Array(k + 1);
    row[0] = 1;
    row.set(c, 1);
    const z = tf.matMul(tf.tensor2d(row, [1, k + 1]), s as tf.Tensor2D);
    let h = tf.reshape(z, [nb, ...(first as LinearStep).outShape]);
    for (const step of plan.rest) {
      if (step.op === "conv2d" || step.op === "dense") {
        const bias = step.bias === null ? undefined : paramTensor(step.bias, c);
        h = runStep(step, h, paramTensor(step.kernel, c), bias);
      } else if (step.op === "batchNorm") {
        const gamma = step.gamma === null ? undefined : paramTensor(step.gamma, c);
        h = runStep(step, h, gamma, step.beta === null ? undefined : paramTensor(step.beta, c));
      } else h = runStep(step, h);
    }
    return tf.reshape(h, [nb, plan.outputSize]);
  };

  /** Logits [P, nb, C] of P points (coords [P, K]) on one block. Inside tf.tidy. */
  const chunkLogits = (block: Block, s: tf.Tensor, coords: Float32Array, p: number): tf.Tensor => {
    if (!first) return tf.tile(tf.reshape(s, [1, block.count, plan.outputSize]), [p, 1, 1]);
    // One tidy per point: only its logits outlive it, so a chunk holds one point's activations.
    const logits = Array.from({ length: p }, (_, v) =>
      tf.tidy(() => pointLogits(block, s, coords.subarray(v * k, (v + 1) * k))),
    );
    return tf.stack(logits);
  };

  return {
    evaluate(coords) {
      const p = checkCoords(coords, k);
      // Sums over samples in float64: a block's mean times its size; accuracy as whole counts.
      const lossSum = new Float64Array(p);
      const correct = hasAccuracy ? new Float64Array(p) : null;
      for (const block of blocks) {
        const s = tf.tidy(() => firstOutputs(block));
        try {
          for (let start = 0; start < p; start += chunk) {
            const count = Math.min(chunk, p - start);
            const part = coords.subarray(start * k, (start + count) * k);
            const [l, a] = readMetrics(() =>
              batchMetrics(problem.loss, chunkLogits(block, s, part, count), block.data),
            );
            for (let v = 0; v < count; v++) {
              lossSum[start + v] += l[v] * block.count;
              if (correct && a) correct[start + v] += Math.round(a[v] * block.count);
            }
          }
        } finally {
          s.dispose();
        }
      }
      return {
        loss: Float32Array.from(lossSum, (v) => v / n),
        accuracy: correct ? Float32Array.from(correct, (v) => v / n) : null,
      };
    },
    dispose() {
      for (const b of blocks) disposeDataTensors(b.data);
    },
  };
}

/** The default instance (budget ACTIVATION_BUDGET floats), the default path for layers models. */
export const tfjsCnnEvaluator: LandscapeEvaluator = createTfjsCnnEvaluator();
