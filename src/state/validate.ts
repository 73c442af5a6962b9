/**
 * Applying values to a state without ever leaving it invalid: each value is checked by its
 * entry's kind, then the whole state by the experiment schema (settingsProblems). A value that
 * fails is skipped with a message naming the key and the value; the others still apply.
 *
 * @example applyValues(defaultSettings(), { lr: 0 }).problems
 *   // ["Learning rate (lr): must be a number in (0, 100], got 0"]
 */

import { settingsProblems } from "./config-map";
import { isSettingKey, propertyOf, SETTING_KEYS, type SettingKey, type Settings } from "./properties";

interface ApplyResult {
  settings: Settings;
  /** Keys whose value changed. */
  changed: SettingKey[];
  problems: string[];
}

/** "Learning rate (lr)". */
function settingName(key: SettingKey): string {
  return `${propertyOf(key).label} (${key})`;
}

/**
 * Apply `values` (by table key) to `base`, which must be valid. Values apply together when the
 * result is valid; otherwise as many as keep the state valid apply (repeated passes in table
 * order, so a value that only works after another one still gets in) and the rest are reported.
 */
export function applyValues(base: Settings, values: Readonly<Record<string, unknown>>): ApplyResult {
  const problems: string[] = [];
  const candidates: [SettingKey, unknown][] = [];
  for (const key of Object.keys(values)) {
    if (!isSettingKey(key)) problems.push(`unknown setting "${key}"`);
  }
  for (const key of SETTING_KEYS) {
    if (!Object.hasOwn(values, key)) continue;
    const checked = propertyOf(key).kind.check(values[key]);
    if (!checked.ok) problems.push(`${settingName(key)}: ${checked.message}`);
    else candidates.push([key, checked.value]);
  }
  const withAll = { ...base } as Record<SettingKey, unknown>;
  for (const [key, value] of candidates) withAll[key] = value;
  if (candidates.length === 0 || settingsProblems(withAll as Settings).length === 0) {
    return finish(base, withAll as Settings, problems);
  }

  let current = base;
  let pending = candidates;
  let progress = true;
  while (progress && pending.length > 0) {
    progress = false;
    const rest: [SettingKey, unknown][] = [];
    for (const [key, value] of pending) {
      const next = { ...current, [key]: value } as Settings;
      if (settingsProblems(next).length === 0) {
        current = next;
        progress = true;
      } else rest.push([key, value]);
    }
    pending = rest;
  }
  for (const [key, value] of pending) {
    const issues = settingsProblems({ ...current, [key]: value } as Settings);
    const text = (propertyOf(key).kind as { format(v: unknown): string }).format(value);
    problems.push(`${settingName(key)} = ${text}: ${issues.join("; ")}`);
  }
  return finish(base, current, problems);
}

function finish(base: Settings, next: Settings, problems: string[]): ApplyResult {
  const changed = SETTING_KEYS.filter((key) => {
    const kind = propertyOf(key).kind as { format(v: unknown): string };
    return kind.format(base[key]) !== kind.format(next[key]);
  });
  // Keep the old object when nothing changed, so subscribers see no change.
  return { settings: changed.length === 0 ? base : next, changed, problems };
}

/**
 * The fields whose typed text cannot be stored (the store's draftProblems), in the controls'
 * order, each as "Label: message": Run refuses to start while there are any.
 *
 * @example runBlockers({ lr: 'expected a number, got "abc"' }) // [{ key: "lr", text: 'Learning rate: expected ...' }]
 */
export function runBlockers(
  problems: Partial<Record<SettingKey, string>>,
): { key: SettingKey; text: string }[] {
  return SETTING_KEYS.filter((k) => problems[k] !== undefined).map((k) => ({
    key: k,
    text: `${propertyOf(k).label}: ${problems[k]}`,
  }));
}
