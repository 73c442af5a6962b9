import { z } from "zod";
import {
  COMMON_FIELDS,
  type DatasetDefinition,
  type IntegerField,
  MAX_COEFFICIENTS,
  MAX_POINTS,
  MAX_SEED,
  type NumberField,
  type NumberListField,
  numberRule,
  type ParamField,
  RESERVED_FIELD_NAMES,
} from "./fields";
import { GRAPH_DATASET_NAMES, karateSpecSchema, sbmSpecSchema } from "./graph-datasets";
import { type DatasetName, GENERATED_DATASETS, type GeneratedDatasets } from "./registry";

/**
 * Dataset specs: which dataset to generate (or read), how many points, how noisy.
 *
 * One zod schema (a discriminated union on `name`) checks every spec and fills in its defaults, so
 * `{ name: "moons" }` is a complete spec. The generated datasets' members are built from their
 * definitions in registry.ts (fields.ts: each field's bounds and default, written once). Every
 * message says what was wrong and what was received, because the same schema checks URL state,
 * presets, CLI flags and snapshot files.
 *
 * @example parseDatasetSpec({ name: "spirals", arms: 3 }) // { name: "spirals", arms: 3, turns: 1.5, ... }
 */

export { type DatasetName, MAX_COEFFICIENTS, MAX_POINTS, MAX_SEED };

/** Every generated dataset's name, in the order shown to people (the registry's order). */
export const DATASET_NAMES = Object.keys(GENERATED_DATASETS) as readonly DatasetName[];
/**
 * Datasets read from bytes instead of generated: "iris" and "digits" are shipped in public/data/
 * (data/shipped.ts), "file" is the user's CSV or .npy file (data/files.ts). They need a loading
 * step before makeDataset (loadDataset in data/files.ts).
 */
const LOADED_DATASET_NAMES = ["iris", "digits", "file"] as const;
type LoadedDatasetName = (typeof LOADED_DATASET_NAMES)[number];
/** Rows in the shipped files (public/data/): iris 150; digits 3000 train and 1000 test. */
const IRIS_ROWS = 150;
const DIGITS_TRAIN_ROWS = 3000;
const DIGITS_TEST_ROWS = 1000;

