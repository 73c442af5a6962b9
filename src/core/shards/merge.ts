/**
 * Merging part files into the plan's surfaces, and the progress of a sharded landscape. Every part
 * must belong to the plan (its id), be whole (no cut last line, no corrupt record) and agree with
 * every other part on every tile it shares with it (the same tile computed twice must give the
 * same bits; anything else is refused, never averaged or picked). Missing tiles are reported by
 * the shard that owns them, so a user knows which array tasks to run again.
 *
 * @example const m = mergeParts(plan, tiles, parts); if (m.surfaces) snapshot = snapshotFromPlan(planSnapshot, m.surfaces, new Date());
 */
import { type Grid, gridPointCount, type Tile, tilePointCount, writeTile } from "../landscape/grid";
import type { Surfaces } from "../landscape/surfaces";
import type { PlanSection } from "../snapshot/plan-section";
import { type ParsedPart, type PartTile, partSpeed } from "./part";
import { indexRanges, shardOfTile, shardTiles } from "./tiling";

/** Why a part cannot be used at all, or null when it can (its tiles are then taken). */
function partRefusal(plan: PlanSection, p: ParsedPart): string | null {
  if (!p.header) return `${p.source}: not a usable part file: ${p.problems.join("; ")}`;
  if (p.header.plan !== plan.id) {
    return `${p.source}: belongs to another plan (${p.header.plan}), not this one (${plan.id})`;
  }
  if (p.header.tileCount !== plan.tiles || p.header.tilePoints !== plan.tilePoints) {
    return `${p.source}: made for ${p.header.tileCount} tiles of ${p.header.tilePoints} points, the plan has ${plan.tiles} of ${plan.tilePoints}`;
  }
  if (p.header.surfaces.join() !== plan.surfaces.join()) {
    return `${p.source}: holds surfaces ${p.header.surfaces.join(", ")}, the plan has ${plan.surfaces.join(", ")}`;
  }
  return null;
}

/** Every problem of a part, one line each naming the file (empty when it is whole). */
function partProblems(plan: PlanSection, p: ParsedPart): string[] {
  const refusal = partRefusal(plan, p);
  if (refusal) return [refusal];
  const out = p.problems.map((problem) => `${p.source}: corrupted: ${problem}`);
  if (p.truncated) {
    const shard = p.header as NonNullable<ParsedPart["header"]>;
    out.push(
      `${p.source}: truncated: line ${p.truncated.line} is cut short (the shard was stopped while writing it); ` +
        `run shard ${shard.shard.index} of ${shard.shard.count} again with the same arguments: it repairs the file and computes what is missing`,
    );
  }
  return out;
}

interface MissingTiles {
  /** Missing tile indices, ascending. */
  tiles: number[];
  points: number;
  /** Shard count the report is made for. */
  count: number;
  /** Shards with missing tiles, ascending, with their missing tiles. */
  shards: { index: number; tiles: number[] }[];
}

/** The missing tiles grouped by the shard (of `count`) that owns them. */
export function missingByShard(
  tiles: readonly Tile[],
  have: ReadonlySet<number>,
  count: number,
): MissingTiles {
  const missing: number[] = [];
  let points = 0;
  const byShard = new Map<number, number[]>();
  for (let i = 0; i < tiles.length; i++) {
    if (have.has(i)) continue;
    missing.push(i);
    points += tilePointCount(tiles[i]);
    const k = shardOfTile(tiles.length, i, count);
    const list = byShard.get(k) ?? [];
    list.push(i);
    byShard.set(k, list);
  }
  const shards = [...byShard.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([index, t]) => ({ index, tiles: t }));
  return { tiles: missing, points, count, shards };
}

/** Lines that name the missing shards and tiles, e.g. for merge's error. */
export function describeMissing(m: MissingTiles, totalTiles: number): string[] {
  const lines = [
    `missing ${m.tiles.length} of ${totalTiles} tiles (${m.points} grid points) in ${m.shards.length} of ${m.count} shards`,
  ];
  for (const s of m.shards) {
    const all = shardTiles(totalTiles, s.index, m.count).length;
    lines.push(
      `  shard ${s.index}: ${s.tiles.length} of ${all} tiles missing (tiles ${indexRanges(s.tiles)})`,
    );
  }
  const list = m.shards.map((s) => s.index).join(",");
  lines.push(
    `run them again with the same plan: landscape shard PLAN --index K --count ${m.count} (K in ${list}; ` +
      `a Slurm array of only these tasks has another SLURM_ARRAY_TASK_COUNT, so give the count)`,
  );
  lines.push(`missing shards: ${list}`);
  return lines;
}

/** The shard count to report missing tiles by: the parts' own when they all agree, else the plan's. */
export function reportCount(plan: PlanSection, parts: readonly ParsedPart[]): number {
  const counts = new Set(parts.flatMap((p) => (p.header ? [p.header.shard.count] : [])));
  return counts.size === 1 ? [...counts][0] : plan.shards;
}

interface MergeOutcome {
  /** The full surfaces when every tile is present and nothing is wrong; else null. */
  surfaces: Surfaces | null;
  /** Parts refused or damaged, conflicting duplicates: each line names the file(s). */
  problems: string[];
  missing: MissingTiles;
  /** Tiles found in more than one record (identical values), for the report. */
  duplicates: number;
}

/**
 * Checks the parts and, when they are whole and cover the grid, assembles the surfaces.
 * `count`: the shard count missing tiles are reported by (default: reportCount).
 */
