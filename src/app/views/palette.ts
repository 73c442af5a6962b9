/**
 * Class colours of the data plot (Tableau 10) and the decision-boundary image: each pixel takes
 * the colour of its most probable class, more opaque the more confident the model is. Pure.
 */
import { schemeTableau10 } from "d3-scale-chromatic";
import { parseColor } from "../../scene/scale";

export const CLASS_COLORS: readonly string[] = schemeTableau10;
const CLASS_RGB = CLASS_COLORS.map(parseColor);

/** CSS colour of class k (the palette repeats after 10 classes). */
export function classColor(k: number): string {
  return CLASS_COLORS[mod(k, CLASS_COLORS.length)];
}

export function classRgb(k: number): readonly [number, number, number] {
  return CLASS_RGB[mod(k, CLASS_RGB.length)];
}

function mod(k: number, n: number): number {
  const i = Math.trunc(k) % n;
  return Number.isFinite(i) ? (i + n) % n : 0;
}

/**
 * Index of the largest finite value among values[offset .. offset + count), first on ties;
 * -1 when none is finite.
 *
 * @example argmax(new Float32Array([0.2, 0.7, 0.1]), 0, 3) // 1
 */
export function argmax(values: ArrayLike<number>, offset: number, count: number): number {
  let best = -1;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < count; k++) {
    const v = values[offset + k];
    if (Number.isFinite(v) && (best < 0 || v > bestValue)) {
      best = k;
      bestValue = v;
    }
  }
  return best;
}

/**
 * Confidence in [0, 1] of a winning probability p among `classes`: 0 at chance (1 / classes),
 * 1 when certain.
 */
export function confidence(p: number, classes: number): number {
  if (!Number.isFinite(p)) return 0;
  if (classes <= 1) return 1;
  const chance = 1 / classes;
  return Math.min(1, Math.max(0, (p - chance) / (1 - chance)));
}

/**
 * RGBA pixels [res, res, 4] of class probabilities [res * res, classes] (row j of the grid is
 * y_j, growing upwards, so it lands in image row res - 1 - j). Alpha = maxAlpha * confidence.
 *
 * @example boundaryRgba(probabilities, 96, 3) // Uint8ClampedArray(96 * 96 * 4)
 */
export function boundaryRgba(
  probabilities: Float32Array,
  resolution: number,
  classes: number,
  maxAlpha = 0.6,
  out?: Uint8ClampedArray,
): Uint8ClampedArray {
  if (!Number.isInteger(resolution) || resolution < 1)
    throw new Error(`boundary resolution must be a positive integer, got ${resolution}`);
  if (!Number.isInteger(classes) || classes < 1)
    throw new Error(`boundary needs a positive integer number of classes, got ${classes}`);
  const points = resolution * resolution;
  if (probabilities.length !== points * classes)
    throw new Error(
      `boundary has ${probabilities.length} probabilities, expected ${resolution} x ${resolution} x ${classes} = ${points * classes}`,
    );
  const rgba = out && out.length === points * 4 ? out : new Uint8ClampedArray(points * 4);
  // argmax, confidence and classRgb inlined: this runs on the main thread as a result lands,
  // before the optimizing compiler has seen it (35 ms for one picture with the calls).
  const palette = CLASS_RGB.length;
  const chance = 1 / classes;
  for (let j = 0; j < resolution; j++) {
    const row = (resolution - 1 - j) * resolution;
    for (let i = 0; i < resolution; i++) {
      const base = (j * resolution + i) * classes;
      let k = -1;
      let best = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < classes; c++) {
        const v = probabilities[base + c];
        if (Number.isFinite(v) && (k < 0 || v > best)) {
          k = c;
          best = v;
        }
      }
      const p = (row + i) * 4;
      if (k < 0) {
        rgba[p] = rgba[p + 1] = rgba[p + 2] = rgba[p + 3] = 0;
        continue;
      }
      const rgb = CLASS_RGB[k % palette];
      rgba[p] = rgb[0];
      rgba[p + 1] = rgb[1];
      rgba[p + 2] = rgb[2];
      const sure = classes <= 1 ? 1 : Math.min(1, Math.max(0, (best - chance) / (1 - chance)));
      rgba[p + 3] = Math.round(255 * maxAlpha * sure);
    }
  }
  return rgba;
}
