/**
 * Where the landscape on screen came from, and what the page may say about it: which controls
 * describe it, what badge names it, and which link reproduces it. Pure (no store, no DOM).
 *
 * The rule the page keeps: whatever is displayed sets the controls (and with them the URL) to
 * what it is, or the badge says plainly that they do not describe it; Copy link reproduces what
 * is shown, or is refused with the reason.
 * - A run of the controls, a restored last result: the settings are the landscape's.
 * - A preset the controls can hold: its settings. A preset they cannot hold (a CNN, a paths
 *   preset) or a lesson: the controls show what they can, and the link names it (`preset=NAME`,
 *   `lesson=ID`), which a fresh page runs again.
 * - A library entry or an imported snapshot: its config, when the controls can hold all of it
 *   (checked by a round trip through resolveConfig); otherwise nothing reproduces it by link.
 * - An imported surface file (.h5): no model, no config, no link.
 *
 * @example const origin = originOfConfig("library", "sharp minimum", snapshot.config, current);
 */
import { canonicalJson } from "../core/canonical-json";
import { resolveConfig } from "../core/config/resolve";
import { firstJsonDifference } from "../core/json-difference";
import { fromExperimentConfig, toExperimentConfig } from "./config-map";
import { propertyOf, SETTING_KEYS, type Settings, sameValue } from "./properties";
import { encodeHash, type Route } from "./url";

export type { Route } from "./url";

import { applyValues } from "./validate";

type OriginKind =
  | "run"
  | "preset"
  | "lesson"
  | "library"
  | "file"
  | "restored"
  | "surface-file"
  | "own-files";

export interface LandscapeOrigin {
  kind: OriginKind;
  /** The preset label, lesson title, library entry or file name (null for a plain run). */
  name: string | null;
  /** The settings the controls were given when this landscape was shown (view settings included). */
  settings: Settings;
  /** Whether Run with `settings` computes this landscape again. */
  describes: boolean;
  /** Why the controls do not describe it (null when they do). */
  why: string | null;
  /** The link for what the settings cannot hold (lesson=ID, preset=NAME), or null. */
  route: Route | null;
}

const isExperimentKey = (key: (typeof SETTING_KEYS)[number]) => propertyOf(key).path[0] !== "view";

/** Whether two states have the same experiment settings (view settings aside). */
export function sameExperiment(a: Settings, b: Settings): boolean {
  return SETTING_KEYS.every((k) => !isExperimentKey(k) || sameValue(k, a[k], b[k]));
}

/** `settings` with the view settings of `view` (a link carries the view being looked at). */
export function withView(settings: Settings, view: Settings): Settings {
  const out = { ...settings };
  for (const key of SETTING_KEYS)
    if (!isExperimentKey(key)) (out as Record<string, unknown>)[key] = view[key];
  return out;
}

/**
 * The settings that hold `config` (an experiment config, e.g. a snapshot's), with the view
 * settings of `current`; `why` names what the controls cannot hold when they cannot hold all of
 * it (then `settings` holds what they can).
 *
 * @example settingsForConfig({ data: { name: "moons" } }, current).settings.ds // "moons"
 */
export function settingsForConfig(
  config: unknown,
  current: Settings,
): { settings: Settings; why: string | null } {
  const mapped = fromExperimentConfig(config);
  const applied = applyValues(current, mapped.values);
  const problems = [...mapped.problems, ...applied.problems];
  if (problems.length > 0) return { settings: applied.settings, why: problems[0] };
  // Every value fits a control; do the controls give back exactly this config?
  let wanted: unknown;
  let held: unknown;
  try {
    wanted = resolveConfig(config);
    held = resolveConfig(toExperimentConfig(applied.settings));
  } catch (err) {
    return { settings: applied.settings, why: (err as Error).message.split("\n")[0] };
  }
  const target = canonicalJson(wanted);
  if (canonicalJson(held) === target) return { settings: preferDerived(applied.settings, target), why: null };
  const diff = firstJsonDifference(wanted, held);
  const what = !diff
    ? "parts"
    : diff.b === "absent"
      ? `a "${diff.path}" section`
      : `${diff.path} = ${diff.a.length > 40 ? `${diff.a.slice(0, 37)}...` : diff.a}`;
  return { settings: applied.settings, why: `its config has ${what}, which the controls cannot hold` };
}

