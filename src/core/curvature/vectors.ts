/**
 * Flat-vector helpers for the Krylov loops (power iteration, Lanczos, Hutchinson). Vectors are
 * Float32Arrays (what tfjs hands back); every reduction accumulates in float64.
 */
import { dot, l2norm } from "../directions/vector";
import type { Rng } from "../rng";

export { dot, l2norm };

/** y <- y + a x, in place; returns y. */
export function axpy(y: Float32Array, a: number, x: Float32Array): Float32Array {
  if (x.length !== y.length) throw new Error(`axpy: lengths differ (${y.length} vs ${x.length})`);
  for (let i = 0; i < y.length; i++) y[i] += a * x[i];
  return y;
}

/** v / ||v|| in place; returns the norm it had (0 leaves v as it was: a zero vector has no direction). */
export function normalizeInPlace(v: Float32Array): number {
  const n = l2norm(v);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return n;
}

/**
 * Modified Gram-Schmidt: v <- v - sum_k (v . q_k) q_k against unit vectors q_k, in place.
 * Returns v.
 */
export function orthogonalizeInPlace(v: Float32Array, basis: readonly Float32Array[]): Float32Array {
  for (const q of basis) axpy(v, -dot(v, q), q);
  return v;
}

/** A standard normal vector N(0, I) of length n. */
export function gaussianVector(n: number, rng: Rng): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal();
  return v;
}

/** A Rademacher vector (entries +1 or -1 with probability 1/2 each) of length n. */
export function rademacherVector(n: number, rng: Rng): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.next() < 0.5 ? -1 : 1;
  return v;
}

/**
 * Fix an eigenvector's arbitrary sign: aligned with `reference` when given (so a tracked vector
 * does not flip between calls), else with its largest-magnitude entry positive. In place.
 */
export function fixSign(v: Float32Array, reference?: Float32Array): Float32Array {
  let s: number;
  if (reference && reference.length === v.length) {
    s = dot(v, reference);
  } else {
    let k = 0;
    for (let i = 1; i < v.length; i++) if (Math.abs(v[i]) > Math.abs(v[k])) k = i;
    s = v[k] ?? 0;
  }
  if (s < 0) for (let i = 0; i < v.length; i++) v[i] = -v[i];
  return v;
}
