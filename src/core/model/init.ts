import type { Rng } from "../rng";
import { layoutOffsets } from "./layout";
import { mlpLayout } from "./mlp";
import type { Activation, MlpArchitecture } from "./types";

export const INIT_SCHEMES = ["auto", "he", "glorot"] as const;
export type InitScheme = (typeof INIT_SCHEMES)[number];

/** "auto": He for the rectifier family, Glorot for saturating and linear activations. */
function resolveInit(scheme: InitScheme, activation: Activation): "he" | "glorot" {
  if (scheme !== "auto") return scheme;
  return activation === "relu" || activation === "leaky_relu" || activation === "elu" ? "he" : "glorot";
}

/**
 * Initial flat parameters. Kernels [in, out]: "he" draws N(0, 2 / in) (He et al. 2015, normal);
 * "glorot" draws U(-a, a) with a = sqrt(6 / (in + out)) (Glorot and Bengio 2010, uniform).
 * Biases start at 0. Kernels are drawn in layout order from one rng stream.
 *
 * @example const theta = initParameters(arch, "auto", createRng(7));
 */
export function initParameters(arch: MlpArchitecture, scheme: InitScheme, rng: Rng): Float32Array {
  const layout = mlpLayout(arch);
  const offsets = layoutOffsets(layout);
  const flat = new Float32Array(offsets[offsets.length - 1]);
  const kind = resolveInit(scheme, arch.activation);
  layout.forEach((entry, i) => {
    if (entry.shape.length < 2) return;
    const [fanIn, fanOut] = entry.shape;
    const std = Math.sqrt(2 / fanIn);
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    for (let j = offsets[i]; j < offsets[i + 1]; j++) {
      flat[j] = kind === "he" ? rng.normal() * std : (2 * rng.next() - 1) * limit;
    }
  });
  return flat;
}
