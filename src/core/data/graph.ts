/**
 * Graphs for node classification (the "graph" task: a GCN, model/gcn.ts, reads them): the graph
 * structure, its checks and the GCN's normalized adjacency. Written here rather than taken from a
 * graph library (graphology is not installed): an edge list, degrees and the non-zeros of one
 * sparse matrix are all a GCN needs.
 *
 * Conventions, the same everywhere (configs, snapshots, the GCN):
 * - nodes are the integers 0 .. nodes - 1;
 * - edges are undirected and listed once each, as [i, j]; [j, i] repeats [i, j];
 * - no self-loops in the input: the GCN adds one to every node itself,
 *   A_hat = D^-1/2 (A + I) D^-1/2 with D the degrees of A + I (Kipf and Welling 2017), so a
 *   self-loop written in the edge list would be counted twice;
 * - node features are [nodes, featureSize] row-major.
 *
 * @example const problems = graphProblems({ nodes: 3, edges: [[0, 1], [1, 1]] }); // ["edges[1]: a self-loop on node 1; ..."]
 */

/** Largest graph accepted: the GCN uses a dense [nodes, nodes] adjacency (4 MB at this size). */
export const MAX_GRAPH_NODES = 1000;
/** Most problems listed for one graph (a broken file would otherwise list thousands). */
const MAX_PROBLEMS = 8;

/** A checked undirected graph with node features (plain arrays: it travels in JSON and to workers). */
export interface GraphData {
  /** Number of nodes; their ids are 0 .. nodes - 1. */
  nodes: number;
  /** Undirected edges, each once as [i, j] with i < j; no self-loops (see the file comment). */
  edges: [number, number][];
  /** Features per node. */
  featureSize: number;
  /** [nodes, featureSize] row-major, float32 values. */
  features: number[];
}

/** A graph as someone wrote it, before the checks (any field may be wrong). */
interface GraphInput {
  nodes: unknown;
  edges: unknown;
  featureSize?: unknown;
  features?: unknown;
  /** One class index per node, when the graph comes with labels. */
  labels?: unknown;
  /** The number of classes the labels index (labels must be integers in [0, classes)). */
  classes?: number;
}

/** A value for a message: numbers as themselves (NaN, Infinity), anything else as JSON. */
const shown = (v: unknown): string => (typeof v === "number" ? String(v) : JSON.stringify(v));

const isId = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

/**
 * Every problem of a graph (at most MAX_PROBLEMS), each starting with its field: a node count
 * that is not a positive integer, edges that are not pairs, non-integer node ids, edges to
 * missing nodes, self-loops, duplicate edges (either direction), features of the wrong length
 * or not finite, and labels missing for a node or outside [0, classes). [] when the graph is good.
 *
 * @example graphProblems({ nodes: 2, edges: [[0, 2]] }) // ["edges[0]: node 2 does not exist (the graph has 2 nodes, ids 0 to 1)"]
 */
