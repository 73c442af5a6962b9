/**
 * The property table: every setting a user can change, in one declarative, typed list that
 * drives the defaults, the URL hash keys and the controls (TensorFlow Playground's state.ts, but
 * strictly typed). The table's key order is the URL's key order and the controls' order.
 *
 * `path` says where a value goes: into the experiment config (["training", "learningRate"];
 * see src/core/config/schema.ts) or into the surface view options (["view", "logScale"]).
 * Config paths are checked by resolveConfig in the tests; view paths are checked against
 * SurfaceViewOptions at compile time (VIEW_TABLE_MATCHES below).
 *
 * The Data entries derive from the dataset registry (src/core/data/registry.ts): the dataset
 * menu's options, labels and help, and one entry per dataset field (kind, label, help, default),
 * with the bounds of the field's one schema (core/data/fields.ts), so a new dataset needs no line here.
 *
 * Defaults draw a useful picture in a few seconds on a laptop without a GPU: the default preset,
 * smaller (256 + 256 spiral points, MLP 32-32, 60 epochs, a 41 x 41 grid).
 *
 * @example PROPERTIES.lr.kind.parse("0.02") // { ok: true, value: 0.02 }
 */

import { COMMON_FIELDS, type Field, type ParamField } from "../core/data/fields";
import { GENERATED_DATASETS, type GeneratedDatasets } from "../core/data/registry";
import { DATASET_NAMES, type DatasetName, MAX_POINTS, MAX_SEED } from "../core/data/spec";
import { BIAS_MODES, NORMALIZATIONS } from "../core/directions/normalize";
import { MAX_AXIS_COUNT } from "../core/landscape/grid";
import { INIT_SCHEMES } from "../core/model/init";
import { MAX_HIDDEN_LAYERS, MAX_WIDTH } from "../core/model/mlp";
import { ACTIVATIONS } from "../core/model/types";
import { OPTIMIZERS, type OptimizerName } from "../core/train/names";
import {
  type AnyKind,
  axisKind,
  batchKind,
  booleanKind,
  enumKind,
  fieldKind,
  integerKind,
  intListKind,
  type KindOfField,
  numberKind,
  optionalIntegerKind,
  optionalNumberKind,
  type ValueOf,
} from "./kinds";
import type { SurfaceMetric, SurfaceViewOptions } from "./surface-view";
import { COLORMAP_NAMES } from "./surface-view";

export const GROUPS = ["Data", "Model", "Training", "Directions", "Grid", "View"] as const;
export type Group = (typeof GROUPS)[number];

/** Same order as the metric selector shows them. */
export const SURFACE_METRICS = [
  "train_loss",
  "test_loss",
  "train_accuracy",
  "test_accuracy",
] as const satisfies readonly SurfaceMetric[];

import { DIRECTION_METHODS } from "../core/config/schema";

export { DIRECTION_METHODS };

/** Largest |coordinate| of a grid axis the controls accept (directions are normalized: +-1 is typical). */
const MAX_AXIS_BOUND = 10_000;

/** Where a value goes: a config path, or ["view", field of SurfaceViewOptions]. */
type SettingPath = readonly (string | number)[];

export interface Property<K extends AnyKind = AnyKind, P extends SettingPath = SettingPath> {
  path: P;
  kind: K;
  default: ValueOf<K>;
  label: string;
  group: Group;
  /** One line for tooltips and the panel. */
  help: string;
  /** Only these datasets have the field: shown and sent to the config only for them. */
  datasets?: readonly DatasetName[];
  /** Shown only for these optimizers (the config takes the field either way). */
  optimizers?: readonly OptimizerName[];
  /**
   * The config key is optional and its absence means the default: it is left out of the config at
   * the default value, and a config without it reads as the default (e.g. data.labelNoise).
   */
  omitDefault?: boolean;
  /** Tucked under "More" in its group. */
  advanced?: boolean;
  /** A range slider next to the input (log: logarithmic track). */
  slider?: { min: number; max: number; step: number; log?: boolean };
}

function prop<K extends AnyKind, const P extends SettingPath>(p: Property<K, P>): Property<K, P> {
  return p;
}

/**
 * The entry of a dataset field (core/data/fields.ts): its control's kind, label, help and slider
 * come from the field, so its bounds are written once, in core.
 */
function fieldProp<const F extends Field, const P extends SettingPath>(
  path: P,
  field: F,
  rest: Pick<Property<KindOfField<F>, P>, "default" | "datasets" | "omitDefault">,
): Property<KindOfField<F>, P> {
  return {
    path,
    kind: fieldKind(field),
    label: field.label,
    group: "Data",
    help: field.help,
    ...(field.slider && { slider: field.slider }),
    ...rest,
  };
}

