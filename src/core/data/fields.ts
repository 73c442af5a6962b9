import type { Rng } from "../rng";
import type { DataSplit, Task } from "./types";

/**
 * The one schema of a dataset's parameters: each field's type, bounds, default and words, written
 * once. The zod spec (spec.ts) and the app's controls (src/state/properties.ts) are derived from
 * it, so a bound cannot differ between what a config accepts and what a control offers, except
 * where `control` says so on purpose (a tighter range for typing and sliding, where the schema
 * has no upper bound at all).
 *
 * A generated dataset is one `defineDataset` next to its generator plus one line in registry.ts.
 *
 * @example numberField({ min: 0, max: 1, minExclusive: true, maxExclusive: true, default: 0.5, label: "Inner radius", help: "...", control: { step: 0.05 } })
 */

/** Largest trainCount + testCount: 1e6 points of 2 float32 inputs is 8 MB, still fine in a tab. */
export const MAX_POINTS = 1_000_000;
/** Largest number of polynomial coefficients (degree 15); x is in [-1, 1] so powers stay bounded. */
export const MAX_COEFFICIENTS = 16;
export const MAX_SEED = 0xffffffff;

/** A range slider next to a control's input (log: a logarithmic track). */
export interface Slider {
  min: number;
  max: number;
  step: number;
  log?: boolean;
}

/**
 * What the app's control takes beyond the schema: the input's step, and bounds for what people
 * type where the schema's are absent or wider (configs, presets and the CLI still take any value
 * the schema does). A bound given here replaces the schema's, exclusivity included.
 */
interface Control {
  step?: number;
  min?: number;
  max?: number;
}

interface FieldBase {
  /** The control's label, e.g. "Inner radius". */
  label: string;
  /** One line for the control's tooltip and the docs. */
  help: string;
  /** The app's URL key when it is not the field name (short: at most 7 lowercase letters or digits). */
  key?: string;
  control?: Control;
  slider?: Slider;
}

/** A finite number in [min, max] (either end open when its Exclusive flag is set; no max: unbounded). */
export interface NumberField extends FieldBase {
  type: "number";
  min: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  default?: number;
}

/** An integer in [min, max]. */
export interface IntegerField extends FieldBase {
  type: "integer";
  min: number;
  max: number;
  default?: number;
}

/** A list of minLength to maxLength finite numbers (the control bounds each item: control.min, control.max). */
export interface NumberListField extends FieldBase {
  type: "numberList";
  minLength: number;
  maxLength: number;
  default?: readonly number[];
}

export type Field = NumberField | IntegerField | NumberListField;

/** A dataset's own parameter: it always has a default, so `{ name }` alone is a complete spec. */
export type ParamField =
  | (NumberField & { default: number })
  | (IntegerField & { default: number })
  | (NumberListField & { default: readonly number[] });

/** The value a field holds in a spec. */
type FieldValue<F> = F extends { type: "numberList" } ? number[] : number;

/** The spec values of a dataset's own parameters, e.g. `{ arms: number; turns: number }`. */
export type FieldValues<F extends Record<string, ParamField>> = { [K in keyof F]: FieldValue<F[K]> };

/**
 * A generated dataset: everything the lab needs to know about it, in one place. Registered by one
 * line in registry.ts; spec.ts (its zod schema), make.ts (its shape and data) and the app's
 * dataset control read it from there.
 */
export interface DatasetDefinition<
  F extends Record<string, ParamField> = Record<string, ParamField>,
  T extends Task = Task,
