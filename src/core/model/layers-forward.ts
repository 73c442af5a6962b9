import { tf } from "../tf";
import { activate } from "./activation";
import {
  type LayerActivation,
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
 * One forward pass of a layers model over a batch: x [N, inputSize] (rows as in DataSplit) ->
 * outputs [N, outputSize] (logits for classification). params in layout order (layersLayout).
 * Call inside tf.tidy.
 *
 * @example const logits = tf.tidy(() => layersForward(arch, flatToTensors(theta, layersLayout(arch)), x));
 */
export function layersForward(
  arch: LayersArchitecture,
  params: readonly tf.Tensor[],
  x: tf.Tensor,
): tf.Tensor2D {
  const { shapes, owners } = layerShapes(arch);
  const n = x.shape[0];
  const kernels = new Map<number, tf.Tensor>();
  const biases = new Map<number, tf.Tensor>();
  owners.forEach((o, i) => {
    (o.role === "kernel" ? kernels : biases).set(o.layer, params[i]);
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
    }
  });
  return tf.reshape(h, [n, arch.outputSize]) as tf.Tensor2D;
}
