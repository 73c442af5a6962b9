/**
 * One function per ONNX operator over tfjs tensors, in ONNX semantics (opset 9 to 22 as
 * torch.onnx.export writes them). Layout: ONNX is NCHW (images [N, C, H, W], Conv weights
 * [O, C / group, kh, kw]); tfjs convolutions and pooling are NHWC with filters [kh, kw, C, O], so
 * each of those ops transposes in ([0, 2, 3, 1]) and out ([0, 3, 1, 2]) and the weights to
 * [kh, kw, C / group, O] ([2, 3, 1, 0]). Every op is differentiable with respect to its float
 * inputs on every backend (tfjs-wasm included: the convolution's filter gradient is written out,
 * see conv2dValid), and the activations whose stock gradients read their output are replaced by
 * stand-ins whose gradients read the input, so Hessian-vector products (double backprop) are
 * exact (see curvature/twice.ts for why). Call inside tf.tidy.
 */
import { tf } from "../tf";
import { expTwice, logSoftmaxTwice, sigmoidTwice, tanhTwice } from "../twice-ops";
import type { OnnxAttribute, OnnxConstant, OnnxNode } from "./graph";

/** An integer value (shape arithmetic: Reshape's target shape), kept on the CPU as numbers. */
interface IntValue {
  kind: "ints";
  dims: number[];
  values: number[];
}

export type OnnxValue = tf.Tensor | IntValue;

export const isInts = (v: OnnxValue | undefined): v is IntValue =>
  v !== undefined && (v as IntValue).kind === "ints";

/** An error naming the node, e.g. node "/conv1/Conv" (Conv): dilations [2, 2] are not supported. */
function nodeError(node: OnnxNode, message: string): Error {
  return new Error(`node "${node.name}" (${node.op}): ${message}`);
}

function attrNumber(node: OnnxNode, key: string, fallback: number): number {
  const v = node.attributes[key];
  if (v === undefined) return fallback;
  if (typeof v !== "number") throw nodeError(node, `attribute ${key} must be a number`);
  return v;
}

function attrInts(node: OnnxNode, key: string, fallback: number[]): number[] {
  const v = node.attributes[key];
  if (v === undefined) return fallback;
  if (!Array.isArray(v)) throw nodeError(node, `attribute ${key} must be a list of numbers`);
  return v;
}

function attrString(node: OnnxNode, key: string, fallback: string): string {
  const v = node.attributes[key];
  return typeof v === "string" ? v : fallback;
}

/** A float input as a tensor (refusing an integer one). */
function float(node: OnnxNode, v: OnnxValue | undefined, slot: number): tf.Tensor {
  if (v === undefined) throw nodeError(node, `input ${slot} is missing`);
  if (isInts(v)) throw nodeError(node, `input ${slot} is an integer tensor; a float tensor is expected`);
  return v;
}

/** A constant as a value: a float tensor or integers. */
export function constantValue(c: OnnxConstant): OnnxValue {
  if (c.dataType === "int64") return { kind: "ints", dims: [...c.dims], values: [...c.values] };
  return tf.tensor(c.values, c.dims, "float32");
}

// ---- twice-differentiable activations (core/twice-ops.ts: their gradients recompute the derivative from the input)

const tanh = tanhTwice;
const sigmoid = sigmoidTwice;
const exp = expTwice;

function leakyRelu(x: tf.Tensor, alpha: number): tf.Tensor {
  // alpha x + (1 - alpha) relu(x): relu differentiates through its input, leakyRelu's mask does not.
  return tf.add(tf.mul(alpha, x), tf.mul(1 - alpha, tf.relu(x)));
}

function elu(x: tf.Tensor, alpha: number): tf.Tensor {
  // relu(x) + alpha (exp(min(x, 0)) - 1), written with ops that differentiate through x.
  const negative = tf.neg(tf.relu(tf.neg(x)));
  return tf.add(tf.relu(x), tf.mul(alpha, tf.sub(exp(negative), 1)));
}