export function graphProblems(g: GraphInput, path = ""): string[] {
  const at = (field: string) => (path === "" ? field : `${path}.${field}`);
  const out: string[] = [];
  const add = (line: string) => {
    if (out.length < MAX_PROBLEMS) out.push(line);
  };
  const n = g.nodes;
  if (!isId(n) || n < 1 || n > MAX_GRAPH_NODES) {
    add(`${at("nodes")}: must be an integer in [1, ${MAX_GRAPH_NODES}], got ${shown(n)}`);
    return out;
  }
  if (!Array.isArray(g.edges)) {
    add(`${at("edges")}: must be an array of [i, j] node id pairs`);
  } else {
    const seen = new Map<number, number>();
    g.edges.forEach((e: unknown, k) => {
      const where = `${at("edges")}[${k}]`;
      if (!Array.isArray(e) || e.length !== 2) {
        add(`${where}: must be a pair [i, j] of node ids, got ${JSON.stringify(e)}`);
        return;
      }
      const [i, j] = e as unknown[];
      for (const id of [i, j]) {
        if (!isId(id)) {
          add(`${where}: node id ${shown(id)} is not an integer (nodes are 0 to ${n - 1})`);
          return;
        }
        if (id < 0 || id >= n) {
          add(`${where}: node ${id} does not exist (the graph has ${n} nodes, ids 0 to ${n - 1})`);
          return;
        }
      }
      const a = i as number;
      const b = j as number;
      if (a === b) {
        add(
          `${where}: a self-loop on node ${a}; leave self-loops out: the GCN adds one to every node ` +
            "itself (A_hat = D^-1/2 (A + I) D^-1/2)",
        );
        return;
      }
      const key = Math.min(a, b) * n + Math.max(a, b);
      const first = seen.get(key);
      if (first !== undefined) {
        add(
          `${where}: duplicate of ${at("edges")}[${first}] (${a}-${b}; edges are undirected, so [${b}, ${a}] repeats [${a}, ${b}])`,
        );
        return;
      }
      seen.set(key, k);
    });
  }
  if (g.features !== undefined || g.featureSize !== undefined) {
    const f = g.featureSize;
    if (!isId(f) || f < 1) {
      add(`${at("featureSize")}: must be a positive integer, got ${shown(f)}`);
    } else if (!Array.isArray(g.features) || g.features.length !== n * f) {
      const got = Array.isArray(g.features) ? `${g.features.length} values` : JSON.stringify(g.features);
      add(`${at("features")}: expected ${n * f} values (nodes ${n} x featureSize ${f}), got ${got}`);
    } else {
      const bad = (g.features as unknown[]).findIndex((v) => typeof v !== "number" || !Number.isFinite(v));
      if (bad >= 0)
        add(
          `${at("features")}[${bad}]: ${shown(g.features[bad])} is not a finite number (node ${Math.floor(bad / f)})`,
        );
    }
  }
  if (g.labels !== undefined) {
    const labels = g.labels;
    if (!Array.isArray(labels) && !ArrayBuffer.isView(labels)) {
      add(`${at("labels")}: must be an array with one class index per node`);
    } else {
      const list = labels as ArrayLike<unknown>;
      for (let i = 0; i < n; i++) {
        const v = i < list.length ? list[i] : undefined;
        if (v === undefined || v === null || (typeof v === "number" && Number.isNaN(v))) {
          add(`${at("labels")}[${i}]: node ${i} has no label (every node needs a class index)`);
        } else if (!isId(v) || v < 0 || (g.classes !== undefined && v >= g.classes)) {
          const range = g.classes !== undefined ? `[0, ${g.classes})` : "a non-negative integer";
          add(`${at("labels")}[${i}]: ${shown(v)} is not a class index in ${range}`);
        }
      }
      if (list.length > n) add(`${at("labels")}: ${list.length} labels for ${n} nodes`);
    }
  }
  return out;
}

/**
 * The checked graph: throws one Error listing every problem (graphProblems); edges come back as
 * [min, max] pairs in their given order, features as float32 values.
 *
 * @example const g = checkGraph({ nodes: 3, edges: [[1, 0], [1, 2]], featureSize: 1, features: [0, 1, 2] });
 */
export function checkGraph(g: GraphInput, what = "graph"): GraphData {
  const problems = graphProblems(g);
  if (problems.length > 0) {
    throw new Error(
      `${what}: not a usable graph (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  ${problems.join("\n  ")}`,
    );
  }
  const nodes = g.nodes as number;
  const edges = (g.edges as [number, number][]).map(
    ([i, j]): [number, number] => [Math.min(i, j), Math.max(i, j)] as [number, number],
  );
  const featureSize = (g.featureSize as number | undefined) ?? nodes;
  // Featureless graphs get the identity (one-hot node ids), as Kipf and Welling do on the karate club.
  const features = g.features ? (g.features as number[]).map((v) => Math.fround(v)) : identityFeatures(nodes);
  return { nodes, edges, featureSize, features };
}