/** The datasets whose targets are class labels (the ones data.labelNoise applies to). */
export const CLASSIFICATION_DATASETS: readonly DatasetName[] = DATASET_NAMES.filter(
  (name) => GENERATED_DATASETS[name].task === "classification",
);

/** The dataset menu's help: the names grouped by what they are, e.g. "sine, polynomial: 1-D regression". */
function datasetHelp(): string {
  const groups = new Map<string, string[]>();
  for (const name of DATASET_NAMES) {
    const { inputSize, task } = GENERATED_DATASETS[name];
    const what = `${inputSize}-D ${task}`;
    groups.set(what, [...(groups.get(what) ?? []), name]);
  }
  return [...groups].map(([what, names]) => `${names.join(", ")}: ${what}`).join("; ");
}

/** Every dataset's own field with its name, e.g. { name: "arms", field: <its field> }. */
type DatasetField = {
  [N in DatasetName]: {
    [F in keyof GeneratedDatasets[N]["fields"] & string]: {
      name: F;
      field: GeneratedDatasets[N]["fields"][F];
    };
  }[keyof GeneratedDatasets[N]["fields"] & string];
}[DatasetName];
/** A field's URL key: its `key`, else its name. */
type UrlKeyOf<E> = E extends { field: { key: infer K extends string } }
  ? K
  : E extends { name: infer F }
    ? F
    : never;
/** The entries of the datasets' own fields, by URL key (factor, arms, turns, ..., coef). */
type DatasetParamProperties = {
  [E in DatasetField as UrlKeyOf<E>]: Property<KindOfField<E["field"]>, readonly ["data", E["name"]]>;
};

/**
 * One entry per field of the generated datasets (registry.ts), in registry order, shown and sent
 * for the datasets that have it. Two datasets share an entry by sharing one field object.
 */
function datasetParamProperties(): DatasetParamProperties {
  const out: Record<string, Property> = {};
  const fieldOf = new Map<string, ParamField>();
  for (const dataset of DATASET_NAMES) {
    const fields: Record<string, ParamField> = GENERATED_DATASETS[dataset].fields;
    for (const [name, field] of Object.entries(fields)) {
      const key = field.key ?? name;
      const seen = out[key];
      if (seen) {
        if (fieldOf.get(key) !== field || seen.path[1] !== name)
          throw new Error(
            `datasets ${seen.datasets?.join(", ")} and ${dataset} both have a control "${key}": ` +
              "share one field object, or give one of them another key",
          );
        out[key] = { ...seen, datasets: [...(seen.datasets ?? []), dataset] };
        continue;
      }
      fieldOf.set(key, field);
      const fallback = field.default;
      out[key] = fieldProp(["data", name], field, {
        default: typeof fallback === "number" ? fallback : [...fallback],
        datasets: [dataset],
      });
    }
  }
  return out as unknown as DatasetParamProperties;
}

/** The dataset menu's names for people ("Spirals"), by option. */
const DATASET_LABELS = Object.fromEntries(
  DATASET_NAMES.map((name) => [name, GENERATED_DATASETS[name].label]),
) as Record<DatasetName, string>;

const DATASET_PARAMS = datasetParamProperties();

