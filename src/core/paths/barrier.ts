/**
 * Barriers of a metric L along a path w(t), t in [0, 1], w(0) and w(1) the two endpoints. Only
 * the t values in [0, 1] count (a linear path evaluated on [-0.5, 1.5] is cut to [0, 1]); both
 * endpoints must be among them.
 *
 * - "linear-excess" (a): max_t  L(t) - ((1 - t) L(0) + t L(1)), the height above the chord
 *   joining the endpoint values. This is the loss barrier of Entezari et al. (2022) and of
 *   Ainsworth, Hayase and Srinivasa (2023, Git Re-Basin, Definition 2.1). It is >= 0 (the
 *   endpoints give 0) and 0 for a path whose metric is convex along it.
 * - "midpoint-mean" (b): max_t  L(t) - (L(0) + L(1)) / 2, the height above the mean of the
 *   endpoint values. This is Frankle, Dziugaite, Roy and Carbin (2020)'s error barrier height
 *   (their "instability" when applied to test error). It is >= |L(0) - L(1)| / 2.
 *
 * The two agree when L(0) = L(1). Garipov et al. (2018) report the metric along the curve itself
 * (loss and error at each t) rather than a barrier; the values along the path are kept next to
 * the barriers for that reason. Applied to error (1 - accuracy) they give error barriers.
 * A NaN value in [0, 1] makes both barriers NaN; +Infinity makes them +Infinity.
 */
const BARRIER_KINDS = ["linear-excess", "midpoint-mean"] as const;
export type BarrierKind = (typeof BARRIER_KINDS)[number];

export interface Barrier {
  /** (a) max_t L(t) - ((1 - t) L(0) + t L(1)). */
  linearExcess: number;
  /** The t where (a) is reached. */
  linearExcessAt: number;
  /** (b) max_t L(t) - (L(0) + L(1)) / 2. */
  midpointMean: number;
  /** The t where (b) is reached. */
  midpointMeanAt: number;
  /** L(0) and L(1), the endpoint values used. */
  start: number;
  end: number;
}

/** t values within this distance of 0 or 1 count as the endpoints (float32 grids). */
const ENDPOINT_TOLERANCE = 1e-6;

/**
 * Both barriers of the values `values[i]` at parameters `t[i]` (any order; values outside [0, 1]
 * are ignored).
 *
 * @example barrier([0, 0.5, 1], [0.1, 0.9, 0.3]).linearExcess // 0.9 - 0.2 = 0.7
 */
export function barrier(t: ArrayLike<number>, values: ArrayLike<number>): Barrier {
  if (t.length !== values.length) {
    throw new Error(`barrier: ${t.length} t values but ${values.length} metric values`);
  }
  let i0 = -1;
  let i1 = -1;
  for (let i = 0; i < t.length; i++) {
    if (Number.isNaN(t[i])) throw new Error(`barrier: t[${i}] is NaN`);
    if (Math.abs(t[i]) <= ENDPOINT_TOLERANCE && (i0 < 0 || Math.abs(t[i]) < Math.abs(t[i0]))) i0 = i;
    if (Math.abs(t[i] - 1) <= ENDPOINT_TOLERANCE && (i1 < 0 || Math.abs(t[i] - 1) < Math.abs(t[i1] - 1)))
      i1 = i;
  }
  if (i0 < 0 || i1 < 0) {
    throw new Error(
      `barrier: the t values must include both endpoints 0 and 1 (found ${i0 < 0 ? "no 0" : "0"}, ${i1 < 0 ? "no 1" : "1"})`,
    );
  }
  const l0 = values[i0];
  const l1 = values[i1];
  const mean = (l0 + l1) / 2;
  const out: Barrier = {
    linearExcess: Number.NEGATIVE_INFINITY,
    linearExcessAt: Number.NaN,
    midpointMean: Number.NEGATIVE_INFINITY,
    midpointMeanAt: Number.NaN,
    start: l0,
    end: l1,
  };
  for (let i = 0; i < t.length; i++) {
    const ti = i === i0 ? 0 : i === i1 ? 1 : t[i];
    if (ti < 0 || ti > 1) continue;
    const v = values[i];
    const a = v - ((1 - ti) * l0 + ti * l1);
    const b = v - mean;
    if (Number.isNaN(a) || Number.isNaN(b)) {
      return {
        ...out,
        linearExcess: Number.NaN,
        midpointMean: Number.NaN,
        linearExcessAt: ti,
        midpointMeanAt: ti,
      };
    }
    if (a > out.linearExcess) {
      out.linearExcess = a;
      out.linearExcessAt = ti;
    }
    if (b > out.midpointMean) {
      out.midpointMean = b;
      out.midpointMeanAt = ti;
    }
  }
  return out;
}

/** 1 - accuracy, elementwise (error rate). */
export function errorOf(accuracy: ArrayLike<number>): Float32Array {
  return Float32Array.from(accuracy, (a) => 1 - a);
}
