/**
 * Extreme Hessian eigenvalues from Hessian-vector products.
 *
 * Top-k (PyHessian's `eigenvalues`): power iteration with deflation. For each k, start from a
 * seeded N(0, I) vector (or a warm start), and repeat at most maxIterations times:
 *   v <- v - sum_j (v . u_j) u_j   (Gram-Schmidt against the eigenvectors already found)
 *   lambda <- v . H v;  v <- H v / ||H v||
 * stopping when |lambda - lambda_prev| / (|lambda_prev| + 1e-6) < tolerance (defaults 100 and
 * 1e-3, PyHessian's). Power iteration finds the eigenvalue of largest MAGNITUDE, so "top" means
 * dominant: with eigenvalues {10, 5, -3} the top three are 10, 5, -3, in that order.
 *
 * Caveat of PyHessian's rule: with two close eigenvalues (ratio ~0.93 in a freshly initialized
 * MLP) the estimate can creep so slowly that the rule stops on the second one. Two mitigations,
 * both cheap: the pairs are returned sorted by decreasing magnitude (so top-2 finds both and
 * orders them right), and every pair reports its relative residual ||H v - lambda v|| / |lambda|
 * (of the last iterate before the final product), which exposes such a stop. criterion
 * "residual" stops on that residual instead (residual <= tolerance): slower, but it cannot stop
 * on a mixture of eigenvectors.
 *
 * Smallest (most negative) eigenvalue, method "shift" (the shift trick of Li et al. 2018's
 * loss-landscape code, min_max_hessian_eigs): with lambda_max the dominant eigenvalue and
 * s = 0.51 lambda_max, power iteration on H - s I converges to lambda_min - s whenever
 * |lambda_min - s| > lambda_max - s, i.e. whenever lambda_min < 0.02 lambda_max (every indefinite
 * or singular Hessian); then lambda_min = mu + s. When instead the top end still dominates
 * (mu > 0: a well-conditioned positive definite H), we rerun with s = lambda_max, where every
 * shifted eigenvalue is <= 0 and the dominant one is exactly lambda_min - lambda_max (the
 * reference code would silently return lambda_max there). When lambda_max <= 0, the dominant
 * eigenvalue is itself the most negative one. Method "lanczos": the smallest Ritz value of
 * maxIterations Lanczos steps with full reorthogonalization, converged when its residual
 * |beta_m s_m| <= tolerance |theta|.
 */
import { createRng, deriveSeed } from "../rng";
import type { HessianOperator } from "./hvp";
import { lanczos, ritzPairs, ritzResidual, ritzVector } from "./lanczos";
import { assertInteger, assertPositive, type LoopOptions, makeTicker } from "./loop";
/** PyHessian's defaults. */
import { POWER_ITERATION_DEFAULTS, SHIFT_FACTOR } from "./settings";
import { dot, fixSign, gaussianVector, normalizeInPlace, orthogonalizeInPlace } from "./vectors";

export { POWER_ITERATION_DEFAULTS, SHIFT_FACTOR } from "./settings";

interface PowerIterationOptions extends LoopOptions {
  /** How many eigenpairs (by decreasing magnitude). Default 1. */
  topK?: number;
  /** Per eigenpair. Default 100. */
  maxIterations?: number;
  /** Relative change of the eigenvalue estimate that stops an eigenpair. Default 1e-3. */
  tolerance?: number;
  /** Seed of the random start vectors. Default 0. */
  seed?: number;
  /** Start vectors (e.g. the previous call's eigenvectors, to track them during training); missing ones are random. */
  warmStart?: readonly (Float32Array | undefined)[];
  /** Unit vectors to stay orthogonal to (eigenvectors found before); they count as found. */
  deflate?: readonly Float32Array[];
  /**
   * "eigenvalue" (default, PyHessian's): stop when the estimate changes by less than tolerance,
   * relative. "residual": stop when ||H v - lambda v|| / |lambda| < tolerance.
   */
  criterion?: "eigenvalue" | "residual";
}

export interface EigenResult {
  /** Eigenvalue estimates, by decreasing magnitude (the Rayleigh quotient of the last iterate). */
  values: number[];
  /** Unit eigenvectors, mutually orthogonal; sign: aligned with the warm start, else largest entry positive. */
  vectors: Float32Array[];
  /** Power iterations (= H v products) each eigenpair used. */
  iterations: number[];
  /** Whether each eigenpair met the tolerance before maxIterations. */
  converged: boolean[];
  /** ||H v - lambda v|| / |lambda| of each pair's last iterate (0 for an exact 0 eigenvalue). */
  residuals: number[];
}

