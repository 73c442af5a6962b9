import { tf } from "../tf";
import { activate } from "./activation";
import {
  type LayerActivation,
  type LayerSpec,
  type LayersArchitecture,
  layerShapes,
  type Padding,
  samePadding,
} from "./layers";

/**
 * The kernel gradient of a 2-D convolution, dL/dW [kh, kw, C, O], as kh * kw matMuls:
 * dW[i, j] = sum over samples and output positions of xpad[n, y s + i, x s + j, :]^T dy[n, y, x, :].
 * tfjs-wasm has no Conv2DBackpropFilter kernel, so tf.conv2d cannot be differentiated with
 * respect to its filter there; this formula uses only pad, strided slices and matMul.
 */
function convFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  kernelShape: readonly number[],
  strides: [number, number],
  padding: Padding,
): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const [, oh, ow, o] = dy.shape;
  const [kh, kw] = kernelShape;
  const [sh, sw] = strides;
  const [top, bottom] = padding === "same" ? samePadding(h, kh, sh) : [0, 0];
  const [left, right] = padding === "same" ? samePadding(w, kw, sw) : [0, 0];
  const xp =
    top + bottom + left + right > 0
      ? tf.pad(x, [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ])
      : x;
  const dyFlat = tf.reshape(dy, [n * oh * ow, o]) as tf.Tensor2D;
  const blocks: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const patch =
        sh === 1 && sw === 1
          ? tf.slice(xp, [0, i, j, 0], [n, oh, ow, c])
          : tf.stridedSlice(
              xp,
              [0, i, j, 0],
              [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, c],
              [1, sh, sw, 1],
            );
      blocks.push(tf.matMul(tf.reshape(patch, [n * oh * ow, c]) as tf.Tensor2D, dyFlat, true, false));
    }
  }
  return tf.reshape(tf.stack(blocks), [kh, kw, c, o]) as tf.Tensor4D;
}

/**
 * tf.conv2d (NHWC, filter [kh, kw, C, O]) with an explicit gradient: dx by conv2dTranspose (the
 * same Conv2DBackpropInput tfjs's own gradient uses), dW by convFilterGradient. Same values as
 * tf.conv2d; differentiable on every backend, tfjs-wasm included.
 */
export function conv2d(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: [number, number],
  padding: Padding,
): tf.Tensor4D {
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, ws, save] = inputs as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([xs, ws]);
    return {
      value: tf.conv2d(xs, ws, strides, padding),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dy4 = dy as tf.Tensor4D;
        return [
          tf.conv2dTranspose(dy4, sw, sx.shape, strides, padding),
          convFilterGradient(sx, dy4, sw.shape, strides, padding),
        ];
      },
    };
  });
  return op(x, filter) as tf.Tensor4D;
}

function applyActivation(z: tf.Tensor, activation: LayerActivation, isLast: boolean): tf.Tensor {
  // A final softmax is read as logits (layers.ts, LAYERS_SEMANTICS); anywhere else it is refused.
  if (activation === "softmax") {
    if (isLast) return z;
    throw new Error("softmax is supported only as the last operation");
  }
  return activate(z, activation);
}

/**
 * How BatchNormalization layers normalize in a forward pass. Absent (evaluation): with each
 * layer's moving mean and variance. "batch" (train mode: training, and update_bn in
 * bn-statistics.ts): with the batch's own mean and biased variance over every axis but the last,
 * each handed to `record` (layer index, mean, the unbiased variance update_bn accumulates).
 */
interface LayersBatchNormMode {
  mode: "batch";
  record(layer: number, mean: tf.Tensor1D, unbiasedVariance: tf.Tensor1D): void;
}

type BatchNormLayer = Extract<LayerSpec, { type: "batchNormalization" }>;

/** gamma (h - mean) / sqrt(variance + epsilon) + beta over the last axis (gamma, beta absent: 1, 0). */
function normalize(
  h: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  epsilon: number,
  gamma: tf.Tensor | undefined,
  beta: tf.Tensor | undefined,
): tf.Tensor {
  // The order of operations of the ONNX interpreter's BatchNormalization (onnx/ops.ts).
  const root = tf.sqrt(tf.add(variance, epsilon));
  const y = tf.mul(tf.sub(h, mean), gamma ? tf.div(gamma, root) : tf.reciprocal(root));
  return beta ? tf.add(y, beta) : y;
}

/**
 * A BatchNormalization layer in evaluation mode, with its moving statistics: the one formula
 * layersForward and the fast evaluator (landscape/tfjs-cnn-evaluator.ts) both run. gamma and beta
 * are tensors [C], or absent when the layer has none (1 and 0). Call inside tf.tidy.
 */
