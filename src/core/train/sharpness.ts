/**
 * Sharpness tracked during training: lambda_max, the largest eigenvalue of the Hessian of the
 * training loss, every few optimizer steps (Cohen et al. 2021, "Gradient descent on neural
 * networks typically occurs at the edge of stability": full-batch GD at learning rate eta drives
 * lambda_max up to about 2/eta and then hovers there).
 *
 * Each measurement is a power iteration on Hessian-vector products (curvature/hvp.ts, PyHessian's
 * double backprop) of the mean loss over the training set, or over a fixed seeded subset of
 * `samples` of it, with the optimizer's coupled L2 weight decay included (H_loss + wd I: the
 * objective the gradient actually descends, so that the 2/lr bound applies to it as is). The first
 * measurement starts from a seeded random vector; every later one from the previous top
 * eigenvector, which moves little between measurements, so a handful of products usually suffice.
 */

import { type EigenResult, shiftedOperator, topEigenpairs } from "../curvature/eigen";
import type { CurvatureObjective, HessianOperator } from "../curvature/hvp";
import { mlpObjective } from "../curvature/kernel-objective";
import { trainingSubset } from "../curvature/subset";
import type { Dataset } from "../data/types";
import type { TrainingPath } from "../kernel/training-path";
import type { LossKind, MlpArchitecture } from "../model/types";
import { deriveSeed } from "../rng";
import type { SharpnessEntry } from "./history";

export { stabilityBound } from "./bound";

/**
 * Power-iteration settings of each measurement: PyHessian's cap of 100 products, with a tenfold
 * tighter tolerance than PyHessian's 1e-3 (relative change of the estimate between iterations).
 * A warm start makes the estimate change slowly from the first iteration on, so PyHessian's rule
 * can stop on a still-rotating vector: along a tanh MLP's SGD run (spirals, 30 checkpoints) it was
 * off by up to 3% from a converged reference, against 0.3% with 1e-4, for 13 products per
 * measurement on average instead of 5.
 */
const SHARPNESS_POWER_ITERATION = { maxIterations: 100, tolerance: 1e-4 } as const;

/** Stopping residual of the shifted fallback in largestEigenvalue: eigenvalue error ~ (1e-3 mu)^2 / gap. */
const SHIFTED_RESIDUAL_TOLERANCE = 1e-3;

/** Default cap on the samples of the measured loss (training.sharpnessSamples). */
export const DEFAULT_SHARPNESS_SAMPLES = 1024;

interface LargestEigenOptions {
  warmStart?: Float32Array;
  seed: number;
  maxIterations?: number;
  tolerance?: number;
  signal?: AbortSignal;
}

interface LargestEigenResult {
  value: number;
  vector: Float32Array;
  iterations: number;
  converged: boolean;
}

/**
 * The largest (algebraic) eigenvalue of a symmetric operator. Power iteration finds the one of
 * largest magnitude; when that one is negative (possible far from a minimum), lambda_max is found
 * on H - s I with s that negative eigenvalue, where every eigenvalue is >= 0 and the dominant one
 * is lambda_max - s (run until the relative residual ||H v - mu v|| / |mu| < 1e-3).
 *
 * @example const { value } = await largestEigenvalue(op, { seed: 1 });
 */
export async function largestEigenvalue(
  op: HessianOperator,
  options: LargestEigenOptions,
): Promise<LargestEigenResult> {
  const settings = {
    maxIterations: options.maxIterations ?? SHARPNESS_POWER_ITERATION.maxIterations,
    tolerance: options.tolerance ?? SHARPNESS_POWER_ITERATION.tolerance,
    signal: options.signal,
  };
  const pick = (r: EigenResult, shift: number): LargestEigenResult => ({
    value: r.values[0] + shift,
    vector: r.vectors[0],
    iterations: r.iterations[0],
    converged: r.converged[0],
  });
  const top = pick(
    await topEigenpairs(op, { ...settings, seed: options.seed, warmStart: [options.warmStart] }),
    0,
  );
  if (top.value >= 0) return top;
  const shift = top.value;
  // The shifted spectrum is crowded at its top (ratio (lambda_2 - s)/(lambda_max - s)), where the
  // eigenvalue-change rule stops early; the residual rule cannot (its error is ~ residual^2).
  const shifted = pick(
    await topEigenpairs(shiftedOperator(op, shift), {
      ...settings,
      criterion: "residual",
      tolerance: SHIFTED_RESIDUAL_TOLERANCE,
      seed: deriveSeed(options.seed, "shifted"),
    }),
    shift,
  );
  return { ...shifted, iterations: top.iterations + shifted.iterations };
}

interface SharpnessTrackerArgs {
  arch: MlpArchitecture;
  loss: LossKind;
  dataset: Pick<Dataset, "task" | "inputSize" | "outputSize" | "train">;
  /** Any finite point (the objective is built once and evaluated elsewhere). */
  theta: Float32Array;
  /** Cap on the measured samples; a larger training set is subsampled once, seeded. */
  samples: number;
  weightDecay: number;
  /** Seeds the subset and the first start vector. */
  seed: number;
  /** The path the H v products take: the training's own (absent: the process-wide choice). */
  path?: TrainingPath;
}

/**
 * lambda_max of one fixed objective at successive points, warm-started from the previous top
 * eigenvector. The data is uploaded once; call dispose().
 *
 * @example const t = new SharpnessTracker(args); const e = await t.measure(theta, 0, 0); t.dispose();
 */
export class SharpnessTracker {
  readonly samples: number;
  private readonly objective: CurvatureObjective;
  private readonly seed: number;
  private vector: Float32Array | undefined;

  constructor(args: SharpnessTrackerArgs) {
    const { dataset } = args;
    const yWidth = dataset.task === "classification" ? 1 : dataset.outputSize;
    // The same seeded subset rule as the curvature report (curvature/subset.ts).
    const { split } = trainingSubset(
      dataset.train,
      yWidth,
      args.samples,
      deriveSeed(args.seed, "sharpness-subset"),
    );
    this.samples = split.count;
    this.seed = deriveSeed(args.seed, "sharpness");
    this.objective = mlpObjective(
      { arch: args.arch, loss: args.loss, theta: args.theta, dataset, train: split },
      { weightDecay: args.weightDecay },
      args.path,
    );
  }

  /**
   * lambda_max at `theta`. A power iteration that meets a non-finite H v (a blown-up point) gives
   * lambdaMax NaN instead of throwing; an abort rejects with the signal's reason.
   */
  async measure(
    theta: Float32Array,
    step: number,
    epoch: number,
    signal?: AbortSignal,
  ): Promise<SharpnessEntry> {
    const at = theta;
    const op: HessianOperator = {
      dimension: this.objective.dimension,
      hvp: (v) => this.objective.hvp(v, at),
    };
    try {
      const r = await largestEigenvalue(op, { warmStart: this.vector, seed: this.seed, signal });
      this.vector = r.vector;
      return { step, epoch, lambdaMax: r.value, iterations: r.iterations, converged: r.converged };
    } catch (error) {
      if (signal?.aborted || !/not finite/.test((error as Error).message)) throw error;
      return { step, epoch, lambdaMax: Number.NaN, iterations: 0, converged: false };
    }
  }

  dispose(): void {
    this.objective.dispose();
  }
}