function checkOptions(
  o: PowerIterationOptions,
): Required<Pick<PowerIterationOptions, "topK" | "maxIterations" | "tolerance" | "seed">> {
  const topK = o.topK ?? 1;
  const maxIterations = o.maxIterations ?? POWER_ITERATION_DEFAULTS.maxIterations;
  const tolerance = o.tolerance ?? POWER_ITERATION_DEFAULTS.tolerance;
  const seed = o.seed ?? 0;
  assertInteger(topK, 1, "topK");
  assertInteger(maxIterations, 1, "maxIterations");
  assertPositive(tolerance, "tolerance");
  return { topK, maxIterations, tolerance, seed };
}

/**
 * Top-k eigenpairs of a symmetric operator by power iteration with deflation (see the file comment).
 * Progress reports (total iterations so far, current estimate).
 *
 * @example const { values, vectors } = await topEigenpairs(op, { topK: 2, seed: 1 });
 */
export async function topEigenpairs(
  op: HessianOperator,
  options: PowerIterationOptions = {},
): Promise<EigenResult> {
  const { topK, maxIterations, tolerance, seed } = checkOptions(options);
  const n = op.dimension;
  const deflate = options.deflate ?? [];
  if (topK + deflate.length > n) {
    throw new Error(
      `topK: asked for ${topK} eigenpairs (plus ${deflate.length} deflated) of a ${n}-dimensional operator`,
    );
  }
  const tick = makeTicker(options.signal);
  const rng = createRng(deriveSeed(seed, "power-iteration"));
  const found: Float32Array[] = [...deflate];
  const criterion = options.criterion ?? "eigenvalue";
  if (criterion !== "eigenvalue" && criterion !== "residual") {
    throw new Error(`criterion must be "eigenvalue" or "residual", got "${criterion as string}"`);
  }
  const result: EigenResult = { values: [], vectors: [], iterations: [], converged: [], residuals: [] };
  let total = 0;
  for (let k = 0; k < topK; k++) {
    const warm = options.warmStart?.[k];
    if (warm && warm.length !== n)
      throw new Error(`warmStart[${k}] has length ${warm.length}, expected ${n}`);
    let v = warm ? Float32Array.from(warm) : gaussianVector(n, rng);
    if (normalizeInPlace(v) === 0) v = gaussianVector(n, rng);
    normalizeInPlace(v);
    let value = Number.NaN;
    let converged = false;
    let iterations = 0;
    let residual = Number.POSITIVE_INFINITY;
    for (let i = 0; i < maxIterations; i++) {
      await tick();
      orthogonalizeInPlace(v, found);
      normalizeInPlace(v);
      const hv = op.hvp(v);
      const estimate = dot(hv, v);
      iterations = i + 1;
      total += 1;
      options.onProgress?.(total, estimate);
      if (!Number.isFinite(estimate))
        throw new Error(`power iteration: H v is not finite at iteration ${iterations}`);
      // ||H v - lambda v||^2 = ||H v||^2 - lambda^2 for a unit v.
      const hvNorm = normalizeInPlace(hv);
      residual =
        hvNorm === 0 ? 0 : Math.sqrt(Math.max(0, hvNorm * hvNorm - estimate * estimate)) / Math.abs(estimate);
      if (hvNorm === 0) {
        // v lies in H's null space (restricted to the deflated complement): eigenvalue 0, exactly.
        value = 0;
        converged = true;
        break;
      }
      v = hv;
      const previous = value;
      value = estimate;
      const done =
        criterion === "residual"
          ? residual < tolerance
          : i > 0 && Math.abs(previous - estimate) / (Math.abs(previous) + 1e-6) < tolerance;
      if (done) {
        converged = true;
        break;
      }
    }
    orthogonalizeInPlace(v, found);
    normalizeInPlace(v);
    fixSign(v, warm);
    found.push(v);
    result.values.push(value);
    result.vectors.push(v);
    result.iterations.push(iterations);
    result.converged.push(converged);
    result.residuals.push(residual);
  }
  // Decreasing magnitude; a stable sort keeps the order of equal magnitudes.
  const order = result.values
    .map((_, k) => k)
    .sort((a, b) => Math.abs(result.values[b]) - Math.abs(result.values[a]));
  if (order.some((k, i) => k !== i)) {
    const pick = <T>(xs: T[]) => order.map((k) => xs[k]);
    return {
      values: pick(result.values),
      vectors: pick(result.vectors),
      iterations: pick(result.iterations),
      converged: pick(result.converged),
      residuals: pick(result.residuals),
    };
  }
  return result;
}

/** `H - s I` as an operator. */
export function shiftedOperator(op: HessianOperator, shift: number): HessianOperator {
  return {
    dimension: op.dimension,
    hvp(v: Float32Array): Float32Array {
      const hv = op.hvp(v);
      for (let i = 0; i < hv.length; i++) hv[i] -= shift * v[i];
      return hv;
    },
  };
}