export function batchNormEval(
  layer: BatchNormLayer,
  h: tf.Tensor,
  gamma: tf.Tensor | undefined,
  beta: tf.Tensor | undefined,
): tf.Tensor {
  return normalize(
    h,
    tf.tensor1d(layer.movingMean),
    tf.tensor1d(layer.movingVariance),
    layer.epsilon,
    gamma,
    beta,
  );
}

/**
 * BatchNormalization in train mode: the batch's mean and biased variance over every axis but the
 * last normalize; the mean and the unbiased variance go to `bn.record`. Call inside tf.tidy.
 */
function batchNormTrain(
  layer: BatchNormLayer,
  index: number,
  h: tf.Tensor,
  gamma: tf.Tensor | undefined,
  beta: tf.Tensor | undefined,
  bn: LayersBatchNormMode,
): tf.Tensor {
  const channels = h.shape[h.rank - 1] as number;
  const count = h.size / channels;
  const { mean, variance } = tf.moments(
    h,
    Array.from({ length: h.rank - 1 }, (_, a) => a),
  );
  // The unbiased variance feeds only update_bn's running statistics, whose batches hold 2+ rows;
  // a training minibatch of one row normalizes to beta (variance 0), as Keras does.
  if (count >= 2) bn.record(index, mean as tf.Tensor1D, tf.mul(variance, count / (count - 1)) as tf.Tensor1D);
  return normalize(h, mean, variance, layer.epsilon, gamma, beta);
}

/**
 * One forward pass of a layers model over a batch: x [N, inputSize] (rows as in DataSplit) ->
 * outputs [N, outputSize] (logits for classification). params in layout order (layersLayout).
 * BatchNormalization layers use their moving statistics unless `bn` says "batch" (train mode).
 * Call inside tf.tidy.
 *
 * @example const logits = tf.tidy(() => layersForward(arch, flatToTensors(theta, layersLayout(arch)), x));
 */
export function layersForward(
  arch: LayersArchitecture,
  params: readonly tf.Tensor[],
  x: tf.Tensor,
  bn?: LayersBatchNormMode,
): tf.Tensor2D {
  const { shapes, owners } = layerShapes(arch);
  const n = x.shape[0];
  const kernels = new Map<number, tf.Tensor>();
  const biases = new Map<number, tf.Tensor>();
  const gammas = new Map<number, tf.Tensor>();
  owners.forEach((o, i) => {
    const of = { kernel: kernels, bias: biases, gamma: gammas, beta: biases }[o.role];
    of.set(o.layer, params[i]);
  });
  if (params.length !== owners.length) {
    throw new Error(`layersForward: expected ${owners.length} parameter tensors, got ${params.length}`);
  }
  let h: tf.Tensor = tf.reshape(x, [n, ...arch.inputShape]);
  const last = arch.layers.length - 1;
  arch.layers.forEach((layer, i) => {
    switch (layer.type) {
      case "dense": {
        const kernel = kernels.get(i) as tf.Tensor2D;
        const inShape = shapes[i];
        const rows = tf.reshape(h, [-1, inShape[inShape.length - 1]]) as tf.Tensor2D;
        let z: tf.Tensor = tf.matMul(rows, kernel);
        const bias = biases.get(i);
        if (bias) z = tf.add(z, bias);
        if (inShape.length > 1) z = tf.reshape(z, [n, ...shapes[i + 1]]);
        h = applyActivation(z, layer.activation, i === last);
        break;
      }
      case "conv2d": {
        let z: tf.Tensor = conv2d(
          h as tf.Tensor4D,
          kernels.get(i) as tf.Tensor4D,
          layer.strides,
          layer.padding,
        );
        const bias = biases.get(i);
        if (bias) z = tf.add(z, bias);
        h = applyActivation(z, layer.activation, i === last);
        break;
      }
      case "maxPooling2d":
        h = tf.maxPool(h as tf.Tensor4D, layer.poolSize, layer.strides, layer.padding);
        break;
      case "flatten":
        h = tf.reshape(h, [n, -1]);
        break;
      case "dropout":
        break;
      case "activation":
        h = applyActivation(h, layer.activation, i === last);
        break;
      case "batchNormalization":
        h = bn
          ? batchNormTrain(layer, i, h, gammas.get(i), biases.get(i), bn)
          : batchNormEval(layer, h, gammas.get(i), biases.get(i));
        break;
    }
  });
  return tf.reshape(h, [n, arch.outputSize]) as tf.Tensor2D;
}
