/**
 * `landscape check`, end to end in a child process: a snapshot computed here passes (exit 0), a
 * crafted one gets its findings (exit 2, text and --json), a reference surface .h5 is reviewed
 * with the checks that need no model, and an unreadable file exits 1 naming it.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { runExperiment } from "../../src/core/experiment/run";
import { loadH5wasm, surfaceToHdf5 } from "../../src/core/export";
import type { Snapshot } from "../../src/core/snapshot/schema";
import { writeSnapshotFile } from "../../src/node/snapshot-file";
import { withWasmBackend } from "./helpers/backend";
import { cli } from "./helpers/cli";

withWasmBackend();

let dir = "";
const file = (name: string) => path.join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "landscape-cli-check-"));
  // Trained to its minimum (the lowest grid point is theta, not an edge): the review finds nothing.
  const config = {
    seed: 3,
    data: { name: "moons", trainCount: 80, testCount: 40 },
    model: { hiddenSizes: [10, 10] },
    training: { epochs: 30, batchSize: 20 },
    grid: { x: { count: 5 }, y: { count: 5 } },
  };
  const good: Snapshot = (await runExperiment(resolveConfig(config), { backend: "wasm" })).snapshot;
  await writeSnapshotFile(file("good.json.gz"), good);
  const bad = structuredClone(good);
  bad.surfaces.train_loss = bad.surfaces.train_loss.map((v) => v * 1.5 + 0.1);
  bad.directions[0].normalization = "none";
  await writeSnapshotFile(file("bad.json"), bad);
  const percent = structuredClone(good);
  percent.surfaces.test_loss[2] = Number.NaN;
  await writeFile(file("surface.h5"), surfaceToHdf5(await loadH5wasm(), percent));
  await writeFile(file("not-a-snapshot.json"), "{ nope");
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("landscape check", () => {
  it("finds nothing in a snapshot computed here (exit 0)", async () => {
    const r = await cli("check", file("good.json.gz"));
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/good\.json\.gz: nothing suspicious \(snapshot; 10 checks\)/);
    expect(r.code).toBe(0);
  });

  it("lists a crafted snapshot's findings (exit 2), as text and as JSON", async () => {
    const [text, json] = await Promise.all([
      cli("check", file("bad.json")),
      cli("check", file("bad.json"), "--json"),
    ]);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/bad\.json: 2 finding\(s\) \(snapshot\)/);
    expect(text.stdout).toMatch(
      /\n {2}origin-loss: the surface at the origin is [\d.]+ but the model's own train loss at theta is [\d.]+/,
    );
    expect(text.stdout).toMatch(/\n {2}normalization: direction x \(random\) is not normalized/);
    expect(json.code).toBe(2);
    const report = JSON.parse(json.stdout) as {
      kind: string;
      originLoss: number;
      findings: { check: string }[];
    };
    expect(report.kind).toBe("snapshot");
    expect(report.originLoss).toBeGreaterThan(0);
    expect(report.findings.map((f) => f.check)).toEqual(["origin-loss", "normalization"]);
  });

  it("reviews a reference surface .h5 with the checks that need no model, and skips the origin check with --no-recompute", async () => {
    const [h5, skipped] = await Promise.all([
      cli("check", file("surface.h5")),
      cli("check", file("bad.json"), "--no-recompute", "--json"),
    ]);
    expect(h5.stdout).toMatch(/surface\.h5: 1 finding\(s\) \(surface file \(no model, data or directions/);
    expect(h5.stdout).toMatch(/holes: test_loss: 1 of 25 grid points are NaN or Infinity/);
    expect(h5.code).toBe(2);
    const report = JSON.parse(skipped.stdout) as { originLoss: null; findings: { check: string }[] };
    expect(report.originLoss).toBeNull();
    expect(report.findings.map((f) => f.check)).toEqual(["normalization"]);
  });

  it("exits 1 naming a file it cannot read", async () => {
    const r = await cli("check", file("not-a-snapshot.json"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not-a-snapshot\.json/);
    expect(r.stdout).toBe("");
  });
});
