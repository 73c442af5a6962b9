import type { Layout } from "../model/types";
import { createRng } from "../rng";
import { type BiasMode, type Normalization, normalizeDirection } from "./normalize";

interface RandomDirectionOptions {
  normalization: Normalization;
  bias: BiasMode;
  seed: number;
}

/**
 * A Gaussian random direction d ~ N(0, I) (never uniform [0, 1)), drawn in layout order from
 * the seed, then normalized against theta.
 *
 * @example const dx = randomDirection(theta, layout, { normalization: "filter", bias: "zero", seed: 1 });
 */
export function randomDirection(
  theta: Float32Array,
  layout: Layout,
  options: RandomDirectionOptions,
): Float32Array {
  const rng = createRng(options.seed);
  const d = new Float32Array(theta.length);
  for (let i = 0; i < d.length; i++) d[i] = rng.normal();
  return normalizeDirection(d, theta, layout, options.normalization, options.bias);
}
