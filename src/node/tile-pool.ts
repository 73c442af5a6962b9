/**
 * Computing a plan's tiles on one machine: in this thread (one worker), or over Node worker
 * threads (tile-worker.ts), each of which prepares the problem once with the plan's evaluator and
 * takes tiles as it frees up, a few queued each, as the app's pool does (src/compute/pool.ts).
 * Either way a tile is computed by the same evaluator on the same coordinates, so its bits do not
 * depend on the number of workers or on which worker computed it.
 *
 * @example const pool = await startTilePool(job, 2, "wasm"); await pool.run([0, 1, 2], onTile); await pool.close();
 */
import { Worker } from "node:worker_threads";
import type { Grid, Tile } from "../core/landscape/grid";
import { type LandscapeProblem, type PreparedLandscape, prepareLandscape } from "../core/landscape/surfaces";
import type { ModelKind } from "../core/model/architecture";
import { planEvaluator } from "../core/shards/plan-evaluator";
import type { PlanSection } from "../core/snapshot/plan-section";
import type { TileWorkerData, TileWorkerReply, TileWorkerRequest } from "./tile-worker";

/** What a pool computes: a plan's problem and tiles. */
export interface TileJob {
  problem: LandscapeProblem;
  grid: Grid;
  tiles: Tile[];
  plan: PlanSection;
  kind: ModelKind;
}

/** One computed tile: its surfaces (x fastest in the tile) and compute time on one thread. */
interface TileResult {
  index: number;
  values: Record<string, Float32Array>;
  ms: number;
}

interface TilePool {
  /** Threads computing (1: this thread). */
  readonly workers: number;
  /**
   * Computes the tiles `indices`; `onTile` is awaited for each result in turn (in the order they
   * finish). An abort of `signal` stops handing out tiles and rejects with its reason at once
   * (tiles in flight in worker threads are dropped).
   */
  run(
    indices: readonly number[],
    onTile: (r: TileResult) => Promise<void> | void,
    signal?: AbortSignal,
  ): Promise<void>;
  close(): Promise<void>;
}

/** Tiles queued per worker thread, so a worker never idles while its last result is written. */
const TILES_IN_FLIGHT = 2;

/**
 * Extra milliseconds per tile from LANDSCAPE_SLOW_TILES_MS: a testing aid, so fault-injection
 * tests can stop a worker while it is inside a tile (between computing it and writing it).
 */
function slowTilesMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.LANDSCAPE_SLOW_TILES_MS ?? 0);
  return Number.isFinite(v) && v > 0 ? v : 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const abortError = (signal: AbortSignal) =>
  signal.reason instanceof Error ? signal.reason : new Error("cancelled");

