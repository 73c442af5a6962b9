/**
 * Shared by the replay and recording e2e tests: a small optimizer race computed in Node (the race
 * preset's runs, shortened), written as a snapshot, and the lab opened with it imported.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { runExperiment } from "../../src/core/experiment/run";
import { serializeSnapshot } from "../../src/core/snapshot/io";
import type { TrajectorySection } from "../../src/core/snapshot/trajectory-section";
import { initNodeBackend } from "../../src/node/tf-node";
import { openBrowser } from "./browser";
import { HIDE_WEBGPU_SCRIPT, waitForDone } from "./lab-page";

export const artifactsDir = join(dirname(fileURLToPath(import.meta.url)), "artifacts", "replay");
const REMEMBERED = `localStorage.setItem("loss-landscape-lab.evaluator", JSON.stringify({ backend: "wasm", evaluator: "wasm-kernel", pointsPerSecond: 1 }));`;

/** The race preset's runs, shortened: 24 full-batch steps each on a 15 x 15 grid (run 1 tracks lambda_max). */
export const RACE_CONFIG = {
  seed: 1,
  data: { name: "moons", trainCount: 128, testCount: 64, noise: 0.15 },
  model: { hiddenSizes: [12, 12], activation: "tanh" },
  training: {
    optimizer: "sgd",
    learningRate: 0.5,
    batchSize: "full",
    epochs: 24,
    checkpointEvery: 6,
    sharpnessEvery: 6,
  },
  race: {
    runs: [
      { label: "SGD", optimizer: "sgd" },
      { label: "Momentum", optimizer: "momentum", learningRate: 0.1, momentum: 0.9 },
      { label: "Adam", optimizer: "adam", learningRate: 0.02 },
    ],
  },
  directions: { method: "pca", bias: "zero" },
  grid: { x: { count: 15 }, y: { count: 15 } },
};

/** Writes the race's snapshot into the artifacts folder; returns its path and its trajectory. */
export async function writeRaceSnapshot(
  name: string,
): Promise<{ file: string; trajectory: TrajectorySection }> {
  const backend = await initNodeBackend();
  const { snapshot } = await runExperiment(resolveConfig(RACE_CONFIG), { backend });
  mkdirSync(artifactsDir, { recursive: true });
  const file = join(artifactsDir, name);
  writeFileSync(file, serializeSnapshot(snapshot));
  return { file, trajectory: snapshot.trajectory as TrajectorySection };
}

/** Opens the lab, lets its first (small) run finish, and imports `file`. */
export async function openWithSnapshot(file: string, viewport = { width: 1600, height: 1000 }) {
  const session = await openBrowser(inject("chromiumPath"), { viewport });
  const { page } = session;
  await page.addInitScript(HIDE_WEBGPU_SCRIPT);
  await page.addInitScript(REMEMBERED);
  await page.goto(`${inject("e2eBaseUrl")}#ep=5`);
  await waitForDone(page, 120_000);
  await page.getByTestId("import-file").setInputFiles(file);
  await page.getByTestId("replay-timeline").waitFor({ timeout: 20_000 });
  return session;
}
