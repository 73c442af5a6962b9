/**
 * An .onnx file -> a checked OnnxArchitecture and its parameters (the centre of a landscape). The
 * bytes are parsed (parse.ts), then one forward pass over a zero sample runs every node once, so a
 * shape that does not fit fails here, naming the node, and gives outputSize.
 */
import { tf } from "../tf";
import type { OnnxArchitecture } from "./graph";
import { onnxForward } from "./interpret";
import { parseOnnx } from "./parse";

interface ImportedOnnxModel {
  arch: OnnxArchitecture;
  parameters: Float32Array;
  /** What the user should know about the file (parse.ts notes). */
  notes: string[];
}

/** Split a flat vector by the architecture's parameter shapes (the caller disposes the tensors). */
export function onnxParameterTensors(
  arch: Pick<OnnxArchitecture, "parameters">,
  flat: Float32Array,
): tf.Tensor[] {
  let offset = 0;
  const tensors = arch.parameters.map((p) => {
    const size = p.shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(flat.subarray(offset, offset + size), p.shape, "float32");
    offset += size;
    return t;
  });
  if (offset !== flat.length) {
    for (const t of tensors) t.dispose();
    throw new Error(`the ONNX model has ${offset} parameter values, the vector ${flat.length}`);
  }
  return tensors;
}

/**
 * @example const { arch, parameters } = importOnnxModel(readFileSync("net.onnx"));
 */
export function importOnnxModel(bytes: Uint8Array): ImportedOnnxModel {
  const parsed = parseOnnx(bytes);
  const outputSize = tf.tidy(() => {
    const params = onnxParameterTensors(parsed.arch, parsed.parameters);
    const probe = { ...parsed.arch, outputSize: 0 } as OnnxArchitecture;
    return onnxForward(probe, params, tf.zeros([1, parsed.arch.inputSize])).shape[1];
  });
  return { arch: { ...parsed.arch, outputSize }, parameters: parsed.parameters, notes: parsed.notes };
}

/** Read a model file through the caller's reader (the CLI: the file system; the app: picked bytes). */
export async function loadOnnxModel(
  path: string,
  readBytes: (path: string) => Promise<Uint8Array>,
): Promise<ImportedOnnxModel> {
  const bytes = await readBytes(path);
  try {
    return importOnnxModel(bytes);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}
