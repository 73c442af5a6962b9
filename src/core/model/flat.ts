import { tf } from "../tf";
import { assertFlatLength, layoutOffsets } from "./layout";
import type { Layout } from "./types";

/**
 * Split a flat parameter vector into tensors shaped by the layout (row-major, tfjs layout:
 * a Dense kernel is [in, out]). The caller owns (disposes) the returned tensors.
 *
 * @example const [w0, b0] = flatToTensors(theta, mlpLayout(arch));
 */
export function flatToTensors(flat: Float32Array, layout: Layout): tf.Tensor[] {
  assertFlatLength(flat, layout);
  const offsets = layoutOffsets(layout);
  return layout.map((entry, i) =>
    tf.tensor(flat.subarray(offsets[i], offsets[i + 1]), entry.shape, "float32"),
  );
}

/** Concatenate tensors into one flat vector (reads them synchronously; does not dispose them). */
export function tensorsToFlat(tensors: readonly tf.Tensor[], layout: Layout): Float32Array {
  if (tensors.length !== layout.length) {
    throw new Error(`tensorsToFlat: expected ${layout.length} tensors for the layout, got ${tensors.length}`);
  }
  const offsets = layoutOffsets(layout);
  const flat = new Float32Array(offsets[offsets.length - 1]);
  tensors.forEach((t, i) => {
    const expected = layout[i].shape.join(",");
    if (t.shape.join(",") !== expected) {
      throw new Error(`tensorsToFlat: ${layout[i].name} has shape [${t.shape}], layout says [${expected}]`);
    }
    flat.set(t.dataSync() as Float32Array, offsets[i]);
  });
  return flat;
}
