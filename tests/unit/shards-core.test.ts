/**
 * The core of sharded landscapes (src/core/shards): which tiles a shard takes, part files read
 * back, merging and progress, and plans (their checksums, and that the plan's tiles give
 * `compute`'s surfaces bit for bit on every evaluation path, whatever the grouping of the tiles,
 * leaving no tensor behind).
 */

import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { problemFromSnapshot } from "../../src/core/experiment/landscape-problem";
import { runExperiment } from "../../src/core/experiment/run";
import { EVALUATORS, type EvaluatorName } from "../../src/core/landscape/evaluators";
import { type Grid, splitTiles, type Tile } from "../../src/core/landscape/grid";
import { prepareLandscape } from "../../src/core/landscape/surfaces";
import { mergeParts, missingByShard, progressOf } from "../../src/core/shards/merge";
import {
  encodeDoneRecord,
  encodePartHeader,
  encodeTileRecord,
  PART_FORMAT,
  PART_VERSION,
  type PartHeader,
  parsePart,
} from "../../src/core/shards/part";
import { checkPlan, makePlanSection, planExperiment, snapshotFromPlan } from "../../src/core/shards/plan";
import { planEvaluator } from "../../src/core/shards/plan-evaluator";
import {
  indexRanges,
  shardFromEnvironment,
  shardOfTile,
  shardTileRange,
  shardTiles,
} from "../../src/core/shards/tiling";
import { parseSnapshot, serializeSnapshot } from "../../src/core/snapshot/io";
import type { PlanSection } from "../../src/core/snapshot/plan-section";
import { tf } from "../../src/core/tf";
import { nodeDataReaders } from "../../src/node/data-files";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

describe("shards of a plan's tiles", () => {
  it("split T tiles into N disjoint runs that cover every tile and differ in length by at most one", () => {
    for (let t = 1; t <= 30; t++) {
      for (let n = 1; n <= t + 3; n++) {
        const seen: number[] = [];
        const lengths: number[] = [];
        for (let k = 0; k < n; k++) {
          const own = shardTiles(t, k, n);
          lengths.push(own.length);
          seen.push(...own);
          for (const tile of own) expect(shardOfTile(t, tile, n)).toBe(k);
        }
        expect(seen).toEqual(Array.from({ length: t }, (_, i) => i));
        expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
      }
    }
    expect(shardTileRange(11, 2, 4)).toEqual({ start: 5, end: 8 });
  });

  it("refuse an index outside the count and a count below one", () => {
    expect(() => shardTiles(5, 4, 4)).toThrow(
      /shard index 4 is out of range: with 4 shards the indices are 0 to 3/,
    );
    expect(() => shardTiles(5, 0, 0)).toThrow(/shard count must be an integer/);
    expect(() => shardOfTile(5, 5, 2)).toThrow(/tile 5 is out of range/);
  });

  it("write index lists as ranges", () => {
    expect(indexRanges([0, 1, 2, 5, 7, 8])).toBe("0-2, 5, 7-8");
    expect(indexRanges([3])).toBe("3");
    expect(indexRanges([])).toBe("");
  });
});