const logSoftmaxLast = logSoftmaxTwice;

// ---- convolution

/**
 * The window cells at offset (i, j) of every output position: x [N, H, W, C] ->
 * [N, oh, ow, C] with out[n, y, x] = x[n, y sh + i, x sw + j]. Written with pad, slice and
 * reshape only (tfjs has no gradient for stridedSlice), so it differentiates to any order.
 */
function windowCells(
  x: tf.Tensor4D,
  i: number,
  j: number,
  out: [number, number],
  strides: [number, number],
): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const [oh, ow] = out;
  const [sh, sw] = strides;
  if (sh === 1 && sw === 1) return sliceRows(x, i, j, oh, ow);
  // Rows i .. i + oh sh - 1 (the last sh - 1 of them are dropped), padded at the end when short.
  const extraH = Math.max(0, i + oh * sh - h);
  const extraW = Math.max(0, j + ow * sw - w);
  const xp =
    extraH + extraW > 0
      ? tf.pad(x, [
          [0, 0],
          [0, extraH],
          [0, extraW],
          [0, 0],
        ])
      : x;
  // As [N oh, sh, ow, sw C] (a row-major regrouping), the first cell of every sh x sw block is a
  // rank-4 slice: tfjs-wasm slices rank <= 4 natively, higher ranks ~100x slower in JavaScript.
  const block = tf.reshape(sliceRows(xp, i, j, oh * sh, ow * sw), [n * oh, sh, ow, sw * c]);
  return tf.reshape(tf.slice(block, [0, 0, 0, 0], [n * oh, 1, ow, c]), [n, oh, ow, c]);
}

/**
 * x[:, i : i + rows, j : j + cols, :] as a rank-3 slice of x viewed as [N, H, W C]: every row of
 * the window is one contiguous run of cols C values, which tfjs-wasm's slice copies at once (a
 * rank-4 slice copies C values at a time, slow when C is 1).
 */
function sliceRows(x: tf.Tensor4D, i: number, j: number, rows: number, cols: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (i === 0 && j === 0 && rows === h && cols === w) return x;
  const flat = tf.reshape(x, [n, h, w * c]);
  return tf.reshape(tf.slice(flat, [0, i, j * c], [n, rows, cols * c]), [n, rows, cols, c]);
}

/**
 * A "valid" 2-D cross-correlation, NHWC x [N, H, W, C] with filter [kh, kw, C, O] -> [N, oh, ow, O],
 * with an explicit gradient written in ops that differentiate again (so Hessian-vector products of
 * conv nets work on every backend; tfjs-wasm has no Conv2DBackpropFilter, so tf.conv2d's own filter
 * gradient, and the gradient of conv2dTranspose, fail there):
 * - dW[i, j] = sum over samples and positions of x[n, y s + i, x s + j, :]^T dy[n, y, x, :]
 *   (kh * kw matMuls of windowCells);
 * - dx = the full correlation of dy, dilated by the strides, with the kernel flipped in space and
 *   its channel axes swapped: conv2dValid(pad(dilate(dy)), reverse(W)^T) at stride 1.
 * Also the convolution of the layers models' twice-differentiable pass (model/layers-twice.ts).
 *
 * @example const y = conv2dValid(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]), w, [1, 1]); // "same" for a 3x3 kernel
 */
export function conv2dValid(x: tf.Tensor4D, w: tf.Tensor4D, strides: [number, number]): tf.Tensor4D {
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, ws, save] = inputs as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([xs, ws]);
    return {
      value: tf.conv2d(xs, ws, strides, "valid"),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D];
        return [
          convInputGradient(dy as tf.Tensor4D, sw, sx.shape, strides),
          convFilterGradient(sx, dy as tf.Tensor4D, sw.shape, strides),
        ];
      },
    };
  });
  return op(x, w) as tf.Tensor4D;
}

function convFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  kernelShape: readonly number[],
  strides: [number, number],
): tf.Tensor4D {
  const [n, , , c] = x.shape;
  const [, oh, ow, o] = dy.shape;
  const [kh, kw] = kernelShape;
  const dyFlat = tf.reshape(dy, [n * oh * ow, o]) as tf.Tensor2D;
  const blocks: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const cells = windowCells(x, i, j, [oh, ow], strides);
      blocks.push(tf.matMul(tf.reshape(cells, [n * oh * ow, c]) as tf.Tensor2D, dyFlat, true, false));
    }
  }
  return tf.reshape(tf.stack(blocks), [kh, kw, c, o]) as tf.Tensor4D;
}

function convInputGradient(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  xShape: readonly number[],
  strides: [number, number],
): tf.Tensor4D {
  const [n, oh, ow, o] = dy.shape;
  const [, h, wd] = xShape;
  const [kh, kw] = w.shape;
  const [sh, sw] = strides;
  let d: tf.Tensor4D = dy;
  if (sh > 1 || sw > 1) {
    // Dilate: s - 1 zeros after every row and column, then drop the trailing ones.
    const spread = tf.pad(tf.reshape(dy, [n, oh, 1, ow, 1, o]), [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
    d = tf.slice(
      tf.reshape(spread, [n, oh * sh, ow * sw, o]),
      [0, 0, 0, 0],
      [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, o],
    ) as tf.Tensor4D;
  }
  const restH = h - kh - (oh - 1) * sh;
  const restW = wd - kw - (ow - 1) * sw;
  const padded = tf.pad(d, [
    [0, 0],
    [kh - 1, kh - 1 + restH],
    [kw - 1, kw - 1 + restW],
    [0, 0],
  ]) as tf.Tensor4D;
  const flipped = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // [kh, kw, O, C]
  return conv2dValid(padded, flipped, [1, 1]);
}

/**
 * Explicit [top, left, bottom, right] padding of a window op from ONNX's pads / auto_pad
 * (SAME_UPPER puts the extra cell at the end, SAME_LOWER at the start).
 */
function windowPads(
  node: OnnxNode,
  spatial: [number, number],
  kernel: number[],
  strides: number[],
): number[] {
  const autoPad = attrString(node, "auto_pad", "NOTSET");
  if (autoPad === "NOTSET") {
    const pads = attrInts(node, "pads", [0, 0, 0, 0]);
    if (pads.length !== 4 || pads.some((p) => !Number.isInteger(p) || p < 0)) {
      throw nodeError(node, `pads [${pads.join(", ")}] must be 4 non-negative integers`);
    }
    return pads;
  }
  if (autoPad === "VALID") return [0, 0, 0, 0];
  if (autoPad !== "SAME_UPPER" && autoPad !== "SAME_LOWER")
    throw nodeError(node, `auto_pad ${autoPad} is not supported`);
  const begin: number[] = [];
  const end: number[] = [];
  spatial.forEach((size, a) => {
    const out = Math.ceil(size / strides[a]);
    const total = Math.max((out - 1) * strides[a] + kernel[a] - size, 0);
    const small = Math.floor(total / 2);
    begin.push(autoPad === "SAME_UPPER" ? small : total - small);
    end.push(autoPad === "SAME_UPPER" ? total - small : small);
  });
  return [begin[0], begin[1], end[0], end[1]];
}

function windowStrides(node: OnnxNode): [number, number] {
  const strides = attrInts(node, "strides", [1, 1]);
  if (strides.length !== 2 || strides.some((v) => !Number.isInteger(v) || v < 1)) {
    throw nodeError(node, `strides [${strides.join(", ")}] must be 2 positive integers`);
  }
  return [strides[0], strides[1]];
}

function checkWindow(node: OnnxNode, x: tf.Tensor): void {
  if (x.rank !== 4) {
    throw nodeError(
      node,
      `needs an NCHW input [N, C, H, W], got shape [${x.shape.join(", ")}] (only 2-D windows are supported)`,
    );
  }
  const dilations = attrInts(node, "dilations", [1, 1]);
  if (dilations.some((d) => d !== 1))
    throw nodeError(node, `dilations [${dilations.join(", ")}] are not supported`);
  if (attrNumber(node, "ceil_mode", 0) !== 0) throw nodeError(node, "ceil_mode 1 is not supported");
}

const toNhwc = (x: tf.Tensor) => tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
const toNchw = (x: tf.Tensor) => tf.transpose(x, [0, 3, 1, 2]);

function padNhwc(x: tf.Tensor4D, pads: number[], value = 0): tf.Tensor4D {
  if (pads.every((p) => p === 0)) return x;
  return tf.pad(
    x,
    [
      [0, 0],
      [pads[0], pads[2]],
      [pads[1], pads[3]],
      [0, 0],
    ],
    value,
  );
}

/** Conv: x [N, C, H, W], W [O, C / group, kh, kw], B [O] -> [N, O, oh, ow]; groups 1 to C (depthwise). */
function conv(node: OnnxNode, x: tf.Tensor, w: tf.Tensor, b: tf.Tensor | undefined): tf.Tensor {
  checkWindow(node, x);
  if (w.rank !== 4)
    throw nodeError(node, `weight must be [O, C / group, kh, kw], got [${w.shape.join(", ")}]`);
  const group = attrNumber(node, "group", 1);
  const [o, cg, kh, kw] = w.shape;
  const c = x.shape[1];
  if (!Number.isInteger(group) || group < 1 || c !== cg * group || o % group !== 0) {
    throw nodeError(
      node,
      `group ${group} does not fit input channels ${c} and weight [${w.shape.join(", ")}]`,
    );
  }
  const strides = windowStrides(node);
  const pads = windowPads(node, [x.shape[2] as number, x.shape[3] as number], [kh, kw], strides);
  const xs = padNhwc(toNhwc(x), pads);
  if (xs.shape[1] < kh || xs.shape[2] < kw) {
    throw nodeError(node, `a ${kh}x${kw} kernel does not fit the padded ${xs.shape[1]}x${xs.shape[2]} input`);
  }
  const filter = tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D; // [kh, kw, C / group, O]
  let y: tf.Tensor4D;
  if (group === 1) y = conv2dValid(xs, filter, strides);
  else {
    const og = o / group;
    const parts: tf.Tensor4D[] = [];
    for (let g = 0; g < group; g++) {
      const xg = tf.slice(xs, [0, 0, 0, g * cg], [-1, -1, -1, cg]) as tf.Tensor4D;
      const wg = tf.slice(filter, [0, 0, 0, g * og], [-1, -1, -1, og]) as tf.Tensor4D;
      parts.push(conv2dValid(xg, wg, strides));
    }
    y = tf.concat(parts, 3) as tf.Tensor4D;
  }
  const z = b ? tf.add(y, b) : y;
  return toNchw(z);
}

/** min(x) as a constant of the tape (zero gradient; tf.min's own gradient has no gradient). */
const constantMin = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.min(x), gradFunc: () => tf.zerosLike(x) };
}) as (x: tf.Tensor) => tf.Tensor;

