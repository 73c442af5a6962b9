/**
 * Real inputs the fuzzers start from: small snapshots made by the project itself (2-D with a
 * PCA trajectory and a training section, 1-D regression, JSON with base64 and plain arrays, and
 * gzip), the shipped presets as configs, and the URL hashes of those presets.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveConfig } from "../../src/core/config/resolve";
import { runExperiment } from "../../src/core/experiment/run";
import type { H5Lib } from "../../src/core/export/h5";
import { surfaceToHdf5 } from "../../src/core/export/hdf5-surface";
import { parseSnapshot, serializeSnapshot } from "../../src/core/snapshot/io";
import { fromExperimentConfig } from "../../src/state/config-map";
import { defaultSettings } from "../../src/state/properties";
import { encodeHash } from "../../src/state/url";
import { applyValues } from "../../src/state/validate";

const presetsDir = fileURLToPath(new URL("../../public/presets", import.meta.url));

/** The shipped presets, parsed. */
export function presetConfigs(): unknown[] {
  return readdirSync(presetsDir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(presetsDir, f), "utf8")));
}

/** The URL hash of the default state and of every preset. */
export function presetHashes(): string[] {
  const hashes = [encodeHash(defaultSettings())];
  for (const config of presetConfigs()) {
    const { values } = fromExperimentConfig(config);
    hashes.push(encodeHash(applyValues(defaultSettings(), values).settings));
  }
  return hashes;
}

/** Reference-layout HDF5 surface files of the seed snapshots (2-D and 1-D). */
export function seedHdf5(lib: H5Lib, snapshots: Uint8Array[]): Uint8Array[] {
  return snapshots.filter((b) => b[0] === 0x7b).map((b) => surfaceToHdf5(lib, parseSnapshot(b)));
}

/** Small real snapshots as bytes; needs an initialized tfjs backend (`backend` is recorded). */
export async function seedSnapshots(backend: string): Promise<Uint8Array[]> {
  const configs = [
    {
      seed: 1,
      data: { name: "moons", trainCount: 24, testCount: 12 },
      model: { hiddenSizes: [4] },
      training: { epochs: 6, checkpointEvery: 2 },
      directions: { method: "pca" },
      grid: { x: { count: 5 }, y: { count: 4 } },
    },
    {
      seed: 2,
      data: { name: "sine", trainCount: 16, testCount: 0 },
      model: { hiddenSizes: [3], activation: "tanh" },
      training: { epochs: 2 },
      grid: { x: { count: 6 }, y: null },
    },
  ];
  const out: Uint8Array[] = [];
  for (const config of configs) {
    const { snapshot } = await runExperiment(resolveConfig(config), {
      backend,
      now: () => new Date("2026-11-27T10:00:00Z"),
    });
    out.push(serializeSnapshot(snapshot, { arrays: "base64", gzip: false }));
    out.push(serializeSnapshot(snapshot, { arrays: "plain", gzip: false }));
    out.push(serializeSnapshot(snapshot, { arrays: "base64", gzip: true }));
  }
  return out;
}
