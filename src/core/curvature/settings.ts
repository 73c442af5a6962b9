/**
 * Settings of a curvature report, one flat object shared by the config's `curvature` section, the
 * CLI's `landscape curvature` options (--top-k <-> topK, --trace-samples <-> traceSamples, ...) and
 * the snapshot's `curvature.settings` (where every default is filled in and the seed is explicit).
 *
 * @example const s = parseCurvatureSettings({ topK: 2, epsSharpness: [1e-3] }, 7); // s.seed === 7
 */
import { z } from "zod";

const seed = z.number().int().min(0).max(0xffffffff);
const positive = z.number().positive().finite();
const positiveList = z.array(positive).max(32);

/** Methods for the smallest eigenvalue (curvature/eigen.ts). */
/** PyHessian's power-iteration defaults: at most 100 iterations, relative tolerance 1e-3. */
export const POWER_ITERATION_DEFAULTS = { maxIterations: 100, tolerance: 1e-3 } as const;

/** The reference shift factor (Li et al. 2018, hess_vec_prod.py: shift = maxeig * .51). */
export const SHIFT_FACTOR = 0.51;

export const SMALLEST_METHODS = ["shift", "lanczos"] as const;

/** The fields, with their defaults; `seed` is optional here and explicit once resolved. */
export const curvatureSettingsShape = {
  /** Seed of every random draw (start vectors, Rademacher vectors, subset, corners, directions). */
  seed: seed.optional(),
  /** Use a seeded random subset of at most this many training samples; absent: all of them. */
  maxSamples: z.number().int().min(1).optional(),
  /** How many dominant eigenpairs by power iteration with deflation (PyHessian's top_n). */
  topK: z.number().int().min(1).max(100).default(1),
  /** Power iterations per eigenpair (PyHessian's maxIter). */
  maxIterations: z.number().int().min(1).max(100_000).default(100),
  /** Relative change of the eigenvalue estimate that stops an eigenpair (PyHessian's tol). */
  tolerance: positive.default(1e-3),
  /**
   * The smallest eigenvalue: "lanczos" (maxIterations Lanczos steps, full reorthogonalization) or
   * "shift" (the reference code's power iteration on H - 0.51 lambda_max I). Lanczos is the
   * default: at a trained minimum the bottom of the spectrum is a cluster around 0, where the
   * shifted power iteration's eigenvalue-change rule stops after a few steps at a mixture (on a
   * trained 2-8-2 MLP it gave +0.0022 where the smallest eigenvalue is -0.0044; Lanczos -0.0044).
   */
  smallest: z.enum(SMALLEST_METHODS).default("lanczos"),
  /** Most Rademacher samples of Hutchinson's trace; 0 skips the trace (1 is refused: no interval). */
  traceSamples: z
    .number()
    .int()
    .min(0)
    .max(100_000)
    .refine((n) => n !== 1, { error: "must be 0 (skip) or at least 2 (an interval needs 2 samples)" })
    .default(100),
  /** Relative change of the running mean that stops the trace (after 10 samples). */
  traceTolerance: positive.default(1e-3),
  /** Compute the SLQ spectral density. */
  density: z.boolean().default(false),
  /** Lanczos steps per SLQ run (capped at the parameter count). */
  densitySteps: z.number().int().min(1).max(10_000).default(100),
  /** Independent SLQ runs. */
  densityRuns: z.number().int().min(1).max(1000).default(1),
  /** Points of the density grid (PyHessian uses 10000; 1000 keeps snapshots small). */
  densityBins: z.number().int().min(2).max(100_000).default(1000),
  /** Box sizes eps of Keskar et al.'s epsilon-sharpness; empty: none. */
  epsSharpness: positiveList.default(() => []),
  /** Ascent steps per start of the epsilon-sharpness solver. */
  epsSteps: z.number().int().min(0).max(100_000).default(20),
  /** Random-corner starts of the epsilon-sharpness solver besides delta = 0. */
  epsRestarts: z.number().int().min(0).max(1000).default(3),
  /** Radii of the average sharpness (filter-normalized random directions); empty: none. */
  averageRadius: positiveList.default(() => []),
  /** Random directions per average-sharpness radius (at least 2, for an interval). */
  averageSamples: z.number().int().min(2).max(100_000).default(10),
  /** L2-ball radii rho of SAM's worst-case sharpness; empty: none. */
  samRho: positiveList.default(() => []),
  /** Normalized-gradient ascent steps of SAM's sharpness (1 = SAM's own first-order step). */
  samSteps: z.number().int().min(1).max(100_000).default(1),
  /** Store the eigenvectors (top-k and smallest) as flat float arrays in the section. */
  vectors: z.boolean().default(false),
};

/** The settings as written in a config or a snapshot (unknown keys are errors). */
export const curvatureSettingsSchema = z.strictObject(curvatureSettingsShape);

export type CurvatureSettingsInput = z.input<typeof curvatureSettingsSchema>;
/** Every default filled in and the seed explicit: what a snapshot records. */
export type CurvatureSettings = z.output<typeof curvatureSettingsSchema> & { seed: number };

/** `topK`, `epsSharpness[0]`, ... */
function joinPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path)
    out += typeof key === "number" ? `[${key}]` : out === "" ? String(key) : `.${String(key)}`;
  return out === "" ? "(settings)" : out;
}

/**
 * Check and complete curvature settings; `seed` falls back to `defaultSeed`. Throws one Error with
 * a `path: message, got value` line per problem, prefixed by `what`.
 */
export function parseCurvatureSettings(
  input: unknown,
  defaultSeed: number,
  what = "curvature",
): CurvatureSettings {
  const parsed = curvatureSettingsSchema.safeParse(input ?? {}, { reportInput: true });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const got =
        issue.input === undefined || typeof issue.input === "object"
          ? ""
          : `, got ${JSON.stringify(issue.input)}`;
      return `${what}.${joinPath(issue.path)}: ${issue.message}${got}`;
    });
    throw new Error(`invalid curvature settings:\n  ${lines.join("\n  ")}`);
  }
  return { ...parsed.data, seed: parsed.data.seed ?? defaultSeed };
}
