import { z } from "zod";
import {
  type CurvatureSettings,
  curvatureSettingsSchema,
  POWER_ITERATION_DEFAULTS,
  SMALLEST_METHODS,
} from "../curvature/settings";
import type { DatasetSpec } from "../data/spec";
import { DIRECTION_METHODS } from "../directions/methods";
import { BIAS_MODES, NORMALIZATIONS } from "../directions/normalize";
import { FLOAT32_MAX, MAX_AXIS_COUNT } from "../landscape/grid";
import { GCN_ACTIVATIONS } from "../model/gcn-architecture";
import { INIT_SCHEMES } from "../model/init";
import { PADDINGS } from "../model/layers";
import { MAX_HIDDEN_LAYERS, MAX_WIDTH } from "../model/mlp";
import { ACTIVATIONS } from "../model/types";
import { OPTIMIZERS } from "../train/names";
import { type PathsSettings, pathsSettingsSchema } from "./paths-settings";

const seed = z.number().int().min(0).max(0xffffffff);
const positive = z.number().positive().finite();

const coordinate = z.number().finite().min(-FLOAT32_MAX).max(FLOAT32_MAX);
const axisSchema = z.strictObject({
  min: coordinate.default(-1),
  max: coordinate.default(1),
  count: z.number().int().min(2).max(MAX_AXIS_COUNT).default(51),
});

/** The MLP (the default model kind; `kind` may be left out): model/mlp.ts. */
const mlpModelSchema = z.strictObject({
  kind: z.literal("mlp").optional(),
  hiddenSizes: z
    .array(z.number().int().min(1).max(MAX_WIDTH))
    .max(MAX_HIDDEN_LAYERS)
    .default(() => [64, 64]),
  activation: z.enum(ACTIVATIONS).default("relu"),
  residual: z.boolean().default(false),
  init: z.enum(INIT_SCHEMES).default("auto"),
  seed: seed.optional(),
});

/** Activations of a cnn's hidden layers (its output layer is linear). */
const CNN_ACTIVATIONS = ["relu", "tanh", "sigmoid", "elu", "softplus", "linear"] as const;

/** One convolution of a "cnn" model: conv2d (filters, kernel x kernel, stride, padding) then pool x pool max-pooling (1: none). */
const convSchema = z.strictObject({
  filters: z.number().int().min(1).max(1024),
  kernel: z.number().int().min(1).max(15),
  stride: z.number().int().min(1).max(8).default(1),
  padding: z.enum(PADDINGS).default("same"),
  pool: z.number().int().min(1).max(8).default(2),
});

/**
 * A small CNN on image data (model/layers-cnn.ts): the conv stack, flatten, a dense layer per
 * entry of `dense`, a linear output layer; every hidden layer uses `activation`.
 */
const cnnModelSchema = z.strictObject({
  kind: z.literal("cnn"),
  conv: z.array(convSchema).min(1).max(8),
  dense: z
    .array(z.number().int().min(1).max(MAX_WIDTH))
    .max(MAX_HIDDEN_LAYERS)
    .default(() => []),
  activation: z.enum(CNN_ACTIVATIONS).default("relu"),
  init: z.enum(INIT_SCHEMES).default("auto"),
  seed: seed.optional(),
});

/**
 * An imported tfjs LayersModel (model/layers-import.ts): `file` is its model.json, read by the
 * caller (the CLI: relative to the config file; its weight files relative to the model.json).
 * Its weights are the centre of the landscape; with train: true they are the starting point of
 * the config's training instead.
 */
const layersModelSchema = z.strictObject({
  kind: z.literal("layers"),
  file: z.string().min(1),
  train: z.boolean().default(false),
  seed: seed.optional(),
  /** BatchNormalization layers' moving statistics at a point: as for "onnx" below (model/bn-statistics.ts). */
  bnStatistics: z.enum(["file", "recompute"]).default("file"),
  bnBatchSize: z.number().int().min(2).max(65536).default(128),
});

/**
 * An ONNX model as torch.onnx.export writes it (core/onnx): `file` is the .onnx file, read by the
 * caller (the CLI: relative to the config file). Its weights and biases are the centre of the
 * landscape; with train: true they are the starting point of the config's training instead.
 */
const onnxModelSchema = z.strictObject({
  kind: z.literal("onnx"),
  file: z.string().min(1),
  train: z.boolean().default(false),
  seed: seed.optional(),
  /**
   * BatchNorm running statistics at an evaluated point: "file", those the model carries (measured
   * at its own weights, stale away from them); "recompute", dnn-mode-connectivity's update_bn at
   * every point of the plane or path, from the training data in batches of bnBatchSize
   * (core/onnx/batch-norm.ts). Only for a model with BatchNormalization.
   */
  bnStatistics: z.enum(["file", "recompute"]).default("file"),
  bnBatchSize: z.number().int().min(2).max(65536).default(128),
});