describe("the shard to compute", () => {
  it("comes from --index, then SLURM_ARRAY_TASK_ID, then JOB_COMPLETION_INDEX", () => {
    const env = { SLURM_ARRAY_TASK_ID: "2", JOB_COMPLETION_INDEX: "1" };
    expect(shardFromEnvironment({ index: 0 }, env, 4)).toMatchObject({ index: 0, indexFrom: "--index" });
    expect(shardFromEnvironment({}, env, 4)).toMatchObject({ index: 2, indexFrom: "SLURM_ARRAY_TASK_ID" });
    expect(shardFromEnvironment({}, { JOB_COMPLETION_INDEX: "3" }, 4)).toMatchObject({
      index: 3,
      count: 4,
      indexFrom: "JOB_COMPLETION_INDEX",
      countFrom: "the plan",
    });
  });

  it("counts shards by --count, then SLURM_ARRAY_TASK_COUNT, then the plan", () => {
    const env = { SLURM_ARRAY_TASK_ID: "5", SLURM_ARRAY_TASK_COUNT: "8" };
    expect(shardFromEnvironment({}, env, 4)).toMatchObject({
      index: 5,
      count: 8,
      countFrom: "SLURM_ARRAY_TASK_COUNT",
    });
    expect(shardFromEnvironment({ count: 6 }, env, 4)).toMatchObject({
      index: 5,
      count: 6,
      countFrom: "--count",
    });
  });

  it("is refused, saying where the numbers came from, when missing or out of range", () => {
    expect(() => shardFromEnvironment({}, {}, 4)).toThrow(
      /no shard index: give --index K, or run as a Slurm array task \(SLURM_ARRAY_TASK_ID\) or a Kubernetes Indexed Job pod \(JOB_COMPLETION_INDEX\)/,
    );
    expect(() =>
      shardFromEnvironment({}, { SLURM_ARRAY_TASK_ID: "4", SLURM_ARRAY_TASK_COUNT: "4" }, 4),
    ).toThrow(
      /shard index 4 is out of range.*index from SLURM_ARRAY_TASK_ID, count from SLURM_ARRAY_TASK_COUNT.*--array=0-N-1/,
    );
    expect(() => shardFromEnvironment({}, { JOB_COMPLETION_INDEX: "x1" }, 4)).toThrow(
      /JOB_COMPLETION_INDEX must be a whole number >= 0, got "x1"/,
    );
  });
});

// ---- part files and merging, on a synthetic plan: a 10 x 10 grid in 5 tiles of 20 points ----

const grid: Grid = {
  axes: [
    { label: "x", min: -1, max: 1, count: 10 },
    { label: "y", min: -1, max: 1, count: 10 },
  ],
};
const tiles: Tile[] = splitTiles(grid, 20);
const plan: PlanSection = {
  format: "loss-landscape-plan",
  version: 1,
  id: `sha256:${"a".repeat(64)}`,
  tilePoints: 20,
  tiles: tiles.length,
  points: 100,
  shards: 2,
  evaluator: "wasm-kernel",
  kernel: "simd",
  backend: "wasm",
  surfaces: ["train_loss", "train_accuracy"],
  checksums: { parameters: "crc32:00000000", directions: [], data: "crc32:00000000" },
};

/** The value of surface s at grid index i: easy to check after writeTile. */
const valueAt = (s: number, i: number) => Math.fround(s * 1000 + i + 0.25);

function tileValues(index: number, offset = 0): Record<string, Float32Array> {
  const t = tiles[index];
  const out: Record<string, Float32Array> = {};
  plan.surfaces.forEach((name, s) => {
    const v = new Float32Array((t.ix1 - t.ix0) * (t.iy1 - t.iy0));
    let p = 0;
    for (let iy = t.iy0; iy < t.iy1; iy++)
      for (let ix = t.ix0; ix < t.ix1; ix++) v[p++] = valueAt(s, iy * 10 + ix) + offset;
    out[name] = v;
  });
  return out;
}

function header(index: number, count: number, planId = plan.id): PartHeader {
  return {
    format: PART_FORMAT,
    version: PART_VERSION,
    plan: planId,
    shard: { index, count },
    tiles: shardTiles(tiles.length, index, count),
    tileCount: tiles.length,
    tilePoints: 20,
    surfaces: plan.surfaces,
    producer: { name: "test", version: "0", backend: "wasm", evaluator: "wasm-kernel" },
    startedAt: "2026-11-27T10:00:00.000Z",
    workers: 1,
  };
}

/** Part text of shard index/count holding `have` (default: all its tiles), each tile taking `ms`. */
function partText(
  index: number,
  count: number,
  have?: number[],
  opts: { planId?: string; ms?: number } = {},
): string {
  const h = header(index, count, opts.planId);
  const lines = [encodePartHeader(h)];
  for (const i of have ?? h.tiles)
    lines.push(encodeTileRecord(i, tiles[i], plan.surfaces, tileValues(i), opts.ms ?? 10));
  return `${lines.join("\n")}\n`;
}

