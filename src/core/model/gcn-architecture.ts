/**
 * A GCN's architecture, layout, initialization and summary: plain data and arithmetic, no tfjs,
 * so the config and snapshot readers can check a GCN without loading tfjs. The forward pass and
 * its semantics are gcn.ts's.
 */
import { type GraphData, MAX_GRAPH_NODES } from "../data/graph";
import type { Rng } from "../rng";
import type { InitScheme } from "./init";
import { layoutOffsets } from "./layout";
import { MAX_HIDDEN_LAYERS, MAX_WIDTH } from "./mlp";
import type { Layout } from "./types";

/** Activations of a GCN's hidden layers: the twice-differentiable ones (curvature works on all). */
export const GCN_ACTIVATIONS = ["relu", "tanh", "sigmoid", "softplus", "linear"] as const;
export type GcnActivation = (typeof GCN_ACTIVATIONS)[number];

const GCN_SEMANTICS =
  "H_0 = graph.features [nodes, featureSize]; hidden layer l: H_{l+1} = act(A_hat H_l W_l + b_l); " +
  "output layer: logits = A_hat H W + b (no activation); A_hat = D^-1/2 (A + I) D^-1/2 with A the " +
  "symmetric adjacency of graph.edges (undirected, no self-loops listed) and D the degrees of A + I; " +
  "x holds node ids (one column): the output for sample i is row x_i of the logits";

/**
 * GCN architecture as stored in snapshots (model.architecture, kind "gcn"). inputSize is 1 (a
 * sample is a node id); outputSize the classes; the layer widths are featureSize, hiddenSizes...,
 * outputSize.
 */
export interface GcnArchitecture {
  kind: "gcn";
  /** Always 1: a sample is one node id. */
  inputSize: number;
  hiddenSizes: number[];
  outputSize: number;
  activation: GcnActivation;
  /** The graph every forward pass runs on: nodes, undirected edges, node features. */
  graph: GraphData;
  /** The forward semantics in words (GCN_SEMANTICS). */
  semantics: string;
}

/**
 * The architecture of a GCN on `graph` with `classes` outputs, checked.
 *
 * @example makeGcnArchitecture(dataset.graph, 3, { hiddenSizes: [16], activation: "relu" })
 */
export function makeGcnArchitecture(
  graph: GraphData,
  classes: number,
  options: { hiddenSizes: number[]; activation: GcnActivation },
): GcnArchitecture {
  if (!Number.isInteger(classes) || classes < 1)
    throw new Error(`a GCN needs a positive number of classes, got ${classes}`);
  if (options.hiddenSizes.length > MAX_HIDDEN_LAYERS)
    throw new Error(
      `model.hiddenSizes: at most ${MAX_HIDDEN_LAYERS} hidden layers, got ${options.hiddenSizes.length}`,
    );
  options.hiddenSizes.forEach((h, i) => {
    if (!Number.isInteger(h) || h < 1 || h > MAX_WIDTH)
      throw new Error(`model.hiddenSizes[${i}] must be an integer in [1, ${MAX_WIDTH}], got ${h}`);
  });
  if (!(GCN_ACTIVATIONS as readonly string[]).includes(options.activation))
    throw new Error(
      `model.activation: a GCN takes ${GCN_ACTIVATIONS.join(", ")}, got "${options.activation}"`,
    );
  if (graph.nodes > MAX_GRAPH_NODES)
    throw new Error(`a GCN runs on at most ${MAX_GRAPH_NODES} nodes, the graph has ${graph.nodes}`);
  return {
    kind: "gcn",
    inputSize: 1,
    hiddenSizes: [...options.hiddenSizes],
    outputSize: classes,
    activation: options.activation,
    graph,
    semantics: GCN_SEMANTICS,
  };
}

/** Layer widths [featureSize, ...hiddenSizes, outputSize]. */
function gcnWidths(arch: Pick<GcnArchitecture, "graph" | "hiddenSizes" | "outputSize">): number[] {
  return [arch.graph.featureSize, ...arch.hiddenSizes, arch.outputSize];
}

/**
 * The flat vector's layout: gcn_l/kernel [in, out] then gcn_l/bias [out] for each layer.
 *
 * @example gcnLayout(arch) // [{ name: "gcn_0/kernel", shape: [3, 16] }, { name: "gcn_0/bias", shape: [16] }, ...]
 */
export function gcnLayout(arch: Pick<GcnArchitecture, "graph" | "hiddenSizes" | "outputSize">): Layout {
  const widths = gcnWidths(arch);
  const layout: Layout = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    layout.push({ name: `gcn_${l}/kernel`, shape: [widths[l], widths[l + 1]] });
    layout.push({ name: `gcn_${l}/bias`, shape: [widths[l + 1]] });
  }
  return layout;
}

/**
 * Initial parameters: kernels Glorot uniform U(-a, a), a = sqrt(6 / (in + out)) (Kipf and
 * Welling's choice; "auto" and "glorot"), or He normal N(0, 2 / in) ("he"); biases 0. Kernels in
 * layout order from one rng stream.
 *
 * @example const theta = initGcnParameters(arch, "auto", createRng(7));
 */
export function initGcnParameters(arch: GcnArchitecture, scheme: InitScheme, rng: Rng): Float32Array {
  const layout = gcnLayout(arch);
  const offsets = layoutOffsets(layout);
  const flat = new Float32Array(offsets[offsets.length - 1]);
  layout.forEach((entry, i) => {
    if (entry.shape.length < 2) return;
    const [fanIn, fanOut] = entry.shape;
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const std = Math.sqrt(2 / fanIn);
    for (let j = offsets[i]; j < offsets[i + 1]; j++)
      flat[j] = scheme === "he" ? rng.normal() * std : (2 * rng.next() - 1) * limit;
  });
  return flat;
}

/** One line naming the model, e.g. "GCN 3-16-16-3 relu on 75 nodes, 212 edges". */
export function gcnSummary(arch: GcnArchitecture): string {
  return (
    `GCN ${gcnWidths(arch).join("-")} ${arch.activation} on ${arch.graph.nodes} nodes, ` +
    `${arch.graph.edges.length} edges`
  );
}
