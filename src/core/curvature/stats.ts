/**
 * Small statistics for the stochastic estimators: mean, standard error and a Student-t 95%
 * confidence interval (the samples are few, so the normal 1.96 would be too narrow).
 */

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/**
 * t_{0.975, df}: the table for df <= 30, else the Cornish-Fisher expansion around z = 1.95996
 * (error < 1e-4 for df > 30).
 */
export function studentT975(df: number): number {
  if (!(df >= 1)) return Number.POSITIVE_INFINITY;
  if (df <= 30 && Number.isInteger(df)) return T975[df - 1];
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

export interface MeanEstimate {
  mean: number;
  /** Sample standard deviation (n - 1) over sqrt(n); Infinity with one sample. */
  standardError: number;
  /** mean -/+ t_{0.975, n-1} standard error. */
  ci95: [number, number];
  samples: number;
}

/** Mean, standard error and 95% confidence interval of samples (accumulated in float64). */
export function meanEstimate(values: ArrayLike<number>): MeanEstimate {
  const n = values.length;
  if (n < 1) throw new Error("meanEstimate: no samples");
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  if (n === 1) {
    return {
      mean,
      standardError: Number.POSITIVE_INFINITY,
      ci95: [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY],
      samples: 1,
    };
  }
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  const standardError = Math.sqrt(ss / (n - 1) / n);
  const half = studentT975(n - 1) * standardError;
  return { mean, standardError, ci95: [mean - half, mean + half], samples: n };
}