/**
 * A max pool's input padded with [top, left, bottom, right] cells that hold min(x) - 1, below every
 * real cell, so they are never the max: a huge constant instead would cancel in
 * max(a, b) = b + relu(a - b) (-1e30 + (a + 1e30) = 0).
 */
function padForMax(xn: tf.Tensor4D, pads: number[]): tf.Tensor4D {
  if (pads.every((p) => p === 0)) return xn;
  const mask = padNhwc(tf.zeros([1, xn.shape[1], xn.shape[2], 1]) as tf.Tensor4D, pads, 1);
  return tf.add(padNhwc(xn, pads), tf.mul(mask, tf.sub(constantMin(xn), 1))) as tf.Tensor4D;
}

/** Output size [oh, ow] of a window op over an (already padded) [N, H, W, C] input. */
function windowOutput(xs: tf.Tensor4D, kernel: number[], strides: [number, number]): [number, number] {
  return [
    Math.floor((xs.shape[1] - kernel[0]) / strides[0]) + 1,
    Math.floor((xs.shape[2] - kernel[1]) / strides[1]) + 1,
  ];
}

/**
 * The max (or sum) of the kh * kw windowCells of a padded NHWC input: slices, relu and sums rather
 * than tf.maxPool / tf.avgPool, whose gradients (MaxPoolGrad, AvgPoolGrad) have no gradient of their
 * own, so Hessian-vector products go through pooling too.
 */
