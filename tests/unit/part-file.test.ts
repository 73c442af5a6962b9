/**
 * Part files on disk (src/node/part-file.ts): created whole or not at all, appended a line at a
 * time, reopened after a cut last line, refused when they belong to another shard or plan.
 */
import { appendFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Grid, splitTiles } from "../../src/core/landscape/grid";
import { encodeTileRecord, PART_FORMAT, PART_VERSION, type PartHeader } from "../../src/core/shards/part";
import { openPartFile, readPartFile } from "../../src/node/part-file";

const grid: Grid = {
  axes: [
    { label: "x", min: 0, max: 1, count: 4 },
    { label: "y", min: 0, max: 1, count: 4 },
  ],
};
const tiles = splitTiles(grid, 8);
const header = (index = 0, count = 1, plan = `sha256:${"c".repeat(64)}`): PartHeader => ({
  format: PART_FORMAT,
  version: PART_VERSION,
  plan,
  shard: { index, count },
  tiles: count === 1 ? [0, 1] : [index],
  tileCount: 2,
  tilePoints: 8,
  surfaces: ["train_loss"],
  producer: { name: "test", version: "0", backend: "wasm", evaluator: "wasm-kernel" },
  startedAt: "2026-11-27T10:00:00.000Z",
  workers: 1,
});
const session = { at: "2026-11-27T10:00:00.000Z", producer: header().producer, workers: 1 };
const record = (i: number) =>
  encodeTileRecord(
    i,
    tiles[i],
    ["train_loss"],
    { train_loss: Float32Array.from({ length: 8 }, (_, k) => i + k / 8) },
    1,
  );

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "landscape-part-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("part files on disk", () => {
  it("are created once when two writers open the same new part at once; tiles both write are taken once", async () => {
    const file = path.join(dir, "nested", "both.part");
    const [a, b] = await Promise.all([0, 1].map(() => openPartFile(file, header(), tiles, session)));
    expect([a.resumed, b.resumed].sort()).toEqual([false, true]);
    await Promise.all([a.append(record(0)), b.append(record(0)), a.append(record(1))]);
    await Promise.all([a.close(), b.close()]);
    const p = await readPartFile(file, tiles);
    expect(p.problems).toEqual([]);
    expect([...p.tiles.keys()].sort()).toEqual([0, 1]);
    expect((await readFile(file, "utf8")).split("\n").filter((l) => l.startsWith('{"format"'))).toHaveLength(
      1,
    );
  });

  it("drop a last line cut short when reopened, keeping every whole line, and record the resume", async () => {
    const file = path.join(dir, "cut.part");
    const w = await openPartFile(file, header(), tiles, session);
    await w.append(record(0));
    await w.close();
    await appendFile(file, record(1).slice(0, 40));
    expect((await readPartFile(file, tiles)).truncated).not.toBeNull();
    const again = await openPartFile(file, header(), tiles, session);
    expect(again.repaired).toBe(true);
    expect([...again.opened.tiles.keys()]).toEqual([0]);
    await again.resume();
    await again.append(record(1));
    await again.close();
    const p = await readPartFile(file, tiles);
    expect(p.problems).toEqual([]);
    expect(p.truncated).toBeNull();
    expect([...p.tiles.keys()]).toEqual([0, 1]);
    expect(p.sessions).toHaveLength(2);
  });

  it("refuse to continue a part of another shard or plan, or a corrupted one, naming it", async () => {
    const file = path.join(dir, "mine.part");
    await (await openPartFile(file, header(0, 2), tiles, session)).close();
    await expect(openPartFile(file, header(1, 2), tiles, session)).rejects.toThrow(
      `${file} holds shard 0 of 2, not 1 of 2: give another --out`,
    );
    await expect(
      openPartFile(file, header(0, 2, `sha256:${"d".repeat(64)}`), tiles, session),
    ).rejects.toThrow(/holds tiles of another plan/);
    await appendFile(file, "not json\n");
    await expect(openPartFile(file, header(0, 2), tiles, session)).rejects.toThrow(
      /is corrupted \(line 2 is not JSON: the part is corrupted\): delete it to compute its tiles again/,
    );
  });
});
