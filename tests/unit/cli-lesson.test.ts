import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LESSONS } from "../../src/core/lessons/catalog";
import { readSnapshotFile } from "../../src/node/snapshot-file";
import { type CliResult, cli } from "./helpers/cli";

const config = (extra: Record<string, unknown> = {}) => ({
  seed: 4,
  data: { name: "moons", trainCount: 64, testCount: 32 },
  model: { hiddenSizes: [8], activation: "relu" },
  training: {
    optimizer: "sgd",
    momentum: 0,
    learningRate: 0.5,
    batchSize: "full",
    epochs: 20,
    checkpointEvery: 0,
  },
  grid: { x: { count: 5 }, y: { count: 5 } },
  ...extra,
});

const tinyLesson = (checks: object[]) => ({
  format: "loss-landscape-lesson",
  version: 1,
  id: "tiny-rescale",
  title: "Tiny rescaling",
  claim: "Rescaling a ReLU layer keeps the function.",
  lookAt: "The train loss.",
  caveat: "Only a test.",
  runs: [
    { label: "as trained", config: config() },
    { label: "rescaled by 3", config: config({ rescale: { layer: 0, factor: 3 } }) },
  ],
  measure: { topK: 1, maxIterations: 20, traceSamples: 0 },
  checks,
});

let dir = "";
let passing = "";
let failing = "";

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cli-lesson-"));
  passing = path.join(dir, "passing.json");
  failing = path.join(dir, "failing.json");
  await writeFile(
    passing,
    JSON.stringify(
      tinyLesson([
        { relation: "equal", metric: "trainLoss", tolerance: 1e-4 },
        { relation: "surfacesEqual", tolerance: 1e-3 },
      ]),
    ),
  );
  await writeFile(
    failing,
    JSON.stringify(
      tinyLesson([
        { relation: "equal", metric: "trainLoss", tolerance: 1e-4 },
        { relation: "atMost", metric: "trainLoss", run: "both", value: 1e-9 },
      ]),
    ),
  );
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("landscape lesson", () => {
  it("--list prints every lesson id with its title", async () => {
    const r = await cli("lesson", "--list");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(LESSONS.length);
    LESSONS.forEach((l, i) => {
      expect(lines[i]).toMatch(new RegExp(`^${l.id}\\s+${l.title}$`));
    });
  });

  it("refuses an unknown id, a missing file, a bad file and no argument, saying what is wrong", async () => {
    const bad = path.join(dir, "bad.json");
    await writeFile(bad, JSON.stringify({ ...tinyLesson([]), runs: [] }));
    const notJson = path.join(dir, "not-json.json");
    await writeFile(notJson, "{ nope");
    const [unknown, missing, invalid, broken, none] = await Promise.all([
      cli("lesson", "learning-rates"),
      cli("lesson", path.join(dir, "nothing.json")),
      cli("lesson", bad),
      cli("lesson", notJson),
      cli("lesson"),
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown lesson "learning-rates"; the lessons are learning-rate, /);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read lesson .*nothing\.json: ENOENT/);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(
      /invalid lesson .*bad\.json \(2 problems\):\n {2}runs: must hold exactly 2 runs, got 0\n {2}checks: must hold at least one check/,
    );
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/lesson .*not-json\.json is not valid JSON/);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/give a lesson id or a lesson file/);
  });

  it("runs a lesson file: progress on stderr, the metrics side by side and each check on stdout, exit 0 when all hold", async () => {
    const r = await cli("lesson", passing);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/run 1\/2: as trained/);
    expect(r.stderr).toMatch(/run 2\/2: rescaled by 3/);
    expect(r.stderr).toMatch(/train: /);
    expect(r.stdout).toMatch(
      /^Tiny rescaling\nClaim: Rescaling a ReLU layer keeps the function\.\nCaveat: Only a test\./,
    );
    expect(r.stdout).toMatch(/ {2}as trained +rescaled by 3\n/);
    expect(r.stdout).toMatch(/\ntrain loss +(\S+) +\1\n/); // the same number in both columns
    expect(r.stdout).toMatch(/\nlambda_max +\S+ +\S+\n/);
    expect(r.stdout).toMatch(
      /✓ both runs have the same train loss \(within 0\.01%\)\n {6}train loss .* relative difference/,
    );
    expect(r.stdout).toMatch(/✓ the two train-loss surfaces are the same/);
    expect(r.stdout).toMatch(/2 of 2 checks hold/);
    expect(r.stdout).not.toMatch(/wrote/);
  });

  it("exits 1 when a check fails, marking it", async () => {
    const r = await cli("lesson", failing, "--no-progress");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/✓ both runs have the same train loss/);
    expect(r.stdout).toMatch(
      /✗ both runs have train loss at most 1\.00e-9\n {6}train loss \S+ and \S+ \(needs <= 1\.00e-9\)/,
    );
    expect(r.stdout).toMatch(/1 of 2 checks hold/);
  });

  it("runs a shipped lesson by its id, writes both snapshots with the lesson's curvature section, and prints JSON", async () => {
    const out = path.join(dir, "runs", "nested");
    const r = await cli("lesson", "rescaling", "--out-dir", out, "--json", "--no-progress");
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as {
      id: string;
      passed: boolean;
      runs: { label: string; metrics: Record<string, number | null>; snapshot: string }[];
      checks: { text: string; holds: boolean; detail: string }[];
    };
    expect(json.id).toBe("rescaling");
    expect(json.passed).toBe(true);
    expect(json.checks.every((c) => c.holds)).toBe(true);
    expect(json.runs.map((x) => path.basename(x.snapshot))).toEqual([
      "rescaling-run1.json",
      "rescaling-run2.json",
    ]);
    expect((await readdir(out)).sort()).toEqual(["rescaling-run1.json", "rescaling-run2.json"]); // no temporary files left
    const [a, b] = await Promise.all(json.runs.map((x) => readSnapshotFile(x.snapshot)));
    expect(b.config.rescale).toEqual({ layer: 0, factor: 10 });
    expect(a.curvature?.top.values[0]).toBeCloseTo(json.runs[0].metrics.lambdaMax as number, 6);
    expect(b.curvature?.top.values[0]).toBeCloseTo(json.runs[1].metrics.lambdaMax as number, 6);
    expect(a.curvature?.settings.averageRadius).toEqual([0.3]);
  });

  it("runs a paths lesson file: the paths' numbers and each check, its snapshot with the paths section, exit 1 when a check fails", async () => {
    const tinyPaths = (checks: object[]) => ({
      format: "loss-landscape-lesson",
      version: 1,
      kind: "paths",
      id: "tiny-paths",
      title: "Tiny paths",
      claim: "Two tiny networks.",
      lookAt: "The barriers.",
      run: {
        label: "two tiny MLPs",
        config: {
          seed: 2,
          data: { name: "moons", trainCount: 32, testCount: 0 },
          model: { hiddenSizes: [6] },
          training: { epochs: 3 },
          paths: { seeds: [1, 2], curve: { epochs: 2 }, plane: { count: 5 }, count: 9 },
        },
      },
      checks,
    });
    const holds = path.join(dir, "paths-holds.json");
    const fails = path.join(dir, "paths-fails.json");
    await writeFile(
      holds,
      JSON.stringify(tinyPaths([{ relation: "atLeast", metric: "length", path: "curve", value: 0 }])),
    );
    await writeFile(
      fails,
      JSON.stringify(tinyPaths([{ relation: "atMost", metric: "lossBarrier", path: "linear", value: -1 }])),
    );
    const out = path.join(dir, "paths-out");
    const [text, json, failed] = await Promise.all([
      cli("lesson", holds),
      cli("lesson", holds, "--json", "--no-progress", "--out-dir", out),
      cli("lesson", fails, "--no-progress"),
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toMatch(/run: two tiny MLPs\n/);
    expect(text.stdout).toMatch(/^Tiny paths\nClaim: Two tiny networks\.\n\ntwo tiny MLPs:\n/);
    expect(text.stdout).toMatch(/ {2}straight line +curve +aligned line +init -> theta1\n/);
    expect(text.stdout).toMatch(/\nloss barrier +\S+ +\S+ +\S+ +\S+\n/);
    expect(text.stdout).toMatch(/✓ the length in parameter space of the trained curve is at least 0\n/);
    expect(text.stdout).toMatch(/1 of 1 checks hold/);

    expect(json.code, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout) as {
      kind: string;
      passed: boolean;
      run: { snapshot: string };
      paths: Record<string, Record<string, number | null>>;
    };
    expect(result.kind).toBe("paths");
    expect(result.passed).toBe(true);
    expect(Object.keys(result.paths)).toEqual(["linear", "curve", "linear-aligned", "init-to-solution"]);
    expect(path.basename(result.run.snapshot)).toBe("tiny-paths.json");
    expect(await readdir(out)).toEqual(["tiny-paths.json"]);
    const snapshot = await readSnapshotFile(result.run.snapshot);
    const linear = snapshot.paths?.paths.find((p) => p.kind === "linear");
    expect(linear?.barriers.train_loss.linearExcess).toBeCloseTo(
      result.paths.linear.lossBarrier as number,
      12,
    );

    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/✗ the loss barrier of the straight line is at most -1\n/);
    expect(failed.stdout).toMatch(/0 of 1 checks hold/);
  });

  it("--seed replaces both runs' seed", async () => {
    const [s1, s2] = await Promise.all([
      cli("lesson", passing, "--seed", "11", "--json", "--no-progress"),
      cli("lesson", passing, "--seed", "12", "--json", "--no-progress"),
    ]);
    const loss = (r: CliResult) =>
      (JSON.parse(r.stdout) as { runs: { metrics: { trainLoss: number } }[] }).runs[0].metrics.trainLoss;
    expect(s1.code).toBe(0);
    expect(JSON.parse(s1.stdout).seed).toBe(11);
    expect(loss(s1)).not.toBe(loss(s2));
    const bad = await cli("lesson", passing, "--seed", "-3");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--seed must be an integer/);
  });
});
