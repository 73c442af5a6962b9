/**
 * ONNX models (what torch.onnx.export writes) as the lab stores them: model.architecture with
 * kind "onnx". The graph is kept as plain JSON (nodes, attributes, the constant initializers), so a
 * snapshot rebuilds the function without the .onnx file; the parameters (the float initializers
 * that are weights or biases) live in the flat vector, named by their ONNX names and in their ONNX
 * (PyTorch) shapes, so a direction maps back onto `model.state_dict()` key by key.
 *
 * This folder sits below core/model: it imports tfjs and onnx-proto only.
 */

/** An attribute value as stored: numbers, number lists, a string, or a tensor (Constant's value). */
export type OnnxAttribute = number | number[] | string | OnnxConstant;

/** One graph node: operator, name, input and output value names (an empty input name is "absent"). */
export interface OnnxNode {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, OnnxAttribute>;
}

/** A constant tensor: a non-parameter initializer (BN running statistics, shapes) or a Constant's value. */
export interface OnnxConstant {
  name: string;
  /** "float32" (also for float64 / float16 sources, converted) or "int64" (also int32 / int8 / uint8 / bool). */
  dataType: "float32" | "int64";
  dims: number[];
  values: number[];
}

/**
 * An ONNX model as stored in snapshots (model.architecture with kind "onnx").
 *
 * @example { kind: "onnx", inputName: "x", outputName: "logits", inputShape: [4], inputSize: 4, outputSize: 3, opset: 17, nodes: [...], constants: [...], parameters: [{ name: "fc1.weight", shape: [8, 4] }, ...], semantics: ONNX_SEMANTICS, source: "onnx" }
 */
export interface OnnxArchitecture {
  kind: "onnx";
  /** The graph input the data feeds (its first axis is the batch). */
  inputName: string;
  /** The graph output read as the model's output (before a dropped final Softmax / LogSoftmax). */
  outputName: string;
  /** One sample's shape without the batch axis, in ONNX order (NCHW: [channels, height, width]). */
  inputShape: number[];
  inputSize: number;
  outputSize: number;
  /** The default domain's opset version the graph was exported with. */
  opset: number;
  nodes: OnnxNode[];
  constants: OnnxConstant[];
  /** The parameters in flat-vector order: ONNX initializer names and shapes (PyTorch order). */
  parameters: { name: string; shape: number[] }[];
  /** A final Softmax or LogSoftmax the file had, removed so the output is the logits. */
  droppedOutputOp?: "Softmax" | "LogSoftmax";
  /** Plain-words statement of the forward pass (ONNX_SEMANTICS). */
  semantics: string;
  source: "onnx";
  /** The file's producer, e.g. "pytorch 2.13.0". */
  producer?: string;
  /**
   * How the BN running statistics are taken at an evaluated point (batch-norm.ts); absent: the
   * constants as they are ("file"). Set from the config's model.bnStatistics.
   */
  batchNorm?: { statistics: "file" | "recompute"; batchSize: number };
}

/** Every operator the interpreter runs (ops.ts); any other is refused naming it and its node. */
export const ONNX_OPERATORS = [
  "Gemm",
  "MatMul",
  "Add",
  "Sub",
  "Mul",
  "Div",
  "Neg",
  "Relu",
  "LeakyRelu",
  "Tanh",
  "Sigmoid",
  "Elu",
  "Softplus",
  "Conv",
  "MaxPool",
  "AveragePool",
  "GlobalAveragePool",
  "Flatten",
  "Reshape",
  "Transpose",
  "Concat",
  "BatchNormalization",
  "ReduceMean",
  "Dropout",
  "Identity",
  "Constant",
  "Softmax",
  "LogSoftmax",
] as const;
export type OnnxOperator = (typeof ONNX_OPERATORS)[number];

/** Default-domain opset versions accepted (torch.onnx.export writes 9 to 20; the fixtures use 17). */
export const MIN_OPSET = 9;
export const MAX_OPSET = 22;

/** Limits so a bad file cannot ask for gigabytes or loop for ever. */
export const MAX_NODES = 4096;
export const MAX_ONNX_VALUES = 16 * 1024 * 1024;

export const ONNX_SEMANTICS =
  "an ONNX graph (torch.onnx.export) run node by node with tfjs ops in ONNX semantics: data rows are reshaped to " +
  "[N, ...inputShape] (NCHW for images), Gemm / MatMul / Conv with PyTorch-layout weights (Gemm B [out, in] with " +
  "transB = 1, Conv W [out, in / group, kh, kw]), BatchNormalization in inference mode with the file's running " +
  "statistics (constants, never perturbed), Dropout the identity. A final Softmax / LogSoftmax is not applied: the " +
  "output is the logits, and cross-entropy on them equals the categorical cross-entropy of the softmax output. " +
  "Flat vector: the float initializers that are weights or biases (not running statistics), in the file's " +
  "initializer order, by ONNX name, row-major in their ONNX shapes";

/** Number of elements of a shape. */
export function shapeProduct(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** One line naming the model, e.g. "4 -> 3: Gemm Relu Gemm". */
export function onnxSummary(arch: OnnxArchitecture): string {
  const ops = arch.nodes.map((n) => n.op).filter((op) => op !== "Identity" && op !== "Constant");
  const shown = ops.length > 12 ? [...ops.slice(0, 12), `... (${ops.length} nodes)`] : ops;
  return `${arch.inputShape.join("x")} -> ${arch.outputSize}: ${shown.join(" ")}`;
}
