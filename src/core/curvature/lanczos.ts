/**
 * The Lanczos process with full reorthogonalization, shared by the spectral density (stochastic
 * Lanczos quadrature) and the Lanczos route to extreme eigenvalues.
 *
 * After m steps from a unit vector q_1, Q_m^T H Q_m = T_m, the symmetric tridiagonal matrix with
 * diagonal alpha_1..alpha_m and off-diagonal beta_1..beta_{m-1}:
 *   w = H q_j - alpha_j q_j - beta_{j-1} q_{j-1},  alpha_j = q_j . H q_j,  beta_j = ||w||,  q_{j+1} = w / beta_j.
 * In exact arithmetic the q_j are orthonormal; in float32 they are not, so w is re-orthogonalized
 * against every previous q (twice: "twice is enough"), as PyHessian's density does (once).
 * The eigenvalues of T_m (Ritz values) approximate H's extreme eigenvalues first; the squared
 * first components of T_m's eigenvectors are the Gauss quadrature weights of q_1's spectral
 * measure (Golub and Meurant; Ghorbani et al. 2019).
 */
import { symmetricEigen } from "../directions/pca";
import type { HessianOperator } from "./hvp";
import { assertInteger, type LoopOptions, makeTicker } from "./loop";
import { axpy, dot, l2norm, normalizeInPlace, orthogonalizeInPlace } from "./vectors";

interface LanczosRun {
  /** Diagonal of T (length = steps). */
  alpha: Float64Array;
  /** Off-diagonal of T (length = steps - 1). */
  beta: Float64Array;
  /** The orthonormal Lanczos vectors q_1..q_steps. */
  basis: Float32Array[];
  /** Steps actually taken: fewer than asked when an invariant subspace was found (breakdown). */
  steps: number;
  /** True when beta fell to float32 noise: the Ritz values are then exact eigenvalues of H restricted to the Krylov space. */
  breakdown: boolean;
  /** ||w|| after the last step: the beta_m that would come next (float32 noise after a breakdown). */
  residual: number;
}

/** Relative size of beta (against the largest |alpha| or beta seen) treated as an exact breakdown. */
const BREAKDOWN_TOLERANCE = 1e-5;

/**
 * m steps of Lanczos with full reorthogonalization from `start` (normalized here). Capped at the
 * operator's dimension. Progress reports (step, alpha_step).
 *
 * @example const run = await lanczos(op, rademacherVector(op.dimension, rng), 100);
 */
export async function lanczos(
  op: HessianOperator,
  start: Float32Array,
  steps: number,
  options: LoopOptions = {},
): Promise<LanczosRun> {
  if (start.length !== op.dimension) {
    throw new Error(`lanczos: start vector has length ${start.length}, the operator ${op.dimension}`);
  }
  assertInteger(steps, 1, "lanczos: steps");
  const m = Math.min(steps, op.dimension);
  const tick = makeTicker(options.signal);
  const q = Float32Array.from(start);
  if (normalizeInPlace(q) === 0) throw new Error("lanczos: the start vector is zero");
  const basis: Float32Array[] = [q];
  const alpha: number[] = [];
  const beta: number[] = [];
  let scale = 0;
  let breakdown = false;
  let residual = 0;
  for (let j = 0; j < m; j++) {
    await tick();
    const qj = basis[j];
    const w = op.hvp(qj);
    const a = dot(w, qj);
    alpha.push(a);
    scale = Math.max(scale, Math.abs(a));
    options.onProgress?.(j + 1, a);
    axpy(w, -a, qj);
    if (j > 0) axpy(w, -beta[j - 1], basis[j - 1]);
    orthogonalizeInPlace(w, basis);
    orthogonalizeInPlace(w, basis);
    const b = l2norm(w);
    residual = b;
    if (j === m - 1) break;
    // NaN fails the comparison too, and ends the run instead of spreading.
    if (!(b > BREAKDOWN_TOLERANCE * scale)) {
      breakdown = true;
      break;
    }
    scale = Math.max(scale, b);
    beta.push(b);
    for (let i = 0; i < w.length; i++) w[i] /= b;
    basis.push(w);
  }
  return {
    alpha: Float64Array.from(alpha),
    beta: Float64Array.from(beta),
    basis,
    steps: alpha.length,
    breakdown,
    residual,
  };
}

interface RitzPairs {
  /** Eigenvalues of T, descending. */
  values: Float64Array;
  /** Squared first components of T's eigenvectors (sum to 1): the quadrature weights. */
  weights: Float64Array;
  /** T's eigenvectors as columns of a row-major steps x steps matrix (same order as values). */
  vectors: Float64Array;
}

/** Eigen-decomposition of the tridiagonal T of a Lanczos run (Jacobi; T is at most a few hundred wide). */
export function ritzPairs(run: Pick<LanczosRun, "alpha" | "beta">): RitzPairs {
  const m = run.alpha.length;
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    t[i * m + i] = run.alpha[i];
    if (i < m - 1) {
      t[i * m + i + 1] = run.beta[i];
      t[(i + 1) * m + i] = run.beta[i];
    }
  }
  const { values, vectors } = symmetricEigen(t, m);
  const weights = new Float64Array(m);
  for (let k = 0; k < m; k++) weights[k] = vectors[k] ** 2;
  return { values, weights, vectors };
}

/** The Ritz vector Q s of T's k-th eigenvector s (unit norm), as a flat parameter-space vector. */
export function ritzVector(run: LanczosRun, ritz: RitzPairs, k: number): Float32Array {
  const m = run.steps;
  const out = new Float32Array(run.basis[0].length);
  for (let j = 0; j < m; j++) axpy(out, ritz.vectors[j * m + k], run.basis[j]);
  normalizeInPlace(out);
  return out;
}

/**
 * Residual of the k-th Ritz pair: ||H y - theta y|| = |beta_m s_{m,k}| (beta_m = run.residual,
 * s_{m,k} the last component of T's k-th eigenvector). Near zero after a breakdown (the pair is exact).
 */
export function ritzResidual(run: LanczosRun, ritz: RitzPairs, k: number): number {
  const m = run.steps;
  return Math.abs(run.residual * ritz.vectors[(m - 1) * m + k]);
}