export const PROPERTIES = {
  // ---- Data
  ds: prop({
    path: ["data", "name"],
    kind: enumKind(DATASET_NAMES, DATASET_LABELS),
    default: "spirals",
    label: "Dataset",
    group: "Data",
    help: datasetHelp(),
  }),
  n: fieldProp(["data", "trainCount"], COMMON_FIELDS.trainCount, { default: 256 }),
  nt: fieldProp(["data", "testCount"], COMMON_FIELDS.testCount, { default: 256 }),
  noise: fieldProp(["data", "noise"], COMMON_FIELDS.noise, { default: 0.1 }),
  lnoise: fieldProp(["data", "labelNoise"], COMMON_FIELDS.labelNoise, {
    default: COMMON_FIELDS.labelNoise.default,
    datasets: CLASSIFICATION_DATASETS,
    omitDefault: true,
  }),
  // The datasets' own fields (registry.ts), each shown for its datasets only.
  ...DATASET_PARAMS,
  dseed: prop({
    path: ["data", "seed"],
    kind: optionalIntegerKind({ min: COMMON_FIELDS.seed.min, max: COMMON_FIELDS.seed.max }),
    default: null,
    label: COMMON_FIELDS.seed.label,
    group: "Data",
    help: COMMON_FIELDS.seed.help,
    advanced: true,
  }),

  // ---- Model
  hid: prop({
    path: ["model", "hiddenSizes"],
    kind: intListKind({ min: 1, max: MAX_WIDTH, maxLength: MAX_HIDDEN_LAYERS }),
    default: [32, 32],
    label: "Hidden sizes",
    group: "Model",
    help: "widths of the hidden layers, e.g. 32,32; empty: a linear model",
  }),
  act: prop({
    path: ["model", "activation"],
    kind: enumKind(ACTIVATIONS),
    default: "relu",
    label: "Activation",
    group: "Model",
    help: "activation of every hidden layer (leaky_relu has slope 0.01)",
  }),
  res: prop({
    path: ["model", "residual"],
    kind: booleanKind(),
    default: false,
    label: "Residual",
    group: "Model",
    help: "hidden layers after the first with equal widths compute h + act(h W + b)",
  }),
  init: prop({
    path: ["model", "init"],
    kind: enumKind(INIT_SCHEMES),
    default: "auto",
    label: "Init",
    group: "Model",
    help: "he (normal), glorot (uniform), auto: He for relu-like activations, else Glorot",
    advanced: true,
  }),
  iseed: prop({
    path: ["model", "seed"],
    kind: optionalIntegerKind({ min: 0, max: MAX_SEED }),
    default: null,
    label: "Init seed",
    group: "Model",
    help: "seed of the initial weights; empty: derived from the seed",
    advanced: true,
  }),

  // ---- Training
  seed: prop({
    path: ["seed"],
    kind: integerKind({ min: 0, max: MAX_SEED }),
    default: 1,
    label: "Seed",
    group: "Training",
    help: "master seed: data, init, batch order and directions derive from it",
  }),
  opt: prop({
    path: ["training", "optimizer"],
    kind: enumKind(OPTIMIZERS),
    default: "adam",
    label: "Optimizer",
    group: "Training",
    help: "sgd, momentum (v = mu v + g; w -= lr v) or adam",
  }),
  lr: prop({
    path: ["training", "learningRate"],
    kind: numberKind({ min: 0, max: 100, step: 0.001, minExclusive: true }),
    default: 0.01,
    label: "Learning rate",
    group: "Training",
    help: "step size",
    slider: { min: 1e-4, max: 1, step: 0.01, log: true },
  }),
  bs: prop({
    path: ["training", "batchSize"],
    kind: batchKind({ min: 1, max: MAX_POINTS }),
    default: 32,
    label: "Batch size",
    group: "Training",
    help: 'samples per step, or "full" for full-batch gradient descent',
  }),
  ep: prop({
    path: ["training", "epochs"],
    kind: integerKind({ min: 0, max: 100_000, step: 10 }),
    default: 60,
    label: "Epochs",
    group: "Training",
    help: "passes over the training set (0: no training)",
  }),
  ckpt: prop({
    path: ["training", "checkpointEvery"],
    kind: integerKind({ min: 0, max: 100_000 }),
    default: 10,
    label: "Checkpoint every",
    group: "Training",
    help: "keep the parameters every this many epochs (0: start and end only); PCA needs 3 or more",
  }),
  mom: prop({
    path: ["training", "momentum"],
    kind: numberKind({ min: 0, max: 1, step: 0.01, maxExclusive: true }),
    default: 0.9,
    label: "Momentum",
    group: "Training",
    help: "mu of the momentum optimizer",
    optimizers: ["momentum"],
  }),
  sam: prop({
    path: ["training", "sam", "rho"],
    kind: optionalNumberKind({ min: 0, max: 10, step: 0.01, minExclusive: true, suggested: 0.05 }),
    default: null,
    label: "SAM rho",
    group: "Training",
    help: "Sharpness-Aware Minimization (Foret et al. 2021): each step takes the gradient at w + rho g/||g||, seeking flat minima; none: off (0.05 is typical)",
  }),
  shp: prop({
    path: ["training", "sharpnessEvery"],
    kind: integerKind({ min: 0, max: 10_000_000 }),
    default: 0,
    label: "Sharpness every",
    group: "Training",
    help: "measure lambda_max of the training-loss Hessian every this many steps and chart it against 2/lr (Cohen et al. 2021, edge of stability); 0: off",
  }),
  b1: prop({
    path: ["training", "beta1"],
    kind: numberKind({ min: 0, max: 1, step: 0.01, maxExclusive: true }),
    default: 0.9,
    label: "Adam beta1",
    group: "Training",
    help: "decay of Adam's first moment",
    optimizers: ["adam"],
    advanced: true,
  }),
  b2: prop({
    path: ["training", "beta2"],
    kind: numberKind({ min: 0, max: 1, step: 0.001, maxExclusive: true }),
    default: 0.999,
    label: "Adam beta2",
    group: "Training",
    help: "decay of Adam's second moment",
    optimizers: ["adam"],
    advanced: true,
  }),
  eps: prop({
    path: ["training", "epsilon"],
    kind: numberKind({ min: 0, max: 1, step: 1e-8, minExclusive: true }),
    default: 1e-8,
    label: "Adam epsilon",
    group: "Training",
    help: "added to Adam's denominator",
    optimizers: ["adam"],
    advanced: true,
  }),
  wd: prop({
    path: ["training", "weightDecay"],
    kind: numberKind({ min: 0, max: 100, step: 0.0001 }),
    default: 0,
    label: "Weight decay",
    group: "Training",
    help: "coupled L2: g += weightDecay * w on every parameter",
    advanced: true,
  }),
  steps: prop({
    path: ["training", "steps"],
    kind: optionalIntegerKind({ min: 1, max: 10_000_000 }),
    default: null,
    label: "Step cap",
    group: "Training",
    help: "stop after this many optimizer steps, even mid-epoch; empty: whole epochs",
    advanced: true,
  }),
  tseed: prop({
    path: ["training", "seed"],
    kind: optionalIntegerKind({ min: 0, max: MAX_SEED }),
    default: null,
    label: "Batch seed",
    group: "Training",
    help: "seed of the minibatch order; empty: derived from the seed",
    advanced: true,
  }),
  shps: prop({
    path: ["training", "sharpnessSamples"],
    kind: integerKind({ min: 1, max: 1_000_000, step: 256 }),
    default: 1024,
    label: "Sharpness samples",
    group: "Training",
    help: "at most this many training samples (a fixed seeded subset) in the loss whose lambda_max is tracked",
    advanced: true,
  }),

  // ---- Directions
  dir: prop({
    path: ["directions", "method"],
    kind: enumKind(DIRECTION_METHODS),
    default: "random",
    label: "Method",
    group: "Directions",
    help: "random: Gaussian directions; pca: the plane of the training trajectory (Li et al. 2018), grid fitted to the path; hessian-top2 / hessian-top-bottom: Hessian eigenvectors at the trained point, their eigenvalues on the axes",
  }),
  norm: prop({
    path: ["directions", "normalization"],
    kind: enumKind(NORMALIZATIONS),
    default: "filter",
    label: "Normalization",
    group: "Directions",
    help: "scale random directions per filter (Li et al. 2018), per layer, as a whole, or not at all",
  }),
  bias: prop({
    path: ["directions", "bias"],
    kind: enumKind(BIAS_MODES),
    default: "zero",
    label: "Bias",
    group: "Directions",
    help: "biases of each direction: zero, or copy the weights' own",
  }),
  xseed: prop({
    path: ["directions", "seeds", 0],
    kind: optionalIntegerKind({ min: 0, max: MAX_SEED }),
    default: null,
    label: "x seed",
    group: "Directions",
    help: "seed of the x direction; empty: derived from the seed",
    advanced: true,
  }),
  yseed: prop({
    path: ["directions", "seeds", 1],
    kind: optionalIntegerKind({ min: 0, max: MAX_SEED }),
    default: null,
    label: "y seed",
    group: "Directions",
    help: "seed of the y direction; empty: derived from the seed",
    advanced: true,
  }),

  // ---- Grid
  gx: prop({
    path: ["grid", "x"],
    kind: axisKind({ nullable: false, bound: MAX_AXIS_BOUND, maxCount: MAX_AXIS_COUNT }),
    default: { min: -1, max: 1, count: 41 },
    label: "x axis",
    group: "Grid",
    help: "range and number of points along the first direction (at most 1,002,001 points in all)",
  }),
  gy: prop({
    path: ["grid", "y"],
    kind: axisKind({ nullable: true, bound: MAX_AXIS_BOUND, maxCount: MAX_AXIS_COUNT }),
    default: { min: -1, max: 1, count: 41 },
    label: "y axis",
    group: "Grid",
    help: "range and points along the second direction; off: a 1-D landscape (a line)",
  }),

  // ---- View
  metric: prop({
    path: ["view", "metric"],
    kind: enumKind(SURFACE_METRICS),
    default: "train_loss",
    label: "Surface",
    group: "View",
    help: "the metric drawn as height and colour",
  }),
  log: prop({
    path: ["view", "logScale"],
    kind: booleanKind(),
    default: true,
    label: "Log scale",
    group: "View",
    help: "log10 height and colour (losses span decades)",
  }),
  exag: prop({
    path: ["view", "exaggeration"],
    kind: numberKind({ min: 0, max: 100, step: 0.1 }),
    default: 1,
    label: "Height",
    group: "View",
    help: "height multiplier of the 3D surface",
    slider: { min: 0, max: 5, step: 0.1 },
  }),
  clip: prop({
    path: ["view", "clipQuantile"],
    kind: numberKind({ min: 0, max: 1, step: 0.005, minExclusive: true }),
    default: 0.98,
    label: "Clip quantile",
    group: "View",
    help: "values above this quantile are clipped (1: none)",
    slider: { min: 0.8, max: 1, step: 0.005 },
  }),
  cont: prop({
    path: ["view", "contours"],
    kind: integerKind({ min: 0, max: 100 }),
    default: 12,
    label: "Contours",
    group: "View",
    help: "number of contour levels (0: none)",
    slider: { min: 0, max: 40, step: 1 },
  }),
  wire: prop({
    path: ["view", "wireframe"],
    kind: booleanKind(),
    default: false,
    label: "Wireframe",
    group: "View",
    help: "draw the surface's mesh lines",
  }),
  cmap: prop({
    path: ["view", "colormap"],
    kind: enumKind(COLORMAP_NAMES),
    default: "viridis",
    label: "Colormap",
    group: "View",
    help: "perceptually uniform colour scales",
  }),
};

