/**
 * The forward pass of an ONNX model: the graph's nodes evaluated in order (the file's order is
 * topological; parse.ts checks it) over tfjs tensors. The parameters come in as tensors in
 * arch.parameters order (the flat vector split by onnxLayout), so tf.grad / tf.variableGrads
 * differentiate the loss with respect to every weight and bias; running statistics and shape
 * constants are the file's values.
 *
 * Shapes: x [N, inputSize] (data rows) is reshaped to [N, ...inputShape] (NCHW for images);
 * returns [N, outputSize], the logits (a final Softmax / LogSoftmax was dropped by parse.ts).
 * Call inside tf.tidy.
 */
import { tf } from "../tf";
import type { OnnxArchitecture } from "./graph";
import { type BatchNormMode, constantValue, isInts, type OnnxValue, runNode } from "./ops";

/**
 * @example const logits = tf.tidy(() => onnxForward(arch, flatToTensors(theta, onnxLayout(arch)), x));
 */
export function onnxForward(
  arch: OnnxArchitecture,
  params: readonly tf.Tensor[],
  x: tf.Tensor,
  /** BatchNormalization with the file's running statistics (default) or the batch's own (batch-norm.ts). */
  bn?: BatchNormMode,
): tf.Tensor2D {
  if (params.length !== arch.parameters.length) {
    throw new Error(
      `onnxForward: expected ${arch.parameters.length} parameter tensors, got ${params.length}`,
    );
  }
  const n = x.shape[0];
  if (x.size !== n * arch.inputSize) {
    throw new Error(
      `onnxForward: input [${x.shape.join(", ")}] does not hold ${arch.inputSize} values per sample`,
    );
  }
  const values = new Map<string, OnnxValue>();
  values.set(arch.inputName, tf.reshape(x, [n, ...arch.inputShape]));
  for (const c of arch.constants) values.set(c.name, constantValue(c));
  arch.parameters.forEach((p, i) => {
    const t = params[i];
    if (t.shape.join(",") !== p.shape.join(",")) {
      throw new Error(
        `onnxForward: parameter ${p.name} has shape [${t.shape.join(", ")}], expected [${p.shape.join(", ")}]`,
      );
    }
    values.set(p.name, t);
  });
  for (const node of arch.nodes) {
    const inputs = node.inputs.map((name) => {
      if (name === "") return undefined;
      const v = values.get(name);
      if (v === undefined) throw new Error(`node "${node.name}" (${node.op}): input "${name}" has no value`);
      return v;
    });
    const outputs = runNode(node, inputs, arch.opset, bn);
    node.outputs.forEach((name, i) => {
      if (name !== "" && outputs[i] !== undefined) values.set(name, outputs[i]);
    });
  }
  const out = values.get(arch.outputName);
  if (out === undefined || isInts(out))
    throw new Error(`the output "${arch.outputName}" was not computed as a float tensor`);
  if (out.rank !== 2 || out.shape[0] !== n) {
    throw new Error(`the model's output has shape [${out.shape.join(", ")}]; it must be [batch, outputs]`);
  }
  return out as tf.Tensor2D;
}