/** A received value for an error message, short enough for one line. */
function show(value: unknown): string {
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (value === undefined) return "undefined";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** One message for every check of a field, so a reader sees the whole rule at once. */
function rule(description: string) {
  return { error: (issue: { input?: unknown }) => `must be ${description}, got ${show(issue.input)}` };
}

function intField(min: number, max: number) {
  const r = rule(`an integer in [${min}, ${max}]`);
  return z.number(r).int(r).min(min, r).max(max, r);
}

/** The zod check of a field of fields.ts, its message saying the bounds (no default: see paramSchema). */
function integerSchema(f: IntegerField) {
  return intField(f.min, f.max);
}

function numberSchema(f: NumberField) {
  const r = rule(numberRule(f));
  const low = f.minExclusive ? z.number(r).gt(f.min, r) : z.number(r).min(f.min, r);
  if (f.max === undefined) return low;
  return f.maxExclusive ? low.lt(f.max, r) : low.max(f.max, r);
}

function numberListSchema(f: NumberListField) {
  const list = rule(`an array of ${f.minLength} to ${f.maxLength} finite numbers`);
  return z
    .array(z.number(rule("a finite number")), list)
    .min(f.minLength, list)
    .max(f.maxLength, list);
}

/** The zod type of a dataset's own parameter: its check with its default. */
type ParamSchema<F extends ParamField> = F extends { type: "numberList" }
  ? z.ZodDefault<z.ZodArray<z.ZodNumber>>
  : z.ZodDefault<z.ZodNumber>;
type ParamSchemas<F extends Record<string, ParamField>> = { [K in keyof F]: ParamSchema<F[K]> };

function paramSchema(f: ParamField): z.ZodDefault<z.ZodNumber> | z.ZodDefault<z.ZodArray<z.ZodNumber>> {
  switch (f.type) {
    case "integer":
      return integerSchema(f).default(f.default);
    case "number":
      return numberSchema(f).default(f.default);
    case "numberList": {
      // A fresh array per spec: editing one spec's list must never change the default.
      const fallback = f.default;
      return numberListSchema(f).default(() => [...fallback]);
    }
  }
}

function paramSchemas<F extends Record<string, ParamField>>(dataset: string, fields: F): ParamSchemas<F> {
  const out: Record<string, ParamSchema<ParamField>> = {};
  for (const [name, f] of Object.entries(fields)) {
    if (RESERVED_FIELD_NAMES.includes(name))
      throw new Error(
        `dataset "${dataset}": "${name}" is a field of every dataset; name the parameter otherwise`,
      );
    out[name] = paramSchema(f);
  }
  return out as ParamSchemas<F>;
}

/** Fields every dataset has. Noise is per dataset because its natural scale differs. */
const common = {
  trainCount: integerSchema(COMMON_FIELDS.trainCount).default(COMMON_FIELDS.trainCount.default),
  testCount: integerSchema(COMMON_FIELDS.testCount).default(COMMON_FIELDS.testCount.default),
  /** Overrides the seed passed to makeDataset, to pin the data while other seeds vary. */
  seed: integerSchema(COMMON_FIELDS.seed).optional(),
};

/** trainCount + testCount is bounded as a whole: that is what sets the memory. */
function checkTotal<T extends { trainCount?: number; testCount?: number }>(
  spec: T,
  ctx: z.RefinementCtx<T>,
): void {
  if (spec.trainCount === undefined || spec.testCount === undefined) return;
  const total = spec.trainCount + spec.testCount;
  if (total > MAX_POINTS) {
    ctx.addIssue({
      code: "custom",
      path: [],
      message: `trainCount + testCount must be at most ${MAX_POINTS}, got ${spec.trainCount} + ${spec.testCount} = ${total}`,
    });
  }
}

/** A strict object (typos such as `trainCnt` are errors, not silently ignored) with a clear message. */
function datasetObject<Name extends string, Shape extends z.ZodRawShape>(name: Name, shape: Shape) {
  const fields = ["name", ...Object.keys(common), ...Object.keys(shape)];
  return z.strictObject(
    { name: z.literal(name), ...common, ...shape },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")} ` +
            `for dataset "${name}"; expected only ${fields.join(", ")}`
          : undefined,
    },
  );
}

/**
 * Classification only: the fraction of TRAINING labels replaced by a uniformly random other class
 * (exactly round(labelNoise * trainCount) of them; data/label-noise.ts), drawn from the data seed
 * through its own stream deriveSeed(seed, "label-noise"), so the points and the test split do not
 * change with it. Absent means 0. It is a data key because it changes the training set itself:
 * the snapshot's data.train then holds the labels the model was fit to, and the train surfaces
 * are computed against them, as the history's train loss is.
 */
const labelNoiseField = numberSchema(COMMON_FIELDS.labelNoise).optional();
/** Regression targets have no class to flip: `noise` already adds Gaussian noise to the targets. */
const noLabelNoise = z
  .literal(0, {
    error: (issue) =>
      `applies to classification datasets only (a regression target has no class to flip; ` +
      `use noise for Gaussian noise on the targets), got ${show(issue.input)}`,
  })
  .optional();
type LabelNoiseSchema<T> = T extends "classification" ? typeof labelNoiseField : typeof noLabelNoise;

/**
 * The member of one generated dataset: name, the common fields, its own parameters (in its
 * definition's order), noise with its own default, and labelNoise by task.
 */
function generatedSchema<const Name extends string, D extends DatasetDefinition>(name: Name, dataset: D) {
  return datasetObject(name, {
    // As D["fields"]: property access on a generic would widen the fields to the constraint's.
    ...paramSchemas(name, dataset.fields as D["fields"]),
    noise: numberSchema(COMMON_FIELDS.noise).default(dataset.noise),
    labelNoise: (dataset.task === "classification" ? labelNoiseField : noLabelNoise) as LabelNoiseSchema<
      D["task"]
    >,
  });
}
type GeneratedSchema = {
  [N in DatasetName]: ReturnType<typeof generatedSchema<N, GeneratedDatasets[N]>>;
}[DatasetName];

