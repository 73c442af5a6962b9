/**
 * The forward pass of a layers model (layers.ts: the config's CNNs and imported tfjs
 * LayersModels) built from ops that differentiate twice on every backend, for Hessian-vector
 * products (curvature/model-objective.ts). Same semantics, layout and values as layersForward
 * (layers-forward.ts), but:
 * - conv2d is onnx/ops.ts's conv2dValid (its filter and input gradients are written in ops that
 *   differentiate again; tfjs-wasm has no Conv2DBackpropFilter, and the stock gradients of
 *   tf.conv2d / conv2dTranspose have no gradient there), "same" padding as an explicit zero pad;
 * - maxPooling2d is onnx/ops.ts's maxPoolNhwc (max(a, b) = b + relu(a - b) over window slices:
 *   MaxPoolGrad has no gradient of its own);
 * - tanh, sigmoid and elu are twice-ops.ts's stand-ins, whose gradients read the input (the stock
 *   ones read the saved output, which a second backward pass cannot see through).
 * A layer kind without such a pass (anything but dense, conv2d, maxPooling2d, flatten, dropout and
 * activation, e.g. a BatchNormalization) is refused naming the layer (layersTwiceProblem).
 */
import { conv2dValid, maxPoolNhwc } from "../onnx/ops";
import { tf } from "../tf";
import { activationTwice } from "../twice-ops";
import { type LayersArchitecture, layerShapes, samePadding } from "./layers";

/** The layer types the twice-differentiable pass runs. */
const TWICE_LAYER_TYPES: readonly string[] = [
  "dense",
  "conv2d",
  "maxPooling2d",
  "flatten",
  "dropout",
  "activation",
];
/** The activations it runs (softmax only last, read as logits: see layers.ts). */
const TWICE_ACTIVATIONS: readonly string[] = [
  "relu",
  "tanh",
  "sigmoid",
  "elu",
  "softplus",
  "linear",
  "softmax",
];

/**
 * Why the twice-differentiable pass cannot run this model, naming the first layer it cannot do,
 * or null when it can.
 *
 * @example layersTwiceProblem(arch) // 'layer 1 ("bn", batchNormalization) has no twice-differentiable forward pass ...'
 */
export function layersTwiceProblem(arch: LayersArchitecture): string | null {
  for (let i = 0; i < arch.layers.length; i++) {
    const layer = arch.layers[i] as { type: string; name: string; activation?: string };
    const where = `layer ${i} ("${layer.name}", ${layer.type})`;
    if (!TWICE_LAYER_TYPES.includes(layer.type)) {
      return (
        `${where} has no twice-differentiable forward pass, so Hessian-vector products cannot go through it; ` +
        `curvature works on layers models made of ${TWICE_LAYER_TYPES.join(", ")} layers`
      );
    }
    if (layer.activation !== undefined && !TWICE_ACTIVATIONS.includes(layer.activation)) {
      return `${where}: activation "${layer.activation}" has no twice-differentiable form here`;
    }
  }
  return null;
}

function activateTwice(z: tf.Tensor, activation: string, isLast: boolean): tf.Tensor {
  // A final softmax is read as logits (layers.ts, LAYERS_SEMANTICS); layerShapes refuses it elsewhere.
  if (activation === "softmax") {
    if (isLast) return z;
    throw new Error("softmax is supported only as the last operation");
  }
  const out = activationTwice(z, activation);
  if (!out) throw new Error(`activation "${activation}" has no twice-differentiable form here`);
  return out;
}

/** [top, left, bottom, right] padding of a window op (TensorFlow's "same": the smaller half first). */
function windowPads(
  input: readonly number[],
  window: [number, number],
  strides: [number, number],
  padding: "valid" | "same",
): number[] {
  if (padding === "valid") return [0, 0, 0, 0];
  const [top, bottom] = samePadding(input[0], window[0], strides[0]);
  const [left, right] = samePadding(input[1], window[1], strides[1]);
  return [top, left, bottom, right];
}

/**
 * layersForward's pass, twice differentiable: x [N, inputSize] -> [N, outputSize] (logits for
 * classification); params in layout order (layersLayout). Throws for a layer it cannot do
 * (layersTwiceProblem). Call inside tf.tidy.
 *
 * @example const loss = tf.tidy(() => meanLossTwice("cross-entropy", layersForwardTwice(arch, params, x), target));
 */
export function layersForwardTwice(
  arch: LayersArchitecture,
  params: readonly tf.Tensor[],
  x: tf.Tensor,
): tf.Tensor2D {
  const problem = layersTwiceProblem(arch);
  if (problem) throw new Error(problem);
  const { shapes, owners } = layerShapes(arch);
  if (params.length !== owners.length) {
    throw new Error(`layersForwardTwice: expected ${owners.length} parameter tensors, got ${params.length}`);
  }
  const kernels = new Map<number, tf.Tensor>();
  const biases = new Map<number, tf.Tensor>();
  owners.forEach((o, i) => {
    (o.role === "kernel" ? kernels : biases).set(o.layer, params[i]);
  });
  const n = x.shape[0];
  let h: tf.Tensor = tf.reshape(x, [n, ...arch.inputShape]);
  const last = arch.layers.length - 1;
  arch.layers.forEach((layer, i) => {
    switch (layer.type) {
      case "dense": {
        const inShape = shapes[i];
        const rows = tf.reshape(h, [-1, inShape[inShape.length - 1]]) as tf.Tensor2D;
        let z: tf.Tensor = tf.matMul(rows, kernels.get(i) as tf.Tensor2D);
        const bias = biases.get(i);
        if (bias) z = tf.add(z, bias);
        if (inShape.length > 1) z = tf.reshape(z, [n, ...shapes[i + 1]]);
        h = activateTwice(z, layer.activation, i === last);
        break;
      }
      case "conv2d": {
        const pads = windowPads(shapes[i], layer.kernelSize, layer.strides, layer.padding);
        const padded = pads.some((p) => p > 0)
          ? tf.pad(h as tf.Tensor4D, [
              [0, 0],
              [pads[0], pads[2]],
              [pads[1], pads[3]],
              [0, 0],
            ])
          : (h as tf.Tensor4D);
        let z: tf.Tensor = conv2dValid(padded, kernels.get(i) as tf.Tensor4D, layer.strides);
        const bias = biases.get(i);
        if (bias) z = tf.add(z, bias);
        h = activateTwice(z, layer.activation, i === last);
        break;
      }
      case "maxPooling2d":
        h = maxPoolNhwc(
          h as tf.Tensor4D,
          layer.poolSize,
          layer.strides,
          windowPads(shapes[i], layer.poolSize, layer.strides, layer.padding),
        );
        break;
      case "flatten":
        h = tf.reshape(h, [n, -1]);
        break;
      case "dropout":
        break;
      case "activation":
        h = activateTwice(h, layer.activation, i === last);
        break;
    }
  });
  return tf.reshape(h, [n, arch.outputSize]) as tf.Tensor2D;
}
