/**
 * Value kinds of the property table: how one setting is checked, parsed from text (URL hash,
 * text inputs) and written back. `format` is canonical and exact (numbers use the shortest text
 * that reads back to the same double), so `parse(format(v))` returns `v` and two values are equal
 * exactly when their formats are.
 *
 * @example integerKind({ min: 0, max: 10 }).parse("3") // { ok: true, value: 3 }
 */

import type { Field } from "../core/data/fields";

export type Result<T> = { ok: true; value: T } | { ok: false; message: string };

/** What every kind can do with its value type T. Method syntax keeps kinds assignable to AnyKind. */
export interface Kind<T> {
  readonly type: string;
  /** Check an in-memory value (from set(), a preset, a control); returns a fresh copy. */
  check(value: unknown): Result<T>;
  /** Read text (a URL value or a text input). */
  parse(text: string): Result<T>;
  /** Canonical text; parse(format(v)) is v. */
  format(value: T): string;
  /** A short rule for messages and help, e.g. "a number in (0, 100]". */
  readonly rule: string;
}

interface NumberKind extends Kind<number> {
  readonly type: "number";
  readonly min: number;
  readonly max: number;
  /** Only a hint for inputs; values need not be multiples of it. */
  readonly step: number;
  readonly minExclusive: boolean;
  readonly maxExclusive: boolean;
}
interface IntegerKind extends Kind<number> {
  readonly type: "integer";
  readonly min: number;
  readonly max: number;
  readonly step: number;
}
/** An integer or null (absent: e.g. a seed derived from the master seed). */
interface OptionalIntegerKind extends Kind<number | null> {
  readonly type: "optionalInteger";
  readonly min: number;
  readonly max: number;
}
/** A number or null (absent: e.g. an optional training feature that is off). */
export interface OptionalNumberKind extends Kind<number | null> {
  readonly type: "optionalNumber";
  readonly min: number;
  readonly max: number;
  readonly step: number;
  readonly minExclusive: boolean;
  readonly maxExclusive: boolean;
  /** The value a control switches the option on with (e.g. SAM's usual rho 0.05). */
  readonly suggested: number;
}
export interface EnumKind<O extends string = string> extends Kind<O> {
  readonly type: "enum";
  readonly options: readonly O[];
  /** Names for people by option (e.g. the dataset menu's "Spirals" for "spirals"), when they differ. */
  readonly labels?: Readonly<Record<O, string>>;
}
export interface BooleanKind extends Kind<boolean> {
  readonly type: "boolean";
}
/** A list of integers such as hidden sizes, written "64,64" ("" is the empty list). */
interface IntListKind extends Kind<number[]> {
  readonly type: "intList";
  readonly min: number;
  readonly max: number;
  readonly minLength: number;
  readonly maxLength: number;
}
/** A list of finite numbers such as polynomial coefficients, written "0,-1,0,1". */
interface NumberListKind extends Kind<number[]> {
  readonly type: "numberList";
  readonly min: number;
  readonly max: number;
  readonly minLength: number;
  readonly maxLength: number;
}

export interface AxisValue {
  min: number;
  max: number;
  count: number;
}
/** A grid axis written "min,max,count", e.g. "-1,1,41"; when nullable, "none" is no axis (1-D). */
export interface AxisKind<N extends boolean = boolean>
  extends Kind<N extends true ? AxisValue | null : AxisValue> {
  readonly type: "axis";
  readonly nullable: N;
  /** Largest |min| and |max|. */
  readonly bound: number;
  readonly minCount: number;
  readonly maxCount: number;
}
/** A batch size: a positive integer, or "full" for full-batch gradient descent. */
interface BatchKind extends Kind<number | "full"> {
  readonly type: "batch";
  readonly min: number;
  readonly max: number;
}

export type AnyKind =
  | NumberKind
  | IntegerKind
  | OptionalIntegerKind
  | OptionalNumberKind
  | EnumKind
  | BooleanKind
  | IntListKind
  | NumberListKind
  | AxisKind<true>
  | AxisKind<false>
  | BatchKind;

/** The value type of a kind, e.g. ValueOf<BooleanKind> is boolean. */
export type ValueOf<K> = K extends Kind<infer T> ? T : never;

/** The text written for null by optional and nullable kinds. */
const NONE = "none";

/** A received value for a message: short, one line. */
export function shown(value: unknown): string {
  if (typeof value === "string")
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === "number") return Object.is(value, -0) ? "0" : String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = <T>(rule: string, got: unknown): Result<T> => ({
  ok: false,
  message: `must be ${rule}, got ${shown(got)}`,
});

