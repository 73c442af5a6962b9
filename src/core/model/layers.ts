/**
 * Layer-stack models (architecture kind "layers"): a sequence of Dense, Conv2D, MaxPooling2D,
 * Flatten, Dropout, Activation and BatchNormalization layers, as a tfjs / Keras Sequential model
 * has them, over one flat parameter vector. Imported tfjs LayersModels (layers-import.ts) and the
 * config's small CNNs (layers-cnn.ts) are both this kind; layers-forward.ts runs them with tf ops.
 *
 * Semantics (also written into every architecture object, LAYERS_SEMANTICS): data rows are
 * reshaped to [N, ...inputShape] (channels last) and go through the layers in order:
 * - dense: h W + b on the last axis (W [in, units]), then the activation;
 * - conv2d: 2-D cross-correlation with kernel [kh, kw, in, filters], strides, "valid" or
 *   "same" padding (TensorFlow's: total padding max((out - 1) s + k - in, 0), the smaller half
 *   before), plus bias, then the activation;
 * - maxPooling2d: max over poolSize windows with strides and padding;
 * - flatten: row-major reshape to [N, -1]; dropout: the identity (evaluation mode, also in
 *   training here); activation: the activation alone;
 * - batchNormalization over the last (channel) axis: y = gamma (x - mean) / sqrt(var + epsilon)
 *   + beta per channel, with the moving mean and variance the layer carries (evaluation mode); in
 *   training, with the batch's own mean and biased variance over every other axis (train mode).
 *   gamma and beta are parameters (absent when Keras's scale / center is false: 1 and 0); the
 *   moving statistics are not (never perturbed or trained; recomputed by update_bn after a
 *   training, model/bn-statistics.ts).
 * A softmax may only be the last operation: it is not applied, so the model's output is its
 * logits, and the cross-entropy log-softmax(logits)[label] is the categorical cross-entropy of
 * the model's softmax output. The flat vector lists each layer's kernel then bias (a BN layer's
 * gamma then beta), in layer order, each in tfjs layout (Dense [in, out], Conv2D [kh, kw, in, out]).
 */
import type { Rng } from "../rng";
import type { BatchNormPolicy } from "../update-bn";
import type { InitScheme } from "./init";
import { layoutOffsets } from "./layout";
import type { Layout } from "./types";

/** Activations a layer may have; softmax only in the last layer (see LAYERS_SEMANTICS). */
export const LAYER_ACTIVATIONS = ["relu", "tanh", "sigmoid", "elu", "softplus", "linear", "softmax"] as const;
export type LayerActivation = (typeof LAYER_ACTIVATIONS)[number];
export const PADDINGS = ["valid", "same"] as const;
export type Padding = (typeof PADDINGS)[number];

export type LayerSpec =
  | { type: "dense"; name: string; units: number; activation: LayerActivation; useBias: boolean }
  | {
      type: "conv2d";
      name: string;
      filters: number;
      kernelSize: [number, number];
      strides: [number, number];
      padding: Padding;
      activation: LayerActivation;
      useBias: boolean;
    }
  | {
      type: "maxPooling2d";
      name: string;
      poolSize: [number, number];
      strides: [number, number];
      padding: Padding;
    }
  | { type: "flatten"; name: string }
  | { type: "dropout"; name: string; rate: number }
  | { type: "activation"; name: string; activation: LayerActivation }
  | {
      type: "batchNormalization";
      name: string;
      /** Added to the variance before the square root. */
      epsilon: number;
      /** Keras's center: beta is a parameter; false: beta is 0. */
      center: boolean;
      /** Keras's scale: gamma is a parameter; false: gamma is 1. */
      scale: boolean;
      /** The moving statistics, one per channel (the last axis): constants, not parameters. */
      movingMean: number[];
      movingVariance: number[];
    };

export type LayerType = LayerSpec["type"];

