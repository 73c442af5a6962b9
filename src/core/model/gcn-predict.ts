/**
 * A GCN's predicted class for every node, in plain float64 JavaScript (no tfjs): the data plot
 * colours the graph's nodes with it on the main thread, where a graph of at most 1000 nodes and a
 * few narrow layers costs well under a millisecond per layer. Same semantics as gcn.ts (sparse
 * A_hat from data/graph.ts); the tfjs forward pass stays the one the numbers come from.
 *
 * @example const classes = gcnPredictions(arch, snapshot.model.parameters); // Int32Array [nodes]
 */
import { normalizedAdjacency } from "../data/graph";
import type { GcnArchitecture } from "./gcn-architecture";

function act(v: number, activation: GcnArchitecture["activation"]): number {
  switch (activation) {
    case "relu":
      return Math.max(0, v);
    case "tanh":
      return Math.tanh(v);
    case "sigmoid":
      return 1 / (1 + Math.exp(-v));
    case "softplus":
      return v > 30 ? v : Math.log1p(Math.exp(v));
    default:
      return v;
  }
}

/**
 * The argmax of each node's logits at parameters `theta` (first class on ties; -1 where a logit is
 * not finite). Throws when theta's length does not fit the architecture.
 */
export function gcnPredictions(arch: GcnArchitecture, theta: ArrayLike<number>): Int32Array {
  const { nodes: n, featureSize, features } = arch.graph;
  const widths = [featureSize, ...arch.hiddenSizes, arch.outputSize];
  let expected = 0;
  for (let l = 0; l + 1 < widths.length; l++) expected += widths[l] * widths[l + 1] + widths[l + 1];
  if (theta.length !== expected)
    throw new Error(`gcnPredictions: ${theta.length} parameters, the GCN has ${expected}`);
  const { rows, cols, values } = normalizedAdjacency(arch.graph);
  let h = Float64Array.from(features);
  let offset = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const [win, wout] = [widths[l], widths[l + 1]];
    const hw = new Float64Array(n * wout);
    for (let i = 0; i < n; i++)
      for (let r = 0; r < win; r++) {
        const v = h[i * win + r];
        if (v === 0) continue;
        const w = offset + r * wout;
        for (let c = 0; c < wout; c++) hw[i * wout + c] += v * theta[w + c];
      }
    const bias = offset + win * wout;
    offset = bias + wout;
    const z = new Float64Array(n * wout);
    for (let i = 0; i < n; i++) for (let c = 0; c < wout; c++) z[i * wout + c] = theta[bias + c];
    for (let k = 0; k < values.length; k++) {
      const [i, j, a] = [rows[k], cols[k], values[k]];
      for (let c = 0; c < wout; c++) z[i * wout + c] += a * hw[j * wout + c];
    }
    const last = l + 2 === widths.length;
    if (!last) for (let k = 0; k < z.length; k++) z[k] = act(z[k], arch.activation);
    h = z;
  }
  const classes = arch.outputSize;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = -1;
    for (let c = 0; c < classes; c++) {
      const v = h[i * classes + c];
      if (!Number.isFinite(v)) {
        best = -1;
        break;
      }
      if (best < 0 || v > h[i * classes + best]) best = c;
    }
    out[i] = best;
  }
  return out;
}
