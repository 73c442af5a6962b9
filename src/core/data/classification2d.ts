import { type Rng, shuffleInPlace } from "../rng";
import { defineDataset, integerField, numberField } from "./fields";
import type { DataSplit } from "./types";

/**
 * Two-dimensional classification generators: (n, options, rng) -> DataSplit with
 * x [n, 2] row-major and y [n] class indices.
 *
 * Classes are balanced exactly: class c gets floor(n / K) points, plus one for the first
 * n mod K classes, and the labels are shuffled before the points are drawn, so rows come in
 * random order. Every point draws the same rng values whatever the noise, so changing only
 * the noise moves the same points continuously instead of drawing new ones.
 * Inputs stay roughly within [-1.5, 1.5] so networks train without normalization.
 * Each generator's dataset definition (label, shape, fields with their bounds) is at the end of
 * this file; registry.ts lists them.
 */

/** Writes one point of class `label` into out[0], out[1]. */
type Sampler = (label: number, rng: Rng, out: Float64Array) => void;

/** Outer radius of the spirals: leaves room for noise inside [-1.5, 1.5]. */
export const SPIRAL_RADIUS = 1.4;

/** Labels 0..K-1 repeated, as even as possible, in random order. */
function balancedLabels(n: number, classes: number, rng: Rng): Int32Array {
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = i % classes;
  shuffleInPlace(labels, rng);
  return labels;
}

function sample(n: number, classes: number, rng: Rng, sampler: Sampler): DataSplit {
  const labels = balancedLabels(n, classes, rng);
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  const point = new Float64Array(2);
  for (let i = 0; i < n; i++) {
    sampler(labels[i], rng, point);
    x[2 * i] = point[0];
    x[2 * i + 1] = point[1];
    y[i] = labels[i];
  }
  return { x, y, count: n };
}

/**
 * sklearn's make_moons, shifted by (-0.5, -0.25) so the pair is centred on the origin:
 * class 0: (cos t - 0.5, sin t - 0.25), class 1: (0.5 - cos t, 0.25 - sin t) (the point
 * reflection of class 0), t ~ U[0, pi), plus N(0, noise^2) per coordinate. Unlike sklearn,
 * t is drawn at random rather than on a grid, so train and test are samples of one distribution.
 *
 * @example moons(200, { noise: 0.1 }, createRng(1))
 */
export function moons(n: number, options: { noise: number }, rng: Rng): DataSplit {
  return sample(n, 2, rng, (label, r, out) => {
    const t = Math.PI * r.next();
    const sign = label === 0 ? 1 : -1;
    out[0] = sign * (Math.cos(t) - 0.5) + options.noise * r.normal();
    out[1] = sign * (Math.sin(t) - 0.25) + options.noise * r.normal();
  });
}

/**
 * sklearn's make_circles: class 0 on the unit circle, class 1 on the circle of radius
 * `factor`, angle ~ U[0, 2 pi), plus N(0, noise^2) per coordinate.
 *
 * @example circles(200, { factor: 0.5, noise: 0.05 }, createRng(1))
 */
export function circles(n: number, options: { factor: number; noise: number }, rng: Rng): DataSplit {
  return sample(n, 2, rng, (label, r, out) => {
    const angle = 2 * Math.PI * r.next();
    const radius = label === 0 ? 1 : options.factor;
    out[0] = radius * Math.cos(angle) + options.noise * r.normal();
    out[1] = radius * Math.sin(angle) + options.noise * r.normal();
  });
}

/**
 * `arms` interleaved Archimedean spirals, one class each. With s = sqrt(u), u ~ U[0, 1):
 * radius = SPIRAL_RADIUS * s, angle = 2 pi (turns * s + label / arms), plus N(0, noise^2) per
 * coordinate. The sqrt spreads points roughly evenly along the arc instead of crowding the
 * centre. Neighbouring arms are SPIRAL_RADIUS / (turns * arms) apart along a radius.
 *
 * @example spirals(300, { arms: 3, turns: 1.5, noise: 0.1 }, createRng(1))
 */
export function spirals(
  n: number,
  options: { arms: number; turns: number; noise: number },
  rng: Rng,
): DataSplit {
  return sample(n, options.arms, rng, (label, r, out) => {
    const s = Math.sqrt(r.next());
    const radius = SPIRAL_RADIUS * s;
    const angle = 2 * Math.PI * (options.turns * s + label / options.arms);
    out[0] = radius * Math.cos(angle) + options.noise * r.normal();
    out[1] = radius * Math.sin(angle) + options.noise * r.normal();
  });
}