> {
  /** Name for people, e.g. "Spirals" (the registry's key is the name in specs and URLs). */
  label: string;
  /** classification: y holds class indices (and labelNoise applies); regression: y holds targets. */
  task: T;
  /** Features per sample: x is [n, inputSize]. */
  inputSize: number;
  /**
   * Classes (classification) or the target dimension (regression); a function when a parameter
   * sets it. (Typed as a method, so that a definition with its own fields fits DatasetDefinition.)
   */
  outputSize: number | { bivariant(spec: FieldValues<F>): number }["bivariant"];
  /** Default std of the noise: every dataset answers to the one noise control, at its own natural scale. */
  noise: number;
  /** The dataset's own parameters, in the order of the spec's keys and of the controls. */
  fields: F;
  /** (n, spec, rng) -> a split: x [n, inputSize]; y [n] class indices or [n, outputSize] targets. */
  generate(n: number, spec: FieldValues<F> & { noise: number }, rng: Rng): DataSplit;
}

/**
 * Fields every generated dataset has. noise has one schema but a default per dataset
 * (DatasetDefinition.noise); labelNoise applies to classification datasets only.
 */
export const COMMON_FIELDS = {
  trainCount: integerField({
    min: 1,
    max: MAX_POINTS,
    default: 512,
    label: "Train points",
    help: "training samples (train + test at most 1,000,000)",
    control: { step: 32 },
  }),
  testCount: integerField({
    min: 0,
    max: MAX_POINTS,
    default: 512,
    label: "Test points",
    help: "test samples (0: no test surfaces)",
    control: { step: 32 },
  }),
  /** Overrides the seed passed to makeDataset, to pin the data while other seeds vary. Absent: derived. */
  seed: integerField({
    min: 0,
    max: MAX_SEED,
    label: "Data seed",
    help: "pins the data while other seeds vary; empty: derived from the seed",
  }),
  noise: numberField({
    min: 0,
    label: "Noise",
    help: "std of the Gaussian noise added to the inputs (classification) or targets (regression)",
    control: { step: 0.01, max: 10 },
    slider: { min: 0, max: 1, step: 0.01 },
  }),
  /** The fraction of TRAINING labels replaced by a random other class (label-noise.ts). Absent: 0. */
  labelNoise: numberField({
    min: 0,
    max: 1,
    maxExclusive: true,
    default: 0,
    label: "Label noise",
    help: "fraction of training labels replaced by a random other class (test labels stay clean): noisy labels are memorized late, in sharper minima",
    control: { step: 0.05 },
    slider: { min: 0, max: 0.8, step: 0.05 },
  }),
} as const;

/** Field names the common fields (and the name) take: a dataset's own parameter may not reuse them. */
export const RESERVED_FIELD_NAMES: readonly string[] = ["name", ...Object.keys(COMMON_FIELDS)];

/** A number field, its literal types kept (so that derived types see its key and type). */
export function numberField<const F extends Omit<NumberField, "type">>(f: F): F & { type: "number" } {
  return { type: "number", ...f };
}

export function integerField<const F extends Omit<IntegerField, "type">>(f: F): F & { type: "integer" } {
  return { type: "integer", ...f };
}

export function numberListField<const F extends Omit<NumberListField, "type">>(
  f: F,
): F & { type: "numberList" } {
  return { type: "numberList", ...f };
}

/**
 * A dataset definition, its field and task types kept for the derived spec and control types.
 *
 * @example export const xorDataset = defineDataset({ label: "XOR", task: "classification", inputSize: 2, outputSize: 2, noise: 0.05, fields: {}, generate: xor });
 */
export function defineDataset<const F extends Record<string, ParamField>, const T extends Task>(
  d: DatasetDefinition<F, T>,
): DatasetDefinition<F, T> {
  return d;
}

/**
 * The bounds of a number field in words, as every message says them: "a number strictly between
 * 0 and 1", "a number in [0, 1)", "a finite number > 0".
 */
export function numberRule(f: Pick<NumberField, "min" | "max" | "minExclusive" | "maxExclusive">): string {
  if (f.max === undefined) return `a finite number ${f.minExclusive ? ">" : ">="} ${f.min}`;
  if (f.minExclusive && f.maxExclusive) return `a number strictly between ${f.min} and ${f.max}`;
  return `a number in ${f.minExclusive ? "(" : "["}${f.min}, ${f.max}${f.maxExclusive ? ")" : "]"}`;
}
