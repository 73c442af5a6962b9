import { ACTIVATIONS, type Activation, type Layout, LEAKY_RELU_ALPHA, type MlpArchitecture } from "./types";

const RESIDUAL_SEMANTICS =
  "hidden layer l >= 1 whose input and output widths are equal computes h <- h + act(h W_l + b_l); " +
  "other layers compute h <- act(h W_l + b_l); the output layer is linear";

/** Largest width and depth accepted, so a typo cannot ask for gigabytes. */
export const MAX_WIDTH = 4096;
export const MAX_HIDDEN_LAYERS = 32;

interface MlpOptions {
  hiddenSizes: number[];
  activation: Activation;
  residual?: boolean;
}

function checkSize(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${field} must be a positive integer, got ${value}`);
  }
  if (value > MAX_WIDTH) throw new Error(`${field} must be at most ${MAX_WIDTH}, got ${value}`);
}

/**
 * The architecture object written into snapshots, checked.
 *
 * @example makeArchitecture(2, 2, { hiddenSizes: [64, 64], activation: "relu" })
 */
export function makeArchitecture(
  inputSize: number,
  outputSize: number,
  options: MlpOptions,
): MlpArchitecture {
  checkSize(inputSize, "model.inputSize");
  checkSize(outputSize, "model.outputSize");
  if (!Array.isArray(options.hiddenSizes)) throw new Error("model.hiddenSizes must be an array of integers");
  if (options.hiddenSizes.length > MAX_HIDDEN_LAYERS) {
    throw new Error(
      `model.hiddenSizes: at most ${MAX_HIDDEN_LAYERS} hidden layers, got ${options.hiddenSizes.length}`,
    );
  }
  options.hiddenSizes.forEach((h, i) => {
    checkSize(h, `model.hiddenSizes[${i}]`);
  });
  if (!(ACTIVATIONS as readonly string[]).includes(options.activation)) {
    throw new Error(
      `model.activation: unknown activation "${options.activation}"; expected one of ${ACTIVATIONS.join(", ")}`,
    );
  }
  const arch: MlpArchitecture = {
    kind: "mlp",
    inputSize,
    hiddenSizes: [...options.hiddenSizes],
    outputSize,
    activation: options.activation,
    residual: options.residual ?? false,
  };
  if (arch.activation === "leaky_relu") arch.leakyReluAlpha = LEAKY_RELU_ALPHA;
  if (arch.residual) arch.residualSemantics = RESIDUAL_SEMANTICS;
  return arch;
}

/** Layer widths including input and output: [in, h0, ..., out]. */
export function layerWidths(arch: MlpArchitecture): number[] {
  return [arch.inputSize, ...arch.hiddenSizes, arch.outputSize];
}

/** Whether dense layer l (0-based, l < number of layers) adds its input back (residual). */
export function isResidualLayer(arch: MlpArchitecture, l: number): boolean {
  const widths = layerWidths(arch);
  const isHidden = l < widths.length - 2;
  return arch.residual && isHidden && l >= 1 && widths[l] === widths[l + 1];
}

/**
 * The flat vector's layout: dense_l/kernel [in, out] then dense_l/bias [out], for each layer.
 *
 * @example mlpLayout(arch) // [{ name: "dense_0/kernel", shape: [2, 64] }, { name: "dense_0/bias", shape: [64] }, ...]
 */
export function mlpLayout(arch: MlpArchitecture): Layout {
  const widths = layerWidths(arch);
  const layout: Layout = [];
  for (let l = 0; l < widths.length - 1; l++) {
    layout.push({ name: `dense_${l}/kernel`, shape: [widths[l], widths[l + 1]] });
    layout.push({ name: `dense_${l}/bias`, shape: [widths[l + 1]] });
  }
  return layout;
}

/** Multiply-adds of one forward pass for one sample (kernels only). */
export function forwardMacsPerSample(arch: MlpArchitecture): number {
  const w = layerWidths(arch);
  let macs = 0;
  for (let l = 0; l < w.length - 1; l++) macs += w[l] * w[l + 1];
  return macs;
}
