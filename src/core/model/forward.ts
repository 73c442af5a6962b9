import { onnxForward } from "../onnx/interpret";
import { tf } from "../tf";
import { activate } from "./activation";
import type { ModelArchitecture } from "./architecture";
import { gcnForward } from "./gcn";
import { layersForward } from "./layers-forward";
import { isResidualLayer } from "./mlp";
import type { MlpArchitecture } from "./types";

/**
 * One MLP forward pass: h = x; for each layer l, z = h W_l + b_l; hidden layers apply the
 * activation (residual layers add h back); the last layer is linear.
 *
 * Shapes: x [N, in]; params in layout order [W_0 [in, h0], b_0 [h0], ...]; returns [N, out].
 * Call inside tf.tidy.
 *
 * @example const logits = tf.tidy(() => mlpForward(arch, tensors, x));
 */
export function mlpForward(
  arch: MlpArchitecture,
  params: readonly tf.Tensor[],
  x: tf.Tensor,
  /** The activation op; curvature passes a twice-differentiable one (curvature/twice.ts). */
  act: (z: tf.Tensor, activation: MlpArchitecture["activation"]) => tf.Tensor = activate,
): tf.Tensor {
  const layers = params.length / 2;
  let h = x;
  for (let l = 0; l < layers; l++) {
    const z = tf.add(tf.matMul(h as tf.Tensor2D, params[2 * l] as tf.Tensor2D), params[2 * l + 1]);
    if (l === layers - 1) return z;
    const a = act(z, arch.activation);
    h = isResidualLayer(arch, l) ? tf.add(h, a) : a;
  }
  return h;
}

/** Train-mode BN: the batch's statistics normalize; nothing is recorded (update_bn recomputes later). */
const TRAIN_MODE_BN = { mode: "batch", record() {} } as const;

/**
 * The forward pass of any model kind: mlpForward, layersForward for layer stacks (layers.ts),
 * onnxForward for ONNX graphs (core/onnx/interpret.ts), or gcnForward for GCNs (gcn.ts: x holds
 * node ids).
 * x [N, inputSize] -> [N, outputSize]. Call inside tf.tidy.
 *
 * @example const out = tf.tidy(() => modelForward(arch, flatToTensors(theta, modelLayout(arch)), x));
 */
export function modelForward(
  arch: ModelArchitecture,
  params: readonly tf.Tensor[],
  x: tf.Tensor,
  /** "train": BatchNorm normalizes with the batch's own statistics (PyTorch's train mode); ONNX graphs and layers models have BN. */
  mode: "eval" | "train" = "eval",
): tf.Tensor {
  if (arch.kind === "onnx") return onnxForward(arch, params, x, mode === "train" ? TRAIN_MODE_BN : undefined);
  if (arch.kind === "gcn") return gcnForward(arch, params, x);
  if (arch.kind === "layers")
    return layersForward(arch, params, x, mode === "train" ? TRAIN_MODE_BN : undefined);
  return mlpForward(arch, params, x);
}
