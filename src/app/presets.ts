import type { StoreApi } from "zustand";
import type { Lab } from "../compute/lab";
import { LESSONS } from "../core/lessons/catalog";
import { type AnyLesson, parseAnyLesson } from "../core/lessons/parse";
import { fromExperimentConfig } from "../state/config-map";
import { configOrigin } from "../state/origin";
import type { AppState } from "../state/store";

/** The presets in public/presets/, as the picker lists them (a unit test checks the two agree). */
export const PRESETS = [
  {
    name: "default",
    label: "Spirals, MLP 64-64 (reference)",
    description: "Spirals, MLP 2-64-64-2 ReLU, 51 x 51: the reference workload of the benchmarks",
  },
  {
    name: "moons-quick",
    label: "Moons, MLP 32 (quick)",
    description: "Moons, one hidden layer of 32, 31 x 31: a quick picture",
  },
  {
    name: "circles-full-batch-gd",
    label: "Edge of stability (full-batch GD)",
    description:
      "Circles, plain full-batch gradient descent at lr 0.5: lambda_max rises to 2/lr and hovers there (Cohen et al. 2021)",
  },
  {
    name: "sine-regression-1d",
    label: "Sine regression, 1-D",
    description: "Regression of a sine, a 1-D landscape",
  },
  {
    name: "mode-connectivity",
    label: "Paths: mode connectivity",
    description: "Two minima joined by a straight line and by a trained curve (Garipov et al. 2018)",
  },
  {
    name: "permutation-symmetry",
    label: "Paths: permutation symmetry",
    description: "Two minima aligned by weight matching before they are joined (Ainsworth et al. 2023)",
  },
  {
    name: "optimizer-race",
    label: "Optimizer race (SGD, momentum, Adam, SAM)",
    description:
      "Moons, MLP 16-16 tanh, full batch: SGD, momentum, Adam and SAM from one initialization on one PCA plane; Adam ends lowest and sharpest, SAM flattest",
  },
  {
    name: "digits-mlp",
    label: "Digits 14x14, MLP 32",
    description: "Handwritten digits (MNIST, 14 x 14), MLP 196-32-10",
  },
  {
    name: "digits-cnn",
    label: "Digits 14x14, small CNN",
    description: "Handwritten digits (MNIST, 14 x 14), a small CNN: 2 convolutions and a dense layer of 32",
  },
] as const;

/** A config with a `paths` section runs the paths between minima (lab.runPaths), not one experiment. */
export function hasPaths(config: unknown): boolean {
  return typeof config === "object" && config !== null && "paths" in config;
}

export type PresetName = (typeof PRESETS)[number]["name"];

/**
 * Fetch and check a lesson (public/lessons/<file>); a bad file is an Error naming its problems.
 *
 * @example const lesson = await fetchLesson("learning-rate.json");
 */
export async function fetchLesson(file: string): Promise<AnyLesson> {
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