describe("part files read back", () => {
  it("give every tile's values exactly, with the header, sessions and completion", () => {
    const text = `${partText(0, 2)}${encodeDoneRecord({ at: "x", tiles: 2, points: 40, seconds: 1, pointsPerSecond: 40 })}\n`;
    const p = parsePart(text, "a.part", tiles);
    expect(p.problems).toEqual([]);
    expect(p.truncated).toBeNull();
    expect(p.header?.shard).toEqual({ index: 0, count: 2 });
    expect([...p.tiles.keys()]).toEqual([0, 1]);
    expect(Array.from(p.tiles.get(1)?.values.train_accuracy ?? [])).toEqual(
      Array.from(tileValues(1).train_accuracy),
    );
    expect(p.done?.tiles).toBe(2);
    expect(p.sessions).toHaveLength(1);
  });

  it("call a cut last line truncated and keep the whole lines before it", () => {
    const whole = partText(0, 2);
    const cut = whole.slice(0, whole.length - 100);
    const p = parsePart(cut, "a.part", tiles);
    expect(p.problems).toEqual([]);
    expect(p.truncated).toEqual({ line: 3, keepChars: cut.lastIndexOf("\n") + 1 });
    expect([...p.tiles.keys()]).toEqual([0]);
  });

  it("find a changed value by its checksum, a damaged line, a tile of another shard and a wrong rectangle", () => {
    const lines = partText(0, 2).split("\n");
    const record = JSON.parse(lines[1]);
    const b64: string = record.values.train_loss;
    record.values.train_loss = b64.slice(0, 4) + (b64[4] === "A" ? "B" : "A") + b64.slice(5);
    lines[1] = JSON.stringify(record);
    lines[2] = lines[2].slice(0, 30);
    const p = parsePart(`${lines.join("\n")}`, "a.part", tiles);
    expect(p.problems.join("\n")).toMatch(
      /line 2: tile 0 fails its checksum \(recorded "crc32:[0-9a-f]{8}", the values give crc32:[0-9a-f]{8}\): the part is corrupted/,
    );
    expect(p.problems.join("\n")).toMatch(/line 3 is not JSON: the part is corrupted/);

    const foreign = parsePart(
      `${encodePartHeader(header(0, 2))}\n${encodeTileRecord(4, tiles[4], plan.surfaces, tileValues(4), 1)}\n`,
      "b.part",
      tiles,
    );
    expect(foreign.problems).toEqual(["line 2: tile 4 is not one of shard 0 of 2's tiles"]);

    const moved = parsePart(partText(0, 2, [0]), "c.part", [tiles[1], tiles[0]]);
    expect(moved.problems[0]).toMatch(
      /line 2: tile 0 covers \[0, 10, 0, 2\], the plan's tile 0 is \[0, 10, 2, 4\]/,
    );
  });

  it("take a tile recorded twice with the same values once, and flag one recorded with different values", () => {
    const h = header(0, 2);
    const same = [
      encodePartHeader(h),
      ...[0, 0].map((i) => encodeTileRecord(i, tiles[i], plan.surfaces, tileValues(i), 3)),
    ];
    expect(parsePart(`${same.join("\n")}\n`, "a.part", tiles).problems).toEqual([]);
    const differ = [same[0], same[1], encodeTileRecord(0, tiles[0], plan.surfaces, tileValues(0, 1), 3)];
    expect(parsePart(`${differ.join("\n")}\n`, "a.part", tiles).problems).toEqual([
      "tile 0 is recorded twice with different values (lines 2 and 3)",
    ]);
  });

  it("refuse a file that is not a part", () => {
    expect(parsePart("", "x", tiles).problems).toEqual(["the file is empty (no header line)"]);
    expect(parsePart('{"format":"loss-landscape-snapshot"}\n', "x", tiles).problems[0]).toMatch(
      /not a part header/,
    );
    expect(parsePart("hello\n", "x", tiles).problems[0]).toMatch(/line 1 is not JSON/);
  });
});

