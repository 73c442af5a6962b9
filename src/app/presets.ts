import { z } from "zod";
import type { StoreApi } from "zustand";
import type { Lab } from "../compute/lab";
import { LESSONS } from "../core/lessons/catalog";
import { type AnyLesson, parseAnyLesson } from "../core/lessons/parse";
import { PATH_KINDS } from "../core/snapshot/paths-section";
import { fromExperimentConfig } from "../state/config-map";
import { configOrigin } from "../state/origin";
import type { AppState } from "../state/store";
import catalog from "./presets.json";

/**
 * A preset as the picker lists it (presets.json, the one list; a unit test checks it against
 * public/presets/): its name (the config file public/presets/<name>.json, which stays a plain
 * CLI config), label and description; a paths preset's story is what the paths panel says of it.
 */
const presetSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/),
    label: z.string().min(1),
    description: z.string().min(1),
    story: z
      .object({
        title: z.string().min(1),
        /** The claim in plain words, with the papers. */
        claim: z.string().min(1),
        /** What to look at in the plane, the chart and the table. */
        look: z.string().min(1),
        /** The path the t slider starts on. */
        probe: z.enum(PATH_KINDS).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type Preset = z.infer<typeof presetSchema>;
type PresetStory = NonNullable<Preset["story"]>;

/** The presets, in the picker's order; a broken presets.json fails here, naming the entry and field. */
export const PRESETS: readonly Preset[] = z.array(presetSchema).parse(catalog);

/** The story of preset `name` (the paths presets and paths lessons have one), or undefined. */
export function presetStory(name: string | undefined): PresetStory | undefined {
  return name === undefined ? undefined : PRESETS.find((p) => p.name === name)?.story;
}

/** A config with a `paths` section runs the paths between minima (lab.runPaths), not one experiment. */
export function hasPaths(config: unknown): boolean {
  return typeof config === "object" && config !== null && "paths" in config;
}

/**
 * Fetch and check a lesson (public/lessons/<file>); a bad file is an Error naming its problems.
 *
 * @example const lesson = await fetchLesson("learning-rate.json");
 */
async function fetchLesson(file: string): Promise<AnyLesson> {
  const base = import.meta.env?.BASE_URL ?? "/";
  const response = await fetch(`${base}lessons/${encodeURIComponent(file)}`);
  if (!response.ok) throw new Error(`lesson "${file}" could not be loaded (HTTP ${response.status})`);
  return parseAnyLesson(await response.json(), file);
}

/** Fetch a preset's config JSON from the server (Vite serves public/ at the root). */
export async function fetchPreset(name: string): Promise<unknown> {
  const base = import.meta.env?.BASE_URL ?? "/";
  const response = await fetch(`${base}presets/${encodeURIComponent(name)}.json`);
  if (!response.ok) throw new Error(`preset "${name}" could not be loaded (HTTP ${response.status})`);
  return response.json();
}

/**
 * Run the preset the picker chose: its settings go into the controls at once, then it runs on
 * the lab (`lab` waits for it while the workers start; null: the lab failed to start and nothing
 * runs). A config with a `paths` section runs the paths between minima (lab.runPaths); one the
 * controls cannot hold (a CNN, the digits) runs as written; any other runs as the controls now
 * show it. Resolves once its run has started (not ended), so the automatic first run, held back
 * until then (LabHandle.choose), sees it and leaves it alone. A preset the picker has moved on
 * from while the lab started (another preset, a setting changed by hand) does not run.
 *
 * @example await pickPreset("mode-connectivity", () => handle.whenStarted(), appStore);
 */
export async function pickPreset(
  name: string,
  lab: () => Promise<Lab | null>,
  store: StoreApi<AppState>,
): Promise<void> {
  const config = await fetchPreset(name);
  const unshown = fromExperimentConfig(config).problems;
  // An optimizer race has no controls: it runs as written too.
  if (typeof config === "object" && config !== null && "race" in config)
    unshown.push('its config has a "race" section');
  if (unshown.length > 0 && !hasPaths(config)) {
    // A config the controls cannot hold (a CNN, the digits): run it as written. The controls
    // show what they can of it, the picker names it, the badge says what they cannot show, and
    // a link names the preset (its settings alone would not run it).
    const origin = configOrigin("preset", name, config, store.getState().settings, {
      key: "preset",
      value: name,
    });
    store.getState().adoptSettings(origin.settings, name);
    store
      .getState()
      .notify(`preset "${name}" runs as written: the controls cannot show all of it (${unshown[0]})`, "info");
    void (await lab())?.runConfig(config, undefined, origin);
    return;
  }
  if (store.getState().applyPreset(name, config).length > 0) return;
  const started = await lab();
  if (!started || store.getState().presetName !== name) return;
  void (hasPaths(config) ? started.runPaths(config, name) : started.run());
}

/**
 * Open the lesson the picker chose (public/lessons/, by its catalog id) on the lab, waiting for
 * the lab while it starts. Resolves once the lesson has started; `onError` gets what fails later.
 *
 * @example await pickLesson("learning-rate", () => handle.whenStarted(), notify);
 */
export async function pickLesson(
  id: string,
  lab: () => Promise<Lab | null>,
  onError: (message: string) => void,
): Promise<void> {
  const entry = LESSONS.find((l) => l.id === id);
  if (!entry) return;
  const lesson = await fetchLesson(entry.file);
  const started = await lab();
  started?.openLesson(lesson).catch((err: unknown) => onError((err as Error).message));
}