function windowReduce(
  xs: tf.Tensor4D,
  kernel: number[],
  out: [number, number],
  strides: [number, number],
  kind: "max" | "sum",
): tf.Tensor4D {
  let acc: tf.Tensor4D | null = null;
  for (let i = 0; i < kernel[0]; i++) {
    for (let j = 0; j < kernel[1]; j++) {
      const cells = windowCells(xs, i, j, out, strides);
      // max(a, b) = b + relu(a - b): tf.maximum's gradient masks with ops that have no gradient.
      acc =
        acc === null
          ? cells
          : kind === "max"
            ? tf.add(cells, tf.relu(tf.sub(acc, cells)))
            : tf.add(acc, cells);
    }
  }
  return acc as tf.Tensor4D;
}

/**
 * Twice-differentiable max pooling, NHWC: x [N, H, W, C] with explicit [top, left, bottom, right]
 * pads (padded cells never win) -> [N, oh, ow, C]. The same values as tf.maxPool with the same
 * windows. Also the pooling of the layers models' twice-differentiable pass (model/layers-twice.ts).
 *
 * @example const y = maxPoolNhwc(x, [2, 2], [2, 2], [0, 0, 0, 0]);
 */
export function maxPoolNhwc(
  x: tf.Tensor4D,
  kernel: [number, number],
  strides: [number, number],
  pads: number[],
): tf.Tensor4D {
  const xs = padForMax(x, pads);
  const out = windowOutput(xs, kernel, strides);
  if (out[0] < 1 || out[1] < 1)
    throw new Error(`a ${kernel.join("x")} window does not fit the ${xs.shape[1]}x${xs.shape[2]} input`);
  return windowReduce(xs, kernel, out, strides, "max");
}

/**
 * MaxPool / AveragePool over [N, C, H, W] with kernel_shape, strides, pads: the max (or mean) of
 * the kh * kw windowCells (windowReduce).
 */
function pool(node: OnnxNode, x: tf.Tensor, kind: "max" | "average"): tf.Tensor {
  checkWindow(node, x);
  const kernel = attrInts(node, "kernel_shape", []);
  if (kernel.length !== 2 || kernel.some((k) => !Number.isInteger(k) || k < 1)) {
    throw nodeError(node, `kernel_shape [${kernel.join(", ")}] must be 2 positive integers`);
  }
  const strides = windowStrides(node);
  const pads = windowPads(node, [x.shape[2] as number, x.shape[3] as number], kernel, strides);
  const xn = toNhwc(x);
  const xs = kind === "max" ? padForMax(xn, pads) : padNhwc(xn, pads);
  const out = windowOutput(xs, kernel, strides);
  if (out[0] < 1 || out[1] < 1)
    throw nodeError(
      node,
      `a ${kernel.join("x")} window does not fit the ${xs.shape[1]}x${xs.shape[2]} input`,
    );
  const total = windowReduce(xs, kernel, out, strides, kind === "max" ? "max" : "sum");
  if (kind === "max") return toNchw(total);
  const cells = kernel[0] * kernel[1];
  if (attrNumber(node, "count_include_pad", 0) === 1 || pads.every((p) => p === 0)) {
    return toNchw(tf.div(total, cells));
  }
  // count_include_pad 0: divide by the number of real (unpadded) cells in each window.
  const ones = padNhwc(
    tf.ones([1, xs.shape[1] - pads[0] - pads[2], xs.shape[2] - pads[1] - pads[3], 1]) as tf.Tensor4D,
    pads,
  );
  return toNchw(tf.div(total, windowReduce(ones, kernel, out, strides, "sum")));
}

