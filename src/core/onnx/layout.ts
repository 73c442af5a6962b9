/**
 * The flat parameter vector of an ONNX model: its weights and biases (parse.ts decides which
 * initializers those are), in the file's initializer order, each row-major in its ONNX shape,
 * which is PyTorch's: a Linear weight is [out, in], a Conv weight [out, in / groups, kh, kw].
 * So the slice of a direction named "fc1.weight" reshaped to its shape is the tensor to add to
 * `model.state_dict()["fc1.weight"]`.
 *
 * Each entry of rank >= 2 says `filterAxis: 0`: its filters (the incoming weights of one output
 * unit or channel) are the slices along the FIRST axis, where tfjs layouts have them along the last.
 */
import type { OnnxArchitecture } from "./graph";

/** A layout entry as core/model's Layout has it, plus where its filters run. */
interface OnnxLayoutEntry {
  name: string;
  shape: number[];
  filterAxis?: 0;
}

/** @example onnxLayout(arch) // [{ name: "fc1.weight", shape: [8, 4], filterAxis: 0 }, { name: "fc1.bias", shape: [8] }, ...] */
export function onnxLayout(arch: Pick<OnnxArchitecture, "parameters">): OnnxLayoutEntry[] {
  return arch.parameters.map((p) =>
    p.shape.length >= 2
      ? { name: p.name, shape: [...p.shape], filterAxis: 0 }
      : { name: p.name, shape: [...p.shape] },
  );
}

/**
 * Problems of a stored ONNX model (snapshot review): the layout must be the architecture's
 * parameters, in order, by name and shape; the sizes must agree with the shapes. One
 * `path: message` line each; empty when consistent.
 *
 * @example reviewOnnxLayout(s.model.architecture, s.model.layout) // []
 */
export function reviewOnnxLayout(
  arch: Pick<OnnxArchitecture, "parameters" | "inputShape" | "inputSize">,
  layout: readonly { name: string; shape: number[] }[],
): string[] {
  const problems: string[] = [];
  const text = (s: readonly number[]) => `[${s.join(", ")}]`;
  const size = arch.inputShape.reduce((a, b) => a * b, 1);
  if (size !== arch.inputSize) {
    problems.push(
      `model.architecture.inputSize: ${arch.inputSize}, but inputShape ${text(arch.inputShape)} holds ${size} values`,
    );
  }
  if (layout.length !== arch.parameters.length) {
    problems.push(
      `model.layout: expected ${arch.parameters.length} tensors (model.architecture.parameters), got ${layout.length}`,
    );
  }
  for (let i = 0; i < Math.min(layout.length, arch.parameters.length); i++) {
    const p = arch.parameters[i];
    if (layout[i].name !== p.name) {
      problems.push(
        `model.layout[${i}].name: expected "${p.name}" (model.architecture.parameters), got "${layout[i].name}"`,
      );
    }
    if (text(layout[i].shape) !== text(p.shape)) {
      problems.push(
        `model.layout[${i}].shape: expected ${text(p.shape)} for ${p.name}, got ${text(layout[i].shape)}`,
      );
    }
  }
  return problems;
}
