import type { Rng } from "../rng";
import { defineDataset, MAX_COEFFICIENTS, numberField, numberListField } from "./fields";
import type { DataSplit } from "./types";

/**
 * One-dimensional regression generators: (n, options, rng) -> DataSplit with x [n, 1] and
 * y [n, 1]. Points are i.i.d., so they are already in random order and need no shuffle.
 * Each point draws one uniform and one normal whatever the noise, so changing only the noise
 * keeps the same x values. The datasets' definitions (registry.ts lists them) are at the end.
 */

function sample(n: number, rng: Rng, noise: number, f: (x: number) => number): DataSplit {
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const xi = 2 * rng.next() - 1;
    x[i] = xi;
    y[i] = f(xi) + noise * rng.normal();
  }
  return { x, y, count: n };
}

/**
 * x ~ U[-1, 1), y = sin(frequency * pi * x) + noise * N(0, 1).
 *
 * @example sine(256, { frequency: 1, noise: 0.1 }, createRng(1))
 */
export function sine(n: number, options: { frequency: number; noise: number }, rng: Rng): DataSplit {
  return sample(n, rng, options.noise, (x) => Math.sin(options.frequency * Math.PI * x));
}

/** sum_i c[i] x^i by Horner's rule (fewer roundings than summing powers). */
export function evaluatePolynomial(coefficients: readonly number[], x: number): number {
  let acc = 0;
  for (let i = coefficients.length - 1; i >= 0; i--) acc = acc * x + coefficients[i];
  return acc;
}

/**
 * x ~ U[-1, 1), y = sum_i coefficients[i] * x^i + noise * N(0, 1).
 *
 * @example polynomial(256, { coefficients: [0, -1, 0, 1], noise: 0.05 }, createRng(1))
 */
export function polynomial(
  n: number,
  options: { coefficients: readonly number[]; noise: number },
  rng: Rng,
): DataSplit {
  return sample(n, rng, options.noise, (x) => evaluatePolynomial(options.coefficients, x));
}

/** x uniform in [-1, 1), y = sin(frequency * pi * x) + noise * N(0, 1). */
export const sineDataset = defineDataset({
  label: "Sine",
  task: "regression",
  inputSize: 1,
  outputSize: 1,
  noise: 0.1,
  fields: {
    frequency: numberField({
      min: 0,
      minExclusive: true,
      default: 1,
      key: "freq",
      label: "Frequency",
      help: "y = sin(frequency * pi * x) + noise on x in [-1, 1)",
      control: { step: 0.25, max: 50 },
    }),
  },
  generate: sine,
});

/**
 * x uniform in [-1, 1), y = sum_i coefficients[i] * x^i + noise * N(0, 1).
 * The default x^3 - x has two bumps of height 0.385, hence the smaller default noise.
 */
export const polynomialDataset = defineDataset({
  label: "Polynomial",
  task: "regression",
  inputSize: 1,
  outputSize: 1,
  noise: 0.05,
  fields: {
    coefficients: numberListField({
      minLength: 1,
      maxLength: MAX_COEFFICIENTS,
      default: [0, -1, 0, 1],
      key: "coef",
      label: "Coefficients",
      help: "c0, c1, c2, ...: y = sum c_i x^i + noise on x in [-1, 1)",
      control: { min: -1000, max: 1000 },
    }),
  },
  generate: polynomial,
});
