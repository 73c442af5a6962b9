/**
 * A pool of compute workers (one per core but one, at most 4): training on one, landscape tiles
 * spread over all of them, coarse to fine so a rough surface shows at once; independent jobs
 * (the models of a paths run) one per worker, with temporary extra workers when the pool has
 * fewer workers than cores. Every job takes an AbortSignal; results arrive as transferred
 * Float32Arrays.
 */

import { proxy } from "comlink";
import type { HistoryEntry, InitResult, TrainJobResult } from "../../workers/compute.worker";
import type { BackendName } from "../core/backend";
import { problemFromSnapshot } from "../core/experiment/landscape-problem";
import {
  type Grid,
  gridPointCount,
  splitBlocks,
  splitTiles,
  type Tile,
  tilePointCount,
  writeTile,
} from "../core/landscape/grid";
import type { Surfaces } from "../core/landscape/surfaces";
import type { Lesson, LessonMetrics } from "../core/lessons/schema";
import type { Snapshot } from "../core/snapshot/schema";
import { type ComputeWorker, startComputeWorker, withWorkerGuard } from "./bridge";
import { coarseGrid, upsampleInto } from "./upsample";

export interface SampleProgress {
  stage: "coarse" | "fine";
  /** Fine grid points computed (coarse stage: 0). */
  done: number;
  total: number;
}

export interface SampleOptions {
  signal?: AbortSignal;
  /** Called after the coarse picture and after every fine tile; the surfaces were updated in place. */
  onUpdate?: (surfaces: Surfaces, progress: SampleProgress) => void;
  /** Points per fine tile (the unit of work and cancellation): near-square tiles (splitBlocks). */
  tilePoints?: number;
  /** Points per axis of the first, coarse pass (0: none). */
  coarsePerAxis?: number;
}

const INIT_TIMEOUT_MS = 60_000;
/**
 * Tiles handed to one worker at a time. With one, a worker idled from each result until the page
 * sent the next tile, which a redraw could delay by 50-100 ms; three keep it busy through that
 * (the 51x51 reference surface in Chromium went from 700-860 ms to 550-680 ms); near the end
 * they go one at a time again (runTiles), so no worker is left with a queue while another idles.
 * Cancelling waits for at most these few tiles (about 10 ms each).
 */
const TILES_IN_FLIGHT = 3;
let nextId = 1;
/** Workers of a pool, and workers of one runParallel call: at most this many. */
const MAX_WORKERS = 4;

/**
 * One worker per core but one (at least 1, at most 4): the page keeps a core for itself, so
 * drawing and input stay responsive while a landscape is computed (on 2 cores, 2 busy workers
 * left the main thread with half a core and 150 ms+ tasks).
 */
function defaultPoolSize(): number {
  return Math.max(1, Math.min(MAX_WORKERS, cores() - 1));
}

function cores(): number {
  return typeof navigator !== "undefined" ? navigator.hardwareConcurrency || 2 : 2;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error("cancelled");
}

/** Rejects with the abort reason once `signal` aborts; never settles otherwise. */
function rejectOnAbort(signal: AbortSignal): Promise<never> {
  const p = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(abortError(signal));
    else signal.addEventListener("abort", () => reject(abortError(signal)), { once: true });
  });
  p.catch(() => {}); // raced only while needed; never an unhandled rejection
  return p;
}

/** One independent call of runParallel: the worker's api and a fresh job id. */
export type WorkerCall<T> = (api: ComputeWorker["api"], jobId: number) => Promise<T>;

export class ComputePool {
  private readonly workers: ComputeWorker[];
  private ready: Promise<InitResult> | null = null;
  /** The evaluation path chosen with selectEvaluator (null: the backend's default), for replacements. */
  private evaluator: string | null = null;
  /** The training path chosen with selectTrainingPath (null: auto), for replacements. */
  private trainingPath: string | null = null;
  /** Workers replaced after a crash since the pool started. */
  replaced = 0;
  /** The running training job on the first worker, for pause / resume / step. */
  private trainingJob: number | null = null;
  /** Workers the last runParallel call ran on (own and temporary); 0 before the first. */
  lastParallelWorkers = 0;

  constructor(readonly size = defaultPoolSize()) {
    this.workers = Array.from({ length: size }, () => startComputeWorker());
  }

  /** Initialize every worker on the same backend (the first one's choice). */
  init(preferred?: readonly BackendName[]): Promise<InitResult> {
    this.ready ??= (async () => {
      const first = await withWorkerGuard(
        this.workers[0],
        this.workers[0].api.init(preferred),
        INIT_TIMEOUT_MS,
        "backend init",
      );
      await Promise.all(
        this.workers
          .slice(1)
          .map((w) => withWorkerGuard(w, w.api.init([first.backend]), INIT_TIMEOUT_MS, "backend init")),
      );
      return first;
    })();
    return this.ready;
  }

