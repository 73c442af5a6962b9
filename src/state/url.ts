/**
 * Settings <-> URL hash. Only values that differ from the defaults are written, in table order,
 * as key=value pairs ("ds=moons&lr=0.02&hid=16,16&gy=none"), so links stay short and stable and
 * a link reproduces the view: decoding starts from the defaults.
 *
 * @example encodeHash({ ...defaultSettings(), lr: 0.02 }) // "lr=0.02"
 */

import { shown } from "./kinds";
import {
  defaultSettings,
  isSettingKey,
  propertyOf,
  SETTING_KEYS,
  type Settings,
  type SettingsPatch,
  sameValue,
} from "./properties";

/** A link key for what the settings cannot hold: a lesson, a preset run as written (origin.ts). */
export interface Route {
  key: "lesson" | "preset";
  /** Lesson id or preset name. */
  value: string;
}

/**
 * The presentation key: `present=1` (or a bare `present`) opens the page in presentation mode
 * (the views full screen, the controls hidden). It is a way of showing the page, not a setting:
 * it rides along with any settings or route (`#lesson=sam&present=1`).
 */
const PRESENT_KEY = "present";

/** Escape what must be escaped; keep the list separator "," readable. */
function encodeText(text: string): string {
  return encodeURIComponent(text).replace(/%2C/gi, ",");
}

/**
 * The hash of a state, without "#": "" for the defaults.
 *
 * @example location.hash = encodeHash(settings)
 */
export function encodeHash(settings: Settings): string {
  const defaults = defaultSettings();
  const parts: string[] = [];
  for (const key of SETTING_KEYS) {
    if (sameValue(key, settings[key], defaults[key])) continue;
    const kind = propertyOf(key).kind as { format(v: unknown): string };
    parts.push(`${key}=${encodeText(kind.format(settings[key]))}`);
  }
  return parts.join("&");
}

/**
 * Values from a hash ("#..." or without "#"), each parsed by its table entry. Never throws:
 * unknown keys and unreadable values are left out with a problem naming the key and the value.
 * Cross-field rules (e.g. the grid size) are checked when the values are applied (applyValues).
 *
 * A route key (`lesson=ID`, `preset=NAME`) is returned as `route`: the page opens that lesson or
 * preset (whose settings the link does not spell out). `present=1` sets `present`.
 *
 * @example decodeHash("#lr=0.02&zz=1").problems // ['unknown URL key "zz" (value "1") ignored']
 */
export function decodeHash(hash: string): {
  values: SettingsPatch;
  problems: string[];
  route: Route | null;
  /** Present (true) only when the hash asks for presentation mode (`present=1`). */
  present?: true;
} {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  let route: Route | null = null;
  let present = false;
  const body = hash.startsWith("#") ? hash.slice(1) : hash;
  for (const part of body.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? "" : part.slice(eq + 1);
    let key: string;
    let text: string;
    try {
      key = decodeURIComponent(rawKey);
      text = decodeURIComponent(rawValue);
    } catch {
      problems.push(`URL part ${shown(part)} is not properly escaped; ignored`);
      continue;
    }
    if (key === PRESENT_KEY) {
      if (text === "" || text === "1") present = true;
      else if (text !== "0")
        problems.push(`URL key "${key}" takes 1 (or nothing), got ${shown(text)}; ignored`);
      continue;
    }
    if (isRouteKey(key)) {
      if (text === "") problems.push(`URL key "${key}" has no value; ignored`);
      else route = { key, value: text };
      continue;
    }
    if (!isSettingKey(key)) {
      problems.push(`unknown URL key ${shown(key)} (value ${shown(text)}) ignored`);
      continue;
    }
    if (eq < 0) {
      problems.push(`URL key "${key}" has no value; ignored`);
      continue;
    }
    if (Object.hasOwn(values, key))
      problems.push(`URL key "${key}" given more than once; the last one counts`);
    const entry = propertyOf(key);
    const parsed = entry.kind.parse(text);
    if (parsed.ok) values[key] = parsed.value;
    else {
      delete values[key];
      problems.push(`URL key "${key}" (${entry.label}): ${parsed.message}; ignored`);
    }
  }
  return { values: values as SettingsPatch, problems, route, ...(present ? { present: true as const } : {}) };
}

/**
 * `body` (a hash without "#") with the presentation key added when `present`.
 *
 * @example withPresentKey("lesson=sam", true) // "lesson=sam&present=1"
 */
export function withPresentKey(body: string, present: boolean): string {
  if (!present) return body;
  return body ? `${body}&${PRESENT_KEY}=1` : `${PRESENT_KEY}=1`;
}

/** Keys that name what to open rather than a setting: `lesson=ID`, `preset=NAME` (origin.ts). */
function isRouteKey(key: string): key is Route["key"] {
  return key === "lesson" || key === "preset";
}
