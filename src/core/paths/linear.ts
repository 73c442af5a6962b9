import { assertFiniteNumber, assertFiniteVector, assertInteger, assertSameLength } from "./check";

/**
 * Linear interpolation between two parameter vectors: w(alpha) = (1 - alpha) theta_a + alpha theta_b.
 * alpha = 0 is theta_a, alpha = 1 is theta_b; alpha outside [0, 1] extrapolates.
 * Between two trained models this is the linear mode connectivity path (Frankle et al. 2020,
 * Ainsworth et al. 2023); from an initialization to the solution it trained to, the same
 * function gives Goodfellow, Vinyals and Saxe (2015)'s "qualitatively characterizing" plot.
 *
 * @example const mid = interpolate(thetaA, thetaB, 0.5);
 */
export function interpolate(
  a: Float32Array,
  b: Float32Array,
  alpha: number,
  out = new Float32Array(a.length),
): Float32Array {
  assertSameLength([a, b], ["theta_a", "theta_b"]);
  assertFiniteNumber(alpha, "alpha");
  if (out.length !== a.length)
    throw new Error(`interpolate: output has ${out.length} values, need ${a.length}`);
  for (let i = 0; i < a.length; i++) out[i] = (1 - alpha) * a[i] + alpha * b[i];
  return out;
}

/** Default alpha range of a linear path: a margin of half the segment on both sides. */
export const DEFAULT_ALPHA_RANGE = { min: -0.5, max: 1.5, count: 41 } as const;

/**
 * Sorted alpha values: `count` equally spaced values from min to max (min + i (max - min) / (count - 1)),
 * plus 0 and 1 when they are not already grid points (so the endpoints, which every barrier needs,
 * are always evaluated). Needs min <= 0, max >= 1 and count >= 2.
 *
 * @example alphaGrid(-0.5, 1.5, 21) // -0.5, -0.4, ..., 1.5 (0 and 1 included)
 */
export function alphaGrid(min: number, max: number, count: number): Float32Array {
  assertFiniteNumber(min, "alpha min");
  assertFiniteNumber(max, "alpha max");
  assertInteger(count, 2, "alpha count");
  if (min > 0 || max < 1) {
    throw new Error(`the alpha range must contain [0, 1] (the two endpoints), got [${min}, ${max}]`);
  }
  const values: number[] = [];
  for (let i = 0; i < count; i++) values.push(i === count - 1 ? max : min + (i * (max - min)) / (count - 1));
  for (const end of [0, 1]) {
    if (!values.some((v) => Math.abs(v - end) <= 1e-9)) values.push(end);
  }
  values.sort((x, y) => x - y);
  // Snap values within 1e-9 of an endpoint onto it, so barriers find L(0) and L(1) exactly.
  return Float32Array.from(values, (v) => (Math.abs(v) <= 1e-9 ? 0 : Math.abs(v - 1) <= 1e-9 ? 1 : v));
}

/**
 * Coefficient rows [(1 - alpha_i), alpha_i] for many alphas: [P, 2] row-major, the coordinates of
 * a subspace problem with origin 0 and the two endpoints as directions.
 *
 * @example linearCoefficientRows(new Float32Array([0, 0.5, 1])) // [1, 0, 0.5, 0.5, 0, 1]
 */
export function linearCoefficientRows(alphas: ArrayLike<number>): Float32Array {
  const rows = new Float32Array(alphas.length * 2);
  for (let i = 0; i < alphas.length; i++) {
    const a = alphas[i];
    assertFiniteNumber(a, `alpha[${i}]`);
    rows[2 * i] = 1 - a;
    rows[2 * i + 1] = a;
  }
  return rows;
}

/** Throws unless a, b are finite vectors of equal length (named in the message). */
export function assertEndpoints(a: Float32Array, b: Float32Array, names: [string, string]): void {
  assertSameLength([a, b], names);
  assertFiniteVector(a, names[0]);
  assertFiniteVector(b, names[1]);
}
