/**
 * Sharpness measures of a minimum, all from loss values and gradients of a CurvatureObjective.
 *
 * epsilon-sharpness (Keskar et al. 2017, their metric with A = I):
 *   phi = 100 (max_{delta in C} L(theta + delta) - L(theta)) / (1 + L(theta)),
 *   C = { delta : |delta_i| <= eps (|theta_i| + 1) },
 * a box scaled per coordinate. Keskar et al. solve the inner max with L-BFGS-B; here the solver is
 * projected sign-gradient ascent, the steepest ascent of a box (an L-infinity ball after scaling):
 *   delta <- clip(delta + a * b * sign(grad L(theta + delta)), -b, b),   b_i = eps (|theta_i| + 1),
 * `steps` times with a = stepFraction (default 1/4 of the half-width), from delta = 0 and from
 * `restarts` random corners delta = b * z (z Rademacher; a zero gradient, as at a minimum of a
 * x^2, cannot move a start at 0). Every iterate is feasible, and the best loss seen is kept,
 * starting from delta = 0 itself, so phi >= 0 always; like any local solver it gives a lower
 * bound of the true max.
 *
 * Average sharpness: mean over n directions d_k (Gaussian, filter-normalized against theta, bias
 * entries zero, seeded) of L(theta + r d_k) - L(theta), with its standard error. May be negative.
 *
 * Worst-case sharpness in an L2 ball (SAM, Foret et al. 2021): the first-order ascent step
 * delta = rho g / ||g|| with g = grad L(theta), optionally iterated (`steps` > 1) as
 * delta <- P(delta + rho g(theta + delta) / ||g(theta + delta)||), P the projection onto
 * ||delta|| <= rho; reported as L(theta + delta) - L(theta) for the best iterate, and for the
 * first one (SAM's own quantity) separately. A stationary point (g = 0) gives delta = 0.
 */
import { type BiasMode, type Normalization, normalizeDirection } from "../directions/normalize";
import type { Layout } from "../model/types";
import { createRng, deriveSeed } from "../rng";
import type { CurvatureObjective } from "./hvp";
import { assertInteger, assertPositive, type LoopOptions, makeTicker } from "./loop";
import { type MeanEstimate, meanEstimate } from "./stats";
import { gaussianVector, l2norm } from "./vectors";

function baseLoss(objective: CurvatureObjective, what: string): number {
  const l = objective.loss();
  if (!Number.isFinite(l)) throw new Error(`${what}: the loss at theta is ${l}`);
  return l;
}

function offset(
  theta: Float32Array,
  delta: Float32Array,
  scale = 1,
  out = new Float32Array(theta.length),
): Float32Array {
  for (let i = 0; i < theta.length; i++) out[i] = theta[i] + scale * delta[i];
  return out;
}

interface EpsilonSharpnessOptions extends LoopOptions {
  /** Box size. Default 1e-3 (one of Keskar et al.'s two settings; the other is 5e-4). */
  epsilon?: number;
  /** Ascent steps per start. Default 20. */
  steps?: number;
  /** Random-corner starts besides delta = 0. Default 3. */
  restarts?: number;
  /** Step as a fraction of each coordinate's half-width. Default 0.25. */
  stepFraction?: number;
  /** Seed of the random corners. Default 0. */
  seed?: number;
}

interface EpsilonSharpnessResult {
  /** 100 (maxLoss - loss) / (1 + loss); never negative. */
  sharpness: number;
  loss: number;
  /** The largest loss found in the box. */
  maxLoss: number;
  /** The maximizing perturbation (zeros when no point beat theta). */
  delta: Float32Array;
  epsilon: number;
  /** Loss evaluations (with their gradients) spent. */
  evaluations: number;
}

/**
 * Keskar et al.'s epsilon-sharpness by projected sign-gradient ascent (see the file comment).
 * Progress reports (evaluations, best sharpness so far).
 *
 * @example const { sharpness } = await epsilonSharpness(op, { epsilon: 1e-3, seed: 1 });
 */
export async function epsilonSharpness(
  objective: CurvatureObjective,
  options: EpsilonSharpnessOptions = {},
): Promise<EpsilonSharpnessResult> {
  const epsilon = options.epsilon ?? 1e-3;
  const steps = options.steps ?? 20;
  const restarts = options.restarts ?? 3;
  const stepFraction = options.stepFraction ?? 0.25;
  assertPositive(epsilon, "epsilon");
  assertInteger(steps, 0, "steps");
  assertInteger(restarts, 0, "restarts");
  assertPositive(stepFraction, "stepFraction");
  const theta = objective.theta;
  const n = theta.length;
  const loss = baseLoss(objective, "epsilonSharpness");
  const bound = new Float32Array(n);
  for (let i = 0; i < n; i++) bound[i] = epsilon * (Math.abs(theta[i]) + 1);
  const rng = createRng(deriveSeed(options.seed ?? 0, "epsilon-sharpness"));
  const tick = makeTicker(options.signal);
  let maxLoss = loss;
  let best = new Float32Array(n);
  let evaluations = 1;
  const point = new Float32Array(n);
  const score = (l: number) => (100 * (l - loss)) / (1 + loss);
  const consider = (value: number, delta: Float32Array) => {
    evaluations += 1;
    if (value > maxLoss) {
      maxLoss = value;
      best = Float32Array.from(delta);
    }
    options.onProgress?.(evaluations, score(maxLoss));
  };
  for (let start = 0; start <= restarts; start++) {
    const delta = new Float32Array(n);
    if (start > 0) for (let i = 0; i < n; i++) delta[i] = rng.next() < 0.5 ? -bound[i] : bound[i];
    for (let t = 0; t < steps; t++) {
      await tick();
      const { value, gradient } = objective.valueAndGradient(offset(theta, delta, 1, point));
      if (Number.isFinite(value)) consider(value, delta);
      for (let i = 0; i < n; i++) {
        const g = gradient[i];
        const step = g > 0 ? 1 : g < 0 ? -1 : 0;
        delta[i] = Math.min(bound[i], Math.max(-bound[i], delta[i] + stepFraction * bound[i] * step));
      }
    }
    await tick();
    const value = objective.loss(offset(theta, delta, 1, point));
    if (Number.isFinite(value)) consider(value, delta);
  }
  return { sharpness: score(maxLoss), loss, maxLoss, delta: best, epsilon, evaluations };
}

