/**
 * Snapshots made in the test process (Node, tfjs-wasm) for the e2e tests to import: a small
 * experiment computed by the core, written into tests/e2e/artifacts/.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveConfig } from "../../src/core/config/resolve";
import { runExperiment } from "../../src/core/experiment/run";
import { serializeSnapshot } from "../../src/core/snapshot/io";
import type { Snapshot } from "../../src/core/snapshot/schema";
import { initNodeBackend } from "../../src/node/tf-node";

export const artifactsDir = join(dirname(fileURLToPath(import.meta.url)), "artifacts");

/** A small moons experiment (no test split), computed here; `config` overrides its keys. */
export async function computedSnapshot(config: Record<string, unknown>): Promise<Snapshot> {
  const backend = await initNodeBackend();
  const base = {
    seed: 2,
    data: { name: "moons", trainCount: 32, testCount: 0 },
    model: { hiddenSizes: [4] },
  };
  return (await runExperiment(resolveConfig({ ...base, ...config }), { backend })).snapshot;
}

/** Writes `snapshot` as JSON into the artifacts folder; returns the file's path. */
export function snapshotArtifact(name: string, snapshot: Snapshot): string {
  mkdirSync(artifactsDir, { recursive: true });
  const file = join(artifactsDir, name);
  writeFileSync(file, serializeSnapshot(snapshot));
  return file;
}
