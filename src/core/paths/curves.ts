import { assertFiniteNumber, assertFiniteVector, assertInteger, assertSameLength } from "./check";

/**
 * Parametric curves between two parameter vectors (Garipov et al. 2018, "Loss Surfaces, Mode
 * Connectivity, and Fast Ensembling of DNNs"; reference code: timgaripov/dnn-mode-connectivity,
 * curves.py).
 *
 * A curve with k bends has K = k + 2 points theta_0 = theta1 (start), theta_1..theta_k (bends),
 * theta_{k+1} = theta2 (end), and is w(t) = sum_j c_j(t) theta_j for t in [0, 1], where the
 * coefficients c_j(t) are >= 0 and sum to 1 for every t:
 *
 * - "bezier": Bernstein polynomials of degree n = k + 1, c_j(t) = C(n, j) t^j (1 - t)^(n - j).
 *   With one bend (the default, Garipov's quadratic Bezier):
 *   w(t) = (1 - t)^2 theta1 + 2 t (1 - t) theta_b + t^2 theta2.
 * - "polychain": the broken line through theta1, bend 1, ..., bend k, theta2 with the points at
 *   equally spaced t_j = j / (k + 1): on [t_j, t_{j+1}] w is the linear interpolation between
 *   theta_j and theta_{j+1}. So with 3 bends (at t = 0.25, 0.5, 0.75), w(0.5) is bend 2.
 *
 * In both, w(0) = theta1 and w(1) = theta2 exactly (the coefficients there are one-hot).
 */
export const CURVE_KINDS = ["bezier", "polychain"] as const;
export type CurveKind = (typeof CURVE_KINDS)[number];

/** Throws unless kind is a known curve kind. */
export function assertCurveKind(kind: string): asserts kind is CurveKind {
  if (!(CURVE_KINDS as readonly string[]).includes(kind)) {
    throw new Error(`unknown curve kind "${kind}"; expected one of ${CURVE_KINDS.join(", ")}`);
  }
}

/** Throws unless bends is an integer >= 1 (a curve needs at least one free point). */
export function assertBends(bends: number): void {
  if (!Number.isInteger(bends) || bends < 1) {
    throw new Error(`bends must be an integer >= 1, got ${bends}`);
  }
}

function binomials(n: number): Float64Array {
  const c = new Float64Array(n + 1);
  c[0] = 1;
  for (let j = 1; j <= n; j++) c[j] = (c[j - 1] * (n - j + 1)) / j;
  return c;
}

/**
 * The coefficients c_0(t) .. c_{k+1}(t) of a curve with `bends` bends at one t in [0, 1],
 * ordered [theta1, bend 1, ..., bend k, theta2]. They sum to 1.
 *
 * @example curveCoefficients("bezier", 1, 0.5) // Float64Array [0.25, 0.5, 0.25]
 */
export function curveCoefficients(
  kind: CurveKind,
  bends: number,
  t: number,
  out: Float64Array = new Float64Array(bends + 2),
): Float64Array {
  assertCurveKind(kind);
  assertBends(bends);
  assertFiniteNumber(t, "curve parameter t");
  if (t < 0 || t > 1) throw new Error(`curve parameter t must be in [0, 1], got ${t}`);
  if (out.length !== bends + 2)
    throw new Error(`coefficient buffer has ${out.length} slots, need ${bends + 2}`);
  out.fill(0);
  const n = bends + 1;
  if (kind === "bezier") {
    const binom = binomials(n);
    for (let j = 0; j <= n; j++) out[j] = binom[j] * t ** j * (1 - t) ** (n - j);
    return out;
  }
  // polychain: segment j covers [j / n, (j + 1) / n].
  const s = t * n;
  const j = Math.min(Math.floor(s), n - 1);
  const frac = s - j;
  out[j] = 1 - frac;
  out[j + 1] += frac;
  return out;
}

/**
 * Coefficient rows for many t values: [T, K] row-major (K = bends + 2), float32, ready to be
 * the coordinates of a subspace problem whose origin is 0 and whose directions are the K points.
 *
 * @example curveCoefficientRows("polychain", 3, new Float64Array([0, 0.5, 1]))
 */
export function curveCoefficientRows(kind: CurveKind, bends: number, ts: ArrayLike<number>): Float32Array {
  const k = bends + 2;
  const rows = new Float32Array(ts.length * k);
  const c = new Float64Array(k);
  for (let i = 0; i < ts.length; i++) {
    curveCoefficients(kind, bends, ts[i], c);
    for (let j = 0; j < k; j++) rows[i * k + j] = c[j];
  }
  return rows;
}

/**
 * w = sum_j c_j theta_j (float64 accumulation, float32 result).
 *
 * @example const w = combine([theta1, bend, theta2], curveCoefficients("bezier", 1, 0.3));
 */
export function combine(
  points: readonly Float32Array[],
  coefficients: ArrayLike<number>,
  out = new Float32Array(points[0]?.length ?? 0),
): Float32Array {
  if (points.length === 0) throw new Error("combine needs at least one point");
  if (coefficients.length !== points.length) {
    throw new Error(`combine: ${coefficients.length} coefficients for ${points.length} points`);
  }
  assertSameLength(
    points,
    points.map((_, j) => `point ${j}`),
  );
  const d = points[0].length;
  if (out.length !== d) throw new Error(`combine: output has ${out.length} values, points have ${d}`);
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let j = 0; j < points.length; j++) s += coefficients[j] * points[j][i];
    out[i] = s;
  }
  return out;
}

/** A curve: its kind and its K = bends + 2 points [theta1, bend 1, ..., bend k, theta2]. */
export interface Curve {
  kind: CurveKind;
  points: Float32Array[];
}