describe("merging parts", () => {
  it("puts every tile where it belongs, whatever the sharding of the parts", () => {
    const parts = [
      parsePart(partText(0, 2), "a", tiles), // tiles 0, 1
      parsePart(partText(1, 3), "b", tiles), // tiles 1, 2: overlaps both others
      parsePart(partText(1, 2), "c", tiles), // tiles 2, 3, 4
    ];
    const m = mergeParts(plan, grid, tiles, parts);
    expect(m.problems).toEqual([]);
    expect(m.duplicates).toBe(2);
    plan.surfaces.forEach((name, s) => {
      const v = m.surfaces?.[name as "train_loss"] as Float32Array;
      for (let i = 0; i < 100; i++) expect(v[i]).toBe(valueAt(s, i));
    });
  });

  it("lists exactly the missing shards and tiles and gives no surfaces", () => {
    const parts = [
      parsePart(partText(0, 4), "a", tiles),
      parsePart(partText(1, 4), "b", tiles),
      parsePart(partText(3, 4, [4]), "d", tiles),
    ];
    const m = mergeParts(plan, grid, tiles, parts);
    expect(m.surfaces).toBeNull();
    expect(m.missing.tiles).toEqual([2, 3]);
    expect(m.missing.shards).toEqual([
      { index: 2, tiles: [2] },
      { index: 3, tiles: [3] },
    ]);
    expect(m.missing.count).toBe(4);
    expect(missingByShard(tiles, new Set([0, 1, 2, 3, 4]), 4).tiles).toEqual([]);
  });

  it("refuses a part of another plan and conflicting duplicates, naming the files", () => {
    const other = parsePart(
      partText(1, 2, undefined, { planId: `sha256:${"b".repeat(64)}` }),
      "other.part",
      tiles,
    );
    const m = mergeParts(plan, grid, tiles, [parsePart(partText(0, 2), "a.part", tiles), other]);
    expect(m.surfaces).toBeNull();
    expect(m.problems).toEqual([
      `other.part: belongs to another plan (sha256:${"b".repeat(64)}), not this one (${plan.id})`,
    ]);

    const changed = `${encodePartHeader(header(0, 1))}\n${encodeTileRecord(0, tiles[0], plan.surfaces, tileValues(0, 1), 1)}\n`;
    const c = mergeParts(plan, grid, tiles, [
      parsePart(partText(0, 2), "a.part", tiles),
      parsePart(changed, "b.part", tiles),
    ]);
    expect(c.surfaces).toBeNull();
    expect(c.problems[0]).toMatch(
      /tile 0 differs between a\.part \(line 2\) and b\.part \(line 2\): conflicting duplicates/,
    );
  });

  it("estimates the time left from the parts' measured speeds", () => {
    // Shard 0 of 2 (tiles 0-1): done at 40 points in 20 ms = 2000 points/s; shard 1 (tiles 2-4): tile 2 at 1000 points/s.
    const parts = [
      parsePart(partText(0, 2, undefined, { ms: 10 }), "a", tiles),
      parsePart(partText(1, 2, [2], { ms: 20 }), "b", tiles),
    ];
    const p = progressOf(plan, tiles, parts);
    expect(p.doneTiles).toBe(3);
    expect(p.donePoints).toBe(60);
    expect(p.shards.map((s) => s.remaining)).toEqual([0, 40]);
    expect(p.shards[1].pointsPerSecond).toBeCloseTo(1000);
    expect(p.secondsLeftParallel).toBeCloseTo(0.04);
    expect(p.meanPointsPerSecond).toBeCloseTo(1500);
    expect(p.secondsLeftSerial).toBeCloseTo(40 / 1500);
  });
});

// ---- plans of a real (tiny) experiment ----

const now = () => new Date("2026-11-27T10:00:00Z");
const tiny = {
  seed: 3,
  data: { name: "moons", trainCount: 48, testCount: 24 },
  model: { hiddenSizes: [6] },
  training: { epochs: 3, batchSize: 16 },
  grid: { x: { count: 23 }, y: { count: 23 } },
};

/** A small CNN on the digits (a layers model: the wasm-cnn path, its kernel build in the plan). */
const tinyCnn = {
  seed: 3,
  data: { name: "digits", trainCount: 30, testCount: 10 },
  model: { kind: "cnn", conv: [{ filters: 4, kernel: 3 }], dense: [], activation: "relu" },
  training: { epochs: 1, batchSize: 16 },
  grid: { x: { count: 23 }, y: { count: 23 } },
};

