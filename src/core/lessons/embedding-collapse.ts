/**
 * How far a GCN's node embeddings have collapsed (oversmoothing), from its snapshot alone: the
 * last hidden layer's output H [nodes, width] at the snapshot's parameters (model/gcn.ts), and two
 * scale-free numbers of it:
 *
 * - dirichletEnergy: tr(H^T (I - A_hat) H) / tr(H^T H) (data/graph.ts), the graph's own measure
 *   of how much neighbouring embeddings differ (Cai and Wang 2020; Rusch et al. 2023). 0 when every
 *   row is one vector scaled by sqrt(degree + 1), where repeated propagation by A_hat leads.
 * - rankOneResidual: 1 - sigma_1^2 / sum_k sigma_k^2, the share of ||H||_F^2 outside H's top
 *   singular direction. 0 when every node's embedding is a multiple of one vector, whatever the
 *   multiples: it sees the collapse onto the degree direction and the one onto a constant vector
 *   that the biases of a ReLU GCN pull towards (which the Dirichlet energy above counts as
 *   "different" wherever degrees differ). This is the rank collapse of Roth and Liebig (2023).
 *
 * @example const c = embeddingCollapse(snapshot); // { dirichletEnergy: 0.18, rankOneResidual: 0.27 } for a 2-layer GCN
 */
import { dirichletEnergy } from "../data/graph";
import { symmetricEigen } from "../directions/pca";
import { flatToTensors } from "../model/flat";
import { gcnNodeOutputs } from "../model/gcn";
import type { Snapshot } from "../snapshot/schema";
import { tf } from "../tf";

/** Jacobi up to this size; the power method for the top eigenvalue of larger Gram matrices. */
const JACOBI_MAX = 64;

/** The largest eigenvalue of a symmetric positive semi-definite n x n matrix. */
function topEigenvalue(gram: Float64Array, n: number): number {
  if (n <= JACOBI_MAX) return symmetricEigen(gram, n).values[0];
  let v = new Float64Array(n).fill(1 / Math.sqrt(n));
  let lambda = 0;
  for (let it = 0; it < 2000; it++) {
    const w = new Float64Array(n);
    for (let a = 0; a < n; a++) {
      let sum = 0;
      for (let b = 0; b < n; b++) sum += gram[a * n + b] * v[b];
      w[a] = sum;
    }
    let norm = 0;
    for (let a = 0; a < n; a++) norm += w[a] * w[a];
    norm = Math.sqrt(norm);
    if (norm === 0) return 0;
    const converged = Math.abs(norm - lambda) <= 1e-12 * norm;
    lambda = norm;
    v = w.map((x) => x / norm);
    if (converged) break;
  }
  return lambda;
}

/**
 * 1 - sigma_1^2 / ||H||_F^2 of a [rows, width] row-major matrix (the float64 Gram matrix of the
 * smaller side, H^T H or H H^T, which share their non-zero eigenvalues); NaN for an all-zero matrix.
 *
 * @example rankOneResidual(new Float32Array([1, 2, 2, 4]), 2) // 0: the rows are parallel
 */
export function rankOneResidual(h: ArrayLike<number>, width: number): number {
  const rows = h.length / width;
  const byColumns = width <= rows;
  const n = byColumns ? width : rows;
  const gram = new Float64Array(n * n);
  const at = (r: number, c: number) => h[r * width + c];
  for (let a = 0; a < n; a++)
    for (let b = a; b < n; b++) {
      let sum = 0;
      if (byColumns) for (let r = 0; r < rows; r++) sum += at(r, a) * at(r, b);
      else for (let c = 0; c < width; c++) sum += at(a, c) * at(b, c);
      gram[a * n + b] = sum;
      gram[b * n + a] = sum;
    }
  let total = 0;
  for (let a = 0; a < n; a++) total += gram[a * n + a];
  if (!(total > 0)) return Number.NaN;
  return Math.max(0, 1 - topEigenvalue(gram, n) / total);
}

/** The collapse numbers of a GCN snapshot's last hidden layer; null for other model kinds. */
export function embeddingCollapse(s: Snapshot): { dirichletEnergy: number; rankOneResidual: number } | null {
  const arch = s.model.architecture;
  if (arch.kind !== "gcn") return null;
  const h = tf.tidy(() => gcnNodeOutputs(arch, flatToTensors(s.model.parameters, s.model.layout), true));
  try {
    const values = h.dataSync() as Float32Array;
    const width = h.shape[1];
    return {
      dirichletEnergy: dirichletEnergy(arch.graph, values, width),
      rankOneResidual: rankOneResidual(values, width),
    };
  } finally {
    h.dispose();
  }
}
