import {
  type LayerActivation,
  type LayerSpec,
  type LayersArchitecture,
  makeLayersArchitecture,
  type Padding,
} from "./layers";

/**
 * The config's small CNNs (model.kind "cnn"), built as a layers model (layers.ts): for each conv
 * entry a conv2d (filters, kernel x kernel, stride, padding, the activation) followed by a
 * maxPooling2d of pool x pool when pool > 1; then flatten, a dense layer with the activation for
 * each entry of `dense`, and a linear dense output layer (logits or regression outputs).
 * Layer names: conv2d_0, max_pooling2d_0, ..., flatten, dense_0, ..., dense_out.
 *
 * @example makeCnnArchitecture([14, 14, 1], 10, { conv: [{ filters: 8, kernel: 3 }], dense: [32], activation: "relu" })
 */
interface CnnConv {
  filters: number;
  kernel: number;
  stride?: number;
  padding?: Padding;
  /** Max-pooling window (and stride) after the convolution; 1 for none. Default 2. */
  pool?: number;
}

interface CnnOptions {
  conv: readonly CnnConv[];
  dense: readonly number[];
  activation: Exclude<LayerActivation, "softmax">;
}

/** [H, W] or [H, W, C] as [H, W, C]; throws for data that are not images. */
export function imageShape(
  inputShape: readonly number[] | undefined,
  inputSize: number,
): [number, number, number] {
  if (inputShape?.length === 3) return [inputShape[0], inputShape[1], inputShape[2]];
  if (inputShape?.length === 2) return [inputShape[0], inputShape[1], 1];
  throw new Error(
    `model.kind "cnn" needs image data (samples of shape [height, width, channels], e.g. the digits dataset, ` +
      `or a file dataset with inputShape); these samples are vectors of ${inputSize} values`,
  );
}

export function makeCnnArchitecture(
  inputShape: readonly number[],
  outputSize: number,
  options: CnnOptions,
): LayersArchitecture {
  const layers: LayerSpec[] = [];
  options.conv.forEach((c, i) => {
    const stride = c.stride ?? 1;
    layers.push({
      type: "conv2d",
      name: `conv2d_${i}`,
      filters: c.filters,
      kernelSize: [c.kernel, c.kernel],
      strides: [stride, stride],
      padding: c.padding ?? "same",
      activation: options.activation,
      useBias: true,
    });
    const pool = c.pool ?? 2;
    if (pool > 1) {
      layers.push({
        type: "maxPooling2d",
        name: `max_pooling2d_${i}`,
        poolSize: [pool, pool],
        strides: [pool, pool],
        padding: "valid",
      });
    }
  });
  layers.push({ type: "flatten", name: "flatten" });
  options.dense.forEach((units, i) => {
    layers.push({ type: "dense", name: `dense_${i}`, units, activation: options.activation, useBias: true });
  });
  layers.push({ type: "dense", name: "dense_out", units: outputSize, activation: "linear", useBias: true });
  try {
    return makeLayersArchitecture([...inputShape], outputSize, layers, "cnn");
  } catch (err) {
    throw new Error(`model: ${(err as Error).message}`, { cause: err });
  }
}