/** A check of parsed text reports the text itself, as it was given. */
function fromText<T>(result: Result<T>, rule: string, text: string): Result<T> {
  return result.ok ? result : fail(rule, text);
}

/** Decimal or exponent notation only: Number() would also take "", " ", "0x10" and "Infinity". */
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function readNumber(text: string): number | undefined {
  const t = text.trim();
  return NUMBER_TEXT.test(t) ? Number(t) : undefined;
}

/** The text parser of a numeric kind: decimal text, then the kind's own check; errors quote the text. */
function numberText<T>(check: (value: unknown) => Result<T>, rule: string): (text: string) => Result<T> {
  return (text) => {
    const v = readNumber(text);
    return v === undefined ? fail(rule, text) : fromText(check(v), rule, text);
  };
}

/** As numberText, but empty text or "none" is null (the optional kinds). */
function optionalNumberText<T>(
  check: (value: unknown) => Result<T | null>,
  rule: string,
): (text: string) => Result<T | null> {
  const parse = numberText(check, rule);
  return (text) => {
    const t = text.trim();
    return t === "" || t === NONE ? ok(null) : parse(text);
  };
}

/** -0 reads back from "0" as 0; keep one zero so round trips are exact. */
const noNegativeZero = (v: number): number => (v === 0 ? 0 : v);

function interval(min: number, max: number, minExclusive: boolean, maxExclusive: boolean): string {
  return `${minExclusive ? "(" : "["}${min}, ${max}${maxExclusive ? ")" : "]"}`;
}

function inRange(v: number, min: number, max: number, minExclusive = false, maxExclusive = false): boolean {
  return (minExclusive ? v > min : v >= min) && (maxExclusive ? v < max : v <= max);
}

export function numberKind(o: {
  min: number;
  max: number;
  step: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
}): NumberKind {
  const minExclusive = o.minExclusive ?? false;
  const maxExclusive = o.maxExclusive ?? false;
  const rule = `a number in ${interval(o.min, o.max, minExclusive, maxExclusive)}`;
  const check = (value: unknown): Result<number> =>
    typeof value === "number" &&
    Number.isFinite(value) &&
    inRange(value, o.min, o.max, minExclusive, maxExclusive)
      ? ok(noNegativeZero(value))
      : fail(rule, value);
  return {
    type: "number",
    min: o.min,
    max: o.max,
    step: o.step,
    minExclusive,
    maxExclusive,
    rule,
    check,
    parse: numberText(check, rule),
    format: (v) => String(noNegativeZero(v)),
  };
}

function checkInteger(value: unknown, min: number, max: number): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

export function integerKind(o: { min: number; max: number; step?: number }): IntegerKind {
  const rule = `an integer in [${o.min}, ${o.max}]`;
  const check = (value: unknown): Result<number> =>
    checkInteger(value, o.min, o.max) ? ok(noNegativeZero(value as number)) : fail(rule, value);
  return {
    type: "integer",
    min: o.min,
    max: o.max,
    step: o.step ?? 1,
    rule,
    check,
    parse: numberText(check, rule),
    format: (v) => String(noNegativeZero(v)),
  };
}

export function optionalIntegerKind(o: { min: number; max: number }): OptionalIntegerKind {
  const rule = `an integer in [${o.min}, ${o.max}] or ${NONE}`;
  const check = (value: unknown): Result<number | null> =>
    value === null
      ? ok(null)
      : checkInteger(value, o.min, o.max)
        ? ok(noNegativeZero(value as number))
        : fail(rule, value);
  return {
    type: "optionalInteger",
    min: o.min,
    max: o.max,
    rule,
    check,
    parse: optionalNumberText(check, rule),
    format: (v) => (v === null ? NONE : String(noNegativeZero(v))),
  };
}

/**
 * A number, or null written "none" (also read from empty text).
 *
 * @example optionalNumberKind({ min: 0, max: 10, step: 0.01, minExclusive: true, suggested: 0.05 }).parse("none")
 *   // { ok: true, value: null }
 */
export function optionalNumberKind(o: {
  min: number;
  max: number;
  step: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  suggested: number;
}): OptionalNumberKind {
  const number = numberKind(o);
  if (!number.check(o.suggested).ok)
    throw new Error(`optionalNumberKind: suggested ${o.suggested} must be ${number.rule}`);
  const rule = `${number.rule} or ${NONE}`;
  const check = (value: unknown): Result<number | null> => {
    if (value === null) return ok(null);
    const checked = number.check(value);
    return checked.ok ? checked : fail(rule, value);
  };
  return {
    type: "optionalNumber",
    min: number.min,
    max: number.max,
    step: number.step,
    minExclusive: number.minExclusive,
    maxExclusive: number.maxExclusive,
    suggested: o.suggested,
    rule,
    check,
    parse: optionalNumberText(check, rule),
    format: (v) => (v === null ? NONE : number.format(v)),
  };
}