export const LAYERS_SEMANTICS =
  "rows reshaped to [N, ...inputShape] (channels last), then the layers in order: dense h W + b on the last axis " +
  "(W [in, units]) then its activation; conv2d: cross-correlation with kernel [kh, kw, in, filters], strides, " +
  "valid or same padding (TensorFlow's), plus bias, then its activation; maxPooling2d: max over windows; " +
  "flatten: row-major reshape to [N, -1]; dropout: identity; activation: the activation alone; batchNormalization " +
  "over the last axis: gamma (x - movingMean) / sqrt(movingVariance + epsilon) + beta per channel (in training: the " +
  "batch's mean and biased variance; gamma, beta parameters, the moving statistics not). A final softmax " +
  "is not applied: the output is the logits, and cross-entropy on them equals the categorical cross-entropy of the " +
  "softmax output. Flat vector: each layer's kernel then bias (batchNormalization: gamma then beta), in layer order, " +
  "tfjs layout";

/**
 * A layer-stack model as stored in snapshots (model.architecture with kind "layers").
 *
 * @example { kind: "layers", inputShape: [14, 14, 1], inputSize: 196, outputSize: 10, layers: [...], semantics: LAYERS_SEMANTICS, source: "cnn" }
 */
export interface LayersArchitecture {
  kind: "layers";
  /** One sample's shape, channels last; data rows hold its product (inputSize) values. */
  inputShape: number[];
  inputSize: number;
  outputSize: number;
  layers: LayerSpec[];
  /** Plain-words statement of the forward pass (LAYERS_SEMANTICS). */
  semantics: string;
  /** Where the model came from: "tfjs-layers" (an imported model.json) or "cnn" (the config's model.kind cnn). */
  source?: "tfjs-layers" | "cnn";
  /** With BatchNormalization layers: how a point gets its moving statistics (the config's model.bnStatistics). */
  batchNorm?: BatchNormPolicy;
}

/** A parameter tensor's role in its layer: Dense / Conv2D kernel and bias, BatchNormalization gamma and beta. */
type ParameterRole = "kernel" | "bias" | "gamma" | "beta";

/** Largest number of layers and of values per tensor accepted, so a bad file cannot ask for gigabytes. */
const MAX_LAYERS = 64;
const MAX_TENSOR_VALUES = 16 * 1024 * 1024;

const shapeText = (shape: readonly number[]) => `[${shape.join(", ")}]`;

/** Output size along one spatial axis (TensorFlow's rule). */
function convOutputSize(input: number, window: number, stride: number, padding: Padding): number {
  return padding === "same" ? Math.ceil(input / stride) : Math.floor((input - window) / stride) + 1;
}