interface AverageSharpnessOptions extends LoopOptions {
  /** Step length along each normalized direction. */
  radius: number;
  /** Number of random directions. Default 10. */
  samples?: number;
  /** Default 0. */
  seed?: number;
  /** Default "filter" (Li et al. 2018). */
  normalization?: Normalization;
  /** Default "zero". */
  bias?: BiasMode;
  /** The parameter layout for the normalization; default objective.layout. */
  layout?: Layout;
}

interface AverageSharpnessResult extends MeanEstimate {
  /** The mean loss increase (same as mean). */
  sharpness: number;
  loss: number;
  radius: number;
  /** L(theta + r d_k) - L(theta) for each direction. */
  values: Float64Array;
}

/**
 * Mean loss increase over seeded random filter-normalized directions at radius r.
 * Progress reports (directions done, running mean).
 *
 * @example const { sharpness, standardError } = await averageSharpness(op, { radius: 0.1, samples: 20 });
 */
export async function averageSharpness(
  objective: CurvatureObjective,
  options: AverageSharpnessOptions,
): Promise<AverageSharpnessResult> {
  const radius = options.radius;
  const samples = options.samples ?? 10;
  if (!Number.isFinite(radius) || radius < 0)
    throw new Error(`radius must be a finite number >= 0, got ${radius}`);
  assertInteger(samples, 1, "samples");
  const layout = options.layout ?? objective.layout;
  if (!layout) throw new Error("averageSharpness: the objective has no layout; pass options.layout");
  const theta = objective.theta;
  const loss = baseLoss(objective, "averageSharpness");
  const seed = options.seed ?? 0;
  const tick = makeTicker(options.signal);
  const values: number[] = [];
  let sum = 0;
  for (let k = 0; k < samples; k++) {
    await tick();
    const rng = createRng(deriveSeed(seed, `average-sharpness-${k}`));
    const d = normalizeDirection(
      gaussianVector(theta.length, rng),
      theta,
      layout,
      options.normalization ?? "filter",
      options.bias ?? "zero",
    );
    const increase = objective.loss(offset(theta, d, radius)) - loss;
    values.push(increase);
    sum += increase;
    options.onProgress?.(k + 1, sum / values.length);
  }
  const est = meanEstimate(values);
  return { ...est, sharpness: est.mean, loss, radius, values: Float64Array.from(values) };
}

interface SamSharpnessOptions extends LoopOptions {
  /** Ball radius. Default 0.05 (SAM's usual rho). */
  rho?: number;
  /** Ascent steps; 1 is SAM's first-order step. Default 1. */
  steps?: number;
}

interface SamSharpnessResult {
  /** max over the iterates of L(theta + delta_t) - L(theta). */
  sharpness: number;
  /** L(theta + rho g / ||g||) - L(theta): SAM's one-step quantity. */
  firstStep: number;
  loss: number;
  rho: number;
  /** The best iterate (zeros at a stationary point). */
  delta: Float32Array;
  /** Loss increase of each iterate. */
  increases: number[];
}

/**
 * Worst-case loss increase in the L2 ball of radius rho by SAM's normalized-gradient ascent.
 * Progress reports (step, loss increase).
 *
 * @example const { sharpness } = await samSharpness(op, { rho: 0.05, steps: 3 });
 */
export async function samSharpness(
  objective: CurvatureObjective,
  options: SamSharpnessOptions = {},
): Promise<SamSharpnessResult> {
  const rho = options.rho ?? 0.05;
  const steps = options.steps ?? 1;
  assertPositive(rho, "rho");
  assertInteger(steps, 1, "steps");
  const theta = objective.theta;
  const n = theta.length;
  const tick = makeTicker(options.signal);
  const first = objective.valueAndGradient();
  const loss = first.value;
  if (!Number.isFinite(loss)) throw new Error(`samSharpness: the loss at theta is ${loss}`);
  const delta = new Float32Array(n);
  let gradient = first.gradient;
  const increases: number[] = [];
  let best = { increase: Number.NEGATIVE_INFINITY, delta: new Float32Array(n) };
  const point = new Float32Array(n);
  for (let t = 0; t < steps; t++) {
    await tick();
    const g = l2norm(gradient);
    if (!(g > 0)) break;
    for (let i = 0; i < n; i++) delta[i] += (rho * gradient[i]) / g;
    const norm = l2norm(delta);
    if (norm > rho) for (let i = 0; i < n; i++) delta[i] *= rho / norm;
    const at = offset(theta, delta, 1, point);
    // The last iterate needs no gradient.
    const next = t === steps - 1 ? { value: objective.loss(at), gradient } : objective.valueAndGradient(at);
    const increase = next.value - loss;
    increases.push(increase);
    if (increase > best.increase) best = { increase, delta: Float32Array.from(delta) };
    options.onProgress?.(t + 1, increase);
    gradient = next.gradient;
  }
  if (increases.length === 0) {
    return { sharpness: 0, firstStep: 0, loss, rho, delta: new Float32Array(n), increases };
  }
  return { sharpness: best.increase, firstStep: increases[0], loss, rho, delta: best.delta, increases };
}
