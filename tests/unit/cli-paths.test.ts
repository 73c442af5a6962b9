/**
 * `landscape paths`, end to end: `node --import tsx src/cli/main.ts` runs as a child process (one
 * process each, where the tsx binary would start two) on a tiny setting
 * (moons 64 + 32 samples, MLP 2-8-2 tanh, 10 epochs, a 3-epoch curve, a 5 x 5 plane), so each run
 * takes about two seconds, most of it tsx starting up. Independent runs go concurrently.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { runExperiment } from "../../src/core/experiment/run";
import { writeSnapshotFile } from "../../src/node/snapshot-file";
import { withWasmBackend } from "./helpers/backend";
import { cli, NODE_ARGS, ROOT } from "./helpers/cli";

withWasmBackend();

const tiny = {
  seed: 5,
  data: { name: "moons", trainCount: 64, testCount: 32 },
  model: { hiddenSizes: [8], activation: "tanh" },
  training: { epochs: 10 },
  grid: { x: { count: 5 }, y: { count: 5 } },
};
const tinyPaths = { ...tiny, paths: { curve: { epochs: 3 } } };

let dir = "";
let counter = 0;
function tmp(name: string): string {
  counter++;
  return path.join(dir, `${counter}-${name}`);
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function configFile(config: unknown): Promise<string> {
  const file = tmp("config.json");
  await writeFile(file, JSON.stringify(config));
  return file;
}

/** A trained snapshot written in-process (faster than another child process). */
async function snapshotFile(name: string, extra: Record<string, unknown>): Promise<string> {
  const { snapshot } = await runExperiment(resolveConfig({ ...tiny, ...extra }), { backend: "wasm" });
  const file = tmp(name);
  await writeSnapshotFile(file, snapshot);
  return file;
}

/** The value after a label in `info` output. */
function line(info: string, label: string): string {
  const m = new RegExp(`^${label}\\s+(.*)$`, "m").exec(info);
  expect(m, `info has a ${label} line:\n${info}`).not.toBeNull();
  return (m as RegExpExecArray)[1];
}

let a = "";
let b = "";
let narrow = "";

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "landscape-cli-paths-"));
  a = await snapshotFile("a.json", {});
  b = await snapshotFile("b.json", {
    model: { ...tiny.model, seed: 41 },
    training: { epochs: 10, seed: 42 },
  });
  narrow = await snapshotFile("narrow.json", { model: { hiddenSizes: [6], activation: "tanh" } });
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.concurrent("landscape paths", () => {
  it("--config writes a snapshot that validate accepts and info prints with its barriers", async () => {
    const out = tmp("paths.json");
    const r = await cli("paths", "--config", await configFile(tinyPaths), "--out", out, "--arrays", "plain");
    expect(r.stderr).not.toMatch(/^error:/m);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*paths\.json \(wasm, \S+, [\d.]+ s\)$/m);
    expect(r.stdout).toMatch(
      /^ {2}bezier +theta1 -> theta2: train-loss barrier \S+, train-error barrier \S+$/m,
    );
    // Progress goes to stderr, one line per phase at least.
    for (const phase of ["train", "paths", "curve", "align", "landscape"]) {
      expect(r.stderr).toMatch(new RegExp(`^${phase}: `, "m"));
    }
    const json = JSON.parse(await readFile(out, "utf8"));
    expect(json.paths.paths.map((p: { kind: string }) => p.kind)).toEqual([
      "linear",
      "init-to-solution",
      "bezier",
      "linear-aligned",
    ]);
    expect(json.paths.paths[0].t).toHaveLength(61);

    const [validate, info] = await Promise.all([cli("validate", out), cli("info", out)]);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain(`${out}: valid loss-landscape snapshot, version 1`);
    expect(validate.stdout).not.toMatch(/warning/);
    expect(info.code).toBe(0);
    expect(line(info.stdout, "paths")).toBe("4 paths between 2 models (theta1, theta2)");
    const fig = (v: number) => String(Number(v.toPrecision(4)));
    const barrier = json.paths.paths[0].barriers.train_loss;
    expect(line(info.stdout, "path 0 linear")).toContain(
      `theta1 -> theta2: barrier (linear-excess / midpoint-mean) train loss ${fig(barrier.linearExcess)} / ${fig(barrier.midpointMean)}`,
    );
    expect(line(info.stdout, "path 2 bezier")).toMatch(/trained 3 epochs \(completed\)/);
    expect(line(info.stdout, "path plane")).toMatch(
      /^through theta1, bend1, theta2 of path 2; the landscape/,
    );
    expect(line(info.stdout, "direction x")).toMatch(/^plane, none normalization, bias include/);
  });

  it("--from A --from B connects two trained snapshots' models", async () => {
    const out = tmp("from.json.gz");
    const r = await cli(
      "paths",
      "--from",
      a,
      "--from",
      b,
      "--config",
      await configFile(tinyPaths),
      "--out",
      out,
      "--no-progress",
    );
    expect(r.stderr).not.toMatch(/^error:/m);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const validate = await cli("validate", out);
    expect(validate.code).toBe(0);
    const info = await cli("info", out);
    expect(line(info.stdout, "path 1 init-to-solution")).toMatch(/^init -> theta1: barrier/);
  });

  it("--from with mismatched architectures fails naming the difference and writes nothing", async () => {
    const out = tmp("mismatch.json");
    const r = await cli("paths", "--from", a, "--from", narrow, "--out", out, "--no-progress");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot connect the models of .*a\.json and .*narrow\.json/m);
    expect(r.stderr).toMatch(/model\.architecture\.hiddenSizes: \[8\] in .*a\.json, \[6\] in .*narrow\.json/);
    expect(await exists(out)).toBe(false);
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("fails clearly on bad arguments and a bad config, writing nothing", async () => {
    const out = tmp("never.json");
    const [none, once, bad, folder] = await Promise.all([
      cli("paths", "--out", out),
      cli("paths", "--from", a, "--out", out),
      cli(
        "paths",
        "--config",
        await configFile({ ...tiny, paths: { models: 3, seeds: [1, 2] } }),
        "--out",
        out,
      ),
      cli("paths", "--config", await configFile(tinyPaths), "--out", path.join(dir, "missing", "x.json")),
    ]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/paths needs --config FILE .* or --from A --from B/);
    expect(once.code).toBe(1);
    expect(once.stderr).toMatch(/--from must be given exactly twice .*got 1/);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/paths\.seeds: expected 3 seeds/);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toMatch(/its folder .*missing does not exist/);
    expect(await exists(out)).toBe(false);
  });

  it("stops on Ctrl-C (SIGINT) with a message and writes nothing", async () => {
    const out = tmp("cancelled.json");
    const long = await configFile({ ...tinyPaths, training: { epochs: 100_000 } });
    // node --import tsx, not the tsx binary: tsx's signal relay SIGKILLs a child that does not
    // acknowledge the signal within 30 ms, which a loaded machine can miss.
    const child: ChildProcess = spawn(
      process.execPath,
      [...NODE_ARGS, "paths", "--config", long, "--out", out],
      {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: "1" },
      },
    );
    let stderr = "";
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/^train: model 1\/2/m.test(stderr)) resolve();
      });
    });
    child.kill("SIGINT");
    const code = await exited;
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/error: cancelled \(SIGINT\); nothing was written/);
    expect(await exists(out)).toBe(false);
  });
});
