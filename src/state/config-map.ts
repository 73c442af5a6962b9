/**
 * Between table values (Settings) and the experiment config of src/core/config/schema.ts, both
 * ways, driven by each entry's path. Pure: no store, no DOM.
 *
 * A state is valid when every value passes its kind and resolveConfig(toExperimentConfig(s))
 * succeeds: the cross-field rules (train + test points, grid size, PCA needs a 2-D grid and 3
 * checkpoints) live in the schema, so they are checked by the schema, not copied here.
 */

import { resolveConfig } from "../core/config/resolve";
import type { ExperimentConfigInput } from "../core/config/schema";
import { deriveSeed } from "../core/rng";
import { type AnyKind, shown } from "./kinds";
import {
  isActive,
  propertyOf,
  SETTING_KEYS,
  type Settings,
  type SettingsPatch,
  sameValue,
} from "./properties";
import type { SurfaceViewOptions } from "./surface-view";

const DIRECTION_LABELS = ["direction-x", "direction-y"] as const;

/** Kinds whose null means "absent from the config" (a derived seed, no step cap, SAM off). */
function isOptionalKind(kind: AnyKind): boolean {
  return kind.type === "optionalInteger" || kind.type === "optionalNumber";
}

function isDirectionSeed(
  path: readonly (string | number)[],
): path is readonly ["directions", "seeds", number] {
  return path[0] === "directions" && path[1] === "seeds";
}

function setPath(target: Record<string, unknown>, path: readonly (string | number)[], value: unknown): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment] ?? {};
    node[segment] = next;
    node = next as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

function getPath(source: unknown, path: readonly (string | number)[]): unknown {
  let node = source;
  for (const segment of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

/**
 * The experiment config input of a state: every config entry at its path, except dataset
 * fields of other datasets (the dataset schema is strict), absent optional values (null) and
 * `omitDefault` entries at their default. A path through an optional object makes the object:
 * SAM rho 0.05 is `training.sam = { rho: 0.05 }`, and SAM off (null) is no `sam` key at all.
 * Direction seeds: given per axis; a missing one is derived exactly as resolveConfig would.
 *
 * @example resolveConfig(toExperimentConfig(defaultSettings())) // spirals, 2-32-32-2, 41 x 41
 */
export function toExperimentConfig(settings: Settings): ExperimentConfigInput {
  const out: Record<string, unknown> = {};
  const seeds: (number | null)[] = [null, null];
  for (const key of SETTING_KEYS) {
    const { path } = propertyOf(key);
    if (path[0] === "view" || !isActive(key, settings)) continue;
    const value = settings[key];
    if (isDirectionSeed(path)) {
      seeds[path[2]] = value as number | null;
      continue;
    }
    const entry = propertyOf(key);
    if (value === null && isOptionalKind(entry.kind)) continue;
    if (entry.omitDefault && sameValue(key, value, entry.default)) continue;
    setPath(out, path, structuredClone(value));
  }
  if (seeds.some((s) => s !== null)) {
    const axes = settings.gy === null ? 1 : 2;
    setPath(
      out,
      ["directions", "seeds"],
      seeds.slice(0, axes).map((s, i) => s ?? deriveSeed(settings.seed, DIRECTION_LABELS[i])),
    );
  }
  return out as ExperimentConfigInput;
}

/** The surface view options of a state (the entries whose path starts with "view"). */
export function toViewOptions(settings: Settings): SurfaceViewOptions {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const { path } = propertyOf(key);
    if (path[0] === "view") out[path[1]] = settings[key];
  }
  return out as unknown as SurfaceViewOptions;
}

/** The problems of resolveConfig's message ("invalid config (2 problems):\n  a\n  b") one by one. */
function configProblems(err: unknown): string[] {
  const text = err instanceof Error ? err.message : String(err);
  const lines = text.split("\n").map((l) => l.trim());
  return lines[0].startsWith("invalid config") && lines.length > 1 ? lines.slice(1) : [text];
}

/** Cross-field problems of a state whose values each pass their kind; [] when valid. */
export function settingsProblems(settings: Settings): string[] {
  try {
    resolveConfig(toExperimentConfig(settings));
    return [];
  } catch (err) {
    return configProblems(err);
  }
}

/**
 * Table values for an experiment config (a preset or an imported snapshot's config): every
 * config entry takes the resolved config's value, so keys the config leaves out get the schema's
 * defaults, exactly as resolveConfig(config) would. Seeds the config does not give stay null
 * (derived), so that changing the master seed still changes them. View entries are left out.
 * An invalid config gives no values, only problems.
 *
 * @example fromExperimentConfig({ data: { name: "moons" } }).values.ds // "moons"
 */
export function fromExperimentConfig(config: unknown): { values: SettingsPatch; problems: string[] } {
  let resolved: unknown;
  try {
    resolved = resolveConfig(config);
  } catch (err) {
    return { values: {}, problems: configProblems(err) };
  }
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  const dataset = getPath(resolved, ["data", "name"]);
  for (const key of SETTING_KEYS) {
    const entry = propertyOf(key);
    const { path } = entry;
    if (path[0] === "view") continue;
    if (entry.datasets && !entry.datasets.includes(dataset as never)) {
      values[key] = structuredClone(entry.default);
      continue;
    }
    // Optional entries (per-part seeds, step cap, SAM) come from what the config says, not from
    // the resolved config, which fills derived seeds in; absent `omitDefault` keys are the default.
    const value = isOptionalKind(entry.kind)
      ? (getPath(config, path) ?? null)
      : entry.omitDefault
        ? (getPath(resolved, path) ?? entry.default)
        : getPath(resolved, path);
    const checked = entry.kind.check(value);
    if (checked.ok) values[key] = checked.value;
    else problems.push(`${entry.label} ${shown(value)}: the controls take ${entry.kind.rule}`);
  }
  // A graph run (a GCN on node ids) has no controls at all: one line says so, not one per control.
  if (getPath(resolved, ["model", "kind"]) === "gcn" && problems.length > 0)
    return {
      values: values as SettingsPatch,
      problems: [
        `a graph run (dataset ${shown(dataset)}, a GCN): the controls cannot show it, it runs as its config says`,
      ],
    };
  return { values: values as SettingsPatch, problems };
}
