import { layoutOffsets } from "../model/layout";
import type { Layout } from "../model/types";

export const NORMALIZATIONS = ["filter", "layer", "model", "none"] as const;
export type Normalization = (typeof NORMALIZATIONS)[number];
export const BIAS_MODES = ["zero", "copy"] as const;
export type BiasMode = (typeof BIAS_MODES)[number];

/**
 * Norm of the slice of `v` that holds column j of a row-major tensor with `cols` columns,
 * starting at `offset`: the incoming weights of one output unit / channel (a "filter").
 */
function filterNorm(v: Float32Array, offset: number, size: number, cols: number, j: number): number {
  let s = 0;
  for (let i = offset + j; i < offset + size; i += cols) s += v[i] * v[i];
  return Math.sqrt(s);
}

function norm(v: Float32Array, from = 0, to = v.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/** Scale that maps norm `dn` to norm `tn`; 0 when either is 0 (a zero filter gives a zero slice, never NaN). */
function ratio(tn: number, dn: number): number {
  return dn > 0 && tn > 0 ? tn / dn : 0;
}

/**
 * Normalize a direction in place against theta (Li et al. 2018, and the reference code's
 * normalize_directions_for_weights):
 * - "filter": for every tensor of rank >= 2, each slice along its LAST axis (in tfjs layout, all
 *   incoming weights of one output unit or channel) is rescaled to the Frobenius norm of the same
 *   slice of theta: d_j <- d_j * ||theta_j|| / ||d_j||. An entry with filterAxis 0 (ONNX models,
 *   PyTorch layout [out, in, ...]) has its filters along the FIRST axis instead.
 * - "layer": each tensor of rank >= 2 rescaled to that tensor's norm in theta.
 * - "model": the direction (biases after the bias rule) rescaled as one vector to ||theta||.
 * - "none": left as drawn.
 * Bias rule for every 1-D tensor: "zero" sets it to 0, "copy" sets it equal to theta's (the
 * reference code's behaviour when biases are not ignored). Norms are accumulated in float64.
 *
 * @example normalizeDirection(d, theta, layout, "filter", "zero");
 */
export function normalizeDirection(
  direction: Float32Array,
  theta: Float32Array,
  layout: Layout,
  normalization: Normalization,
  bias: BiasMode,
): Float32Array {
  if (direction.length !== theta.length) {
    throw new Error(`direction has ${direction.length} values, theta has ${theta.length}`);
  }
  const offsets = layoutOffsets(layout);
  if (offsets[offsets.length - 1] !== theta.length) {
    throw new Error(`layout describes ${offsets[offsets.length - 1]} values, theta has ${theta.length}`);
  }
  const isVector = (i: number) => layout[i].shape.length <= 1;
  layout.forEach((entry, i) => {
    const from = offsets[i];
    const to = offsets[i + 1];
    if (isVector(i)) {
      for (let k = from; k < to; k++) direction[k] = bias === "zero" ? 0 : theta[k];
      return;
    }
    if (normalization === "filter" && entry.filterAxis === 0) {
      // PyTorch layout (ONNX models): filter j is the contiguous block of row j along the first axis.
      const rows = entry.shape[0];
      const block = (to - from) / rows;
      for (let j = 0; j < rows; j++) {
        const a = from + j * block;
        const s = ratio(norm(theta, a, a + block), norm(direction, a, a + block));
        for (let k = a; k < a + block; k++) direction[k] = s === 0 ? 0 : direction[k] * s;
      }
    } else if (normalization === "filter") {
      const cols = entry.shape[entry.shape.length - 1];
      const size = to - from;
      for (let j = 0; j < cols; j++) {
        const s = ratio(filterNorm(theta, from, size, cols, j), filterNorm(direction, from, size, cols, j));
        for (let k = from + j; k < to; k += cols) direction[k] = s === 0 ? 0 : direction[k] * s;
      }
    } else if (normalization === "layer") {
      const s = ratio(norm(theta, from, to), norm(direction, from, to));
      for (let k = from; k < to; k++) direction[k] = s === 0 ? 0 : direction[k] * s;
    }
  });
  if (normalization === "model") {
    // With bias "copy" the copied biases are excluded from the scaling, so they equal theta's exactly.
    const scaled = (i: number) => !isVector(i) || bias === "zero";
    let dn = 0;
    layout.forEach((_, i) => {
      if (scaled(i)) dn += norm(direction, offsets[i], offsets[i + 1]) ** 2;
    });
    const s = ratio(norm(theta), Math.sqrt(dn));
    layout.forEach((_, i) => {
      if (!isVector(i))
        for (let k = offsets[i]; k < offsets[i + 1]; k++) direction[k] = s === 0 ? 0 : direction[k] * s;
    });
  }
  return direction;
}
