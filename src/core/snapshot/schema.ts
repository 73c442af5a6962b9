/**
 * Zod schema of snapshot format version 1, as the format contract describes it: the single source
 * of truth for the structure. Decoding (z.decode / safeDecode) turns wire arrays into
 * Float32Arrays; encoding (z.encode) turns them back, in the mode set by withArrayEncoding.
 * Value-level rules that span fields (lengths, layout vs architecture, label ranges) live in
 * semantics.ts, so this file only says which fields exist and what types they have.
 *
 * @example const snapshot: Snapshot = snapshotSchema.decode(JSON.parse(text));
 */
import { z } from "zod";
import type { ModelArchitecture } from "../model/architecture";
import { GCN_ACTIVATIONS, type GcnArchitecture } from "../model/gcn-architecture";
import { LAYER_ACTIVATIONS, type LayersArchitecture, PADDINGS } from "../model/layers";
import { ACTIVATIONS, type LayoutEntry, type LossKind, type MlpArchitecture } from "../model/types";
import { onnxArchitectureSchema } from "../onnx/schema";
import { float32ArrayCodec } from "./arrays";
import { curvatureSectionSchema } from "./curvature-section";
import { pathsSectionSchema } from "./paths-section";
import { planSectionSchema } from "./plan-section";
import { trajectorySectionSchema } from "./trajectory-section";

export const SNAPSHOT_FORMAT = "loss-landscape-snapshot";
export const SNAPSHOT_VERSION = 1;

/** Metric names the app and CLI know how to label; other names are allowed. */
export const KNOWN_SURFACES = ["train_loss", "train_accuracy", "test_loss", "test_accuracy"] as const;
export type KnownSurface = (typeof KNOWN_SURFACES)[number];

export const DIRECTION_NORMALIZATIONS = ["filter", "layer", "model", "none"] as const;
/**
 * Bias entries (1-D tensors) of a direction: "zero", "copy" (equal to theta's), or "include": part
 * of the direction as its method made it (Hessian eigenvectors), neither zeroed nor copied.
 */
export const DIRECTION_BIAS = ["zero", "copy", "include"] as const;

/** Which Hessian eigenvector a "hessian" direction is. */
const HESSIAN_WHICH = ["top-1", "top-2", "bottom"] as const;

const describeInput = (input: unknown): string => (input === undefined ? "nothing" : JSON.stringify(input));

const formatSchema = z.literal(SNAPSHOT_FORMAT, {
  error: (issue) =>
    `expected "${SNAPSHOT_FORMAT}", got ${describeInput(issue.input)}: this is not a loss-landscape snapshot`,
});

const versionSchema = z.literal(SNAPSHOT_VERSION, {
  error: (issue) =>
    `unsupported version ${describeInput(issue.input)}: this reader understands version ${SNAPSHOT_VERSION}`,
});

const count = z.number().int().nonnegative();
const positiveInt = z.number().int().positive();

const producerSchema = z.looseObject({
  name: z.string(),
  version: z.string(),
  /** The tfjs backend that computed the numbers (webgpu, webgl, wasm, cpu). */
  backend: z.string(),
});

/** MLP architecture; see MlpArchitecture for the forward semantics. */
const mlpArchitectureSchema: z.ZodType<MlpArchitecture, MlpArchitecture> = z.looseObject({
  kind: z.literal("mlp"),
  inputSize: positiveInt,
  hiddenSizes: z.array(positiveInt),
  outputSize: positiveInt,
  activation: z.enum(ACTIVATIONS),
  leakyReluAlpha: z.number().optional(),
  residual: z.boolean(),
  residualSemantics: z.string().optional(),
});

const pairSchema = z.tuple([positiveInt, positiveInt]);
const layerActivationSchema = z.enum(LAYER_ACTIVATIONS);

