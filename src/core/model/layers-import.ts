/**
 * Import of a tfjs LayersModel: the model.json that `model.save("file://...")` or
 * `tf.io.withSaveHandler` writes (format "layers-model": a Keras-style `modelTopology` and a
 * `weightsManifest`) plus its weight bytes, into a layers architecture (layers.ts), its layout and
 * its flat parameters. Core takes the JSON and the bytes; reading files is the caller's job
 * (src/node/model-files.ts in the CLI).
 *
 * Supported: Sequential models of InputLayer, Dense, Conv2D (valid / same padding, strides,
 * channels_last, no dilation), MaxPooling2D, Flatten, Dropout (identity at evaluation),
 * Activation and BatchNormalization (over the last axis; epsilon, center, scale; gamma and beta
 * become parameters, moving_mean and moving_variance the layer's constants), with activations
 * relu, tanh, sigmoid, elu, softplus, linear and softmax (last layer only); float32 weights.
 * Anything else is refused with the layer's class and name, or the option.
 * Regularizers and constraints are ignored: they do not change the forward pass, and the
 * landscape's loss is the data loss.
 *
 * @example const m = importLayersModel(JSON.parse(text), weightBytes); // { arch, layout, parameters }
 */

import { concatBytes } from "../concat-bytes";
import type { ReadBytes } from "../data/shipped";
import {
  LAYER_ACTIVATIONS,
  type LayerActivation,
  type LayerSpec,
  type LayersArchitecture,
  layerShapes,
  makeLayersArchitecture,
  PADDINGS,
  type Padding,
} from "./layers";
import type { Layout } from "./types";

export interface ImportedLayersModel {
  arch: LayersArchitecture;
  layout: Layout;
  parameters: Float32Array;
}

const SUPPORTED_LAYER_CLASSES = [
  "InputLayer",
  "Dense",
  "Conv2D",
  "MaxPooling2D",
  "Flatten",
  "Dropout",
  "Activation",
  "BatchNormalization",
] as const;

type Json = Record<string, unknown>;

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown) => (v === undefined ? "nothing" : JSON.stringify(v));

function modelObject(modelJson: unknown, source: string): Json {
  if (!isObject(modelJson)) throw new Error(`${source}: not a tfjs model.json (expected a JSON object)`);
  if (modelJson.format !== undefined && modelJson.format !== "layers-model") {
    throw new Error(
      `${source}: format ${show(modelJson.format)} is not supported; only tfjs LayersModels (format "layers-model") can be imported`,
    );
  }
  if (!isObject(modelJson.modelTopology)) {
    throw new Error(`${source}: no modelTopology; is this a tfjs LayersModel's model.json?`);
  }
  return modelJson;
}

/** The weight specs of a model.json (weightsManifest groups, in order) or of saved artifacts (weightSpecs). */
function weightSpecs(model: Json, source: string): WeightSpec[] {
  let specs: unknown[];
  if (Array.isArray(model.weightsManifest)) {
    specs = model.weightsManifest.flatMap((group: unknown, g: number) => {
      if (!isObject(group) || !Array.isArray(group.weights)) {
        throw new Error(`${source}: weightsManifest[${g}] has no weights list`);
      }
      return group.weights;
    });
  } else if (Array.isArray(model.weightSpecs)) {
    specs = model.weightSpecs;
  } else {
    throw new Error(`${source}: no weightsManifest (the list of weight tensors)`);
  }
  return specs.map((s, i) => {
    if (!isObject(s) || typeof s.name !== "string" || !Array.isArray(s.shape)) {
      throw new Error(`${source}: weight ${i} is not { name, shape, dtype }`);
    }
    const shape = s.shape as unknown[];
    if (!shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
      throw new Error(`${source}: weight "${s.name}" has a bad shape ${show(s.shape)}`);
    }
    return {
      name: s.name,
      shape: shape as number[],
      dtype: String(s.dtype ?? "float32"),
      quantization: s.quantization,
    };
  });
}

/**
 * The weight files a model.json names, in the order their bytes are concatenated (paths relative
 * to the model.json's folder).
 *
 * @example weightFiles(json) // ["model.weights.bin"]
 */
function weightFiles(modelJson: unknown, source = "model.json"): string[] {
  const model = modelObject(modelJson, source);
  if (!Array.isArray(model.weightsManifest))
    throw new Error(`${source}: no weightsManifest (the list of weight files)`);
  return model.weightsManifest.flatMap((group: unknown, g: number) => {
    const paths = isObject(group) ? group.paths : undefined;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === "string" && p !== "")) {
      throw new Error(`${source}: weightsManifest[${g}].paths must be a list of file names`);
    }
    return paths as string[];
  });
}

