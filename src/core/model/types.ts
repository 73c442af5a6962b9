/** Activation functions of hidden layers (the output layer is always linear). */
export const ACTIVATIONS = ["relu", "leaky_relu", "tanh", "sigmoid", "elu", "softplus", "linear"] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** Slope of leaky_relu for negative inputs; stated in every architecture object. */
export const LEAKY_RELU_ALPHA = 0.01;

export type LossKind = "cross-entropy" | "mse";

/**
 * MLP architecture as stored in snapshots.
 *
 * Forward: h = x; for each layer l: z = h W_l + b_l (W_l is [in, out]); hidden layers apply
 * the activation. With residual = true, a hidden layer whose input and output widths are
 * equal (every hidden layer after the first one of equal width) computes h <- h + act(z)
 * instead of h <- act(z). The last layer gives logits (classification) or outputs (regression).
 */
export interface MlpArchitecture {
  kind: "mlp";
  inputSize: number;
  hiddenSizes: number[];
  outputSize: number;
  activation: Activation;
  /** Present when activation is leaky_relu. */
  leakyReluAlpha?: number;
  residual: boolean;
  /** Plain-words statement of the residual semantics, written into snapshots. */
  residualSemantics?: string;
}

/** One tensor of the flat parameter vector, in order. */
export interface LayoutEntry {
  name: string;
  shape: number[];
  /**
   * Where a kernel's filters (the incoming weights of one output unit or channel) run: absent, the
   * slices along the LAST axis (tfjs: Dense [in, out], Conv2D [kh, kw, in, out]); 0, the slices
   * along the FIRST axis (ONNX / PyTorch: Linear [out, in], Conv [out, in, kh, kw]).
   */
  filterAxis?: 0;
}

export type Layout = LayoutEntry[];