/**
 * `settings` with every optional value (a per-part seed, a step cap) left out where leaving it
 * out gives the same resolved config (`target`, canonical JSON): a snapshot's config spells its
 * derived seeds out, and the controls and the link should say "derived" as the run did.
 */
function preferDerived(settings: Settings, target: string): Settings {
  let out = settings;
  for (const key of SETTING_KEYS) {
    const type = propertyOf(key).kind.type;
    if ((type !== "optionalInteger" && type !== "optionalNumber") || out[key] === null) continue;
    const candidate = { ...out, [key]: null } as Settings;
    try {
      if (canonicalJson(resolveConfig(toExperimentConfig(candidate))) === target) out = candidate;
    } catch {
      // not valid without it: keep the value
    }
  }
  return out;
}

/** The origin of a landscape computed from the controls' `settings`. */
export function runOrigin(settings: Settings): LandscapeOrigin {
  return { kind: "run", name: null, settings, describes: true, why: null, route: null };
}

/**
 * The origin of a landscape made from (or read with) an experiment `config`: the controls are
 * given what they can hold of it (view settings from `current`).
 */
export function configOrigin(
  kind: Exclude<OriginKind, "run" | "surface-file">,
  name: string | null,
  config: unknown,
  current: Settings,
  route: Route | null = null,
): LandscapeOrigin {
  const { settings, why } = settingsForConfig(config, current);
  return { kind, name, settings, describes: why === null, why, route };
}

/**
 * The origin of a run on files picked in this browser (`names`): the controls hold the rest of
 * its config, but no link can carry the files.
 */
export function ownFilesOrigin(names: string, config: unknown, current: Settings): LandscapeOrigin {
  const { settings } = settingsForConfig(config, current);
  return {
    kind: "own-files",
    name: names,
    settings,
    describes: false,
    why: "it uses files picked in this browser, which a link cannot carry",
    route: null,
  };
}

/** The origin of an imported surface file: no model, no config; the controls stay as they are. */
export function surfaceFileOrigin(file: string, current: Settings): LandscapeOrigin {
  return {
    kind: "surface-file",
    name: file,
    settings: current,
    describes: false,
    why: "an imported surface file has no model or experiment config",
    route: null,
  };
}

/**
 * The link that reproduces the landscape, with the view settings of `current`, or why there is
 * none. A route (lesson, preset) wins: its settings alone would not run it.
 *
 * @example shareLink(origin, current) // { hash: "lr=0.05" } | { reason: "..." }
 */
export function shareLink(origin: LandscapeOrigin, current: Settings): { hash: string } | { reason: string } {
  if (origin.route) return { hash: routeHash(origin.route) };
  if (origin.describes) return { hash: encodeHash(withView(origin.settings, current)) };
  const what = ORIGIN_NOUN[origin.kind];
  return { reason: `no link can reproduce this ${what}: ${origin.why ?? "the controls do not describe it"}` };
}

export function routeHash(route: Route): string {
  return `${route.key}=${encodeURIComponent(route.value)}`;
}

const ORIGIN_NOUN: Record<OriginKind, string> = {
  run: "landscape",
  preset: "preset",
  lesson: "lesson",
  library: "library entry",
  file: "imported snapshot",
  restored: "landscape",
  "surface-file": "imported surface",
  "own-files": "run on your files",
};

/**
 * What the badge over the views says: where the landscape came from, and whether the controls
 * describe it. Null for a plain run that the controls still describe (nothing to say).
 *
 * @example originBadge(origin, current) // "library: sharp minimum"
 */
export function originBadge(origin: LandscapeOrigin, current: Settings): string | null {
  const parts: string[] = [];
  if (origin.kind === "restored") parts.push("restored: the last result");
  else if (origin.kind !== "run") parts.push(`${BADGE_WORD[origin.kind]}: ${origin.name ?? "?"}`);
  // A lesson's card says what it runs, and the lesson itself sets the controls run by run.
  if (origin.kind === "lesson") return parts.join(" · ");
  if (!origin.describes) parts.push(`the controls do not describe it (${origin.why})`);
  else if (!sameExperiment(origin.settings, current))
    parts.push("the controls have changed since: Run computes them");
  return parts.length > 0 ? parts.join(" · ") : null;
}

const BADGE_WORD: Record<Exclude<OriginKind, "run" | "restored">, string> = {
  preset: "preset",
  lesson: "lesson",
  library: "library",
  file: "imported",
  "surface-file": "imported surface",
  "own-files": "your files",
};