// ---- shapes

function normalizeAxis(node: OnnxNode, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank)
    throw nodeError(node, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

function reshape(node: OnnxNode, x: tf.Tensor, shape: OnnxValue | undefined): tf.Tensor {
  if (!isInts(shape)) throw nodeError(node, "the target shape must be a constant integer tensor");
  const allowZero = attrNumber(node, "allowzero", 0) === 1;
  const target = shape.values.map((d, i) => (d === 0 && !allowZero ? x.shape[i] : d));
  const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const unknown = target.filter((d) => d === -1).length;
  if (
    unknown > 1 ||
    (unknown === 0 && known !== x.size) ||
    (unknown === 1 && (known === 0 || x.size % known !== 0))
  ) {
    throw nodeError(node, `cannot reshape [${x.shape.join(", ")}] to [${shape.values.join(", ")}]`);
  }
  return tf.reshape(x, target);
}

function matMul(node: OnnxNode, a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (a.rank < 2 || b.rank < 2) throw nodeError(node, "1-D operands are not supported");
  if (b.rank === 2 && a.rank > 2) {
    const lead = a.shape.slice(0, -1);
    const rows = tf.reshape(a, [-1, a.shape[a.rank - 1]]) as tf.Tensor2D;
    return tf.reshape(tf.matMul(rows, b as tf.Tensor2D), [...lead, b.shape[1] as number]);
  }
  return tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D);
}

function gemm(node: OnnxNode, a: tf.Tensor, b: tf.Tensor, c: tf.Tensor | undefined): tf.Tensor {
  if (a.rank !== 2 || b.rank !== 2) {
    throw nodeError(
      node,
      `A and B must be matrices, got [${a.shape.join(", ")}] and [${b.shape.join(", ")}]`,
    );
  }
  const alpha = attrNumber(node, "alpha", 1);
  const beta = attrNumber(node, "beta", 1);
  let y: tf.Tensor = tf.matMul(
    a as tf.Tensor2D,
    b as tf.Tensor2D,
    attrNumber(node, "transA", 0) === 1,
    attrNumber(node, "transB", 0) === 1,
  );
  if (alpha !== 1) y = tf.mul(y, alpha);
  if (c) y = tf.add(y, beta === 1 ? c : tf.mul(c, beta));
  return y;
}

/**
 * How BatchNormalization normalizes. "running" (inference, the default): with the file's running
 * mean and variance. "batch" (PyTorch's train mode, used to recompute the statistics,
 * batch-norm.ts): with the batch's own mean and biased variance over every axis but the channel
 * one, each handed to `record` with the unbiased variance PyTorch's running_var accumulates.
 */
export type BatchNormMode =
  | { mode: "running" }
  | {
      mode: "batch";
      record(node: OnnxNode, mean: tf.Tensor1D, unbiasedVariance: tf.Tensor1D, count: number): void;
    };

