/**
 * Plot axes along Hessian eigenvectors of the training loss at theta, as in Li et al. 2018's
 * Hessian plots and Böttcher and Wheeler 2023 (who argue that random directions hide saddles
 * and negative curvature, which the bottom eigenvector shows).
 *
 * - "hessian-top2": the two dominant eigenvectors (PyHessian's top-2: power iteration with
 *   deflation; "top" means largest |lambda|, which at a trained minimum is the largest lambda).
 * - "hessian-top-bottom": the eigenvector of the largest eigenvalue and that of the smallest
 *   (most negative) one, by Lanczos (default; or the reference's shift trick, curvature/eigen.ts).
 * A 1-D landscape takes only the first ("top-1").
 *
 * Normalization "none": the eigenvectors are unit vectors used as they are (the reference
 * practice), so an axis coordinate is a Euclidean distance in parameter space, and the landscape
 * along axis k near the centre is L(theta) + g.d_k t + lambda_k t^2 / 2. Bias entries are part of
 * the eigenvectors (snapshot bias "include"); the config's normalization and bias keys do not apply.
 *
 * Determinism: the solvers start from seeded Gaussian vectors; the arbitrary sign of each
 * eigenvector is fixed by making its largest-magnitude entry positive (first such entry on ties).
 * The reported eigenvalue of an axis is the Rayleigh quotient d^T H d of the stored unit vector
 * (one more H v product), i.e. exactly the curvature of the plotted landscape at the centre;
 * `residual` is ||H d - lambda d|| / |lambda| of that same vector.
 */
import {
  type EigenResult,
  POWER_ITERATION_DEFAULTS,
  shiftedOperator,
  smallestEigenpair,
  topEigenpairs,
} from "./eigen";
/** Direction methods of the config that make Hessian axes. */
import {
  HESSIAN_DIRECTION_METHODS,
  type HessianDirectionMethod,
  type HessianWhich,
  isHessianMethod,
} from "./hessian-methods";
import type { CurvatureObjective } from "./hvp";
import type { LoopOptions } from "./loop";
import { type AnyCurvatureProblem, curvatureObjective } from "./model-objective";
import { trainingSubset } from "./subset";
import { dot, fixSign, l2norm, normalizeInPlace, orthogonalizeInPlace } from "./vectors";

export {
  HESSIAN_DIRECTION_METHODS,
  type HessianDirectionMethod,
  type HessianWhich,
  isHessianMethod,
} from "./hessian-methods";

interface HessianSolverSettings {
  /** Seed of the solvers' start vectors (and of the sample subset). */
  seed: number;
  /** Power iterations per eigenpair (and per shifted run). Default 100 (PyHessian). */
  maxIterations?: number;
  /** Relative change of the eigenvalue that stops an eigenpair. Default 1e-3 (PyHessian). */
  tolerance?: number;
  /** At most this many training samples (a seeded subset); absent: all. */
  maxSamples?: number;
  /** Smallest-eigenvalue method of hessian-top-bottom. Default "lanczos" (see curvature/settings.ts). */
  smallest?: "shift" | "lanczos";
}

interface HessianDirection {
  which: HessianWhich;
  /** Unit eigenvector, same layout as theta. */
  values: Float32Array;
  /** d^T H d of `values`. */
  eigenvalue: number;
  /** ||H d - eigenvalue d|| / |eigenvalue| (absolute when the eigenvalue is 0). */
  residual: number;
  /** H v products the solver spent on this vector (a shared run counts once, for the first). */
  iterations: number;
  converged: boolean;
}

interface HessianDirectionsResult {
  directions: HessianDirection[];
  /** Training samples the Hessian was taken over. */
  samples: number;
  /** Training samples available. */
  total: number;
  /** H v products spent in all (including the final Rayleigh quotients). */
  hvps: number;
}

interface RawPair {
  which: HessianWhich;
  vector: Float32Array;
  iterations: number;
  converged: boolean;
}