  get primary(): ComputeWorker {
    return this.workers[0];
  }

  /**
   * Replace every worker that crashed or was stopped by a fresh one on the same backend and
   * evaluation path, so the next job runs on a whole pool. Called before every job; cheap when
   * all workers live. Returns how many were replaced.
   */
  async heal(): Promise<number> {
    const first = await this.init();
    let count = 0;
    for (const [i, old] of this.workers.entries()) {
      if (!old.dead) continue;
      const w = startComputeWorker();
      this.workers[i] = w;
      count++;
      await this.initLikePool(w, first.backend);
    }
    this.replaced += count;
    return count;
  }

  /** Initialize a fresh worker as the pool's: the same backend and evaluation path. */
  private async initLikePool(w: ComputeWorker, backend: BackendName): Promise<void> {
    await withWorkerGuard(w, w.api.init([backend]), INIT_TIMEOUT_MS, "backend init");
    if (this.evaluator !== null) await Promise.race([w.api.selectEvaluator(this.evaluator), w.failed]);
    if (this.trainingPath !== null)
      await Promise.race([w.api.selectTrainingPath(this.trainingPath), w.failed]);
  }

  /** Live workers (dead ones are replaced by heal before the next job). */
  get alive(): number {
    return this.workers.filter((w) => !w.dead).length;
  }

  /**
   * Fault injection for tests of recovery: worker `index` throws outside any call ("throw": an
   * uncaught error, as a crash) or is stopped from outside ("terminate").
   */
  injectFault(index: number, kind: "throw" | "terminate"): void {
    const w = this.workers[index];
    if (!w) throw new Error(`no worker ${index} in a pool of ${this.size}`);
    if (kind === "terminate") w.terminate();
    else void w.api.injectFault().catch(() => {});
  }

  /** Train (or fail) on the first worker; epochs stream through onEpoch. */
  async train(
    config: unknown,
    options: {
      signal?: AbortSignal;
      onEpoch?: (entry: HistoryEntry, total: number) => void;
      /** The user's picked files, by the names the config uses (own model and data). */
      files?: Record<string, Uint8Array>;
      /** Wait before the first epoch for trainingControl("step" or "resume"). */
      paused?: boolean;
    } = {},
  ): Promise<TrainJobResult> {
    let jobId: number | null = null;
    try {
      return await this.onPrimary(options.signal, (api, id) => {
        jobId = id;
        this.trainingJob = id;
        const callback = options.onEpoch ? proxy(options.onEpoch) : undefined;
        return api.train(id, config, callback, options.files, options.paused ?? false);
      });
    } finally {
      if (this.trainingJob === jobId) this.trainingJob = null;
    }
  }