/**
 * XOR of the signs: points uniform in [-1, 1]^2 with label 1 where x * y > 0 (quadrants I
 * and III), else 0. Labels come from the clean point; the jitter N(0, noise^2) is added after
 * labelling, so noise puts points on the wrong side of an axis (a blurred boundary).
 * Magnitudes are drawn from (0, 1] so a clean point is never on an axis, where x * y = 0.
 *
 * @example xor(200, { noise: 0.05 }, createRng(1))
 */
export function xor(n: number, options: { noise: number }, rng: Rng): DataSplit {
  return sample(n, 2, rng, (label, r, out) => {
    const sx = r.next() < 0.5 ? -1 : 1;
    const sy = label === 1 ? sx : -sx;
    out[0] = sx * (1 - r.next()) + options.noise * r.normal();
    out[1] = sy * (1 - r.next()) + options.noise * r.normal();
  });
}

/**
 * Isotropic Gaussian blobs, centre of class k at (cos(2 pi k / K), sin(2 pi k / K)), each point
 * centre + N(0, (spread^2 + noise^2) I).
 *
 * @example blobs(300, { classes: 3, spread: 0.25, noise: 0 }, createRng(1))
 */
export function blobs(
  n: number,
  options: { classes: number; spread: number; noise: number },
  rng: Rng,
): DataSplit {
  const std = Math.hypot(options.spread, options.noise);
  return sample(n, options.classes, rng, (label, r, out) => {
    const angle = (2 * Math.PI * label) / options.classes;
    out[0] = Math.cos(angle) + std * r.normal();
    out[1] = Math.sin(angle) + std * r.normal();
  });
}

/**
 * Two interleaving half circles of radius 1 (sklearn make_moons), centred on the origin.
 * noise: std of the Gaussian added to each coordinate.
 */
export const moonsDataset = defineDataset({
  label: "Moons",
  task: "classification",
  inputSize: 2,
  outputSize: 2,
  noise: 0.1,
  fields: {},
  generate: moons,
});

/**
 * Two concentric circles (sklearn make_circles): class 0 of radius 1, class 1 of radius `factor`.
 * noise: std of the Gaussian added to each coordinate.
 */
export const circlesDataset = defineDataset({
  label: "Circles",
  task: "classification",
  inputSize: 2,
  outputSize: 2,
  noise: 0.05,
  fields: {
    factor: numberField({
      min: 0,
      max: 1,
      minExclusive: true,
      maxExclusive: true,
      default: 0.5,
      label: "Inner radius",
      help: "radius of the inner circle (the outer one is 1)",
      control: { step: 0.05 },
      slider: { min: 0.05, max: 0.95, step: 0.05 },
    }),
  },
  generate: circles,
});

/**
 * `arms` interleaved Archimedean spirals (one class each) making `turns` turns out to radius 1.4.
 * noise: std of the Gaussian added to each coordinate.
 */
export const spiralsDataset = defineDataset({
  label: "Spirals",
  task: "classification",
  inputSize: 2,
  outputSize: (spec) => spec.arms,
  noise: 0.1,
  fields: {
    arms: integerField({
      min: 2,
      max: 8,
      default: 2,
      label: "Arms",
      help: "number of spiral arms = number of classes",
    }),
    turns: numberField({
      min: 0,
      minExclusive: true,
      default: 1.5,
      label: "Turns",
      help: "turns of each arm out to radius 1.4",
      control: { step: 0.25, max: 10 },
    }),
  },
  generate: spirals,
});

/**
 * Uniform points in [-1, 1]^2; label 1 where x * y > 0. The label is taken from the clean point,
 * then Gaussian jitter of std `noise` moves the point, so noise blurs the boundary (label noise
 * near the axes) instead of merely widening the square.
 */
export const xorDataset = defineDataset({
  label: "XOR",
  task: "classification",
  inputSize: 2,
  outputSize: 2,
  noise: 0.05,
  fields: {},
  generate: xor,
});

/**
 * `classes` isotropic Gaussian blobs of std `spread`, centres evenly spaced on the unit circle.
 * noise: extra isotropic jitter, added in quadrature (total std sqrt(spread^2 + noise^2)), so
 * that every dataset answers to the same noise control.
 */
export const blobsDataset = defineDataset({
  label: "Blobs",
  task: "classification",
  inputSize: 2,
  outputSize: (spec) => spec.classes,
  noise: 0,
  fields: {
    classes: integerField({
      min: 2,
      max: 10,
      default: 3,
      label: "Classes",
      help: "number of blobs, centres evenly spaced on the unit circle",
    }),
    spread: numberField({
      min: 0,
      default: 0.25,
      label: "Spread",
      help: "std of each blob",
      control: { step: 0.05, max: 10 },
      slider: { min: 0, max: 1, step: 0.01 },
    }),
  },
  generate: blobs,
});