/** One layer of a layers model (model/layers.ts states the semantics of each type). */
const layerSpecSchema = z.discriminatedUnion("type", [
  z.looseObject({
    type: z.literal("dense"),
    name: z.string(),
    units: positiveInt,
    activation: layerActivationSchema,
    useBias: z.boolean(),
  }),
  z.looseObject({
    type: z.literal("conv2d"),
    name: z.string(),
    filters: positiveInt,
    kernelSize: pairSchema,
    strides: pairSchema,
    padding: z.enum(PADDINGS),
    activation: layerActivationSchema,
    useBias: z.boolean(),
  }),
  z.looseObject({
    type: z.literal("maxPooling2d"),
    name: z.string(),
    poolSize: pairSchema,
    strides: pairSchema,
    padding: z.enum(PADDINGS),
  }),
  z.looseObject({ type: z.literal("flatten"), name: z.string() }),
  z.looseObject({ type: z.literal("dropout"), name: z.string(), rate: z.number() }),
  z.looseObject({ type: z.literal("activation"), name: z.string(), activation: layerActivationSchema }),
  z.looseObject({
    type: z.literal("batchNormalization"),
    name: z.string(),
    epsilon: z.number(),
    center: z.boolean(),
    scale: z.boolean(),
    movingMean: z.array(z.number()),
    movingVariance: z.array(z.number()),
  }),
]);

/** Layer-stack architecture (imported tfjs LayersModels, the config's CNNs); see LayersArchitecture. */
const layersArchitectureSchema: z.ZodType<LayersArchitecture, LayersArchitecture> = z.looseObject({
  kind: z.literal("layers"),
  inputShape: z.array(positiveInt).min(1),
  inputSize: positiveInt,
  outputSize: positiveInt,
  layers: z.array(layerSpecSchema).min(1),
  semantics: z.string(),
  source: z.enum(["tfjs-layers", "cnn"]).optional(),
}) as unknown as z.ZodType<LayersArchitecture, LayersArchitecture>;

/**
 * A GCN on the graph it carries (model/gcn.ts states the semantics; x holds node ids). The graph's
 * own rules (ids in range, no self-loops or duplicate edges, feature count) are semantics.ts's.
 */
const gcnArchitectureSchema: z.ZodType<GcnArchitecture, GcnArchitecture> = z.looseObject({
  kind: z.literal("gcn"),
  inputSize: positiveInt,
  hiddenSizes: z.array(positiveInt),
  outputSize: positiveInt,
  activation: z.enum(GCN_ACTIVATIONS),
  graph: z.looseObject({
    nodes: positiveInt,
    // Checked pair by pair in semantics.ts, whose messages say what is wrong with an edge.
    edges: z.array(z.unknown()),
    featureSize: positiveInt,
    features: z.array(z.unknown()),
  }),
  semantics: z.string().optional(),
}) as unknown as z.ZodType<GcnArchitecture, GcnArchitecture>;

/** Any model kind, by `kind`: "mlp", "layers", "onnx" (core/onnx/schema.ts) or "gcn". */
const architectureSchema: z.ZodType<ModelArchitecture, ModelArchitecture> = z.discriminatedUnion("kind", [
  mlpArchitectureSchema as unknown as z.ZodObject<{ kind: z.ZodLiteral<"mlp"> }>,
  layersArchitectureSchema as unknown as z.ZodObject<{ kind: z.ZodLiteral<"layers"> }>,
  onnxArchitectureSchema as unknown as z.ZodObject<{ kind: z.ZodLiteral<"onnx"> }>,
  gcnArchitectureSchema as unknown as z.ZodObject<{ kind: z.ZodLiteral<"gcn"> }>,
]) as unknown as z.ZodType<ModelArchitecture, ModelArchitecture>;

const lossSchema: z.ZodType<LossKind, LossKind> = z.enum(["cross-entropy", "mse"]);

/** One tensor of the flat vector: name and row-major shape, e.g. { name: "dense_0/kernel", shape: [2, 64] }. */
const layoutEntrySchema: z.ZodType<LayoutEntry, LayoutEntry> = z.looseObject({
  name: z.string(),
  shape: z.array(count),
  /** 0: the kernel's filters run along its first axis (ONNX / PyTorch layout); absent: the last. */
  filterAxis: z.literal(0).optional(),
});

export const modelSchema = z.looseObject({
  architecture: architectureSchema,
  loss: lossSchema,
  layout: z.array(layoutEntrySchema),
  /** The centre point theta, flat: [sum of layout sizes]. */
  parameters: float32ArrayCodec,
});