/** The dominant pair, and the other end of the spectrum found by shifting away from it. */
async function topAndBottom(
  op: CurvatureObjective,
  axes: number,
  s: Required<Omit<HessianSolverSettings, "maxSamples">>,
  loop: LoopOptions,
): Promise<RawPair[]> {
  const base = { maxIterations: s.maxIterations, tolerance: s.tolerance, seed: s.seed, ...loop };
  const dominant = await topEigenpairs(op, { ...base, topK: 1 });
  const d = pairOf(dominant, 0, "top-1");
  const lambda = dominant.values[0];
  if (lambda >= 0) {
    if (axes < 2) return [d];
    const low = await smallestEigenpair(op, { ...base, method: s.smallest, lambdaMax: lambda });
    return [d, { which: "bottom", vector: low.vector, iterations: low.iterations, converged: low.converged }];
  }
  // The dominant eigenvalue is negative, so it is the bottom; the top is the dominant one of
  // H - lambda I (all of whose eigenvalues are >= 0).
  const shifted = await topEigenpairs(shiftedOperator(op, lambda), { ...base, topK: 1 });
  const top = pairOf(shifted, 0, "top-1");
  return axes < 2 ? [top] : [top, { ...d, which: "bottom" }];
}

function pairOf(r: EigenResult, k: number, which: HessianWhich): RawPair {
  return { which, vector: r.vectors[k], iterations: r.iterations[k], converged: r.converged[k] };
}

/**
 * Hessian eigenvector directions of the mean training loss of an MLP at problem.theta (see the
 * file comment). `axes` is the number of grid axes (1 or 2). Progress reports (H v products so
 * far, current estimate). Every tensor is released, also on abort.
 *
 * @example const { directions } = await hessianDirections(problem, "hessian-top2", 2, { seed: 1 });
 */
export async function hessianDirections(
  problem: AnyCurvatureProblem,
  method: HessianDirectionMethod,
  axes: number,
  settings: HessianSolverSettings,
  loop: LoopOptions = {},
): Promise<HessianDirectionsResult> {
  if (!isHessianMethod(method)) {
    throw new Error(
      `hessianDirections: unknown method "${method as string}"; expected ${HESSIAN_DIRECTION_METHODS.join(" or ")}`,
    );
  }
  if (axes !== 1 && axes !== 2)
    throw new Error(`hessianDirections: a landscape has 1 or 2 axes, got ${axes}`);
  const s = {
    seed: settings.seed,
    maxIterations: settings.maxIterations ?? POWER_ITERATION_DEFAULTS.maxIterations,
    tolerance: settings.tolerance ?? POWER_ITERATION_DEFAULTS.tolerance,
    smallest: settings.smallest ?? "lanczos",
  };
  const yWidth = problem.dataset.task === "classification" ? 1 : problem.dataset.outputSize;
  const subset = trainingSubset(problem.train, yWidth, settings.maxSamples, s.seed);
  const op = curvatureObjective(problem, subset.split);
  try {
    let raw: RawPair[];
    if (method === "hessian-top2") {
      const r = await topEigenpairs(op, {
        topK: axes,
        maxIterations: s.maxIterations,
        tolerance: s.tolerance,
        seed: s.seed,
        ...loop,
      });
      raw = r.vectors.map((_, k) => pairOf(r, k, k === 0 ? "top-1" : "top-2"));
    } else {
      raw = await topAndBottom(op, axes, s, loop);
    }
    // Keep the axes exactly orthonormal: remove the float leak of earlier axes (a true eigenvector
    // of another eigenvalue is orthogonal to them, so this only removes error), renormalize, fix sign.
    const kept: Float32Array[] = [];
    const directions = raw.map((p): HessianDirection => {
      const v = Float32Array.from(p.vector);
      orthogonalizeInPlace(v, kept);
      if (normalizeInPlace(v) === 0)
        throw new Error(`hessian directions: the ${p.which} eigenvector vanished`);
      fixSign(v);
      kept.push(v);
      loop.signal?.throwIfAborted();
      const hv = op.hvp(v);
      const eigenvalue = dot(hv, v);
      for (let i = 0; i < hv.length; i++) hv[i] -= eigenvalue * v[i];
      const r = l2norm(hv);
      return {
        which: p.which,
        values: v,
        eigenvalue,
        residual: eigenvalue === 0 ? r : r / Math.abs(eigenvalue),
        iterations: p.iterations,
        converged: p.converged,
      };
    });
    return { directions, samples: subset.samples, total: subset.total, hvps: op.hvpCount };
  } finally {
    op.dispose();
  }
}
