/**
 * Quadratic objectives with a known spectrum: the ground truth the curvature routines are checked
 * against, and a toy landscape for teaching (a x^2 in one dimension, an ellipse valley in two).
 *
 *   f(x) = 0.5 x^T A x (+ b . x),   grad f = A x (+ b),   H = A.
 */
import { createRng } from "../rng";
import { tf } from "../tf";
import { type CurvatureObjective, makeFunctionHvp } from "./hvp";

/**
 * A = Q diag(eigenvalues) Q^T with Q a random orthogonal matrix (modified Gram-Schmidt of a seeded
 * Gaussian matrix), row-major n x n in float64, exactly symmetric; also returns Q (columns are the
 * eigenvectors, in the order of `eigenvalues`).
 *
 * @example const { matrix } = matrixWithSpectrum([10, 5, 2, 1, 0.5, -3], 1);
 */
export function matrixWithSpectrum(
  eigenvalues: readonly number[],
  seed: number,
): { matrix: Float64Array; eigenvectors: Float64Array; n: number } {
  const n = eigenvalues.length;
  if (n < 1) throw new Error("matrixWithSpectrum: no eigenvalues");
  for (const l of eigenvalues)
    if (!Number.isFinite(l)) throw new Error(`matrixWithSpectrum: eigenvalue ${l} is not finite`);
  const rng = createRng(seed);
  const q = new Float64Array(n * n); // column k at q[i * n + k]
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) q[i * n + k] = rng.normal();
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < k; j++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += q[i * n + k] * q[i * n + j];
        for (let i = 0; i < n; i++) q[i * n + k] -= d * q[i * n + j];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[i * n + k] ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) q[i * n + k] /= norm;
  }
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k] * eigenvalues[k] * q[j * n + k];
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
  }
  return { matrix: a, eigenvectors: q, n };
}

/**
 * The objective f(x) = 0.5 x^T A x + b . x at theta (A symmetric, row-major n x n; b optional).
 *
 * @example const op = makeQuadraticHvp(matrix, 6, new Float32Array(6)); op.hvp(v); op.dispose();
 */
export function makeQuadraticHvp(
  matrix: ArrayLike<number>,
  n: number,
  theta: Float32Array,
  linear?: ArrayLike<number>,
): CurvatureObjective {
  if (matrix.length !== n * n)
    throw new Error(`makeQuadraticHvp: matrix has ${matrix.length} values, expected ${n * n}`);
  if (theta.length !== n)
    throw new Error(`makeQuadraticHvp: theta has ${theta.length} values, expected ${n}`);
  if (linear && linear.length !== n)
    throw new Error(`makeQuadraticHvp: b has ${linear.length} values, expected ${n}`);
  const a = tf.keep(tf.tensor2d(Float32Array.from(matrix), [n, n]));
  const b = linear ? tf.keep(tf.tensor1d(Float32Array.from(linear))) : null;
  const f = (x: tf.Tensor1D): tf.Scalar => {
    const ax = tf.reshape(tf.matMul(a, tf.reshape(x, [n, 1])), [n]);
    const quad = tf.mul(0.5, tf.sum(tf.mul(x, ax))) as tf.Scalar;
    return b ? tf.add(quad, tf.sum(tf.mul(b, x))) : quad;
  };
  const dispose = () => {
    a.dispose();
    b?.dispose();
  };
  try {
    return makeFunctionHvp(f, theta, { onDispose: dispose });
  } catch (error) {
    dispose();
    throw error;
  }
}
