/**
 * Sharded landscapes end to end, as a cluster runs them, in child processes: a plan, shards as
 * concurrent processes (through the Slurm script's array-task role, and with the Kubernetes
 * Indexed Job's arguments and JOB_COMPLETION_INDEX), merges (to a snapshot, and to HDF5); then
 * faults (SIGKILL inside a tile, truncated and corrupted parts, a part of another plan, missing
 * shards) and idempotence (a shard run twice, overlapping shards). Every merge is compared with `compute` on the same config,
 * bit for bit. A tiny model on a 33 x 33 grid: 5 tiles of at most 256 points, as `compute` cuts it.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadH5wasm, readHdf5Surface } from "../../src/core/export";
import { readSnapshotFile } from "../../src/node/snapshot-file";
import { ROOT } from "./helpers/cli";
import {
  cleanEnv,
  expectSameSnapshot,
  LANDSCAPE_COMMAND,
  landscape,
  run,
  startLandscape,
  tileRecords,
  waitFor,
} from "./helpers/shards";

const SBATCH = path.join(ROOT, "public", "deploy", "slurm", "landscape.sbatch");
const JOBS = path.join(ROOT, "public", "deploy", "k8s", "landscape-job.yaml");

const config = {
  seed: 7,
  data: { name: "moons", trainCount: 64, testCount: 32 },
  model: { hiddenSizes: [8] },
  training: { epochs: 5 },
  grid: { x: { count: 33 }, y: { count: 33 } },
};

let dir = "";
let reference = "";
let plan = "";
/** Slurm parts of `plan`, shard K of 4. */
const slurmPart = (k: number) => path.join(path.dirname(plan), "plan.parts", `shard-${k}-of-4.part`);

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

