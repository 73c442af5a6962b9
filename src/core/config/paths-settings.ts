/**
 * The config's `paths` section: how `runPaths` (experiment/paths-run.ts) trains several models
 * from one config and connects them (linear interpolation, a trained Bezier or polychain curve,
 * weight-matching alignment, the plane of the curve). Every key has a default; the defaults are
 * the setting of tests/unit/paths-effect.test.ts (two models, quadratic Bezier trained with Adam
 * 0.01, minibatches of 64, 200 epochs, weight matching on, 61 t values).
 *
 * @example const s = resolvePathsSettings(pathsSettingsSchema.parse({ models: 3 }), 0); // s.seeds.length === 3
 */
import { z } from "zod";
import { MAX_AXIS_COUNT } from "../landscape/grid";
import { CURVE_KINDS } from "../paths/curves";
import { deriveSeed } from "../rng";
import { OPTIMIZERS } from "../train/names";

const seed = z.number().int().min(0).max(0xffffffff);
const positive = z.number().positive().finite();

/** At most this many models (the brief's 2..5: enough for a few pairs, cheap enough for the browser). */
const MAX_PATH_MODELS = 5;

const curveSchema = z.strictObject({
  /** "bezier" (Garipov et al.'s quadratic Bezier with one bend) or "polychain" (a broken line). */
  kind: z.enum(CURVE_KINDS).default("bezier"),
  /** Free points between the endpoints (1: quadratic Bezier, or a polychain through one bend). */
  bends: z.number().int().min(1).max(16).default(1),
  /** Passes over the training data; each minibatch draws its own t ~ U(0, 1). */
  epochs: z.number().int().min(1).max(100_000).default(200),
  learningRate: positive.default(0.01),
  /** sgd, momentum or adam; momentum, beta1, beta2 and epsilon are the training section's defaults (0.9, 0.9, 0.999, 1e-8). */
  optimizer: z.enum(OPTIMIZERS).default("adam"),
  batchSize: z
    .union([z.number().int().min(1), z.literal("full")], { error: 'must be a positive integer or "full"' })
    .default(64),
  /** Coupled L2 (weight decay) lambda on the bends: the objective gets (lambda / 2) sum |bend|^2. */
  l2: z.number().min(0).finite().default(0),
  /** Minibatch order and the t drawn per minibatch; derived from the top-level seed ("paths-curve") when absent. */
  seed: seed.optional(),
});

const planeSchema = z.strictObject({
  /** Grid points per axis of the plane's landscape; absent: the config's grid.x.count and grid.y.count. */
  count: z.number().int().min(2).max(MAX_AXIS_COUNT).optional(),
  /** Margin around the endpoints, bend and curve, as a fraction of their larger extent in the plane. */
  margin: z.number().min(0).max(10).finite().default(0.25),
});

const alpha = z.number().finite().min(-1e6).max(1e6);

export const pathsSettingsSchema = z
  .strictObject({
    /** How many models to train from the config (different seeds); paths connect model 1 with the others. */
    models: z.number().int().min(2).max(MAX_PATH_MODELS).default(2),
    /** One seed per model, used for both its initialization and its minibatch order; derived ("paths-model-k") when absent. */
    seeds: z.array(seed).min(2).max(MAX_PATH_MODELS).optional(),
    curve: curveSchema.default(() => curveSchema.parse({})),
    /** Also align model 2 to model 1 by weight matching (Ainsworth et al. 2023) and score the straight line to it. */
    align: z.boolean().default(true),
    /** Range of alpha for the linear paths, w = (1 - alpha) theta_a + alpha theta_b; must contain [0, 1]. */
    alphaRange: z.tuple([alpha, alpha]).default([-0.5, 1.5]),
    /** t values per path: equally spaced over [0, 1] for curves, over alphaRange for linear paths (0 and 1 added when missed). */
    count: z.number().int().min(2).max(10_001).default(61),
    plane: planeSchema.default(() => planeSchema.parse({})),
    /**
     * Paths between two ONNX models with BatchNormalization (experiment/paths-onnx.ts): the running
     * statistics at a point, "interpolated" between the models' with the parameters' coefficients
     * (the default when absent: the ends are the two models) or "model-a" (model A's everywhere).
     * Neither recomputes them (paths/running-statistics.ts). Ignored for models without BN.
     */
    runningStatistics: z.enum(["interpolated", "model-a"]).optional(),
  })
  .refine((p) => p.alphaRange[0] <= 0 && p.alphaRange[1] >= 1, {
    error: (issue) => {
      const r = (issue.input as { alphaRange: [number, number] }).alphaRange;
      return `must contain [0, 1] (both endpoints), got [${r[0]}, ${r[1]}]`;
    },
    path: ["alphaRange"],
  })
  .refine((p) => p.seeds === undefined || p.seeds.length === p.models, {
    error: (issue) => {
      const p = issue.input as { seeds: number[]; models: number };
      return `expected ${p.models} seeds (one per model, paths.models), got ${p.seeds.length}`;
    },
    path: ["seeds"],
  })
  .refine((p) => p.seeds === undefined || new Set(p.seeds).size === p.seeds.length, {
    error:
      "seeds must differ: two models with one seed are the same model, and no path connects a point to itself",
    path: ["seeds"],
  });

export type PathsSettingsInput = z.input<typeof pathsSettingsSchema>;
type ParsedPaths = z.output<typeof pathsSettingsSchema>;

/** Resolved: every default filled in, every seed explicit (what a snapshot records). */
export type PathsSettings = Omit<ParsedPaths, "seeds" | "curve"> & {
  seeds: number[];
  curve: ParsedPaths["curve"] & { seed: number };
};

/**
 * Fill the derived seeds of parsed settings: model k (1-based) gets deriveSeed(seed, "paths-model-k")
 * and the curve deriveSeed(seed, "paths-curve"), unless given.
 */
export function resolvePathsSettings(parsed: ParsedPaths, masterSeed: number): PathsSettings {
  const seeds =
    parsed.seeds ??
    Array.from({ length: parsed.models }, (_, k) => deriveSeed(masterSeed, `paths-model-${k + 1}`));
  return {
    ...parsed,
    seeds: [...seeds],
    curve: { ...parsed.curve, seed: parsed.curve.seed ?? deriveSeed(masterSeed, "paths-curve") },
    alphaRange: [parsed.alphaRange[0], parsed.alphaRange[1]],
    plane: { ...parsed.plane },
  };
}

/**
 * Parse and resolve a `paths` settings object on its own (the CLI's --from mode, the worker).
 * Throws one Error listing every problem, each starting with `where` and its field path.
 *
 * @example parsePathsSettings({ curve: { epochs: 50 } }, 0).curve.epochs // 50
 */
export function parsePathsSettings(input: unknown, masterSeed: number, where = "paths"): PathsSettings {
  const parsed = pathsSettingsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) =>
        `${[where, ...i.path.map((p) => (typeof p === "number" ? `[${p}]` : String(p)))].join(".").replace(/\.\[/g, "[")}: ${i.message}`,
    );
    throw new Error(
      `invalid ${where} settings (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  ${problems.join("\n  ")}`,
    );
  }
  return resolvePathsSettings(parsed.data, masterSeed);
}