export function enumKind<const O extends string>(
  options: readonly O[],
  labels?: Readonly<Record<O, string>>,
): EnumKind<O> {
  const rule = `one of ${options.join(", ")}`;
  const check = (value: unknown): Result<O> =>
    typeof value === "string" && (options as readonly string[]).includes(value)
      ? ok(value as O)
      : fail(rule, value);
  return {
    type: "enum",
    options,
    ...(labels && { labels }),
    rule,
    check,
    parse: (text) => fromText(check(text.trim()), rule, text),
    format: (v) => v,
  };
}

const TRUE_TEXT = ["1", "true", "on", "yes"];
const FALSE_TEXT = ["0", "false", "off", "no"];

export function booleanKind(): BooleanKind {
  const rule = "1 or 0 (true or false)";
  return {
    type: "boolean",
    rule,
    check: (value) => (typeof value === "boolean" ? ok(value) : fail(rule, value)),
    parse: (text) => {
      const t = text.trim().toLowerCase();
      if (TRUE_TEXT.includes(t)) return ok(true);
      if (FALSE_TEXT.includes(t)) return ok(false);
      return fail(rule, text);
    },
    format: (v) => (v ? "1" : "0"),
  };
}

/** "64, 64" or "64 64" -> ["64", "64"]; "" -> []. */
function splitList(text: string): string[] {
  const t = text.trim();
  return t === "" ? [] : t.split(/\s*[,\s]\s*/);
}

function listKind<T extends "intList" | "numberList">(
  type: T,
  o: { min: number; max: number; minLength?: number; maxLength: number },
  integer: boolean,
  rule: string,
) {
  const minLength = o.minLength ?? 0;
  const item = (v: unknown) =>
    typeof v === "number" &&
    Number.isFinite(v) &&
    (!integer || Number.isInteger(v)) &&
    v >= o.min &&
    v <= o.max;
  const check = (value: unknown): Result<number[]> =>
    Array.isArray(value) && value.length >= minLength && value.length <= o.maxLength && value.every(item)
      ? ok(value.map(noNegativeZero))
      : fail(rule, value);
  return {
    type,
    min: o.min,
    max: o.max,
    minLength,
    maxLength: o.maxLength,
    rule,
    check,
    parse: (text: string): Result<number[]> => {
      const values = splitList(text).map(readNumber);
      return values.some((v) => v === undefined) ? fail(rule, text) : fromText(check(values), rule, text);
    },
    format: (v: number[]) => v.map(noNegativeZero).join(","),
  };
}

export function intListKind(o: {
  min: number;
  max: number;
  minLength?: number;
  maxLength: number;
}): IntListKind {
  const length = o.minLength ? `${o.minLength} to ${o.maxLength}` : `at most ${o.maxLength}`;
  return listKind("intList", o, true, `a comma-separated list of ${length} integers in [${o.min}, ${o.max}]`);
}

function numberListKind(o: {
  min: number;
  max: number;
  minLength?: number;
  maxLength: number;
}): NumberListKind {
  const length = o.minLength ? `${o.minLength} to ${o.maxLength}` : `at most ${o.maxLength}`;
  return listKind(
    "numberList",
    o,
    false,
    `a comma-separated list of ${length} numbers in [${o.min}, ${o.max}]`,
  );
}

export function axisKind<const N extends boolean>(o: {
  nullable: N;
  bound: number;
  minCount?: number;
  maxCount: number;
}): AxisKind<N> {
  type V = ValueOf<AxisKind<N>>;
  const minCount = o.minCount ?? 2;
  const rule =
    `"min,max,count" with -${o.bound} <= min < max <= ${o.bound} and count an integer in [${minCount}, ${o.maxCount}]` +
    (o.nullable ? ` (or ${NONE} for a 1-D landscape)` : "");
  const check = (value: unknown): Result<V> => {
    if (value === null) return o.nullable ? ok(null as V) : fail(rule, value);
    if (typeof value !== "object" || Array.isArray(value)) return fail(rule, value);
    const { min, max, count, ...rest } = value as Record<string, unknown>;
    if (
      Object.keys(rest).length === 0 &&
      typeof min === "number" &&
      typeof max === "number" &&
      Number.isFinite(min) &&
      Number.isFinite(max) &&
      min >= -o.bound &&
      max <= o.bound &&
      min < max &&
      checkInteger(count, minCount, o.maxCount)
    )
      return ok({ min: noNegativeZero(min), max: noNegativeZero(max), count: count as number } as V);
    return fail(rule, value);
  };
  return {
    type: "axis",
    nullable: o.nullable,
    bound: o.bound,
    minCount,
    maxCount: o.maxCount,
    rule,
    check,
    parse: (text) => {
      const t = text.trim();
      if (t === NONE) return o.nullable ? ok(null as V) : fail(rule, text);
      const parts = t.split(/\s*,\s*/).map(readNumber);
      if (parts.length !== 3 || parts.some((p) => p === undefined)) return fail(rule, text);
      return fromText(check({ min: parts[0], max: parts[1], count: parts[2] }), rule, text);
    },
    format: (v) => (v === null ? NONE : `${noNegativeZero(v.min)},${noNegativeZero(v.max)},${v.count}`),
  } as AxisKind<N>;
}

