import { type AnyLesson, parseAnyLesson } from "../core/lessons/parse";

/** The presets in public/presets/, as the picker lists them (a unit test checks the two agree). */
export const PRESETS = [
  { name: "default", label: "Spirals, MLP 2-64-64-2 ReLU (reference workload)" },
  { name: "moons-quick", label: "Moons, one hidden layer of 32 (quick)" },
  { name: "circles-full-batch-gd", label: "Circles, full-batch gradient descent, tanh" },
  { name: "sine-regression-1d", label: "Sine regression, 1-D landscape" },
  { name: "mode-connectivity", label: "Paths: mode connectivity (straight line vs trained curve)" },
  { name: "permutation-symmetry", label: "Paths: permutation symmetry (weight matching)" },
  { name: "digits-mlp", label: "Digits (MNIST 14x14), MLP 196-32-10" },
  { name: "digits-cnn", label: "Digits (MNIST 14x14), small CNN (2 conv + dense 32)" },
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