/** A strict object for a loaded dataset, with the same unknown-field message as datasetObject. */
function loadedObject<Name extends LoadedDatasetName, Shape extends z.ZodRawShape>(name: Name, shape: Shape) {
  const fields = ["name", "seed", ...Object.keys(shape)];
  return z.strictObject(
    { name: z.literal(name), seed: intField(0, MAX_SEED).optional(), ...shape },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")} ` +
            `for dataset "${name}"; expected only ${fields.join(", ")}`
          : undefined,
    },
  );
}

/**
 * Fisher's iris (150 flowers, 4 measurements in cm, 3 species), shipped in public/data/iris.csv.
 * The rows are shuffled by the data seed; the first trainCount go to train, the next testCount
 * to test. standardize: z-score each feature with the training split's mean and std.
 */
const irisSpecSchema = loadedObject("iris", {
  trainCount: intField(1, IRIS_ROWS).default(100),
  testCount: intField(0, IRIS_ROWS - 1).default(50),
  standardize: z.boolean(rule("true or false")).default(true),
}).refine((s) => s.trainCount + s.testCount <= IRIS_ROWS, {
  error: (issue) => {
    const s = issue.input as { trainCount: number; testCount: number };
    return `trainCount + testCount must be at most ${IRIS_ROWS} (the iris rows), got ${s.trainCount} + ${s.testCount}`;
  },
});

/**
 * MNIST digits downsampled to 14 x 14 (196 uint8 pixels scaled to [0, 1], inputShape [14, 14, 1],
 * 10 classes), shipped in public/data/ as 3000 training and 1000 test digits, already shuffled:
 * the first trainCount and testCount rows are taken (the seed does not change them).
 */
const digitsSpecSchema = loadedObject("digits", {
  trainCount: intField(1, DIGITS_TRAIN_ROWS).default(DIGITS_TRAIN_ROWS),
  testCount: intField(0, DIGITS_TEST_ROWS).default(DIGITS_TEST_ROWS),
});

const pathRule = rule("a non-empty file path");
const pathField = z.string(pathRule).min(1, pathRule);

/**
 * The user's data: a CSV file, or .npy features with a .npy labels file (or one .npy array whose
 * last column is the label). Paths are resolved by whoever reads them (the CLI: relative to the
 * config file). The rows are shuffled by the data seed and split: trainCount and testCount when
 * given, else round(rows * testFraction) for test and the rest for train.
 */
const fileSpecSchema = loadedObject("file", {
  path: pathField,
  /** .npy only: the labels array [N] (or [N, T] regression targets); absent: the last column of path. */
  labels: pathField.optional(),
  /** Absent: from the extension (.csv, .tsv, .txt: csv; .npy: npy). */
  format: z.enum(["csv", "npy"], rule('"csv" or "npy"')).optional(),
  /** CSV only: the label column, a header name or a 0-based index (negative from the end). Default: the last. */
  label: z.union([z.string().min(1), z.number().int()], rule("a column name or an integer index")).optional(),
  /** CSV only: whether the first line is a header; "auto" guesses. */
  header: z.union([z.boolean(), z.literal("auto")], rule('true, false or "auto"')).default("auto"),
  task: z
    .enum(["classification", "regression"], rule('"classification" or "regression"'))
    .default("classification"),
  /** Classification with integer labels: the number of classes (default: largest label + 1). */
  classes: intField(2, 1000).optional(),
  /** Shape of one sample, channels last (e.g. [28, 28, 1]); its product must be the feature count. */
  inputShape: z
    .array(intField(1, MAX_POINTS), rule("an array of positive integers"))
    .min(1)
    .max(4)
    .optional(),
  testFraction: z
    .number(rule("a number in [0, 1)"))
    .min(0, rule("a number in [0, 1)"))
    .lt(1, rule("a number in [0, 1)"))
    .default(0.2),
  trainCount: intField(1, MAX_POINTS).optional(),
  testCount: intField(0, MAX_POINTS).optional(),
  standardize: z.boolean(rule("true or false")).default(false),
}).superRefine((s, ctx) => {
  const format = s.format ?? fileFormat(s.path);
  if (format === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["format"],
      message: `cannot tell the format of ${show(s.path)} from its extension; set format to "csv" or "npy"`,
    });
  }
  if (format === "csv" && s.labels !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["labels"],
      message: "is for .npy data; a CSV file holds its labels in a column (label)",
    });
  }
  if (format === "npy" && s.label !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["label"],
      message: "is for CSV data; .npy labels come from labels or the last column",
    });
  }
  if ((s.trainCount === undefined) !== (s.testCount === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["trainCount"],
      message: "give both trainCount and testCount, or neither (then testFraction splits)",
    });
  }
});