/**
 * What is wrong with the three boxes of an axis (min, max, count): the box and a message that
 * names it and quotes only its text, or null when they make a valid axis. The axis control shows
 * it instead of a message about the whole "min,max,count" text, and marks that box.
 *
 * @example axisPartsProblem(kind, { min: "-1", max: "1", count: "5000" })
 *   // { part: "count", message: "count 5000: must be an integer in [2, 2001]" }
 */
export function axisPartsProblem(
  kind: Pick<AxisKind, "bound" | "minCount" | "maxCount">,
  texts: { min: string; max: string; count: string },
): { part: "min" | "max" | "count"; message: string } | null {
  const min = readNumber(texts.min);
  const max = readNumber(texts.max);
  const count = readNumber(texts.count);
  for (const [part, v] of [
    ["min", min],
    ["max", max],
    ["count", count],
  ] as const)
    if (v === undefined) return { part, message: `${part} ${shown(texts[part])}: not a number` };
  if (!checkInteger(count, kind.minCount, kind.maxCount))
    return {
      part: "count",
      message: `count ${texts.count.trim()}: must be an integer in [${kind.minCount}, ${kind.maxCount}]`,
    };
  if ((min as number) < -kind.bound)
    return { part: "min", message: `min ${texts.min.trim()}: must be at least -${kind.bound}` };
  if ((max as number) > kind.bound)
    return { part: "max", message: `max ${texts.max.trim()}: must be at most ${kind.bound}` };
  if ((min as number) >= (max as number))
    return { part: "min", message: `min (${texts.min.trim()}) must be below max (${texts.max.trim()})` };
  return null;
}

export function batchKind(o: { min: number; max: number }): BatchKind {
  const rule = `an integer in [${o.min}, ${o.max}] or "full"`;
  const check = (value: unknown): Result<number | "full"> =>
    value === "full" || checkInteger(value, o.min, o.max) ? ok(value as number | "full") : fail(rule, value);
  return {
    type: "batch",
    min: o.min,
    max: o.max,
    rule,
    check,
    parse: (text) => (text.trim() === "full" ? ok("full") : numberText(check, rule)(text)),
    format: (v) => String(v),
  };
}

/** The kind of a dataset field's control (core/data/fields.ts), by the field's type. */
export type KindOfField<F extends Field> = F extends { type: "integer" }
  ? IntegerKind
  : F extends { type: "number" }
    ? NumberKind
    : NumberListKind;

/**
 * The control's kind of a dataset field: its bounds are the field's (core/data/fields.ts), where
 * the field's `control` does not give tighter ones; the step defaults to 1 (integers), 0.01.
 *
 * @example fieldKind(COMMON_FIELDS.labelNoise).rule // "a number in [0, 1)"
 */
export function fieldKind<const F extends Field>(field: F): KindOfField<F>;
export function fieldKind(field: Field): AnyKind {
  const control = field.control ?? {};
  const where = `dataset field "${field.label}"`;
  switch (field.type) {
    case "integer":
      return integerKind({
        min: control.min ?? field.min,
        max: control.max ?? field.max,
        step: control.step,
      });
    case "number": {
      const max = control.max ?? field.max;
      if (max === undefined) throw new Error(`${where} has no upper bound: give its control a max`);
      return numberKind({
        min: control.min ?? field.min,
        max,
        step: control.step ?? 0.01,
        minExclusive: control.min === undefined && field.minExclusive === true,
        maxExclusive: control.max === undefined && field.maxExclusive === true,
      });
    }
    case "numberList":
      if (control.min === undefined || control.max === undefined)
        throw new Error(`${where} takes any finite numbers: give its control a min and a max for each`);
      return numberListKind({
        min: control.min,
        max: control.max,
        minLength: field.minLength,
        maxLength: field.maxLength,
      });
  }
}