/** x: [count, inputSize] row-major; y: [count] class indices or [count, outputSize] targets. */
const dataSplitSchema = z.looseObject({
  x: float32ArrayCodec,
  y: float32ArrayCodec,
  count,
});

const dataSchema = z.looseObject({
  name: z.string(),
  task: z.enum(["classification", "regression"]),
  inputSize: positiveInt,
  outputSize: positiveInt,
  /** Number of classes; absent for regression. */
  classes: positiveInt.optional(),
  train: dataSplitSchema,
  test: dataSplitSchema.optional(),
  /**
   * Node classification on a graph (the "graph" task; task stays "classification"): x holds node
   * ids (inputSize 1) of the graph model.architecture.graph carries, which has `nodes` nodes.
   * Optional on read: a GCN's architecture implies it.
   */
  graph: z.looseObject({ nodes: positiveInt }).optional(),
});

const directionSchema = z.looseObject({
  label: z.string(),
  /** How the direction was made: "random", "target", "pca", "hessian", ... */
  method: z.string().min(1),
  normalization: z.enum(DIRECTION_NORMALIZATIONS),
  bias: z.enum(DIRECTION_BIAS),
  seed: z.number().int().optional(),
  /** Hessian directions: d^T H d of this unit direction, the curvature of the landscape along the axis at the centre. */
  eigenvalue: z.number().optional(),
  /** Hessian directions: which eigenvector ("top-1" dominant, "top-2" second, "bottom" smallest). */
  which: z.enum(HESSIAN_WHICH).optional(),
  /** [parameter count], same layout as model.parameters. */
  values: float32ArrayCodec,
});

/** Coordinate k on the axis is min + k (max - min) / (count - 1). */
export const axisSchema = z.looseObject({
  label: z.string(),
  min: z.number(),
  max: z.number(),
  count: z.number(),
});

export const gridSchema = z.looseObject({
  axes: z.array(axisSchema),
});

/** Extension sections stay loose until their own modules pin them down. */
const looseSection = z.record(z.string(), z.unknown());

/**
 * A whole snapshot. Every object is loose: the contract lets producers add fields, and those must
 * survive a read and a write (a stripping schema would silently drop them on re-export). Surfaces are [count_y, count_x] row-major, x fastest (index = iy * nx + ix).
 */
export const snapshotSchema = z.looseObject({
  format: formatSchema,
  version: versionSchema,
  createdAt: z.iso.datetime({
    offset: true,
    error: (issue) =>
      `expected an ISO 8601 date-time such as 2026-11-27T10:00:00Z, got ${describeInput(issue.input)}`,
  }),
  producer: producerSchema,
  /** The experiment config that produced the snapshot; validated by the config module. */
  config: z.record(z.string(), z.unknown()),
  model: modelSchema,
  data: dataSchema,
  directions: z.array(directionSchema),
  grid: gridSchema,
  surfaces: z.record(z.string(), float32ArrayCodec),
  training: looseSection.optional(),
  /** Paths between minima (paths-section.ts). */
  paths: pathsSectionSchema.optional(),
  /** The training runs replayed on the plane (trajectory-section.ts). */
  trajectory: trajectorySectionSchema.optional(),
  /** Curvature report at theta (curvature-section.ts). */
  /** What produced the numbers, every seed, and a data checksum (reproducibility.ts). */
  reproducibility: looseSection.optional(),
  curvature: curvatureSectionSchema.optional(),
  /** A plan of a sharded landscape (plan-section.ts): present only in plan files. */
  plan: planSectionSchema.optional(),
});

/** In-memory snapshot: every float array is a Float32Array. */
export type Snapshot = z.output<typeof snapshotSchema>;
/** Snapshot as JSON: float arrays in either wire form. */
export type SnapshotWire = z.input<typeof snapshotSchema>;
export type SnapshotDirection = Snapshot["directions"][number];
export type SnapshotAxis = Snapshot["grid"]["axes"][number];
type SnapshotData = Snapshot["data"];
export type SnapshotDataSplit = SnapshotData["train"];
