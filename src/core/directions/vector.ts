/** Small float64-accumulating vector helpers on Float32Arrays. */

export function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`dot: lengths differ (${a.length} vs ${b.length})`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function l2norm(a: Float32Array): number {
  return Math.sqrt(dot(a, a));
}

/**
 * Cosine similarity a.b / (|a| |b|); NaN when either vector is zero. Two independent Gaussian
 * directions in D dimensions have cosine about N(0, 1/D): nearly orthogonal for large D.
 *
 * @example cosine(dx, dy) // ~0.01 for D = 4418
 */
export function cosine(a: Float32Array, b: Float32Array): number {
  const na = l2norm(a);
  const nb = l2norm(b);
  return na > 0 && nb > 0 ? dot(a, b) / (na * nb) : Number.NaN;
}

/**
 * The target direction theta2 - theta1: the point at coordinate 1 along it is theta2, so a 1-D
 * landscape over [0, 1] is the linear interpolation between the two models.
 */
export function targetDirection(theta1: Float32Array, theta2: Float32Array): Float32Array {
  if (theta1.length !== theta2.length) {
    throw new Error(`targetDirection: models have ${theta1.length} and ${theta2.length} parameters`);
  }
  const d = new Float32Array(theta1.length);
  for (let i = 0; i < d.length; i++) d[i] = theta2[i] - theta1[i];
  return d;
}

/** theta + sum_k c_k d_k, into `out` (float32). */
export function pointInSubspace(
  origin: Float32Array,
  directions: readonly Float32Array[],
  coords: ArrayLike<number>,
  out = new Float32Array(origin.length),
): Float32Array {
  out.set(origin);
  directions.forEach((d, k) => {
    const c = coords[k];
    if (c !== 0) for (let i = 0; i < out.length; i++) out[i] += c * d[i];
  });
  return out;
}