/** The container args of a Job in the Kubernetes file, with /data and /config mapped into `root`. */
async function jobArgs(name: string, root: string): Promise<string[]> {
  const docs = parseAllDocuments(await readFile(JOBS, "utf8")).map((d) => d.toJS());
  const job = docs.find((d) => d.kind === "Job" && d.metadata.name === name);
  const args: string[] = job.spec.template.spec.containers[0].args;
  return args.map((a) => a.replace(/^\/(data|config)\//, `${root}/$1/`));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "landscape-shards-"));
  await mkdir(path.join(dir, "config"));
  await mkdir(path.join(dir, "slurm"));
  await writeFile(path.join(dir, "config", "config.json"), JSON.stringify(config));
  reference = path.join(dir, "reference.json");
  plan = path.join(dir, "slurm", "plan.json");
  const cfg = path.join(dir, "config", "config.json");
  const [c, p] = await Promise.all([
    landscape(["compute", "--config", cfg, "--out", reference, "--no-progress"]),
    landscape(["plan", "--config", cfg, "--out", plan, "--shards", "4", "--no-progress"]),
  ]);
  expect(c.stderr).toBe("");
  expect(p.stderr).toBe("");
  expect(p.stdout).toMatch(
    /grid 33 x 33 \(1089 points\) in 5 tiles of <= 256 points, 4 shards of 1 or 2 tiles/,
  );
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("landscape plan, shard and merge", () => {
  it("on Slurm: 4 array tasks as concurrent processes (SLURM_ARRAY_TASK_ID 0-3) and the merge job give compute's snapshot bit for bit", async () => {
    const out = path.join(dir, "slurm", "landscape.json");
    const env = (extra: Record<string, string>) => cleanEnv({ LANDSCAPE: LANDSCAPE_COMMAND, ...extra });
    const tasks = await Promise.all(
      [0, 1, 2, 3].map((k) =>
        run(
          "bash",
          [SBATCH, plan, out],
          env({ SLURM_ARRAY_TASK_ID: String(k), SLURM_ARRAY_TASK_COUNT: "4" }),
        ),
      ),
    );
    tasks.forEach((t, k) => {
      expect(t.stderr).toBe("");
      expect(t.stdout).toContain(
        `wrote ${slurmPart(k)}: shard ${k} of 4 (index from SLURM_ARRAY_TASK_ID, count from SLURM_ARRAY_TASK_COUNT)`,
      );
    });
    const h5 = path.join(dir, "slurm", "landscape.h5");
    const [merge, merged5] = await Promise.all([
      run("bash", [SBATCH, plan, out], env({ LANDSCAPE_STEP: "merge" })),
      landscape(["merge", plan, "--to", "hdf5", "--out", h5]),
    ]);
    expect(merge.stderr).toBe("");
    expect(merge.stdout).toContain(`wrote ${out} (snapshot): 5 tiles (1089 points) from 4 parts`);
    await expectSameSnapshot(out, reference);
    // --to hdf5: the reference tool's surface file of the same numbers.
    expect(merged5.stderr).toBe("");
    expect(merged5.stdout).toContain(`wrote ${h5} (hdf5)`);
    const surface = readHdf5Surface(await loadH5wasm(), await readFile(h5), { source: h5 });
    const ref = await readSnapshotFile(reference);
    expect(Object.keys(surface.surfaces).sort()).toEqual(Object.keys(ref.surfaces).sort());
    for (const [name, values] of Object.entries(ref.surfaces)) {
      expect(
        Buffer.from(surface.surfaces[name].buffer).equals(Buffer.from((values as Float32Array).buffer)),
        name,
      ).toBe(true);
    }
  });

  it("submits on Slurm a job array over the plan's shards and a merge job that waits for it (sbatch faked)", async () => {
    const bin = path.join(dir, "bin");
    await mkdir(bin);
    const log = path.join(dir, "sbatch.log");
    // A stand-in for sbatch: logs its arguments, answers --parsable with a job id.
    await writeFile(
      path.join(bin, "sbatch"),
      '#!/bin/bash\necho "$*" >> "$SBATCH_LOG"\necho "$((1000 + $(wc -l < "$SBATCH_LOG")))"\n',
      { mode: 0o755 },
    );
    const out = path.join(dir, "submitted.json");
    const env = cleanEnv({
      LANDSCAPE: LANDSCAPE_COMMAND,
      SBATCH_LOG: log,
      PATH: `${bin}:${process.env.PATH}`,
    });
    const r = await run("bash", [SBATCH, plan, out], env);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("submitted job array 1001 (shards 0-3) and merge job 1002");
    expect((await readFile(log, "utf8")).split("\n")).toEqual([
      `--parsable --array=0-3 --cpus-per-task=1 ${SBATCH} ${plan} ${out}`,
      `--parsable --dependency=afterany:1001 --export=ALL,LANDSCAPE_STEP=merge --output=landscape-merge-%j.log ${SBATCH} ${plan} ${out}`,
      "",
    ]);
  });

  it("on Kubernetes: the plan Job, 4 Indexed Job pods at once (JOB_COMPLETION_INDEX 0-3) and the merge Job give compute's snapshot bit for bit", async () => {
    const root = path.join(dir, "k8s");
    await mkdir(path.join(root, "data"), { recursive: true });
    await mkdir(path.join(root, "config"));
    await copyFile(path.join(dir, "config", "config.json"), path.join(root, "config", "config.json"));
    const planned = await landscape(await jobArgs("landscape-plan", root));
    expect(planned.stderr).toBe("");
    const shardArgs = await jobArgs("landscape-shards", root);
    const pods = await Promise.all(
      [0, 1, 2, 3].map((k) => landscape(shardArgs, { JOB_COMPLETION_INDEX: String(k) })),
    );
    pods.forEach((p, k) => {
      expect(p.stderr).toBe("");
      expect(p.stdout).toContain(`shard ${k} of 4 (index from JOB_COMPLETION_INDEX, count from the plan)`);
    });
    const merged = await landscape(await jobArgs("landscape-merge", root));
    expect(merged.stderr).toBe("");
    expect(merged.stdout).toContain("from 4 parts");
    await expectSameSnapshot(path.join(root, "data", "landscape.json.gz"), reference);
  });

  it("does nothing for a shard run twice, and merges overlapping shards and repeated parts to the same snapshot", async () => {
    const before = await readFile(slurmPart(1));
    const again = await landscape(["shard", plan, "--no-progress"], {
      SLURM_ARRAY_TASK_ID: "1",
      SLURM_ARRAY_TASK_COUNT: "4",
    });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      `${slurmPart(1)}: shard 1 of 4 holds all its 1 tiles already; nothing to do`,
    );
    expect((await readFile(slurmPart(1))).equals(before)).toBe(true);

    const overlap = path.join(dir, "overlap");
    const halves = await Promise.all(
      [0, 1].map((k) =>
        landscape([
          "shard",
          plan,
          "--index",
          String(k),
          "--count",
          "2",
          "--out",
          path.join(overlap, `half-${k}.part`),
          "--no-progress",
        ]),
      ),
    );
    for (const h of halves) expect(h.stderr).toBe("");
    const out = path.join(dir, "overlap.json");
    const merged = await landscape(["merge", plan, path.dirname(slurmPart(0)), overlap, "--out", out]);
    expect(merged.stderr).toBe("");
    expect(merged.stdout).toContain("from 6 parts, 5 tiles found twice with the same values");
    await expectSameSnapshot(out, reference);
  });

  it("finishes a shard killed with SIGKILL inside a tile when run again, and merges identically", async () => {
    const part = path.join(dir, "killed", "all.part");
    // Each tile is held for 2 s after it is computed and before it is written: a kill then is inside a tile.
    const first = startLandscape(
      ["shard", plan, "--index", "0", "--count", "1", "--out", part, "--no-progress"],
      {
        LANDSCAPE_SLOW_TILES_MS: "2000",
      },
    );
    await waitFor(async () => (await tileRecords(part)) >= 1, 60_000, "the first tile");
    await new Promise((resolve) => setTimeout(resolve, 300));
    first.child.kill("SIGKILL");
    const killed = await first.done;
    expect(killed.code).not.toBe(0);
    const kept = await tileRecords(part);
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(kept).toBeLessThan(5);
    const rerun = await landscape([
      "shard",
      plan,
      "--index",
      "0",
      "--count",
      "1",
      "--out",
      part,
      "--no-progress",
    ]);
    expect(rerun.stderr).toBe("");
    expect(rerun.stdout).toContain(`5 tiles (1089 points): ${kept} kept, ${5 - kept} computed`);
    const out = path.join(dir, "killed.json");
    const merged = await landscape(["merge", plan, part, "--out", out]);
    expect(merged.stderr).toBe("");
    await expectSameSnapshot(out, reference);
  });

  it("names a truncated and a corrupted part and writes nothing; the truncated one is repaired by running its shard again", async () => {
    const bad = path.join(dir, "bad");
    await mkdir(bad);
    // Shard 3 (tiles 3, 4): drop the completion record and cut the last tile record in half.
    const lines = (await readFile(slurmPart(3), "utf8"))
      .split("\n")
      .filter((l) => l !== "" && !l.startsWith('{"done"'));
    const last = lines.pop() as string;
    const truncated = path.join(bad, "truncated.part");
    await writeFile(truncated, `${lines.join("\n")}\n${last.slice(0, last.length >> 1)}`);
    // Shard 1 (tile 1): one base64 character of its values changed.
    const text = await readFile(slurmPart(1), "utf8");
    const at = text.indexOf('"train_loss":"') + 20;
    const corrupted = path.join(bad, "corrupted.part");
    await writeFile(corrupted, text.slice(0, at) + (text[at] === "A" ? "B" : "A") + text.slice(at + 1));
    const out = path.join(dir, "bad.json");
    const merged = await landscape([
      "merge",
      plan,
      slurmPart(0),
      corrupted,
      slurmPart(2),
      truncated,
      "--out",
      out,
    ]);
    expect(merged.code).toBe(1);
    expect(merged.stderr).toContain(`${truncated}: truncated: line 3 is cut short`);
    expect(merged.stderr).toMatch(
      new RegExp(`${corrupted.replace(/[.]/g, "\\.")}: corrupted: line 2: tile 1 fails its checksum`),
    );
    expect(merged.stderr).toContain("nothing was written");
    expect(await exists(out)).toBe(false);

    const repaired = await landscape([
      "shard",
      plan,
      "--index",
      "3",
      "--count",
      "4",
      "--out",
      truncated,
      "--no-progress",
    ]);
    expect(repaired.stderr).toContain(`${truncated}: dropped a last line cut short by an earlier stop`);
    expect(repaired.stdout).toContain("1 kept, 1 computed");
    const fixed = await landscape([
      "merge",
      plan,
      slurmPart(0),
      slurmPart(1),
      slurmPart(2),
      truncated,
      "--out",
      out,
    ]);
    expect(fixed.stderr).toBe("");
    await expectSameSnapshot(out, reference);
  });

  it("refuses a part of another plan, naming it, and writes nothing", async () => {
    const other = path.join(dir, "other.plan.json");
    const cfg = path.join(dir, "config", "other.json");
    await writeFile(cfg, JSON.stringify({ ...config, seed: 8 }));
    expect(
      (await landscape(["plan", "--config", cfg, "--out", other, "--shards", "4", "--no-progress"])).stderr,
    ).toBe("");
    const foreign = path.join(dir, "other.plan.parts", "shard-0-of-4.part");
    expect((await landscape(["shard", other, "--index", "0", "--no-progress"])).stderr).toBe("");
    const out = path.join(dir, "foreign.json");
    const merged = await landscape([
      "merge",
      plan,
      foreign,
      slurmPart(1),
      slurmPart(2),
      slurmPart(3),
      "--out",
      out,
    ]);
    expect(merged.code).toBe(1);
    expect(merged.stderr).toMatch(
      new RegExp(
        `${foreign.replace(/[.]/g, "\\.")}: belongs to another plan \\(sha256:[0-9a-f]{64}\\), not this one`,
      ),
    );
    expect(await exists(out)).toBe(false);
  });

  it("lists exactly the missing shards when two are missing and writes nothing; status shows them and the time left", async () => {
    const out = path.join(dir, "missing.json");
    const parts = [0, 2].map(slurmPart);
    const [merged, status] = await Promise.all([
      landscape(["merge", plan, ...parts, "--out", out]),
      landscape(["status", plan, ...parts]),
    ]);
    expect(merged.code).toBe(1);
    expect(merged.stderr).toContain("missing 3 of 5 tiles (627 grid points) in 2 of 4 shards");
    expect(merged.stderr.match(/^ +shard \d+: .*$/gm)).toEqual([
      "    shard 1: 1 of 1 tiles missing (tiles 1)",
      "    shard 3: 2 of 2 tiles missing (tiles 3-4)",
    ]);
    expect(merged.stderr).toMatch(/^ {2}missing shards: 1,3$/m);
    expect(merged.stderr).toContain("nothing was written");
    expect(await exists(out)).toBe(false);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      "2 of 5 tiles done (462 of 1089 grid points, 42%), 2 of 4 shards complete",
    );
    expect(status.stdout).toMatch(/time left: about \d+ s with every unfinished shard running at once/);
    expect(status.stdout).toMatch(/shard 1 of 4: 0\/1 tiles, not started/);
    expect(status.stdout).toMatch(/shard 3 of 4: 0\/2 tiles, not started/);
    expect(status.stdout).toMatch(/^unfinished shards: 1,3$/m);
  });
});