function pair(value: unknown, what: string): [number, number] {
  const v = typeof value === "number" ? [value, value] : value;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(`${what} must be a positive integer or a pair of them, got ${show(value)}`);
  }
  return [v[0], v[1]];
}

function activationOf(value: unknown, where: string): LayerActivation {
  const name = value === undefined || value === null ? "linear" : value;
  if (typeof name === "string" && (LAYER_ACTIVATIONS as readonly string[]).includes(name))
    return name as LayerActivation;
  const text = isObject(name) ? show(name.class_name ?? name) : show(name);
  throw new Error(
    `${where}: activation ${text} is not supported; supported: ${LAYER_ACTIVATIONS.filter((a) => a !== "softmax").join(", ")}, softmax (last layer only)`,
  );
}

function paddingOf(value: unknown, where: string): Padding {
  const p = value ?? "valid";
  if (typeof p === "string" && (PADDINGS as readonly string[]).includes(p)) return p as Padding;
  throw new Error(`${where}: padding ${show(value)} is not supported; supported: valid, same`);
}

function channelsLast(config: Json, where: string): void {
  const format = config.data_format ?? config.dataFormat;
  if (format !== undefined && format !== null && format !== "channels_last") {
    throw new Error(`${where}: data_format ${show(format)} is not supported; only channels_last`);
  }
}

/** [null, 28, 28, 1] -> [28, 28, 1]; throws for unknown (null) sample dimensions. */
function sampleShape(batchShape: unknown, where: string): number[] {
  if (!Array.isArray(batchShape) || batchShape.length < 2) {
    throw new Error(`${where}: batch_input_shape ${show(batchShape)} is not [null, ...sample shape]`);
  }
  const dims = batchShape.slice(1);
  if (!dims.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(
      `${where}: input shape ${show(batchShape)} has unknown or bad sample dimensions; only fixed sizes are supported`,
    );
  }
  return dims as number[];
}

function layerList(topology: Json, source: string): Json[] {
  const top = isObject(topology.model_config) ? topology.model_config : topology;
  const className = top.class_name;
  if (className !== "Sequential") {
    throw new Error(
      `${source}: only Sequential models are supported; this model is ${show(className)} (rebuild it with tf.sequential)`,
    );
  }
  const config = top.config;
  const layers = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(layers) || layers.length === 0)
    throw new Error(`${source}: the Sequential model has no layers`);
  return layers.map((l, i) => {
    if (!isObject(l) || typeof l.class_name !== "string" || !isObject(l.config)) {
      throw new Error(`${source}: layer ${i} is not { class_name, config }`);
    }
    return l;
  });
}

/**
 * A BatchNormalization's axis as one integer: tfjs writes -1, Keras a list of the positive index
 * ([3] for images, counting the batch axis). Checked against the input's rank once shapes are known.
 */
function bnAxis(value: unknown, where: string): number {
  const a =
    value === undefined || value === null
      ? -1
      : Array.isArray(value) && value.length === 1
        ? value[0]
        : value;
  if (!Number.isInteger(a)) {
    throw new Error(`${where}: axis ${show(value)} is not supported; only the last (channels) axis, -1, is`);
  }
  return a as number;
}

/** A BatchNormalization layer's config; its moving statistics are filled from the weights later. */
function batchNormSpec(config: Json, name: string, where: string): LayerSpec {
  for (const [key, ok] of [
    ["renorm", (v: unknown) => v === undefined || v === null || v === false],
    ["virtual_batch_size", (v: unknown) => v === undefined || v === null],
    ["adjustment", (v: unknown) => v === undefined || v === null],
  ] as const) {
    if (!ok(config[key])) throw new Error(`${where}: ${key} ${show(config[key])} is not supported`);
  }
  const epsilon = config.epsilon ?? 1e-3;
  if (typeof epsilon !== "number" || !(epsilon > 0) || !Number.isFinite(epsilon))
    throw new Error(`${where}: epsilon must be a finite number > 0, got ${show(config.epsilon)}`);
  return {
    type: "batchNormalization",
    name,
    epsilon,
    center: config.center !== false,
    scale: config.scale !== false,
    movingMean: [],
    movingVariance: [],
  };
}

