/**
 * The snapshot's `curvature` section: Hessian eigenvalues, trace, spectral density and sharpness
 * of the training loss at theta (the model's parameters), with every setting and seed that made
 * them, so anyone can recompute them from the snapshot (experiment/curvature-report.ts computes it).
 * Numbers that may be non-finite are written as null. Objects are loose, so fields added later
 * survive a read and a write.
 *
 * ```jsonc
 * "curvature": {
 *   "objective": { "split": "train", "samples": 512, "total": 512, "loss": 0.0312, "weightDecay": 0 },
 *   "settings": { "seed": 0, "topK": 2, "maxIterations": 100, "tolerance": 0.001, ... },
 *   "hvps": 734,
 *   "top": { "method": "power-iteration", "values": [41.2, 17.9], "iterations": [23, 61],
 *            "converged": [true, true], "residuals": [0.012, 0.05] },   // + "vectors" with --vectors
 *   "smallest": { "method": "shift", "value": -0.71, "lambdaMax": 41.2, "shift": 21.0, ... },
 *   "trace": { "method": "hutchinson", "value": 250.3, "standardError": 9.1, "ci95": [231.4, 269.2], ... },
 *   "epsSharpness": [ { "epsilon": 0.001, "sharpness": 0.83, "solver": "projected sign-gradient ascent", ... } ],
 *   "averageSharpness": [ { "radius": 0.1, "sharpness": 0.004, "ci95": [...], ... } ],
 *   "samSharpness": [ { "rho": 0.05, "sharpness": 0.02, "firstStep": 0.02, ... } ]
 * }
 * ```
 */
import { z } from "zod";
import { curvatureSettingsShape, SMALLEST_METHODS } from "../curvature/settings";
import { float32ArrayCodec } from "./arrays";

/** A number that may be non-finite (written as null). */
const maybe = z.number().nullable();
const count = z.number().int().nonnegative();

/** Resolved settings: every default filled in and the seed explicit. */
const curvatureSettingsRecordSchema = z.looseObject({
  ...curvatureSettingsShape,
  seed: z.number().int().min(0).max(0xffffffff),
});

const curvatureObjectiveSchema = z.looseObject({
  /** The data split whose mean loss is analysed. */
  split: z.literal("train"),
  /** Samples used (a seeded subset when settings.maxSamples is below total). */
  samples: count,
  total: count,
  /** The mean loss at theta over those samples. */
  loss: z.number(),
  /** Coupled L2 term wd/2 ||theta||^2 added to the loss (0: the data loss alone). */
  weightDecay: z.number(),
});

/** Power iteration with deflation (PyHessian): the top-k eigenpairs by decreasing |lambda|. */
const curvatureTopSchema = z.looseObject({
  method: z.literal("power-iteration"),
  values: z.array(z.number()),
  iterations: z.array(count),
  converged: z.array(z.boolean()),
  /** ||H v - lambda v|| / |lambda| of each pair's last iterate. */
  residuals: z.array(maybe),
  /** Unit eigenvectors, same layout as model.parameters (with settings.vectors). */
  vectors: z.array(float32ArrayCodec).optional(),
});

const curvatureSmallestSchema = z.looseObject({
  method: z.enum(SMALLEST_METHODS),
  value: z.number(),
  iterations: count,
  converged: z.boolean(),
  /** The dominant eigenvalue the shift was based on (shift), or the largest Ritz value (lanczos). */
  lambdaMax: z.number(),
  /** The shift s of the power iteration on H - s I that produced value (0 for lanczos). */
  shift: z.number(),
  /** Absolute residual ||H v - value v||. */
  residual: maybe,
  vector: float32ArrayCodec.optional(),
});

const curvatureTraceSchema = z.looseObject({
  method: z.literal("hutchinson"),
  /** Mean of the Rademacher samples z^T H z. */
  value: z.number(),
  standardError: maybe,
  /** mean -/+ t_{0.975, n-1} standard error. */
  ci95: z.tuple([maybe, maybe]),
  samples: count,
  converged: z.boolean(),
  /** Every sample z^T H z, in order. */
  values: z.array(z.number()),
});

const curvatureDensitySchema = z.looseObject({
  method: z.literal("slq"),
  /** Evenly spaced eigenvalues. */
  grid: z.array(z.number()),
  /** Density on the grid; sum(density) * (grid[1] - grid[0]) = 1. */
  density: z.array(z.number()),
  /** Gaussian variance of the smoothing. */
  variance: z.number(),
  /** Mass on the grid before rescaling (about 1 when the grid resolves the Gaussians). */
  mass: z.number(),
  /** SLQ's estimate of tr(H). */
  traceEstimate: z.number(),
  /** Lanczos steps of each run. */
  steps: z.array(count),
  /** Ritz values (descending) and quadrature weights of each run. */
  ritzValues: z.array(z.array(z.number())),
  weights: z.array(z.array(z.number())),
});

const curvatureEpsSharpnessSchema = z.looseObject({
  epsilon: z.number(),
  /** 100 (maxLoss - loss) / (1 + loss) (Keskar et al. 2017, box |delta_i| <= eps (|theta_i| + 1)). */
  sharpness: maybe,
  loss: z.number(),
  maxLoss: maybe,
  /** Loss (and gradient) evaluations spent. */
  evaluations: count,
  solver: z.string(),
  steps: count,
  restarts: count,
  stepFraction: z.number(),
});

const curvatureAverageSharpnessSchema = z.looseObject({
  radius: z.number(),
  /** Mean of L(theta + radius d_k) - L(theta) over the random directions. */
  sharpness: maybe,
  standardError: maybe,
  ci95: z.tuple([maybe, maybe]),
  samples: count,
  normalization: z.string(),
  bias: z.string(),
  values: z.array(maybe),
});

const curvatureSamSharpnessSchema = z.looseObject({
  rho: z.number(),
  /** max over the ascent iterates of L(theta + delta) - L(theta), ||delta|| <= rho. */
  sharpness: maybe,
  /** L(theta + rho g / ||g||) - L(theta): SAM's one-step quantity. */
  firstStep: maybe,
  steps: count,
  increases: z.array(maybe),
});

export const curvatureSectionSchema = z.looseObject({
  objective: curvatureObjectiveSchema,
  settings: curvatureSettingsRecordSchema,
  /** H v products spent in all. */
  hvps: count,
  top: curvatureTopSchema,
  smallest: curvatureSmallestSchema,
  trace: curvatureTraceSchema.optional(),
  density: curvatureDensitySchema.optional(),
  epsSharpness: z.array(curvatureEpsSharpnessSchema),
  averageSharpness: z.array(curvatureAverageSharpnessSchema),
  samSharpness: z.array(curvatureSamSharpnessSchema),
});

/** In memory: vectors are Float32Arrays. */
export type CurvatureSection = z.output<typeof curvatureSectionSchema>;
