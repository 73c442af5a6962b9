/**
 * Zod schema of model.architecture with kind "onnx" (graph.ts says what each field means), for
 * the snapshot reader. Structure only; the layout is checked against `parameters` by
 * reviewOnnxLayout (layout.ts), and the graph itself is checked again when it runs.
 */
import { z } from "zod";
import { MAX_NODES, MAX_ONNX_VALUES, ONNX_OPERATORS, type OnnxArchitecture } from "./graph";

const dim = z.number().int().nonnegative();
const positiveInt = z.number().int().positive();

const constantSchema = z.strictObject({
  name: z.string(),
  dataType: z.enum(["float32", "int64"]),
  dims: z.array(dim).max(8),
  values: z.array(z.number()).max(MAX_ONNX_VALUES),
});

const attributeSchema = z.union([
  z.number(),
  z.array(z.number()).max(64),
  z.string().max(256),
  constantSchema,
]);

const nodeSchema = z.strictObject({
  op: z.enum(ONNX_OPERATORS),
  name: z.string(),
  inputs: z.array(z.string()).max(64),
  outputs: z.array(z.string()).max(16),
  attributes: z.record(z.string(), attributeSchema),
});

/** model.architecture of an ONNX model (what torch.onnx.export wrote, parsed by core/onnx/parse.ts). */
export const onnxArchitectureSchema = z.looseObject({
  kind: z.literal("onnx"),
  inputName: z.string(),
  outputName: z.string(),
  inputShape: z.array(positiveInt).min(1).max(8),
  inputSize: positiveInt,
  outputSize: positiveInt,
  opset: positiveInt,
  nodes: z.array(nodeSchema).min(1).max(MAX_NODES),
  constants: z.array(constantSchema).max(MAX_NODES),
  parameters: z.array(z.strictObject({ name: z.string(), shape: z.array(dim).max(8) })).max(MAX_NODES),
  droppedOutputOp: z.enum(["Softmax", "LogSoftmax"]).optional(),
  semantics: z.string(),
  source: z.literal("onnx"),
  producer: z.string().optional(),
  batchNorm: z
    .strictObject({ statistics: z.enum(["file", "recompute"]), batchSize: z.number().int().min(2) })
    .optional(),
}) as unknown as z.ZodType<OnnxArchitecture, OnnxArchitecture>;
