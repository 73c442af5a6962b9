/**
 * Titles of two landscapes shown side by side that say what differs between them ("batch 16"
 * vs "full batch", "lr 0.01" vs "lr 0.05"), never just "current" and "pinned". Built from the
 * experiment settings each landscape was shown with (its origin); view settings are shared by
 * both panes and never differ. Pure, no DOM.
 *
 * @example paneTitles(a.origin, b.origin) // ["lr 0.01, batch 32", "lr 0.05, full batch"]
 */
import type { LandscapeOrigin } from "../../state/origin";
import {
  isShown,
  propertyOf,
  SETTING_KEYS,
  type SettingKey,
  type Settings,
  sameValue,
} from "../../state/properties";

/** How a value reads in a title, for the settings people compare most; others: "label value". */
const PHRASES: Partial<Record<SettingKey, (v: never) => string>> = {
  ds: (v: string) => v,
  n: (v: number) => `${v} train points`,
  nt: (v: number) => `${v} test points`,
  noise: (v: number) => `noise ${v}`,
  lnoise: (v: number) => `label noise ${v}`,
  hid: (v: number[]) => (v.length > 0 ? `hidden ${v.join("-")}` : "linear model"),
  act: (v: string) => v,
  res: (v: boolean) => (v ? "residual" : "not residual"),
  opt: (v: string) => ({ sgd: "SGD", momentum: "momentum", adam: "Adam" })[v] ?? v,
  lr: (v: number) => `lr ${v}`,
  bs: (v: number | "full") => (v === "full" ? "full batch" : `batch ${v}`),
  ep: (v: number) => `${v} epochs`,
  seed: (v: number) => `seed ${v}`,
  mom: (v: number) => `momentum ${v}`,
  sam: (v: number | null) => (v === null ? "no SAM" : `SAM ρ ${v}`),
  wd: (v: number) => `weight decay ${v}`,
  dir: (v: string) => `${v} directions`,
  norm: (v: string) => `${v} normalization`,
};

/** At most this many differences are spelled out; the rest are counted. */
const MAX_SPELLED = 3;

/** "lr 0.05" for one setting's value. */
export function settingPhrase(key: SettingKey, value: unknown): string {
  const phrase = PHRASES[key] as ((v: unknown) => string) | undefined;
  if (phrase) return phrase(value);
  const p = propertyOf(key);
  const text = (p.kind as { format(v: unknown): string }).format(value);
  return `${p.label.toLowerCase()} ${text === "" ? "none" : text}`;
}

/** The experiment settings (shown for either side's dataset and optimizer) whose values differ. */
export function differingKeys(a: Settings, b: Settings): SettingKey[] {
  return SETTING_KEYS.filter(
    (k) => propertyOf(k).path[0] !== "view" && (isShown(k, a) || isShown(k, b)) && !sameValue(k, a[k], b[k]),
  );
}

/** One side's title from the differing keys: up to MAX_SPELLED phrases, then "+ N more". */
function titleOf(keys: readonly SettingKey[], s: Settings): string {
  const spelled = keys.slice(0, MAX_SPELLED).map((k) => settingPhrase(k, s[k]));
  const rest = keys.length - spelled.length;
  return rest > 0 ? `${spelled.join(", ")} + ${rest} more` : spelled.join(", ");
}

/** A name for a landscape that has no settings to compare (an imported file, a library entry). */
function nameOf(origin: LandscapeOrigin | null | undefined, fallback: string): string {
  if (origin?.name && origin.kind !== "run") return origin.name;
  return fallback;
}

/**
 * Titles of the pinned landscape (`pinned`) and the current one (`current`): what differs
 * between their experiments; their names when the experiments are the same (or one has none to
 * compare, an imported surface file), and "same experiment" when nothing tells them apart.
 */
export function paneTitles(
  pinned: LandscapeOrigin | null | undefined,
  current: LandscapeOrigin | null | undefined,
): { pinned: string; current: string } {
  const comparable = pinned && current && pinned.kind !== "surface-file" && current.kind !== "surface-file";
  const keys = comparable ? differingKeys(pinned.settings, current.settings) : [];
  if (comparable && keys.length > 0)
    return { pinned: titleOf(keys, pinned.settings), current: titleOf(keys, current.settings) };
  const a = nameOf(pinned, "pinned");
  const b = nameOf(current, "this run");
  if (a !== b && !(a === "pinned" && b === "this run")) return { pinned: a, current: b };
  return { pinned: "pinned: same experiment", current: "this run: same experiment" };
}