/** One-hot node ids as features: [nodes, nodes], the identity. */
function identityFeatures(nodes: number): number[] {
  const out = new Array<number>(nodes * nodes).fill(0);
  for (let i = 0; i < nodes; i++) out[i * nodes + i] = 1;
  return out;
}

/** Degrees of A + I: 1 + the number of edges at each node. */
function selfLoopDegrees(g: Pick<GraphData, "nodes" | "edges">): Float64Array {
  const d = new Float64Array(g.nodes).fill(1);
  for (const [i, j] of g.edges) {
    d[i] += 1;
    d[j] += 1;
  }
  return d;
}

/** The non-zeros of a sparse matrix, in three parallel arrays. */
interface SparseEntries {
  rows: Int32Array;
  cols: Int32Array;
  values: Float64Array;
}

/**
 * The non-zeros of the GCN's propagation matrix A_hat = D^-1/2 (A + I) D^-1/2 (Kipf and Welling
 * 2017, the renormalization trick): 1 / d_i on the diagonal, 1 / sqrt(d_i d_j) at (i, j) and
 * (j, i) for every edge, d the degrees of A + I. Diagonal entries first, then both entries of
 * each edge in edge order.
 *
 * @example normalizedAdjacency({ nodes: 2, edges: [[0, 1]] }).values // [0.5, 0.5, 0.5, 0.5]
 */
export function normalizedAdjacency(g: Pick<GraphData, "nodes" | "edges">): SparseEntries {
  const d = selfLoopDegrees(g);
  const nnz = g.nodes + 2 * g.edges.length;
  const rows = new Int32Array(nnz);
  const cols = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  for (let i = 0; i < g.nodes; i++) {
    rows[i] = i;
    cols[i] = i;
    values[i] = 1 / d[i];
  }
  let k = g.nodes;
  for (const [i, j] of g.edges) {
    const v = 1 / Math.sqrt(d[i] * d[j]);
    rows[k] = i;
    cols[k] = j;
    values[k++] = v;
    rows[k] = j;
    cols[k] = i;
    values[k++] = v;
  }
  return { rows, cols, values };
}

/**
 * The normalized Dirichlet energy of node embeddings H [nodes, width] on the graph:
 *
 *   E(H) = tr(H^T (I - A_hat) H) / tr(H^T H)
 *        = sum over edges (i, j) of ||h_i / sqrt(d_i) - h_j / sqrt(d_j)||^2 / sum_i ||h_i||^2,
 *
 * d the degrees of A + I (the self-loops cancel). In [0, 2); 0 when every row is the same vector
 * scaled by sqrt(d_i), the one direction that repeated propagation by A_hat leaves standing: the
 * measure of oversmoothing of Cai and Wang (2020) and Rusch et al. (2023), divided by the squared
 * norm so that it does not change when the embeddings are scaled. NaN for all-zero embeddings.
 *
 * @example dirichletEnergy({ nodes: 2, edges: [[0, 1]] }, new Float64Array([1, 1]), 1) // 0: the two nodes agree
 */
export function dirichletEnergy(
  g: Pick<GraphData, "nodes" | "edges">,
  h: ArrayLike<number>,
  width: number,
): number {
  if (h.length !== g.nodes * width)
    throw new Error(`dirichletEnergy: ${h.length} values for ${g.nodes} nodes x width ${width}`);
  const d = selfLoopDegrees(g);
  let energy = 0;
  for (const [i, j] of g.edges) {
    const si = 1 / Math.sqrt(d[i]);
    const sj = 1 / Math.sqrt(d[j]);
    for (let c = 0; c < width; c++) {
      const diff = h[i * width + c] * si - h[j * width + c] * sj;
      energy += diff * diff;
    }
  }
  let norm = 0;
  for (let k = 0; k < h.length; k++) norm += h[k] * h[k];
  return norm > 0 ? energy / norm : Number.NaN;
}