// A dataset field whose URL key is another entry's would lose one of the two without a word.
for (const [key, entry] of Object.entries(DATASET_PARAMS))
  if ((PROPERTIES as Record<string, unknown>)[key] !== entry)
    throw new Error(
      `dataset field ${entry.path.join(".")}: URL key "${key}" is taken; give the field another key`,
    );

type Properties = typeof PROPERTIES;
export type SettingKey = keyof Properties;
/** The value of every table entry, by URL key. */
export type Settings = { -readonly [K in SettingKey]: ValueOf<Properties[K]["kind"]> };

/** Some values by key, e.g. what a URL hash or a preset sets. */
export type SettingsPatch = Partial<Settings>;

/** Table order: the URL's key order and the controls' order. */
export const SETTING_KEYS = Object.keys(PROPERTIES) as SettingKey[];

export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(PROPERTIES, key);
}

/** The entry of a key, typed loosely enough to iterate over all entries. */
export function propertyOf(key: SettingKey): Property {
  return PROPERTIES[key] as Property;
}

/** A fresh copy of the defaults (lists and axes are not shared with the table). */
export function defaultSettings(): Settings {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) out[key] = structuredClone(PROPERTIES[key].default);
  return out as Settings;
}

/** Whether an entry applies with these settings (dataset-specific fields apply to their dataset only). */
export function isActive(key: SettingKey, settings: Pick<Settings, "ds">): boolean {
  const datasets = propertyOf(key).datasets;
  return datasets === undefined || datasets.includes(settings.ds);
}

/** Whether the controls show an entry: active, and for optimizer-specific fields, that optimizer. */
export function isShown(key: SettingKey, settings: Pick<Settings, "ds" | "opt">): boolean {
  const optimizers = propertyOf(key).optimizers;
  return isActive(key, settings) && (optimizers === undefined || optimizers.includes(settings.opt));
}

/** Two values of an entry are equal when their canonical texts are (exact for numbers). */
export function sameValue(key: SettingKey, a: unknown, b: unknown): boolean {
  const kind = propertyOf(key).kind as { format(v: unknown): string };
  return kind.format(a) === kind.format(b);
}

/** Whether two states hold the same values. */
export function sameSettings(a: Settings, b: Settings): boolean {
  return SETTING_KEYS.every((key) => sameValue(key, a[key], b[key]));
}

// The view entries must be exactly SurfaceViewOptions: a field or type mismatch fails to compile.
type ViewField<K extends SettingKey> = Properties[K]["path"] extends readonly ["view", infer F extends string]
  ? F
  : never;
type TableView = { [K in SettingKey as ViewField<K>]: Settings[K] };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const VIEW_TABLE_MATCHES: Same<TableView, SurfaceViewOptions> = true;
