import { layoutOffsets } from "../model/layout";
import type { Layout } from "../model/types";

interface TrajectoryPca {
  /** The two principal directions, unit norm, in parameter space. */
  directions: [Float32Array, Float32Array];
  /** Fraction of the checkpoints' variance each direction explains. */
  explained: [number, number];
  /** [n, 2] row-major: each checkpoint's coordinates (theta_i - theta_final) . d_k. */
  coords: Float32Array;
}

/**
 * Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations (float64).
 * Returns eigenvalues (descending) and eigenvectors as columns of a row-major n x n matrix.
 */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] ** 2;
    if (off < 1e-22 * (1 + m.reduce((s, x) => s + x * x, 0))) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p];
          const mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k];
          const mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[j * n + j] - m[i * n + i]);
  const values = Float64Array.from(order, (i) => m[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src];
  });
  return { values, vectors };
}

/**
 * The plane of an optimizer's path (Li et al. 2018, as the reference code's setup_PCA_directions
 * and project_trajectory do): rows m_i = theta_i - theta_final for every checkpoint (1-D tensors
 * zeroed when ignoreBias, the reference's ignore='biasbn'), PCA with centring (sklearn's PCA:
 * the mean row is subtracted), the top two components as unit directions (sign fixed as sklearn's
 * svd_flip: the largest-magnitude entry of each left singular vector is positive), and each
 * checkpoint projected as x_ik = m_i . d_k (the directions have unit norm).
 * Computed through the n x n Gram matrix, so D can be large while n stays small.
 *
 * @example const { directions, explained, coords } = trajectoryPca(checkpoints, theta, layout, true);
 */
export function trajectoryPca(
  checkpoints: readonly Float32Array[],
  theta: Float32Array,
  layout: Layout,
  ignoreBias: boolean,
): TrajectoryPca {
  const n = checkpoints.length;
  if (n < 3) throw new Error(`PCA of a trajectory needs at least 3 checkpoints, got ${n}`);
  const d = theta.length;
  const offsets = layoutOffsets(layout);
  const keep = new Uint8Array(d).fill(1);
  if (ignoreBias) {
    layout.forEach((e, i) => {
      if (e.shape.length <= 1) keep.fill(0, offsets[i], offsets[i + 1]);
    });
  }
  const rows = checkpoints.map((c, i) => {
    if (c.length !== d) throw new Error(`checkpoint ${i} has ${c.length} values, theta has ${d}`);
    const r = new Float64Array(d);
    for (let j = 0; j < d; j++) r[j] = keep[j] ? c[j] - theta[j] : 0;
    return r;
  });
  const mean = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += r[j] / n;
  const centred = rows.map((r) => r.map((x, j) => x - mean[j]));
  const gram = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let s = 0;
      const ra = centred[a];
      const rb = centred[b];
      for (let j = 0; j < d; j++) s += ra[j] * rb[j];
      gram[a * n + b] = s;
      gram[b * n + a] = s;
    }
  }
  const { values, vectors } = symmetricEigen(gram, n);
  const total = values.reduce((s, x) => s + Math.max(0, x), 0);
  if (!(total > 0))
    throw new Error("the checkpoints do not move: PCA of a trajectory needs at least two distinct points");
  const directions = [0, 1].map((k) => {
    // svd_flip: make the largest-magnitude entry of u_k positive.
    let big = 0;
    for (let i = 0; i < n; i++) if (Math.abs(vectors[i * n + k]) > Math.abs(big)) big = vectors[i * n + k];
    const sign = big < 0 ? -1 : 1;
    const dir = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const u = sign * vectors[i * n + k];
      const r = centred[i];
      for (let j = 0; j < d; j++) dir[j] += u * r[j];
    }
    const norm = Math.sqrt(dir.reduce((s, x) => s + x * x, 0));
    return Float32Array.from(dir, (x) => (norm > 0 ? x / norm : 0));
  }) as [Float32Array, Float32Array];
  const coords = new Float32Array(n * 2);
  rows.forEach((r, i) => {
    for (let k = 0; k < 2; k++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += r[j] * directions[k][j];
      coords[i * 2 + k] = s;
    }
  });
  const explained: [number, number] = [Math.max(0, values[0]) / total, Math.max(0, values[1]) / total];
  return { directions, explained, coords };
}

/**
 * A grid range that holds a projected path with a margin on every side (a fraction of the larger
 * span), so the path never runs off the plotted plane.
 */
export function rangeAround(
  coords: Float32Array,
  margin = 0.25,
): { x: [number, number]; y: [number, number] } {
  let [x0, x1, y0, y1] = [0, 0, 0, 0];
  for (let i = 0; i < coords.length; i += 2) {
    x0 = Math.min(x0, coords[i]);
    x1 = Math.max(x1, coords[i]);
    y0 = Math.min(y0, coords[i + 1]);
    y1 = Math.max(y1, coords[i + 1]);
  }
  const pad = margin * Math.max(x1 - x0, y1 - y0, 1e-6);
  return { x: [x0 - pad, x1 + pad], y: [y0 - pad, y1 + pad] };
}