function batchNorm(
  node: OnnxNode,
  x: tf.Tensor,
  inputs: (OnnxValue | undefined)[],
  bn: BatchNormMode = { mode: "running" },
): tf.Tensor {
  if (attrNumber(node, "training_mode", 0) !== 0) {
    throw nodeError(node, "training_mode 1 is not supported (export the model in eval mode)");
  }
  if (x.rank < 2) throw nodeError(node, `needs an input [N, C, ...], got [${x.shape.join(", ")}]`);
  const eps = attrNumber(node, "epsilon", 1e-5);
  const c = x.shape[1] as number; // rank >= 2, checked above
  const shape = [1, c, ...new Array(x.rank - 2).fill(1)];
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((slot) => {
    const t = float(node, inputs[slot], slot);
    if (t.size !== c) throw nodeError(node, `input ${slot} has ${t.size} values for ${c} channels`);
    return tf.reshape(t, shape);
  });
  if (bn.mode === "batch") {
    // Per channel over N (and H, W): mu = mean(x), var = mean((x - mu)^2) normalizes (biased, as
    // torch's train mode does); the running variance accumulates var * n / (n - 1).
    const axes = [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2)];
    const count = x.size / c;
    if (count < 2) throw nodeError(node, `batch statistics need at least 2 values per channel, got ${count}`);
    const moments = tf.moments(x, axes, true);
    bn.record(
      node,
      tf.reshape(moments.mean, [c]) as tf.Tensor1D,
      tf.reshape(tf.mul(moments.variance, count / (count - 1)), [c]) as tf.Tensor1D,
      count,
    );
    const inv = tf.div(scale, tf.sqrt(tf.add(moments.variance, eps)));
    return tf.add(tf.mul(tf.sub(x, moments.mean), inv), bias);
  }
  // y = (x - mean) * scale / sqrt(var + eps) + B; mean and var are the file's constants.
  const inv = tf.div(scale, tf.sqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(tf.sub(x, mean), inv), bias);
}

/** ReduceMean: axes from the attribute (opset < 18) or the second input (opset 18+); keepdims default 1. */
function reduceMean(node: OnnxNode, x: tf.Tensor, axesInput: OnnxValue | undefined): tf.Tensor {
  let axes: number[] | undefined;
  if (axesInput !== undefined) {
    if (!isInts(axesInput)) throw nodeError(node, "axes must be a constant integer tensor");
    axes = axesInput.values;
  } else if (Array.isArray(node.attributes.axes)) axes = node.attributes.axes;
  if (axes === undefined || axes.length === 0) {
    if (attrNumber(node, "noop_with_empty_axes", 0) === 1) return x;
    axes = Array.from({ length: x.rank }, (_, i) => i);
  }
  const keep = attrNumber(node, "keepdims", 1) === 1;
  return tf.mean(
    x,
    axes.map((a) => normalizeAxis(node, a, x.rank)),
    keep,
  );
}

function softmaxLike(node: OnnxNode, x: tf.Tensor, opset: number, log: boolean): tf.Tensor {
  const axis = normalizeAxis(node, attrNumber(node, "axis", opset >= 13 ? -1 : 1), x.rank);
  if (axis !== x.rank - 1)
    throw nodeError(node, `only the last axis is supported, got axis ${axis} of rank ${x.rank}`);
  return log ? logSoftmaxLast(x) : exp(logSoftmaxLast(x));
}

function constant(node: OnnxNode): OnnxValue {
  const a = node.attributes;
  const value = a.value as OnnxAttribute | undefined;
  if (value !== undefined && typeof value === "object" && !Array.isArray(value)) return constantValue(value);
  if (typeof a.value_float === "number") return tf.scalar(a.value_float);
  if (Array.isArray(a.value_floats)) return tf.tensor1d(a.value_floats);
  if (typeof a.value_int === "number") return { kind: "ints", dims: [], values: [a.value_int] };
  if (Array.isArray(a.value_ints))
    return { kind: "ints", dims: [a.value_ints.length], values: [...a.value_ints] };
  throw nodeError(
    node,
    "has no value attribute this interpreter reads (value, value_float(s), value_int(s))",
  );
}

/**
 * Run one node: its inputs (undefined for an absent optional input) -> its outputs, in order.
 *
 * @example const [y] = runNode(node, [x, w, b], 17);
 */