/**
 * A graph convolutional network (model/gcn.ts, Kipf and Welling 2017) on a graph dataset (sbm,
 * karate): one GCN layer per entry of hiddenSizes, then a linear GCN output layer, so
 * hiddenSizes [16] is Kipf and Welling's two-layer GCN. init "auto" is Glorot uniform, theirs.
 */
const gcnModelSchema = z.strictObject({
  kind: z.literal("gcn"),
  hiddenSizes: z
    .array(z.number().int().min(1).max(MAX_WIDTH))
    .max(MAX_HIDDEN_LAYERS)
    .default(() => [16]),
  activation: z.enum(GCN_ACTIVATIONS).default("relu"),
  init: z.enum(INIT_SCHEMES).default("auto"),
  seed: seed.optional(),
});

const modelSchema = z.discriminatedUnion(
  "kind",
  [mlpModelSchema, cnnModelSchema, layersModelSchema, onnxModelSchema, gcnModelSchema],
  {
    error: (issue) => {
      const input = issue.input as { kind?: unknown } | undefined;
      if (issue.code === "invalid_union" && typeof input === "object" && input !== null) {
        return `unknown model kind ${JSON.stringify(input.kind)}; expected "mlp" (the default), "cnn", "layers", "onnx" or "gcn"`;
      }
      return undefined;
    },
  },
);
export type MlpModelConfig = z.output<typeof mlpModelSchema>;
export type CnnModelConfig = z.output<typeof cnnModelSchema>;
export type LayersModelConfig = z.output<typeof layersModelSchema>;
export type OnnxModelConfig = z.output<typeof onnxModelSchema>;

const trainingSchema = z.strictObject({
  optimizer: z.enum(OPTIMIZERS).default("adam"),
  learningRate: positive.default(0.01),
  momentum: z.number().min(0).lt(1).default(0.9),
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
  epsilon: positive.default(1e-8),
  weightDecay: z.number().min(0).finite().default(0),
  batchSize: z
    .union([z.number().int().min(1), z.literal("full")], { error: 'must be a positive integer or "full"' })
    .default(64),
  epochs: z.number().int().min(0).max(100_000).default(100),
  /** Optional cap on optimizer steps (stops mid-epoch); absent: whole epochs only. */
  steps: z.number().int().min(1).max(10_000_000).optional(),
  checkpointEvery: z.number().int().min(0).default(10),
  seed: seed.optional(),
  /**
   * Sharpness-Aware Minimization (Foret et al. 2021, first-order as in the reference code): each
   * step takes the gradient at w + rho g/||g|| and the optimizer steps from w with it. Absent: off.
   */
  sam: z.strictObject({ rho: positive }).optional(),
  /** Measure lambda_max of the training-loss Hessian every this many steps (and at the start and end); 0: off. */
  sharpnessEvery: z.number().int().min(0).max(10_000_000).default(0),
  /** At most this many training samples (a fixed seeded subset) in the measured loss. */
  sharpnessSamples: z.number().int().min(1).max(1_000_000).default(1024),
});

/**
 * The direction methods' names (directions/methods.ts, which says what each does); re-exported for
 * the readers that take them from the schema. Their makers: experiment/direction-methods.ts.
 */
export { DIRECTION_METHODS };

/** Solver settings of the Hessian direction methods (defaults: PyHessian's, all samples, Lanczos for the bottom). */
export const hessianDirectionsSchema = z.strictObject({
  maxIterations: z.number().int().min(1).max(100_000).default(POWER_ITERATION_DEFAULTS.maxIterations),
  tolerance: positive.default(POWER_ITERATION_DEFAULTS.tolerance),
  /** At most this many training samples (a seeded subset); absent: all. */
  maxSamples: z.number().int().min(1).optional(),
  smallest: z.enum(SMALLEST_METHODS).default("lanczos"),
});

const directionsSchema = z.strictObject({
  method: z.enum(DIRECTION_METHODS).default("random"),
  /** Random directions only (pca and hessian directions are unit vectors: normalization "none"). */
  normalization: z.enum(NORMALIZATIONS).default("filter"),
  /** Random and pca directions only (hessian eigenvectors keep their bias entries). */
  bias: z.enum(BIAS_MODES).default("zero"),
  /** One seed per axis; derived from the top-level seed when absent. Hessian methods seed their solver with the first. */
  seeds: z.array(seed).min(1).max(2).optional(),
  /** Hessian methods only; filled with the defaults when the method is a Hessian one. */
  hessian: hessianDirectionsSchema.optional(),
});

const gridSchema = z
  .strictObject({
    x: axisSchema.default(() => axisSchema.parse({})),
    /** null for a 1-D landscape (a line along x). */
    y: axisSchema.nullable().default(() => axisSchema.parse({})),
  })
  .refine((g) => g.x.min < g.x.max, {
    error: (issue) => {
      const g = issue.input as { x: { min: number; max: number } };
      return `x.min (${g.x.min}) must be less than x.max (${g.x.max})`;
    },
    path: ["x", "min"],
  })
  .refine((g) => g.y === null || g.y.min < g.y.max, {
    error: (issue) => {
      const g = issue.input as { y: { min: number; max: number } };
      return `y.min (${g.y.min}) must be less than y.max (${g.y.max})`;
    },
    path: ["y", "min"],
  });

