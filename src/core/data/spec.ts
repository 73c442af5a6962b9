import { z } from "zod";

/**
 * Dataset specs: which synthetic dataset to generate, how many points, how noisy.
 *
 * One zod schema (a discriminated union on `name`) is the single source of truth for the
 * fields, their bounds and their defaults, so `{ name: "moons" }` is a complete spec.
 * Every message says what was wrong and what was received, because the same schema
 * checks URL state, presets, CLI flags and snapshot files.
 *
 * @example parseDatasetSpec({ name: "spirals", arms: 3 }) // { name: "spirals", arms: 3, turns: 1.5, ... }
 */

/** Every dataset name, in the order shown to people. */
export const DATASET_NAMES = ["moons", "circles", "spirals", "xor", "blobs", "sine", "polynomial"] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/** Largest trainCount + testCount: 1e6 points of 2 float32 inputs is 8 MB, still fine in a tab. */
export const MAX_POINTS = 1_000_000;
/** Largest number of polynomial coefficients (degree 15); x is in [-1, 1] so powers stay bounded. */
export const MAX_COEFFICIENTS = 16;
export const MAX_SEED = 0xffffffff;

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

function noiseField(fallback: number) {
  const r = rule("a finite number >= 0");
  return z.number(r).min(0, r).default(fallback);
}

/** Fields every dataset has. Noise is per dataset because its natural scale differs. */
const common = {
  trainCount: intField(1, MAX_POINTS).default(512),
  testCount: intField(0, MAX_POINTS).default(512),
  /** Overrides the seed passed to makeDataset, to pin the data while other seeds vary. */
  seed: intField(0, MAX_SEED).optional(),
};

/** trainCount + testCount is bounded as a whole: that is what sets the memory. */
function checkTotal<T extends { trainCount: number; testCount: number }>(
  spec: T,
  ctx: z.RefinementCtx<T>,
): void {
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
function datasetObject<Name extends DatasetName, Shape extends z.ZodRawShape>(name: Name, shape: Shape) {
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
const labelNoiseRule = rule("a number in [0, 1)");
const labelNoiseField = z.number(labelNoiseRule).min(0, labelNoiseRule).lt(1, labelNoiseRule).optional();
/** Regression targets have no class to flip: `noise` already adds Gaussian noise to the targets. */
const noLabelNoise = z
  .literal(0, {
    error: (issue) =>
      `applies to classification datasets only (a regression target has no class to flip; ` +
      `use noise for Gaussian noise on the targets), got ${show(issue.input)}`,
  })
  .optional();

const unitFraction = rule("a number strictly between 0 and 1");
const positive = rule("a finite number > 0");
const coefficient = rule("a finite number");
const coefficientList = rule(`an array of 1 to ${MAX_COEFFICIENTS} finite numbers`);

/**
 * Two interleaving half circles of radius 1 (sklearn make_moons), centred on the origin.
 * noise: std of the Gaussian added to each coordinate.
 */
export const moonsSpecSchema = datasetObject("moons", {
  noise: noiseField(0.1),
  labelNoise: labelNoiseField,
});

/**
 * Two concentric circles (sklearn make_circles): class 0 of radius 1, class 1 of radius `factor`.
 * noise: std of the Gaussian added to each coordinate.
 */
export const circlesSpecSchema = datasetObject("circles", {
  factor: z.number(unitFraction).gt(0, unitFraction).lt(1, unitFraction).default(0.5),
  noise: noiseField(0.05),
  labelNoise: labelNoiseField,
});

/**
 * `arms` interleaved Archimedean spirals (one class each) making `turns` turns out to radius 1.4.
 * noise: std of the Gaussian added to each coordinate.
 */
export const spiralsSpecSchema = datasetObject("spirals", {
  arms: intField(2, 8).default(2),
  turns: z.number(positive).gt(0, positive).default(1.5),
  noise: noiseField(0.1),
  labelNoise: labelNoiseField,
});

/**
 * Uniform points in [-1, 1]^2; label 1 where x * y > 0. The label is taken from the clean point,
 * then Gaussian jitter of std `noise` moves the point, so noise blurs the boundary (label noise
 * near the axes) instead of merely widening the square.
 */
export const xorSpecSchema = datasetObject("xor", { noise: noiseField(0.05), labelNoise: labelNoiseField });

/**
 * `classes` isotropic Gaussian blobs of std `spread`, centres evenly spaced on the unit circle.
 * noise: extra isotropic jitter, added in quadrature (total std sqrt(spread^2 + noise^2)), so
 * that every dataset answers to the same noise control.
 */
export const blobsSpecSchema = datasetObject("blobs", {
  classes: intField(2, 10).default(3),
  spread: noiseField(0.25),
  noise: noiseField(0),
  labelNoise: labelNoiseField,
});

/** x uniform in [-1, 1), y = sin(frequency * pi * x) + noise * N(0, 1). */
export const sineSpecSchema = datasetObject("sine", {
  frequency: z.number(positive).gt(0, positive).default(1),
  noise: noiseField(0.1),
  labelNoise: noLabelNoise,
});

/**
 * x uniform in [-1, 1), y = sum_i coefficients[i] * x^i + noise * N(0, 1).
 * The default x^3 - x has two bumps of height 0.385, hence the smaller default noise.
 */
export const polynomialSpecSchema = datasetObject("polynomial", {
  coefficients: z
    .array(z.number(coefficient), coefficientList)
    .min(1, coefficientList)
    .max(MAX_COEFFICIENTS, coefficientList)
    .default(() => [0, -1, 0, 1]),
  noise: noiseField(0.05),
  labelNoise: noLabelNoise,
});

const knownNames = DATASET_NAMES.join(", ");

/** Any dataset spec; `name` picks the member. Also bounds trainCount + testCount (MAX_POINTS). */
export const datasetSpecSchema = z
  .discriminatedUnion(
    "name",
    [
      moonsSpecSchema,
      circlesSpecSchema,
      spiralsSpecSchema,
      xorSpecSchema,
      blobsSpecSchema,
      sineSpecSchema,
      polynomialSpecSchema,
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
export type SpecOf<N extends DatasetName> = Extract<DatasetSpec, { name: N }>;

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
