/**
 * Function-preserving rescaling of an MLP (Dinh et al. 2017, "Sharp minima can generalize for
 * deep nets"). ReLU, leaky ReLU and the identity are positively homogeneous:
 * act(c z) = c act(z) for every c > 0. So multiplying hidden layer l's kernel W_l and bias b_l by
 * c multiplies its output h_{l+1} by c, and dividing the next kernel W_{l+1} by c undoes it:
 *
 *   (c act(h W_l + b_l)) (W_{l+1} / c) + b_{l+1} = act(h W_l + b_l) W_{l+1} + b_{l+1}.
 *
 * The network computes the same function (same predictions, same loss on any data), but its
 * parameters are elsewhere, and the raw Hessian there is very different: the curvature along
 * W_l shrinks by c^2 and along W_{l+1} grows by c^2, so lambda_max is not a property of the
 * function. Filter-normalized directions (Li et al. 2018) scale with the filters, so the
 * filter-normalized landscape of the rescaled network is identical.
 *
 * Refused: non-homogeneous activations (tanh, sigmoid, elu, softplus), the output layer (it has
 * no activation and no next layer) and residual layers on either side (h + act(z) is not
 * homogeneous in the layer's own weights). Pure arithmetic on the flat vector, no tfjs.
 *
 * @example const theta2 = rescaleParameters(arch, theta, { layer: 0, factor: 4 });
 */
import { assertFlatLength, layoutOffsets } from "./layout";
import { mlpLayout } from "./mlp";
import type { Activation, MlpArchitecture } from "./types";

/** Hidden layer `layer` (0-based) times `factor`, the next layer's kernel divided by it. */
export interface Rescale {
  layer: number;
  factor: number;
}

/** Activations with act(c z) = c act(z) for all c > 0. */
const HOMOGENEOUS_ACTIVATIONS: readonly Activation[] = ["relu", "leaky_relu", "linear"];

/** What the check needs: known from the config before training (no input or output size). */
interface RescaleModel {
  hiddenSizes: readonly number[];
  activation: Activation;
  residual: boolean;
}

/**
 * Why `rescale` cannot preserve the function of this model, or null when it can. Each message
 * starts with the field it is about (`rescale.layer`, `rescale.factor`, `rescale`).
 *
 * @example rescaleProblem({ hiddenSizes: [8], activation: "tanh", residual: false }, { layer: 0, factor: 4 })
 */
export function rescaleProblem(model: RescaleModel, rescale: Rescale): string | null {
  const hidden = model.hiddenSizes.length;
  if (!(Number.isFinite(rescale.factor) && rescale.factor > 0))
    return `rescale.factor: must be a finite number > 0, got ${rescale.factor}`;
  if (!Number.isInteger(rescale.layer) || rescale.layer < 0 || rescale.layer >= hidden) {
    return hidden === 0
      ? "rescale.layer: the model has no hidden layer to rescale (model.hiddenSizes is empty)"
      : `rescale.layer: must be a hidden layer index in [0, ${hidden - 1}] (the output layer has no activation), got ${rescale.layer}`;
  }
  if (!HOMOGENEOUS_ACTIVATIONS.includes(model.activation)) {
    return (
      `rescale: needs a positively homogeneous activation (${HOMOGENEOUS_ACTIVATIONS.join(", ")}), ` +
      `got ${model.activation}: act(c z) != c act(z), so the rescaled network would compute a different function`
    );
  }
  if (model.residual) {
    // Layer l (l >= 1) is residual when its input and output widths are equal (mlp.ts).
    const l = rescale.layer;
    const sizes = model.hiddenSizes;
    const ownResidual = l >= 1 && sizes[l - 1] === sizes[l];
    const nextResidual = l + 1 < hidden && sizes[l] === sizes[l + 1];
    if (ownResidual || nextResidual) {
      return (
        `rescale.layer: layer ${ownResidual ? l : l + 1} is a residual layer (h + act(z)), ` +
        "which is not homogeneous in its weights; rescaling it would change the function"
      );
    }
  }
  return null;
}

/**
 * A copy of theta with hidden layer `layer`'s kernel and bias multiplied by `factor` and layer
 * `layer + 1`'s kernel divided by it (its bias is untouched). Throws rescaleProblem's message
 * when the rescaling would not preserve the function.
 *
 * @example rescaleParameters(arch, theta, { layer: 0, factor: 4 })
 */
export function rescaleParameters(
  arch: MlpArchitecture,
  theta: Float32Array,
  rescale: Rescale,
): Float32Array {
  const problem = rescaleProblem(arch, rescale);
  if (problem) throw new Error(problem);
  const layout = mlpLayout(arch);
  assertFlatLength(theta, layout, "rescale: parameters");
  const offsets = layoutOffsets(layout);
  const l = rescale.layer;
  const c = rescale.factor;
  const out = theta.slice();
  // Layout entries: 2l = dense_l/kernel, 2l + 1 = dense_l/bias, 2l + 2 = dense_{l+1}/kernel.
  for (let i = offsets[2 * l]; i < offsets[2 * l + 2]; i++) out[i] = theta[i] * c;
  for (let i = offsets[2 * l + 2]; i < offsets[2 * l + 3]; i++) out[i] = theta[i] / c;
  return out;
}