  /**
   * A cancellable call on the first worker (training, a lesson's numbers, a paths run): `call`
   * gets the worker's api and a fresh job id; an abort of `signal` cancels that job in the worker,
   * and a worker that dies rejects the call with the reason.
   */
  async onPrimary<T>(
    signal: AbortSignal | undefined,
    call: (api: ComputeWorker["api"], jobId: number) => Promise<T>,
  ): Promise<T> {
    await this.heal();
    const w = this.workers[0];
    const jobId = nextId++;
    const onAbort = () => void w.api.cancel(jobId).catch(() => {});
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      signal?.throwIfAborted();
      return await Promise.race([call(w.api, jobId), w.failed]);
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * Run independent cancellable calls at once, one per worker, on min(calls, cores, 4) workers:
   * the pool's own first, then temporary workers (on a 2-core machine the pool has one worker)
   * started on the pool's backend and evaluation path and terminated when the run ends, however
   * it ends. A worker that finishes takes the next waiting call. Each call gets a fresh job id;
   * an abort of `signal` cancels every running call in its worker, and the first call that fails
   * (or whose worker dies) cancels the others and rejects the run with its error. Results come in
   * the order of `calls`.
   *
   * @example const [a, b] = await pool.runParallel(signal, [0, 1].map((k) => (api, id) => api.trainEndpoints(id, config, k)));
   */
  async runParallel<T>(signal: AbortSignal | undefined, calls: readonly WorkerCall<T>[]): Promise<T[]> {
    await this.heal();
    const { backend } = await this.init();
    signal?.throwIfAborted();
    const count = Math.min(calls.length, cores(), MAX_WORKERS);
    const own = this.workers.slice(0, count);
    const extra = Array.from({ length: count - own.length }, () => startComputeWorker());
    // Aborted by the caller or by the first failure: either way every running call is cancelled.
    const stop = new AbortController();
    const running = new Map<number, ComputeWorker>();
    const forward = () => stop.abort(signal?.reason);
    signal?.addEventListener("abort", forward, { once: true });
    stop.signal.addEventListener("abort", () => {
      for (const [jobId, w] of running) void w.api.cancel(jobId).catch(() => {});
    });
    const inits = extra.map((w, i) =>
      this.initLikePool(w, backend).catch((err: unknown) => {
        const why = err instanceof Error ? err.message : String(err);
        throw new Error(`temporary compute worker ${i + 1} of ${extra.length} did not start: ${why}`);
      }),
    );
    try {
      await Promise.race([Promise.all(inits), rejectOnAbort(stop.signal)]);
      const workers = [...own, ...extra];
      this.lastParallelWorkers = workers.length;
      const results: T[] = new Array(calls.length);
      let next = 0;
      let failure: unknown;
      const drain = async (w: ComputeWorker) => {
        while (next < calls.length && !stop.signal.aborted) {
          const i = next++;
          const jobId = nextId++;
          running.set(jobId, w);
          try {
            results[i] = await Promise.race([calls[i](w.api, jobId), w.failed]);
          } finally {
            running.delete(jobId);
          }
        }
      };
      await Promise.all(
        workers.map((w) =>
          drain(w).catch((err: unknown) => {
            failure ??= err;
            stop.abort(err);
          }),
        ),
      );
      if (signal?.aborted) throw abortError(signal);
      if (failure !== undefined) throw failure;
      return results;
    } finally {
      signal?.removeEventListener("abort", forward);
      // A worker stopped while it still starts aborts its backend's pending loads (tfjs-wasm's
      // thread workers), which the page reports as failed requests: a temporary worker is
      // terminated once its start has settled (at once when it has), never awaited here.
      for (const [i, w] of extra.entries()) {
        void inits[i].then(
          () => w.terminate(),
          () => w.terminate(),
        );
      }
    }
  }

  /** Pause, resume or single-step the running training (no-op when none runs). */
  trainingControl(action: "pause" | "resume" | "step"): void {
    if (this.trainingJob !== null) void this.workers[0].api[action](this.trainingJob);
  }

  /**
   * Sample every surface of a snapshot's grid over all workers: a coarse grid first (upsampled
   * into the full arrays so the whole surface shows at once), then every fine point, tile by tile.
   * The finished arrays hold exactly the fine values, as a direct full-resolution computation.
   */
  async sample(snapshot: Snapshot, options: SampleOptions = {}): Promise<Surfaces> {
    await this.heal();
    const grid: Grid = snapshot.grid;
    const total = gridPointCount(grid);
    const problemId = nextId++;
    const problem = problemFromSnapshot(snapshot);
    const signal = options.signal;
    const surfaces: Surfaces = {};
    try {
      const evaluators = await Promise.all(
        this.workers.map((w) => Promise.race([w.api.prepareProblem(problemId, problem), w.failed])),
      );
      // The path that really samples (a calibration may have changed it since training).
      (snapshot.producer as { evaluator?: string }).evaluator = evaluators[0];
      const coarsePerAxis = options.coarsePerAxis ?? 11;
      if (coarsePerAxis > 1 && total > 4 * coarsePerAxis ** grid.axes.length) {
        const coarse = coarseGrid(grid, coarsePerAxis);
        const coarseValues = await this.runTiles(
          problemId,
          coarse,
          splitTiles(coarse, Math.ceil(gridPointCount(coarse) / this.size)),
          signal,
        );
        for (const [name, values] of Object.entries(coarseValues) as [keyof Surfaces, Float32Array][]) {
          // One surface per task, the first not in the task of the coarse pass's last result: on a
          // 201 x 201 grid each takes 5-10 ms of (never warmed-up) main-thread time, all four
          // together a long task while the machine is busy.
          await new Promise((resolve) => setTimeout(resolve, 0));
          if (signal?.aborted) throw abortError(signal);
          const target = new Float32Array(total);
          upsampleInto(coarse, values, grid, target);
          surfaces[name] = target;
        }
        options.onUpdate?.(surfaces, { stage: "coarse", done: 0, total });
      }
      let done = 0;
      await this.runTiles(
        problemId,
        grid,
        splitBlocks(grid, options.tilePoints ?? 128),
        signal,
        (tile, part) => {
          for (const [name, values] of Object.entries(part) as [keyof Surfaces, Float32Array][]) {
            surfaces[name] ??= new Float32Array(total).fill(Number.NaN);
            writeTile(grid, tile, values, surfaces[name]);
          }
          done += tilePointCount(tile);
          options.onUpdate?.(surfaces, { stage: "fine", done, total });
        },
      );
      signal?.throwIfAborted();
      return surfaces;
    } finally {
      for (const w of this.workers) void w.api.releaseProblem(problemId).catch(() => {});
    }
  }

  /**
   * Hand tiles to whichever worker is free (pipelined); stop handing out new ones on abort. The
   * values come back as whole-grid arrays, or, with `onTile`, tile by tile to it only (then the
   * returned record is empty).
   */
  private async runTiles(
    problemId: number,
    grid: Grid,
    tiles: Tile[],
    signal: AbortSignal | undefined,
    onTile?: (tile: Tile, part: Surfaces) => void,
  ): Promise<Surfaces> {
    const total = gridPointCount(grid);
    const out: Surfaces = {};
    let next = 0;
    const workers = this.workers.length;
    const run = async (w: ComputeWorker, slot: number) => {
      while (next < tiles.length) {
        // The extra slots stop while TILES_IN_FLIGHT tiles per worker are still unassigned, so
        // the last tiles go one at a time to whichever worker is free: queued deep to the end,
        // one worker could be left with two tiles to go while the other idles.
        if (slot > 0 && tiles.length - next < TILES_IN_FLIGHT * workers) return;
        if (signal?.aborted) throw abortError(signal);
        const tile = tiles[next++];
        const part = await Promise.race([w.api.computeTile(problemId, grid, tile), w.failed]);
        if (signal?.aborted) throw abortError(signal);
        // With onTile the caller keeps the values (the fine pass writes them into the surfaces it
        // reports): no second set of whole-grid arrays filled here.
        if (onTile) {
          onTile(tile, part);
          continue;
        }
        for (const [name, values] of Object.entries(part) as [keyof Surfaces, Float32Array][]) {
          out[name] ??= new Float32Array(total);
          writeTile(grid, tile, values, out[name]);
        }
      }
    };
    // TILES_IN_FLIGHT calls per worker: while the page handles one tile's result (a redraw blocks
    // it for tens of milliseconds), the worker computes the queued ones instead of waiting idle.
    await Promise.all(
      this.workers.flatMap((w) => Array.from({ length: TILES_IN_FLIGHT }, (_, slot) => run(w, slot))),
    );
    return out;
  }

  /**
   * Sample with this evaluation path on every worker (null: each backend's default). Rejects,
   * leaving every worker's previous choice, when a worker cannot run it.
   */
  async selectEvaluator(name: string | null): Promise<string> {
    await this.heal();
    const names = await Promise.all(
      this.workers.map((w) => Promise.race([w.api.selectEvaluator(name), w.failed])),
    );
    this.evaluator = name;
    return names[0];
  }

  /**
   * Train MLPs on this path on every worker (null: auto). Rejects, leaving every worker's
   * previous choice, when a worker cannot run it; returns the path an MLP trains on.
   */
  async selectTrainingPath(name: string | null): Promise<string> {
    await this.heal();
    const paths = await Promise.all(
      this.workers.map((w) => Promise.race([w.api.selectTrainingPath(name), w.failed])),
    );
    this.trainingPath = name;
    return paths[0];
  }

  /** Run a small real tile and the self-check on every worker's backend; rejects when one fails. */
  async checkBackend(): Promise<void> {
    await this.init();
    await Promise.all(
      this.workers.map(async (w) => {
        await Promise.race([w.api.checkBackend(), w.failed]);
        const check = await Promise.race([w.api.selfCheck(), w.failed]);
        if (!check.ok) throw new Error(check.error);
      }),
    );
  }

  /** Decision boundary / regression curve of a model (see the worker's predictGrid). */
  async predictGrid(...args: Parameters<ComputeWorker["api"]["predictGrid"]>): Promise<Float32Array> {
    await this.heal();
    const w = this.workers[0];
    return Promise.race([w.api.predictGrid(...args), w.failed]);
  }

  /** A lesson's numbers for one of its runs (curvature with the lesson's settings), on the first worker. */
  lessonMetrics(snapshot: Snapshot, lesson: Lesson, signal?: AbortSignal): Promise<LessonMetrics> {
    return this.onPrimary(signal, (api, jobId) => api.lessonMetrics(jobId, snapshot, lesson));
  }

  /** Tensors and prepared problems alive in each worker. */
  async memory() {
    return Promise.all(this.workers.map((w) => w.api.memory()));
  }

  terminate(): void {
    for (const w of this.workers) w.terminate();
  }
}