export function mergeParts(
  plan: PlanSection,
  grid: Grid,
  tiles: readonly Tile[],
  parts: readonly ParsedPart[],
  count = reportCount(plan, parts),
): MergeOutcome {
  const problems: string[] = [];
  const chosen = new Map<number, { tile: PartTile; source: string }>();
  let duplicates = 0;
  for (const p of parts) {
    const own = partProblems(plan, p);
    problems.push(...own);
    if (partRefusal(plan, p)) continue;
    for (const tile of p.tiles.values()) {
      const seen = chosen.get(tile.index);
      if (!seen) {
        chosen.set(tile.index, { tile, source: p.source });
        continue;
      }
      duplicates++;
      if (seen.tile.crc32 !== tile.crc32) {
        problems.push(
          `tile ${tile.index} differs between ${seen.source} (line ${seen.tile.line}) and ${p.source} (line ${tile.line}): ` +
            `conflicting duplicates (were they computed by different versions or machines?); remove the wrong part`,
        );
      }
    }
  }
  const missing = missingByShard(tiles, new Set(chosen.keys()), count);
  if (problems.length > 0 || missing.tiles.length > 0)
    return { surfaces: null, problems, missing, duplicates };
  const total = gridPointCount(grid);
  const surfaces: Surfaces = {};
  for (const name of plan.surfaces) {
    const target = new Float32Array(total);
    for (const [index, { tile }] of chosen) writeTile(grid, tiles[index], tile.values[name], target);
    surfaces[name as keyof Surfaces] = target;
  }
  return { surfaces, problems, missing, duplicates };
}

interface ShardProgress {
  index: number;
  tiles: number;
  done: number;
  /** Points still to compute. */
  remaining: number;
  /** Measured speed of the part(s) holding this shard's tiles; null when none ran yet. */
  pointsPerSecond: number | null;
  /** Where its tiles are, e.g. "shard-1-of-4.part (truncated)". */
  parts: string[];
}

export interface Progress {
  tiles: number;
  points: number;
  doneTiles: number;
  donePoints: number;
  count: number;
  shards: ShardProgress[];
  problems: string[];
  /** Mean speed over the parts that measured one. */
  meanPointsPerSecond: number | null;
  /** Seconds left if every unfinished shard runs at once at its measured speed (else the mean). */
  secondsLeftParallel: number | null;
  /** Seconds left on one machine at the mean speed. */
  secondsLeftSerial: number | null;
}

/**
 * How far a sharded landscape is, from its parts: tiles and points done per shard, the measured
 * speeds, and the time left. Damaged parts still count what they hold (and are listed).
 */
export function progressOf(
  plan: PlanSection,
  tiles: readonly Tile[],
  parts: readonly ParsedPart[],
  count = reportCount(plan, parts),
): Progress {
  const problems = parts.flatMap((p) => partProblems(plan, p));
  const usable = parts.filter((p) => partRefusal(plan, p) === null);
  const have = new Set<number>();
  for (const p of usable) for (const i of p.tiles.keys()) have.add(i);
  const speeds = usable.map((p) => ({ p, speed: partSpeed(p).pointsPerSecond }));
  const measured = speeds.flatMap((s) => (s.speed === null ? [] : [s.speed]));
  const mean = measured.length > 0 ? measured.reduce((a, b) => a + b, 0) / measured.length : null;
  const shards: ShardProgress[] = [];
  for (let k = 0; k < count; k++) {
    const own = shardTiles(tiles.length, k, count);
    const ownSet = new Set(own);
    let remaining = 0;
    let done = 0;
    for (const i of own) {
      if (have.has(i)) done++;
      else remaining += tilePointCount(tiles[i]);
    }
    // The speed of the parts written for this very shard; else of any part holding its tiles.
    const mine = speeds.filter(
      ({ p }) => p.header?.shard.index === k && p.header.shard.count === count && p.tiles.size > 0,
    );
    const holding =
      mine.length > 0 ? mine : speeds.filter(({ p }) => [...p.tiles.keys()].some((i) => ownSet.has(i)));
    const known = holding.flatMap((s) => (s.speed === null ? [] : [s.speed]));
    shards.push({
      index: k,
      tiles: own.length,
      done,
      remaining,
      pointsPerSecond: known.length > 0 ? Math.max(...known) : null,
      parts: holding.map(
        ({ p }) => p.source + (p.truncated ? " (truncated)" : "") + (p.problems.length ? " (corrupted)" : ""),
      ),
    });
  }
  let parallel: number | null = 0;
  for (const s of shards) {
    if (s.remaining === 0) continue;
    const speed = s.pointsPerSecond ?? mean;
    parallel = speed === null || parallel === null ? null : Math.max(parallel, s.remaining / speed);
  }
  const points = tiles.reduce((n, t) => n + tilePointCount(t), 0);
  const donePoints = [...have].reduce((n, i) => n + tilePointCount(tiles[i]), 0);
  const left = points - donePoints;
  return {
    tiles: tiles.length,
    points,
    doneTiles: have.size,
    donePoints,
    count,
    shards,
    problems,
    meanPointsPerSecond: mean,
    secondsLeftParallel: left === 0 ? 0 : parallel,
    secondsLeftSerial: left === 0 ? 0 : mean === null ? null : left / mean,
  };
}

/** "42 s", "3.5 min", "2.1 h". */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
