/**
 * A graph convolutional network (Kipf and Welling 2017) on one graph, for node classification:
 *
 *   H_0 = X (the node features, [nodes, featureSize]);
 *   H_{l+1} = act(A_hat H_l W_l + b_l) for the hidden layers, A_hat = D^-1/2 (A + I) D^-1/2;
 *   logits = A_hat H_{L-1} W_{L-1} + b_{L-1} (the last layer has no activation);
 *
 * A the symmetric adjacency of the graph's edges, D the degrees of A + I (data/graph.ts). The
 * architecture carries its graph (edges and features), so that modelForward(arch, params, x)
 * needs nothing else: x holds NODE IDS (one column), and the output for sample i is row x_i of
 * the logits over the whole graph. Everything built on modelForward (the naive landscape
 * evaluator, the tfjs training engine, curvature through the model objective, random and PCA
 * planes) works on it unchanged. Layout: gcn_l/kernel [in, out] and gcn_l/bias [out], layer by
 * layer, in tfjs layout (a filter is a slice along the last axis, as for Dense kernels).
 *
 * The forward pass is built from twice-differentiable ops only (relu, softplus, matMul and
 * twice-ops.ts's tanh and sigmoid), so the generic curvature objective differentiates it exactly.
 *
 * @example const logits = tf.tidy(() => gcnForward(arch, flatToTensors(theta, gcnLayout(arch)), nodeIds));
 */
import { type GraphData, normalizedAdjacency } from "../data/graph";
import { tf } from "../tf";
import { activationTwice } from "../twice-ops";
import type { GcnActivation, GcnArchitecture } from "./gcn-architecture";

/** A_hat dense [nodes, nodes], row-major, per graph object (plain numbers: no tensor outlives a tidy). */
const denseCache = new WeakMap<GraphData, Float32Array>();

/** The dense A_hat of a graph (float32; entries from normalizedAdjacency in float64). */
function denseNormalizedAdjacency(graph: GraphData): Float32Array {
  const cached = denseCache.get(graph);
  if (cached) return cached;
  const n = graph.nodes;
  const dense = new Float32Array(n * n);
  const { rows, cols, values } = normalizedAdjacency(graph);
  for (let k = 0; k < values.length; k++) dense[rows[k] * n + cols[k]] = values[k];
  denseCache.set(graph, dense);
  return dense;
}

function activate(z: tf.Tensor, activation: GcnActivation): tf.Tensor {
  const out = activationTwice(z, activation);
  if (!out) throw new Error(`unknown GCN activation "${activation as string}"`);
  return out;
}

/**
 * The GCN over the whole graph: the logits of every node [nodes, outputSize], or with
 * `embeddings` the last hidden layer's output H_{L-1} [nodes, width] (the node features when
 * there is no hidden layer). Call inside tf.tidy.
 */
export function gcnNodeOutputs(
  arch: GcnArchitecture,
  params: readonly tf.Tensor[],
  embeddings = false,
): tf.Tensor2D {
  const n = arch.graph.nodes;
  const layers = params.length / 2;
  const a = tf.tensor2d(denseNormalizedAdjacency(arch.graph), [n, n]);
  let h: tf.Tensor2D = tf.tensor2d(arch.graph.features, [n, arch.graph.featureSize]);
  for (let l = 0; l < layers; l++) {
    if (embeddings && l === layers - 1) return h;
    // A_hat (H W): the same product as (A_hat H) W, cheaper when the layer narrows.
    const z = tf.add(tf.matMul(a, tf.matMul(h, params[2 * l] as tf.Tensor2D)), params[2 * l + 1]);
    h = (l === layers - 1 ? z : activate(z, arch.activation)) as tf.Tensor2D;
  }
  return h;
}

/**
 * The GCN's outputs for the nodes x names: x [N, 1] node ids -> [N, outputSize], rows of
 * gcnNodeOutputs (an id outside [0, nodes) gives a row of zeros). Call inside tf.tidy.
 *
 * @example const out = tf.tidy(() => gcnForward(arch, params, tf.tensor2d([0, 5, 9], [3, 1])));
 */
export function gcnForward(arch: GcnArchitecture, params: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor {
  // The rows are picked by a one-hot matrix product rather than tf.gather: gather's gradient
  // (UnsortedSegmentSum) has no kernel in tfjs-wasm, and a matMul differentiates twice anywhere.
  const ids = tf.cast(tf.reshape(x, [-1]), "int32");
  // int32 then cast: tfjs-wasm's OneHot with dtype float32 writes zeros.
  const pick = tf.cast(tf.oneHot(ids, arch.graph.nodes), "float32") as tf.Tensor2D;
  return tf.matMul(pick, gcnNodeOutputs(arch, params));
}