export function runNode(
  node: OnnxNode,
  inputs: (OnnxValue | undefined)[],
  opset: number,
  bn?: BatchNormMode,
): OnnxValue[] {
  const f = (slot: number) => float(node, inputs[slot], slot);
  const optional = (slot: number) => (inputs[slot] === undefined ? undefined : f(slot));
  switch (node.op) {
    case "Gemm":
      return [gemm(node, f(0), f(1), optional(2))];
    case "MatMul":
      return [matMul(node, f(0), f(1))];
    case "Add":
      return [tf.add(f(0), f(1))];
    case "Sub":
      return [tf.sub(f(0), f(1))];
    case "Mul":
      return [tf.mul(f(0), f(1))];
    case "Div":
      return [tf.div(f(0), f(1))];
    case "Neg":
      return [tf.neg(f(0))];
    case "Relu":
      return [tf.relu(f(0))];
    case "LeakyRelu":
      return [leakyRelu(f(0), attrNumber(node, "alpha", 0.01))];
    case "Tanh":
      return [tanh(f(0))];
    case "Sigmoid":
      return [sigmoid(f(0))];
    case "Elu":
      return [elu(f(0), attrNumber(node, "alpha", 1))];
    case "Softplus":
      return [tf.softplus(f(0))];
    case "Conv":
      return [conv(node, f(0), f(1), optional(2))];
    case "MaxPool":
      if (node.outputs.length > 1 && node.outputs[1] !== "")
        throw nodeError(node, "the Indices output is not supported");
      return [pool(node, f(0), "max")];
    case "AveragePool":
      return [pool(node, f(0), "average")];
    case "GlobalAveragePool": {
      const x = f(0);
      if (x.rank < 3) throw nodeError(node, `needs an input [N, C, ...spatial], got [${x.shape.join(", ")}]`);
      return [
        tf.mean(
          x,
          Array.from({ length: x.rank - 2 }, (_, i) => i + 2),
          true,
        ),
      ];
    }
    case "Flatten": {
      const x = f(0);
      const axis = attrNumber(node, "axis", 1);
      const a = axis < 0 ? axis + x.rank : axis;
      if (a < 0 || a > x.rank) throw nodeError(node, `axis ${axis} is out of range for rank ${x.rank}`);
      const lead = x.shape.slice(0, a).reduce((p, q) => p * q, 1);
      return [tf.reshape(x, [lead, x.size / Math.max(lead, 1)])];
    }
    case "Reshape":
      return [reshape(node, f(0), inputs[1])];
    case "Transpose": {
      const x = f(0);
      const perm = attrInts(
        node,
        "perm",
        Array.from({ length: x.rank }, (_, i) => x.rank - 1 - i),
      );
      return [tf.transpose(x, perm)];
    }
    case "Concat": {
      const xs = inputs.map((_, i) => f(i));
      if (xs.length === 0) throw nodeError(node, "has no inputs");
      return [tf.concat(xs, normalizeAxis(node, attrNumber(node, "axis", 0), xs[0].rank))];
    }
    case "BatchNormalization":
      return [batchNorm(node, f(0), inputs, bn)];
    case "ReduceMean":
      return [reduceMean(node, f(0), inputs[1])];
    case "Dropout":
      if (node.outputs.length > 1 && node.outputs[1] !== "")
        throw nodeError(node, "the mask output is not supported");
      return [f(0)];
    case "Identity": {
      const v = inputs[0];
      if (v === undefined) throw nodeError(node, "input 0 is missing");
      return [v];
    }
    case "Constant":
      return [constant(node)];
    case "Softmax":
      return [softmaxLike(node, f(0), opset, false)];
    case "LogSoftmax":
      return [softmaxLike(node, f(0), opset, true)];
    default:
      throw nodeError(node, "this operator is not supported");
  }
}