/** Padding before and after along one axis for "same" (TensorFlow: the smaller half before). */
export function samePadding(input: number, window: number, stride: number): [number, number] {
  const out = Math.ceil(input / stride);
  const total = Math.max((out - 1) * stride + window - input, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

interface LayerShapes {
  /** Per-sample input shape of each layer, and the final output shape last (layers.length + 1 entries). */
  shapes: number[][];
  /** Parameter tensors in flat-vector order. */
  layout: Layout;
  /** For each layout entry: the index of its layer and its role there. */
  owners: { layer: number; role: ParameterRole }[];
}

function positiveInts(values: readonly number[], what: string): void {
  for (const v of values) {
    if (!Number.isInteger(v) || v < 1)
      throw new Error(`${what} must be positive integers, got ${shapeText(values)}`);
  }
}

/**
 * Shapes through the stack and the parameter layout, checked: every layer's input has the rank
 * it needs, windows fit, the output is [outputSize]. Throws naming the layer.
 *
 * @example layerShapes(arch).layout // [{ name: "conv2d_0/kernel", shape: [3, 3, 1, 8] }, ...]
 */
export function layerShapes(
  arch: Pick<LayersArchitecture, "inputShape" | "layers"> & { outputSize?: number },
): LayerShapes {
  positiveInts(arch.inputShape, "inputShape");
  if (arch.layers.length === 0) throw new Error("a layers model needs at least one layer");
  if (arch.layers.length > MAX_LAYERS)
    throw new Error(`at most ${MAX_LAYERS} layers, got ${arch.layers.length}`);
  const shapes: number[][] = [[...arch.inputShape]];
  const layout: Layout = [];
  const owners: LayerShapes["owners"] = [];
  const names = new Set<string>();
  const last = arch.layers.length - 1;
  arch.layers.forEach((layer, i) => {
    const where = `layer ${i} ("${layer.name}", ${layer.type})`;
    if (typeof layer.name !== "string" || layer.name === "") throw new Error(`layer ${i} has no name`);
    if (names.has(layer.name)) throw new Error(`${where}: the name is used by an earlier layer`);
    names.add(layer.name);
    const input = shapes[i];
    const push = (role: ParameterRole, shape: number[]) => {
      const size = shape.reduce((a, b) => a * b, 1);
      if (size > MAX_TENSOR_VALUES)
        throw new Error(`${where}: ${role} ${shapeText(shape)} has more than ${MAX_TENSOR_VALUES} values`);
      layout.push({ name: `${layer.name}/${role}`, shape });
      owners.push({ layer: i, role });
    };
    if ("activation" in layer && layer.activation === "softmax" && i !== last) {
      throw new Error(
        `${where}: softmax is supported only as the last operation (its output is read as logits)`,
      );
    }
    let out: number[];
    switch (layer.type) {
      case "dense": {
        positiveInts([layer.units], `${where}: units`);
        const inSize = input[input.length - 1];
        push("kernel", [inSize, layer.units]);
        if (layer.useBias) push("bias", [layer.units]);
        out = [...input.slice(0, -1), layer.units];
        break;
      }
      case "conv2d":
      case "maxPooling2d": {
        if (input.length !== 3) {
          throw new Error(
            `${where}: needs an input of shape [height, width, channels], got ${shapeText(input)}`,
          );
        }
        const window = layer.type === "conv2d" ? layer.kernelSize : layer.poolSize;
        positiveInts(window, `${where}: ${layer.type === "conv2d" ? "kernelSize" : "poolSize"}`);
        positiveInts(layer.strides, `${where}: strides`);
        const [h, w, c] = input;
        const oh = convOutputSize(h, window[0], layer.strides[0], layer.padding);
        const ow = convOutputSize(w, window[1], layer.strides[1], layer.padding);
        if (oh < 1 || ow < 1) {
          throw new Error(
            `${where}: a ${window.join("x")} window does not fit the ${h}x${w} input with ${layer.padding} padding`,
          );
        }
        if (layer.type === "conv2d") {
          positiveInts([layer.filters], `${where}: filters`);
          push("kernel", [window[0], window[1], c, layer.filters]);
          if (layer.useBias) push("bias", [layer.filters]);
          out = [oh, ow, layer.filters];
        } else out = [oh, ow, c];
        break;
      }
      case "flatten":
        out = [input.reduce((a, b) => a * b, 1)];
        break;
      case "batchNormalization": {
        const channels = input[input.length - 1];
        if (!(Number.isFinite(layer.epsilon) && layer.epsilon > 0))
          throw new Error(`${where}: epsilon must be a finite number > 0, got ${layer.epsilon}`);
        for (const [what, values] of [
          ["movingMean", layer.movingMean],
          ["movingVariance", layer.movingVariance],
        ] as const) {
          if (!Array.isArray(values) || values.length !== channels)
            throw new Error(
              `${where}: ${what} has ${Array.isArray(values) ? values.length : "no"} values for ${channels} channels (the last axis of ${shapeText(input)})`,
            );
          const bad = values.findIndex((v) => !Number.isFinite(v) || (what === "movingVariance" && v < 0));
          if (bad >= 0)
            throw new Error(`${where}: ${what}[${bad}] = ${values[bad]} is not a valid statistic`);
        }
        if (layer.scale) push("gamma", [channels]);
        if (layer.center) push("beta", [channels]);
        out = [...input];
        break;
      }
      case "dropout":
      case "activation":
        out = [...input];
        break;
      default:
        throw new Error(`layer ${i}: unknown layer type "${(layer as { type: string }).type}"`);
    }
    shapes.push(out);
  });
  const output = shapes[shapes.length - 1];
  if (output.length !== 1) {
    throw new Error(
      `the model's output has shape ${shapeText(output)} per sample; it must be a vector [outputSize] (add a Flatten layer)`,
    );
  }
  if (arch.outputSize !== undefined && output[0] !== arch.outputSize) {
    throw new Error(
      `the model has ${output[0]} outputs, its architecture says outputSize ${arch.outputSize}`,
    );
  }
  return { shapes, layout, owners };
}

/** The flat vector's layout: each layer's kernel then bias, in layer order. */
export function layersLayout(arch: LayersArchitecture): Layout {
  return layerShapes(arch).layout;
}

/** Whether the last layer ends in a softmax (read as logits; see LAYERS_SEMANTICS). */
export function endsInSoftmax(arch: LayersArchitecture): boolean {
  const last = arch.layers[arch.layers.length - 1];
  return "activation" in last && last.activation === "softmax";
}

/**
 * A checked architecture object: shapes fit, the output is a vector of outputSize, the semantics
 * stated.
 *
 * @example makeLayersArchitecture([14, 14, 1], 10, layers, "cnn")
 */
export function makeLayersArchitecture(
  inputShape: number[],
  outputSize: number,
  layers: LayerSpec[],
  source?: LayersArchitecture["source"],
): LayersArchitecture {
  const arch: LayersArchitecture = {
    kind: "layers",
    inputShape: [...inputShape],
    inputSize: inputShape.reduce((a, b) => a * b, 1),
    outputSize,
    layers: layers.map((l) => ({ ...l })) as LayerSpec[],
    semantics: LAYERS_SEMANTICS,
  };
  if (source) arch.source = source;
  layerShapes(arch);
  return arch;
}

/**
 * Initial flat parameters: kernels drawn in layout order from one rng stream, "he" N(0, 2 / fanIn)
 * or "glorot" U(-a, a), a = sqrt(6 / (fanIn + fanOut)), with Keras's fans (Dense [in, out]:
 * in and out; Conv2D [kh, kw, in, out]: kh kw in and kh kw out); "auto" picks He for relu and
 * elu layers, Glorot otherwise. Biases and BN betas start at 0, BN gammas at 1 (Keras's).
 *
 * @example const theta = initLayersParameters(arch, "auto", createRng(3));
 */
export function initLayersParameters(arch: LayersArchitecture, scheme: InitScheme, rng: Rng): Float32Array {
  const { layout, owners } = layerShapes(arch);
  const offsets = layoutOffsets(layout);
  const flat = new Float32Array(offsets[offsets.length - 1]);
  layout.forEach((entry, i) => {
    if (owners[i].role === "gamma") flat.fill(1, offsets[i], offsets[i + 1]);
    if (owners[i].role !== "kernel") return;
    const layer = arch.layers[owners[i].layer];
    const activation = "activation" in layer ? layer.activation : "linear";
    const kind =
      scheme === "auto" ? (activation === "relu" || activation === "elu" ? "he" : "glorot") : scheme;
    const receptive = entry.shape.slice(0, -2).reduce((a, b) => a * b, 1);
    const fanIn = receptive * entry.shape[entry.shape.length - 2];
    const fanOut = receptive * entry.shape[entry.shape.length - 1];
    const std = Math.sqrt(2 / fanIn);
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    for (let j = offsets[i]; j < offsets[i + 1]; j++) {
      flat[j] = kind === "he" ? rng.normal() * std : (2 * rng.next() - 1) * limit;
    }
  });
  return flat;
}

/** One line, e.g. "14x14x1 conv2d(8, 3x3) maxpool(2x2) flatten dense(32) dense(10)". */
export function layersSummary(arch: LayersArchitecture): string {
  const parts = arch.layers.map((l) => {
    switch (l.type) {
      case "dense":
        return `dense(${l.units}${l.activation === "linear" ? "" : `, ${l.activation}`})`;
      case "conv2d":
        return `conv2d(${l.filters}, ${l.kernelSize.join("x")}${l.strides[0] > 1 || l.strides[1] > 1 ? `/${l.strides.join("x")}` : ""}, ${l.activation})`;
      case "maxPooling2d":
        return `maxpool(${l.poolSize.join("x")})`;
      case "activation":
        return l.activation;
      case "batchNormalization":
        return "batchnorm";
      default:
        return l.type;
    }
  });
  return `${arch.inputShape.join("x")} ${parts.join(" ")}`;
}