function inThisThread(job: TileJob, backend: string, slowMs: number): TilePool {
  const prepared: PreparedLandscape = prepareLandscape(
    job.problem,
    planEvaluator(job.kind, job.plan, backend),
  );
  return {
    workers: 1,
    async run(indices, onTile, signal) {
      for (const index of indices) {
        signal?.throwIfAborted();
        const t0 = performance.now();
        const surfaces = prepared.computeTile(job.grid, job.tiles[index]);
        const ms = performance.now() - t0;
        if (slowMs > 0) await sleep(slowMs);
        signal?.throwIfAborted();
        const values: Record<string, Float32Array> = {};
        for (const [name, v] of Object.entries(surfaces)) if (v) values[name] = v.slice();
        await onTile({ index, values, ms });
        // Let signals and progress through between tiles.
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    async close() {
      prepared.dispose();
    },
  };
}

// Node 20 cannot start a worker from a .ts file by itself: register tsx's loader, then import it.
// tsx is found from this file (not from the current folder, which may be anywhere).
const bootstrap = (file: string) => {
  const tsx = import.meta.resolve("tsx/esm/api");
  return `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(file)}); });`;
};

async function inWorkerThreads(job: TileJob, count: number, slowMs: number): Promise<TilePool> {
  const entry = new URL("./tile-worker.ts", import.meta.url).href;
  const data: TileWorkerData = { ...job, slowMs };
  const threads = Array.from(
    { length: count },
    () => new Worker(bootstrap(entry), { eval: true, workerData: data }),
  );
  const terminate = () => Promise.all(threads.map((w) => w.terminate())).then(() => {});
  try {
    await Promise.all(
      threads.map(
        (w, i) =>
          new Promise<void>((resolve, reject) => {
            const onMessage = (m: TileWorkerReply) => {
              if (m.type === "ready") resolve();
              else if (m.type === "failed") reject(new Error(`worker thread ${i + 1}: ${m.message}`));
              else return;
              w.off("message", onMessage);
            };
            w.on("message", onMessage);
            w.once("error", (err) =>
              reject(new Error(`worker thread ${i + 1} failed to start: ${err.message}`)),
            );
            w.once("exit", (code) =>
              reject(new Error(`worker thread ${i + 1} exited (code ${code}) before it was ready`)),
            );
          }),
      ),
    );
  } catch (err) {
    await terminate();
    throw err;
  }
  let closed = false;
  // A thread that fails or stops outside a run makes the next run fail at once (not wait forever).
  let broken: Error | null = null;
  for (const w of threads) {
    w.removeAllListeners("exit").removeAllListeners("error");
    w.on("error", (err) => {
      broken ??= new Error(`a worker thread failed: ${err.message}`);
    });
    w.on("exit", (code) => {
      if (!closed) broken ??= new Error(`a worker thread stopped (exit code ${code})`);
    });
  }
  return {
    workers: count,
    run(indices, onTile, signal) {
      if (broken) return Promise.reject(broken);
      if (closed) return Promise.reject(new Error("the tile pool is closed"));
      return new Promise<void>((resolve, reject) => {
        let next = 0;
        let finished = 0;
        let failed = false;
        let written: Promise<void> = Promise.resolve();
        const inFlight = new Map<Worker, number>(threads.map((w) => [w, 0]));
        const cleanup = () => {
          for (const w of threads) {
            w.off("message", handlers.get(w) as (m: TileWorkerReply) => void);
            w.off("error", onError);
            w.off("exit", onExit);
          }
          signal?.removeEventListener("abort", onAbort);
        };
        const fail = (err: unknown) => {
          if (failed) return;
          failed = true;
          cleanup();
          // Tiles in flight are dropped: the threads are stopped, the pool is unusable afterwards.
          closed = true;
          void terminate();
          reject(err);
        };
        const onAbort = () => fail(abortError(signal as AbortSignal));
        const onError = (err: Error) => fail(new Error(`a worker thread failed: ${err.message}`));
        const onExit = (code: number) => fail(new Error(`a worker thread stopped (exit code ${code})`));
        const fill = (w: Worker) => {
          while (next < indices.length && (inFlight.get(w) ?? 0) < TILES_IN_FLIGHT) {
            inFlight.set(w, (inFlight.get(w) ?? 0) + 1);
            w.postMessage({ type: "tile", index: indices[next++] } satisfies TileWorkerRequest);
          }
        };
        const handlers = new Map<Worker, (m: TileWorkerReply) => void>();
        for (const w of threads) {
          const handler = (m: TileWorkerReply) => {
            if (failed) return;
            if (m.type === "error") {
              fail(new Error(`tile ${m.index}: ${m.message}`));
              return;
            }
            if (m.type !== "done") return;
            inFlight.set(w, (inFlight.get(w) ?? 1) - 1);
            fill(w);
            written = written.then(async () => {
              if (failed) return;
              await onTile({ index: m.index, values: m.values, ms: m.ms });
              if (++finished === indices.length && !failed) {
                cleanup();
                resolve();
              }
            });
            written.catch(fail);
          };
          handlers.set(w, handler);
          w.on("message", handler);
          w.on("error", onError);
          w.on("exit", onExit);
        }
        if (signal?.aborted) {
          fail(abortError(signal));
          return;
        }
        signal?.addEventListener("abort", onAbort, { once: true });
        if (indices.length === 0) {
          cleanup();
          resolve();
          return;
        }
        for (const w of threads) fill(w);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      if (broken) {
        await terminate();
        return;
      }
      // Each thread disposes its problem and leaves; one that does not within 10 s is stopped.
      const left = threads.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.once("exit", () => resolve());
            w.postMessage({ type: "exit" } satisfies TileWorkerRequest);
          }),
      );
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"late">((resolve) => {
        timer = setTimeout(() => resolve("late"), 10_000);
      });
      if ((await Promise.race([Promise.all(left), late])) === "late") await terminate();
      clearTimeout(timer);
    },
  };
}

/**
 * A pool of `workers` threads for the job (1: this thread, no worker thread). Resolves when every
 * thread has prepared the problem; rejects (stopping them) when one cannot, e.g. when this runtime
 * cannot run the plan's evaluator.
 */
export async function startTilePool(
  job: TileJob,
  workers: number,
  backend: string,
  options: { slowMs?: number } = {},
): Promise<TilePool> {
  if (!Number.isInteger(workers) || workers < 1)
    throw new Error(`workers must be an integer >= 1, got ${workers}`);
  const slowMs = options.slowMs ?? slowTilesMs();
  return workers === 1 ? inThisThread(job, backend, slowMs) : inWorkerThreads(job, workers, slowMs);
}