describe("plans", () => {
  it("survive their file: the checksums of a plan read back match, and an edit is named", async () => {
    const { snapshot } = await planExperiment(resolveConfig(tiny), { backend: "wasm", now, shards: 2 });
    expect(snapshot.plan).toMatchObject({ tiles: 3, points: 529, shards: 2, tilePoints: 256 });
    expect(snapshot.surfaces).toEqual({});
    const back = parseSnapshot(serializeSnapshot(snapshot));
    const checked = await checkPlan(back, "p.json");
    expect(checked.plan.id).toBe(snapshot.plan?.id);
    expect(checked.tiles).toHaveLength(3);

    const edited = parseSnapshot(serializeSnapshot(snapshot));
    edited.model.parameters[0] += 1;
    await expect(checkPlan(edited, "p.json")).rejects.toThrow(
      /p\.json: the plan is damaged or was edited: model\.parameters do not match their checksum/,
    );
    const reseeded = parseSnapshot(serializeSnapshot(snapshot));
    (reseeded.config as { seed: number }).seed = 4;
    await expect(checkPlan(reseeded, "p.json")).rejects.toThrow(
      /its content gives the id sha256:[0-9a-f]{64}, not the recorded/,
    );
    const { plan: _p, ...plain } = back;
    await expect(checkPlan(plain as typeof back, "s.json")).rejects.toThrow(
      /s\.json is a snapshot, not a plan/,
    );
    await expect(makePlanSection(back, { backend: "wasm", shards: 4 })).rejects.toThrow(
      /4 shards but the grid has only 3 tiles of at most 256 points/,
    );
  });

  it.each([
    ["wasm-kernel", tiny],
    ["tfjs-gemm", tiny],
    ["tfjs-batched", tiny],
    ["naive", tiny],
    ["wasm-cnn", tinyCnn],
  ] as [EvaluatorName, typeof tiny | typeof tinyCnn][])(
    "give compute's snapshot bit for bit with %s, whatever order and grouping the tiles are computed in",
    async (name, raw) => {
      const tensors = tf.memory().numTensors;
      const evaluator = EVALUATORS[name];
      const config = resolveConfig(raw);
      const files = nodeDataReaders();
      const reference = await runExperiment(config, { backend: "wasm", evaluator, now, files });
      const { snapshot } = await planExperiment(config, { backend: "wasm", evaluator, now, files });
      const checked = await checkPlan(parseSnapshot(serializeSnapshot(snapshot)), "plan");
      const { plan: p, tiles: planTiles, grid: planGrid } = checked;
      const prepared = prepareLandscape(
        problemFromSnapshot(checked.snapshot),
        planEvaluator(checked.snapshot.model.architecture.kind, p, "wasm"),
      );
      // Three "machines": shard 2 of 3 first, then shard 0 of 2 (overlapping), then shard 1 of 3 backwards.
      const runs: [number, number][] = [
        [2, 3],
        [0, 2],
        [1, 3],
      ];
      const texts = runs.map(([k, n], r) => {
        const h = {
          ...header(k, n, p.id),
          tiles: shardTiles(planTiles.length, k, n),
          tileCount: p.tiles,
          tilePoints: p.tilePoints,
          surfaces: p.surfaces,
        };
        const order = r === 2 ? [...h.tiles].reverse() : h.tiles;
        const lines = [encodePartHeader(h)];
        for (const i of order)
          lines.push(
            encodeTileRecord(i, planTiles[i], p.surfaces, prepared.computeTile(planGrid, planTiles[i]), 1),
          );
        return `${lines.join("\n")}\n`;
      });
      prepared.dispose();
      const merged = mergeParts(
        p,
        planGrid,
        planTiles,
        texts.map((t, i) => parsePart(t, `part${i}`, planTiles)),
      );
      expect(merged.problems).toEqual([]);
      const out = snapshotFromPlan(checked.snapshot, merged.surfaces ?? {}, now());
      // The whole file, byte for byte: surfaces, every other section and the reproducibility record.
      expect(
        Buffer.from(serializeSnapshot(out)).equals(Buffer.from(serializeSnapshot(reference.snapshot))),
      ).toBe(true);
      // Planning, preparing, every tile and disposing leave no tensor behind.
      expect(tf.memory().numTensors).toBe(tensors);
    },
  );
});