/** "csv" or "npy" from a file name's extension, or undefined. */
export function fileFormat(path: string): "csv" | "npy" | undefined {
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  if (ext === "npy") return "npy";
  if (ext === "csv" || ext === "tsv" || ext === "txt") return "csv";
  return undefined;
}

const knownNames = [...DATASET_NAMES, ...LOADED_DATASET_NAMES, ...GRAPH_DATASET_NAMES].join(", ");

/** One member per generated dataset, in the registry's order (which has at least one). */
const generatedSchemas = DATASET_NAMES.map((name) => generatedSchema(name, GENERATED_DATASETS[name])) as [
  GeneratedSchema,
  ...GeneratedSchema[],
];

/** Any dataset spec; `name` picks the member. Also bounds trainCount + testCount (MAX_POINTS). */
const datasetSpecSchema = z
  .discriminatedUnion(
    "name",
    [
      ...generatedSchemas,
      irisSpecSchema,
      digitsSpecSchema,
      fileSpecSchema,
      // Node classification on a graph (graph-datasets.ts): x holds node ids.
      sbmSpecSchema,
      karateSpecSchema,
    ],
    {
      // zod's own "No matching discriminator" names neither the bad name nor the good ones.
      error: (issue) => {
        const input = issue.input;
        if (typeof input !== "object" || input === null || Array.isArray(input)) {
          return `must be an object such as { "name": "moons" }, got ${show(input)}`;
        }
        if (!("name" in input) || input.name === undefined) return `missing; expected one of ${knownNames}`;
        return `unknown dataset ${show(input.name)}; expected one of ${knownNames}`;
      },
    },
  )
  // On the union rather than each member: zod cannot see through the generic member builder.
  .superRefine(checkTotal);

/** A complete spec, every default filled in. */
export type DatasetSpec = z.output<typeof datasetSpecSchema>;
/** What people may write: only `name` is required. */
export type DatasetSpecInput = z.input<typeof datasetSpecSchema>;
/** The spec of one dataset, e.g. `SpecOf<"spirals">`. */
type SpecOf<N extends DatasetName | LoadedDatasetName> = Extract<DatasetSpec, { name: N }>;
/** A spec of a dataset read from bytes (iris, digits, file). */
export type LoadedDatasetSpec = SpecOf<LoadedDatasetName>;

/** Whether a spec's data are read from bytes (and so need loadDataset) rather than generated. */
export function isLoadedSpec(spec: DatasetSpec): spec is LoadedDatasetSpec {
  return (LOADED_DATASET_NAMES as readonly string[]).includes(spec.name);
}

/** `data.coefficients[2]` from a base path and a zod issue path. */
function joinPath(base: string, path: readonly PropertyKey[]): string {
  let out = base;
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(root)" : out;
}

/**
 * Checks a dataset spec and fills in defaults. Throws one Error listing every problem, each
 * prefixed by its field path, e.g. `data.trainCount: must be an integer in [1, 1000000], got 0`.
 *
 * @example parseDatasetSpec({ name: "moons", noise: 0.2 }, "data")
 */
export function parseDatasetSpec(input: unknown, path = "data"): DatasetSpec {
  const result = datasetSpecSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${joinPath(path, issue.path)}: ${issue.message}`);
  throw new Error(problems.join("; "));
}

/**
 * The complete default spec of one dataset.
 *
 * @example defaultDatasetSpec("circles").factor // 0.5
 */
export function defaultDatasetSpec<N extends DatasetName>(name: N): SpecOf<N> {
  return parseDatasetSpec({ name }) as SpecOf<N>;
}