/** Throws unless a curve is well formed: a known kind, >= 1 bend, equal lengths, finite values. */
export function assertCurve(curve: Curve): void {
  assertCurveKind(curve.kind);
  if (!Array.isArray(curve.points) || curve.points.length < 3) {
    throw new Error(
      `a curve needs theta1, at least one bend and theta2 (>= 3 points), got ${curve.points?.length ?? 0}`,
    );
  }
  const names = curvePointLabels(curve.points.length - 2);
  assertSameLength(curve.points, names);
  curve.points.forEach((p, j) => {
    assertFiniteVector(p, names[j]);
  });
}

/** Labels of the points of a curve with k bends: ["theta1", "bend1", ..., "bendk", "theta2"]. */
export function curvePointLabels(bends: number): string[] {
  return ["theta1", ...Array.from({ length: bends }, (_, j) => `bend${j + 1}`), "theta2"];
}

/**
 * The point w(t) of a curve.
 *
 * @example curvePoint({ kind: "bezier", points: [a, b, c] }, 0.5) // 0.25 a + 0.5 b + 0.25 c
 */
export function curvePoint(curve: Curve, t: number): Float32Array {
  assertCurve(curve);
  return combine(curve.points, curveCoefficients(curve.kind, curve.points.length - 2, t));
}

/**
 * Where the bends start: on the straight segment from theta1 to theta2, bend j at
 * theta1 + (j / (k + 1)) (theta2 - theta1). For both kinds the untrained curve is then exactly the
 * linear path w(t) = (1 - t) theta1 + t theta2 (Bernstein polynomials reproduce linear functions),
 * as in Garipov et al.'s initialisation (init_linear).
 *
 * @example const [bend] = initialBends(theta1, theta2, 1); // the midpoint
 */
export function initialBends(theta1: Float32Array, theta2: Float32Array, bends: number): Float32Array[] {
  assertBends(bends);
  assertSameLength([theta1, theta2], ["theta1", "theta2"]);
  return Array.from({ length: bends }, (_, j) => {
    const a = (j + 1) / (bends + 1);
    const out = new Float32Array(theta1.length);
    for (let i = 0; i < out.length; i++) out[i] = (1 - a) * theta1[i] + a * theta2[i];
    return out;
  });
}

/** n equally spaced t values 0, 1/(n-1), ..., 1 (n >= 2), as Garipov's evaluation uses (61 by default). */
export function unitTValues(count: number): Float32Array {
  assertInteger(count, 2, "count of t values");
  return Float32Array.from({ length: count }, (_, i) => (i === count - 1 ? 1 : i / (count - 1)));
}

/**
 * Gram matrix G_ij = <theta_i - theta_0, theta_j - theta_0> for i, j = 1..K-1 (float64), the
 * inner products needed for lengths and projections of any point sum_j c_j theta_j with
 * sum_j c_j = 1 (then w - theta_0 = sum_{j>=1} c_j (theta_j - theta_0)).
 */
export function centredGram(points: readonly Float32Array[]): Float64Array {
  const m = points.length - 1;
  const g = new Float64Array(m * m);
  const p0 = points[0];
  for (let a = 0; a < m; a++) {
    for (let b = a; b < m; b++) {
      const pa = points[a + 1];
      const pb = points[b + 1];
      let s = 0;
      for (let i = 0; i < p0.length; i++) s += (pa[i] - p0[i]) * (pb[i] - p0[i]);
      g[a * m + b] = s;
      g[b * m + a] = s;
    }
  }
  return g;
}

/** c^T G c over the coefficients 1..K-1 (c_0 is implied by the sum-to-one constraint or by a zero sum). */
function quadratic(g: Float64Array, c: ArrayLike<number>): number {
  const m = c.length - 1;
  let s = 0;
  for (let a = 0; a < m; a++) {
    if (c[a + 1] === 0) continue;
    let row = 0;
    for (let b = 0; b < m; b++) row += g[a * m + b] * c[b + 1];
    s += c[a + 1] * row;
  }
  return s;
}

/**
 * Length of a curve in parameter space (L2): the sum of |w(t_{i+1}) - w(t_i)| over `segments`
 * equal steps of t. For a polychain whose segment count is a multiple of k + 1 this is exact;
 * for a Bezier it converges as O(1 / segments^2). Cost O(K^2 D + segments K^2): the steps
 * w(t_{i+1}) - w(t_i) = sum_j (c_j(t_{i+1}) - c_j(t_i)) (theta_j - theta_0) are measured through
 * the Gram matrix, never formed.
 *
 * @example curveLength({ kind: "bezier", points: [a, b, c] }) // >= |c - a|
 */
export function curveLength(curve: Curve, segments = 1200): number {
  assertCurve(curve);
  assertInteger(segments, 1, "segments");
  const k = curve.points.length - 2;
  const g = centredGram(curve.points);
  let prev: Float64Array = curveCoefficients(curve.kind, k, 0);
  let next: Float64Array = new Float64Array(k + 2);
  const delta = new Float64Array(k + 2);
  let length = 0;
  for (let i = 1; i <= segments; i++) {
    curveCoefficients(curve.kind, k, i === segments ? 1 : i / segments, next);
    for (let j = 0; j < k + 2; j++) delta[j] = next[j] - prev[j];
    length += Math.sqrt(Math.max(0, quadratic(g, delta)));
    [prev, next] = [next, prev];
  }
  return length;
}

/** |w - theta_0|^2 for coefficients summing to 1, through the centred Gram matrix. */
export function centredSquaredNorm(g: Float64Array, c: ArrayLike<number>): number {
  return quadratic(g, c);
}
