/**
 * Running one shard of a plan into its part file, durably and resumably: the tiles already in the
 * part are kept, the others are computed (in this thread or over worker threads, tile-pool.ts)
 * and each is appended and flushed as soon as it is done (part-file.ts). Run again with the same
 * arguments after any stop, it computes only what is missing; run when complete, it does nothing.
 * `compute` runs its whole grid the same way, as shard 0 of 1 (journal.ts).
 *
 * @example const r = await runShard({ checked, partPath, shard: { index: 1, count: 4 }, workers: 1 });
 */
import os from "node:os";
import { problemFromSnapshot } from "../core/experiment/landscape-problem";
import { tilePointCount } from "../core/landscape/grid";
import { PRODUCER_NAME, PRODUCER_VERSION } from "../core/producer";
import {
  encodeDoneRecord,
  encodeTileRecord,
  PART_FORMAT,
  PART_VERSION,
  type PartHeader,
  type PartProducer,
} from "../core/shards/part";
import type { CheckedPlan } from "../core/shards/plan";
import { shardTiles } from "../core/shards/tiling";
import { openPartFile } from "./part-file";
import { initNodeBackend } from "./tf-node";
import { startTilePool, type TileJob } from "./tile-pool";

interface ShardRunOptions {
  checked: CheckedPlan;
  partPath: string;
  shard: { index: number; count: number };
  /** Threads computing tiles (1: this thread). */
  workers: number;
  signal?: AbortSignal;
  /** Grid points of this shard done (kept ones included) and in all, after opening and after each tile. */
  onProgress?: (done: number, total: number) => void;
}

export interface ShardRunResult {
  tiles: number;
  points: number;
  /** Tiles found in the part when it was opened. */
  kept: number;
  /** Tiles computed by this run. */
  computed: number;
  computedPoints: number;
  seconds: number;
  /** Points computed by this run per second of its wall time (null when it computed none). */
  pointsPerSecond: number | null;
  resumed: boolean;
  repaired: boolean;
  backend: string;
  workers: number;
}

/** Thrown when a shard is stopped (signal): what is kept where. */
export class ShardStopped extends Error {
  constructor(
    readonly reason: Error,
    readonly done: number,
    readonly tiles: number,
    readonly partPath: string,
  ) {
    super(reason.message);
    this.name = "ShardStopped";
  }
}

/** Who computes: the program, the evaluation path and this machine. */
function producer(backend: string, checked: CheckedPlan): PartProducer {
  return {
    name: PRODUCER_NAME,
    version: PRODUCER_VERSION,
    backend,
    evaluator: checked.plan.evaluator,
    ...(checked.plan.kernel ? { kernel: checked.plan.kernel } : {}),
    host: os.hostname(),
    cpu: os.cpus()[0]?.model ?? "unknown",
    node: process.version,
    pid: process.pid,
  };
}

/** Computes what is missing of one shard into its part; see the module comment. */
export async function runShard(o: ShardRunOptions): Promise<ShardRunResult> {
  const { checked, shard } = o;
  const { plan, tiles } = checked;
  const indices = shardTiles(tiles.length, shard.index, shard.count);
  const total = indices.reduce((n, i) => n + tilePointCount(tiles[i]), 0);
  const backend = await initNodeBackend();
  const who = producer(backend, checked);
  const startedAt = new Date().toISOString();
  const header: PartHeader = {
    format: PART_FORMAT,
    version: PART_VERSION,
    plan: plan.id,
    shard,
    tiles: indices,
    tileCount: plan.tiles,
    tilePoints: plan.tilePoints,
    surfaces: plan.surfaces,
    producer: who,
    startedAt,
    workers: o.workers,
  };
  const writer = await openPartFile(o.partPath, header, tiles, {
    at: startedAt,
    producer: who,
    workers: o.workers,
  });
  const t0 = performance.now();
  const done = new Set(writer.opened.tiles.keys());
  let donePoints = [...done].reduce((n, i) => n + tilePointCount(tiles[i]), 0);
  const todo = indices.filter((i) => !done.has(i));
  let computedPoints = 0;
  const result = (): ShardRunResult => {
    const seconds = (performance.now() - t0) / 1000;
    return {
      tiles: indices.length,
      points: total,
      kept: writer.opened.tiles.size,
      computed: todo.length,
      computedPoints,
      seconds,
      pointsPerSecond: computedPoints > 0 && seconds > 0 ? computedPoints / seconds : null,
      resumed: writer.resumed,
      repaired: writer.repaired,
      backend,
      workers: o.workers,
    };
  };
  try {
    o.onProgress?.(donePoints, total);
    if (todo.length > 0) {
      if (writer.resumed) await writer.resume();
      const job: TileJob = {
        problem: problemFromSnapshot(checked.snapshot),
        grid: checked.grid,
        tiles,
        plan,
        kind: checked.snapshot.model.architecture.kind,
      };
      const pool = await startTilePool(job, Math.min(o.workers, todo.length), backend);
      try {
        await pool.run(
          todo,
          async (r) => {
            await writer.append(encodeTileRecord(r.index, tiles[r.index], plan.surfaces, r.values, r.ms));
            done.add(r.index);
            const points = tilePointCount(tiles[r.index]);
            donePoints += points;
            computedPoints += points;
            o.onProgress?.(donePoints, total);
          },
          o.signal,
        );
      } catch (err) {
        if (o.signal?.aborted) {
          throw new ShardStopped(err as Error, done.size, indices.length, o.partPath);
        }
        throw err;
      } finally {
        await pool.close();
      }
    }
    const r = result();
    if (r.computed > 0 || !writer.opened.done) {
      await writer.append(
        encodeDoneRecord({
          at: new Date().toISOString(),
          tiles: indices.length,
          points: total,
          seconds: Math.round(r.seconds * 1000) / 1000,
          pointsPerSecond: r.pointsPerSecond === null ? 0 : Math.round(r.pointsPerSecond * 10) / 10,
        }),
      );
    }
    return r;
  } finally {
    await writer.close();
  }
}