interface SmallestEigenOptions extends Omit<PowerIterationOptions, "topK" | "deflate"> {
  /** "shift" (default, the reference's shift trick by power iteration) or "lanczos". */
  method?: "shift" | "lanczos";
  /** The dominant eigenvalue if already known (saves one power iteration run); shift method only. */
  lambdaMax?: number;
}

interface SmallestEigenResult {
  /** The smallest (most negative) eigenvalue estimate. */
  value: number;
  vector: Float32Array;
  /** H v products spent, including finding lambda_max when it was not given. */
  iterations: number;
  converged: boolean;
  method: "shift" | "lanczos";
  /** The dominant eigenvalue used for the shift (shift method) or the largest Ritz value (lanczos). */
  lambdaMax: number;
  /** The shift of the power iteration that produced `value` (0 for lanczos). */
  shift: number;
  /** Absolute residual ||H v - value v|| of the last iterate (shift) or of the Ritz pair (lanczos). */
  residual: number;
}

/**
 * The smallest eigenvalue: the shift trick (default) or Lanczos (see the file comment).
 * Progress reports (H v products so far, current estimate): for the shift trick, lambda_max
 * estimates first (unless given), then lambda_min estimates; for Lanczos, (step, alpha_step).
 *
 * @example const { value } = await smallestEigenpair(op, { seed: 1 }); // most negative eigenvalue
 */
export async function smallestEigenpair(
  op: HessianOperator,
  options: SmallestEigenOptions = {},
): Promise<SmallestEigenResult> {
  const { maxIterations, tolerance, seed } = checkOptions(options);
  const method = options.method ?? "shift";
  if (method === "lanczos") {
    const rng = createRng(deriveSeed(seed, "lanczos-extremes"));
    const start = options.warmStart?.[0] ?? gaussianVector(op.dimension, rng);
    const run = await lanczos(op, start, maxIterations, options);
    const ritz = ritzPairs(run);
    const k = run.steps - 1; // values are descending: the last is the smallest
    const value = ritz.values[k];
    const residual = ritzResidual(run, ritz, k);
    return {
      value,
      vector: fixSign(ritzVector(run, ritz, k), options.warmStart?.[0]),
      iterations: run.steps,
      converged: run.breakdown || residual <= tolerance * Math.max(Math.abs(value), 1e-6),
      method,
      lambdaMax: ritz.values[0],
      shift: 0,
      residual,
    };
  }
  if (method !== "shift") throw new Error(`smallestEigenpair: unknown method "${method as string}"`);
  let spent = 0;
  let lambdaMax = options.lambdaMax;
  const base = { ...options, topK: 1, maxIterations, tolerance, seed };
  if (lambdaMax === undefined) {
    const top = await topEigenpairs(op, { ...base, warmStart: undefined });
    lambdaMax = top.values[0];
    spent += top.iterations[0];
    if (lambdaMax <= 0) {
      // The dominant eigenvalue is non-positive, so it is the most negative one.
      return {
        value: lambdaMax,
        vector: top.vectors[0],
        iterations: spent,
        converged: top.converged[0],
        method,
        lambdaMax,
        shift: 0,
        residual: top.residuals[0] * Math.abs(lambdaMax),
      };
    }
  } else if (!Number.isFinite(lambdaMax)) {
    throw new Error(`smallestEigenpair: lambdaMax must be finite, got ${lambdaMax}`);
  }
  const run = async (shift: number) => {
    const done = spent;
    const r = await topEigenpairs(shiftedOperator(op, shift), {
      ...base,
      seed: deriveSeed(seed, `shift-${spent}`),
      // Report lambda = mu + s, counting every H v product of the call.
      onProgress: options.onProgress && ((i, mu) => options.onProgress?.(done + i, mu + shift)),
    });
    spent += r.iterations[0];
    const mu = r.values[0];
    return {
      mu,
      vector: r.vectors[0],
      converged: r.converged[0],
      shift,
      residual: r.residuals[0] * Math.abs(mu),
    };
  };
  let shift = lambdaMax > 0 ? SHIFT_FACTOR * lambdaMax : 0;
  let r = await run(shift);
  if (r.mu > 0 && lambdaMax > 0) {
    // The top end still dominates H - s I (lambda_min >= 0.02 lambda_max): shift all the way.
    shift = lambdaMax;
    r = await run(shift);
  }
  return {
    value: r.mu + shift,
    vector: r.vector,
    iterations: spent,
    converged: r.converged,
    method,
    lambdaMax,
    shift,
    residual: r.residual,
  };
}