/** The layers of a Keras-style Sequential topology, the input shape it states, and each BN layer's axis. */
function parseTopology(
  topology: Json,
  source: string,
): { inputShape: number[]; layers: LayerSpec[]; bnAxes: Map<number, { axis: number; where: string }> } {
  let inputShape: number[] | undefined;
  const layers: LayerSpec[] = [];
  const bnAxes = new Map<number, { axis: number; where: string }>();
  layerList(topology, source).forEach((entry, i) => {
    const className = entry.class_name as string;
    const config = entry.config as Json;
    const name = typeof config.name === "string" && config.name !== "" ? config.name : `layer_${i}`;
    const where = `${source}: layer ${i} "${name}" (${className})`;
    const declared = config.batch_input_shape ?? config.batch_shape ?? config.batchInputShape;
    if (declared !== undefined && declared !== null) {
      if (layers.length > 0)
        throw new Error(`${where}: an input shape on a layer other than the first is not supported`);
      inputShape = sampleShape(declared, where);
    }
    switch (className) {
      case "InputLayer":
        if (i !== 0) throw new Error(`${where}: an InputLayer must be the first layer`);
        if (!inputShape) throw new Error(`${where}: no batch_input_shape`);
        return;
      case "Dense": {
        if (!Number.isInteger(config.units) || (config.units as number) < 1) {
          throw new Error(`${where}: units must be a positive integer, got ${show(config.units)}`);
        }
        layers.push({
          type: "dense",
          name,
          units: config.units as number,
          activation: activationOf(config.activation, where),
          useBias: config.use_bias !== false,
        });
        return;
      }
      case "Conv2D":
      case "Convolution2D": {
        channelsLast(config, where);
        const dilation = pair(config.dilation_rate ?? 1, `${where}: dilation_rate`);
        if (dilation[0] !== 1 || dilation[1] !== 1) {
          throw new Error(`${where}: dilation_rate ${show(config.dilation_rate)} is not supported; only 1`);
        }
        if (config.groups !== undefined && config.groups !== 1) {
          throw new Error(`${where}: groups ${show(config.groups)} is not supported; only 1`);
        }
        if (!Number.isInteger(config.filters) || (config.filters as number) < 1) {
          throw new Error(`${where}: filters must be a positive integer, got ${show(config.filters)}`);
        }
        layers.push({
          type: "conv2d",
          name,
          filters: config.filters as number,
          kernelSize: pair(config.kernel_size, `${where}: kernel_size`),
          strides: pair(config.strides ?? 1, `${where}: strides`),
          padding: paddingOf(config.padding, where),
          activation: activationOf(config.activation, where),
          useBias: config.use_bias !== false,
        });
        return;
      }
      case "MaxPooling2D":
      case "MaxPool2D": {
        channelsLast(config, where);
        const poolSize = pair(config.pool_size ?? 2, `${where}: pool_size`);
        layers.push({
          type: "maxPooling2d",
          name,
          poolSize,
          strides:
            config.strides === null || config.strides === undefined
              ? poolSize
              : pair(config.strides, `${where}: strides`),
          padding: paddingOf(config.padding, where),
        });
        return;
      }
      case "Flatten":
        channelsLast(config, where);
        layers.push({ type: "flatten", name });
        return;
      case "Dropout": {
        const rate = typeof config.rate === "number" ? config.rate : 0;
        layers.push({ type: "dropout", name, rate });
        return;
      }
      case "Activation":
        layers.push({ type: "activation", name, activation: activationOf(config.activation, where) });
        return;
      case "BatchNormalization": {
        const axis = bnAxis(config.axis, where);
        bnAxes.set(layers.length, { axis, where });
        layers.push(batchNormSpec(config, name, where));
        return;
      }
      default:
        throw new Error(
          `${source}: layer ${i} "${name}" is a ${className}, which is not supported; supported layers: ${SUPPORTED_LAYER_CLASSES.join(", ")}`,
        );
    }
  });
  if (!inputShape) {
    throw new Error(
      `${source}: the model does not state its input shape (no InputLayer and no batch_input_shape on its first layer)`,
    );
  }
  if (layers.length === 0) throw new Error(`${source}: the model has no layers besides its input`);
  return { inputShape, layers, bnAxes };
}

/**
 * A tfjs LayersModel as a layers architecture with its flat parameters (layout order: each layer's
 * kernel then bias, matched to the manifest by name). `weights` are the bytes of the weight files
 * in manifest order (one array, or one per file). Throws naming the unsupported layer or option,
 * or the weight that is missing, mis-shaped or of another dtype.
 *
 * @example importLayersModel(JSON.parse(await readFile("model.json", "utf8")), await readFile("model.weights.bin"))
 */
