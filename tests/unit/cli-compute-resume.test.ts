/**
 * `compute` on one machine runs as a plan, its tiles and a merge: `--workers 2` and an interrupted
 * run finished with `--resume` write the snapshot a plain run writes, bit for bit. A tiny model on
 * a 33 x 33 grid (5 tiles of at most 256 points), in child processes.
 */
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectSameSnapshot, landscape, startLandscape, tileRecords, waitFor } from "./helpers/shards";

const config = {
  seed: 11,
  data: { name: "circles", trainCount: 64, testCount: 32 },
  model: { hiddenSizes: [8] },
  training: { epochs: 4 },
  grid: { x: { count: 33 }, y: { count: 33 } },
};

let dir = "";
let cfg = "";
let reference = "";

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "landscape-resume-"));
  cfg = path.join(dir, "config.json");
  await writeFile(cfg, JSON.stringify(config));
  reference = path.join(dir, "reference.json");
  const r = await landscape(["compute", "--config", cfg, "--out", reference, "--no-progress"]);
  expect(r.stderr).toBe("");
  expect(await exists(`${reference}.plan`)).toBe(false);
  expect(await exists(`${reference}.part`)).toBe(false);
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("landscape compute", () => {
  it("writes the same snapshot with --workers 2 as with one worker, bit for bit", async () => {
    const out = path.join(dir, "two-workers.json");
    const r = await landscape(["compute", "--config", cfg, "--out", out, "--workers", "2", "--no-progress"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/, 2 workers\)$/m);
    await expectSameSnapshot(out, reference);
  });

  it("keeps the tiles done on Ctrl-C, will not start over on them without --resume, and finishes with --resume to the same snapshot", async () => {
    const out = path.join(dir, "interrupted.json");
    const args = ["compute", "--config", cfg, "--out", out, "--no-progress"];
    // Every tile is held 1.5 s after it is computed, so Ctrl-C lands in the middle of the run.
    const first = startLandscape(args, { LANDSCAPE_SLOW_TILES_MS: "1500" });
    await waitFor(async () => (await tileRecords(`${out}.part`)) >= 1, 60_000, "the first tile");
    first.child.kill("SIGINT");
    const stopped = await first.done;
    expect(stopped.code).toBe(1);
    const kept = await tileRecords(`${out}.part`);
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(kept).toBeLessThan(5);
    expect(stopped.stderr).toContain(
      `error: stopped (SIGINT): ${kept} of 5 tiles are kept in ${out}.part; run the same command with --resume to finish`,
    );
    expect(await exists(out)).toBe(false);
    expect(await exists(`${out}.plan`)).toBe(true);

    const again = await landscape(args);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      `${out}.plan is left from an interrupted run (${kept} of 5 tiles done): add --resume to continue it`,
    );

    // Resumed with two worker threads: the tiles are the same, so are the bits.
    const resumed = await landscape([...args, "--resume", "--workers", "2"]);
    expect(resumed.stderr).toBe(`resumed: ${kept} of 5 tiles were done, ${5 - kept} computed now\n`);
    expect(resumed.stdout).toContain(`wrote ${out}`);
    await expectSameSnapshot(out, reference);
    expect(await exists(`${out}.plan`)).toBe(false);
    expect(await exists(`${out}.part`)).toBe(false);
  });
});