/**
 * A function-preserving rescaling applied after training, before the directions (model/rescale.ts,
 * Dinh et al. 2017): hidden layer `layer`'s kernel and bias times `factor`, the next kernel divided
 * by it. ReLU / leaky ReLU / linear models only; the snapshot's parameters are the rescaled ones.
 */
const rescaleSchema = z.strictObject({ layer: z.number().int().min(0), factor: positive });

/** Most runs of an optimizer race (each trains the whole model once). */
const MAX_RACE_RUNS = 8;

/**
 * One run of an optimizer race: its label and optimizer; the other optimizer settings default to
 * the `training` section's (resolveConfig fills them in). SAM is per run: absent means off.
 */
const raceRunSchema = z.strictObject({
  label: z.string().trim().min(1).max(40),
  optimizer: z.enum(OPTIMIZERS),
  learningRate: positive.optional(),
  momentum: z.number().min(0).lt(1).optional(),
  beta1: z.number().min(0).lt(1).optional(),
  beta2: z.number().min(0).lt(1).optional(),
  epsilon: positive.optional(),
  weightDecay: z.number().min(0).finite().optional(),
  sam: z.strictObject({ rho: positive }).optional(),
});

/**
 * An optimizer race (experiment/race.ts): every run trains the config's model from the same
 * initialization (model.seed) on the same data with the same minibatch order (training.seed), with
 * its own optimizer settings; one plane for all, sampled around run 1's end point.
 */
const raceSchema = z.strictObject({
  runs: z
    .array(raceRunSchema)
    .min(2)
    .max(MAX_RACE_RUNS)
    .refine((runs) => new Set(runs.map((r) => r.label)).size === runs.length, {
      error: "every run needs its own label",
    }),
});

/** Most replay checkpoints a run may keep (trajectory.checkpoints). */
const MAX_REPLAY_CHECKPOINTS = 2000;

/**
 * The replayable trajectory a trained model's snapshot carries (experiment/replay.ts): at most
 * `checkpoints` checkpoints per run, and their parameters when they fit the stored-float bound.
 */
const trajectoryConfigSchema = z.strictObject({
  checkpoints: z.number().int().min(2).max(MAX_REPLAY_CHECKPOINTS).optional(),
  parameters: z.boolean().optional(),
});

/**
 * The experiment config: every key has a default, so `{}` is a complete experiment
 * (spirals, MLP 2-64-64-2 ReLU, Adam, filter-normalized random plane, 51x51).
 * Unknown keys are errors, so a typo never silently falls back to a default.
 */
export const experimentConfigSchema = z.strictObject({
  seed: seed.default(0),
  /** Checked by the dataset module's own schema (parseDatasetSpec). */
  data: z.unknown().default(() => ({ name: "spirals" })),
  model: modelSchema.default(() => modelSchema.parse({})),
  training: trainingSchema.default(() => trainingSchema.parse({})),
  directions: directionsSchema.default(() => directionsSchema.parse({})),
  grid: gridSchema.default(() => gridSchema.parse({})),
  /** Rescale the trained network without changing its function (model/rescale.ts); absent: none. */
  rescale: rescaleSchema.optional(),
  /** Curvature report written into the snapshot (curvature/settings.ts); absent: none. */
  curvature: curvatureSettingsSchema.optional(),
  /** Paths between minima for `landscape paths` (paths-settings.ts); absent: that command's defaults. */
  paths: pathsSettingsSchema.optional(),
  /** An optimizer race (experiment/race.ts); absent: one training run. */
  race: raceSchema.optional(),
  /** How densely the snapshot's trajectory section keeps checkpoints for replay; absent: the defaults. */
  trajectory: trajectoryConfigSchema.optional(),
});

type ParsedConfig = z.output<typeof experimentConfigSchema>;

/** A race run with every optimizer setting filled in (from the `training` section when not given). */
export interface RaceRunSettings {
  label: string;
  optimizer: (typeof OPTIMIZERS)[number];
  learningRate: number;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  sam?: { rho: number };
}

/** A config with every default filled in and every seed explicit: what a snapshot records. */
export type ExperimentConfig = Omit<
  ParsedConfig,
  "data" | "model" | "training" | "directions" | "curvature" | "paths" | "race"
> & {
  data: DatasetSpec & { seed: number };
  model: ParsedConfig["model"] & { seed: number };
  training: ParsedConfig["training"] & { seed: number };
  directions: ParsedConfig["directions"] & { seeds: number[] };
  curvature?: CurvatureSettings;
  paths?: PathsSettings;
  race?: { runs: RaceRunSettings[] };
};
export type ExperimentConfigInput = z.input<typeof experimentConfigSchema>;