export function importLayersModel(
  modelJson: unknown,
  weights: Uint8Array | readonly Uint8Array[],
  options: { source?: string } = {},
): ImportedLayersModel {
  const source = options.source ?? "model.json";
  const model = modelObject(modelJson, source);
  const { inputShape, layers, bnAxes } = parseTopology(model.modelTopology as Json, source);
  const specs = weightSpecs(model, source);

  const bytes = concatBytes(weights);
  const offsets = new Map<string, { spec: WeightSpec; offset: number }>();
  let offset = 0;
  for (const spec of specs) {
    if (spec.quantization !== undefined && spec.quantization !== null) {
      throw new Error(
        `${source}: weight "${spec.name}" is quantized; only float32 weights are supported (save without quantization)`,
      );
    }
    if (spec.dtype !== "float32") {
      throw new Error(
        `${source}: weight "${spec.name}" has dtype ${spec.dtype}; only float32 weights are supported`,
      );
    }
    offsets.set(spec.name, { spec, offset });
    offset += spec.shape.reduce((a, b) => a * b, 1) * 4;
  }
  if (bytes.length !== offset) {
    throw new Error(
      `${source}: the weight files hold ${bytes.length} bytes, the manifest describes ${offset} (${specs.length} float32 tensors)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const used = new Set<string>();
  /** The weight called `name` (exactly, else under a prefix: Keras's "sequential/dense/kernel"), marked used. */
  const take = (name: string, shape?: readonly number[]): { spec: WeightSpec; values: Float32Array } => {
    const names = [...offsets.keys()].filter((n) => !used.has(n));
    const match = names.find((n) => n === name) ?? names.find((n) => n.endsWith(`/${name}`));
    if (match === undefined) {
      throw new Error(
        `${source}: no weight "${name}"${shape ? ` [${shape.join(", ")}]` : ""} in the manifest; it lists ${specs.map((s) => `"${s.name}"`).join(", ")}`,
      );
    }
    used.add(match);
    const { spec, offset: start } = offsets.get(match) as { spec: WeightSpec; offset: number };
    const values = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
    for (let k = 0; k < values.length; k++) values[k] = view.getFloat32(start + 4 * k, true);
    return { spec, values };
  };
  // A BN layer's moving statistics are constants of its architecture (layers.ts), not parameters.
  for (const layer of layers) {
    if (layer.type !== "batchNormalization") continue;
    layer.movingMean = Array.from(take(`${layer.name}/moving_mean`).values);
    layer.movingVariance = Array.from(take(`${layer.name}/moving_variance`).values);
  }

  // The output size is whatever the stack produces; layerShapes checks that it is a vector.
  let arch: LayersArchitecture;
  try {
    const probe = layerShapes({ inputShape, layers });
    arch = makeLayersArchitecture(
      inputShape,
      probe.shapes[probe.shapes.length - 1][0],
      layers,
      "tfjs-layers",
    );
  } catch (err) {
    throw new Error(`${source}: ${(err as Error).message}`, { cause: err });
  }
  const { layout, shapes } = layerShapes(arch);
  for (const [i, { axis, where }] of bnAxes) {
    // Axes count the batch axis: the channels are the last of rank + 1.
    const rank = shapes[i].length + 1;
    if ((axis < 0 ? axis + rank : axis) !== rank - 1) {
      throw new Error(
        `${where}: axis ${axis} is not supported; only the last (channels) axis, -1 (or ${rank - 1} for its input [batch, ${shapes[i].join(", ")}])`,
      );
    }
  }

  const total = layout.reduce((n, e) => n + e.shape.reduce((a, b) => a * b, 1), 0);
  const parameters = new Float32Array(total);
  let at = 0;
  for (const entry of layout) {
    const { spec, values } = take(entry.name, entry.shape);
    if (spec.shape.join(",") !== entry.shape.join(",")) {
      throw new Error(
        `${source}: weight "${spec.name}" has shape [${spec.shape.join(", ")}], the layers need [${entry.shape.join(", ")}]`,
      );
    }
    parameters.set(values, at);
    at += values.length;
  }
  const unused = specs.filter((s) => !used.has(s.name));
  if (unused.length > 0) {
    throw new Error(
      `${source}: weight "${unused[0].name}" belongs to no supported layer (${unused.length} unused weight tensors)`,
    );
  }
  for (let k = 0; k < parameters.length; k++) {
    if (!Number.isFinite(parameters[k]))
      throw new Error(`${source}: weight value ${parameters[k]} at flat index ${k} is not finite`);
  }
  return { arch, layout, parameters };
}

/**
 * Reads a model.json and its weight files through `read` (paths of weight files are taken relative
 * to the model.json's folder, as tfjs writes them) and imports the model. Errors name the file.
 *
 * @example const m = await loadLayersModel("runs/model.json", (p) => readFile(p));
 */
export async function loadLayersModel(path: string, read: ReadBytes): Promise<ImportedLayersModel> {
  const readNamed = async (file: string, what: string) => {
    try {
      return await read(file);
    } catch (err) {
      throw new Error(`cannot read ${what} ${file}: ${(err as Error).message}`, { cause: err });
    }
  };
  const text = new TextDecoder().decode(await readNamed(path, "model file"));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`model file ${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  const folder = cut >= 0 ? path.slice(0, cut + 1) : "";
  const files = weightFiles(json, path);
  const weights = await Promise.all(
    files.map((f) => readNamed(`${folder}${f}`, `weight file (named by ${path})`)),
  );
  return importLayersModel(json, weights, { source: path });
}
