/**
 * Paths between minima in the browser (the CLI's `paths --config`), in two steps. First the 2 to 5
 * models train in parallel, one per worker (pool.runParallel, workers/paths-api.ts
 * trainEndpoints; on 2 cores the pool's one worker plus a temporary one): they are independent
 * (each depends on its seed only) and take most of the run's time. Then ONE call on the pool's
 * first worker (runPathsFrom, experiment/paths-run.ts connectTrainedEndpoints) does the rest:
 * score the straight line and init -> solution, train the curve, weight matching and the aligned
 * line, then sample the curve's plane. Progress streams into the progress bar (training models,
 * training the curve, aligning, sampling the plane); Cancel aborts every call in its worker. The
 * snapshot that comes back (its landscape is the plane, with the `paths` section) becomes the
 * current landscape; its numbers are the CLI's, which trains the models one by one.
 *
 * Why the rest is one call and not the pool's tiled, coarse-to-fine sampling: it is one sequence
 * of dependent steps whose result is one snapshot assembled by the same code the CLI runs (no
 * second copy of that glue here), and the plane is a small grid (31 x 31 in the presets) that
 * takes a few percent of the run, so splitting it over workers would save little and add a
 * second protocol.
 *
 * It reports through a JobSink, as an experiment job does (job-sink.ts). The paths panel's t
 * slider is paths-slider.ts.
 *
 * @example await lab.paths.run(await fetchPreset("mode-connectivity"), { preset: "mode-connectivity" });
 */
import { proxy } from "comlink";
import type { EndpointResult } from "../../workers/paths-api";
import { parsePathsSettings } from "../core/config/paths-settings";
import { resolveConfig } from "../core/config/resolve";
import type { ExperimentConfig } from "../core/config/schema";
import type { PathsPhase, PathsProgress } from "../core/experiment/paths-run";
import { gridPointCount } from "../core/landscape/grid";
import type { Snapshot } from "../core/snapshot/schema";
import type { HistoryEntry } from "../core/train/history";
import type { LandscapeOrigin } from "../state/origin";
import { historyOfSnapshot } from "../state/snapshot-history";
import { guardedSink, type JobSink } from "./job-sink";
import { boundaryFor } from "./model-picture";
import type { ComputePool, WorkerCall } from "./pool";

/** What the progress bar says in each phase of runPaths. */
const PATHS_PHASE_LABELS: Record<PathsPhase, string> = {
  train: "training models",
  paths: "scoring paths",
  curve: "training the curve",
  align: "aligning",
  landscape: "sampling the plane",
};

/** Progress reports at most this often (epochs and tiles arrive every few ms). */
const PROGRESS_MS = 100;

export interface PathsRunOptions {
  /** The preset that asked for the run (the paths panel explains it). */
  preset?: string;
  /** Start only once this is true (the previous experiment job has reported its end). */
  after?: () => boolean;
  /** Where the plane comes from (a preset, a lesson): what the badge and Copy link say. */
  origin: LandscapeOrigin;
}

export class PathsJob {
  private controller: AbortController | null = null;
  /** Aborted runs that must not report anything any more (another job took the progress bar). */
  private silenced = new WeakSet<AbortController>();

  constructor(
    private readonly pool: () => ComputePool,
    private readonly sink: JobSink,
  ) {}

  get running(): boolean {
    return this.controller !== null;
  }

  /** Cancel the running paths job; it reports "cancelled". */
  cancel(): void {
    this.controller?.abort(new Error("cancelled"));
  }

  /** Cancel the running paths job without a report (another job starts and owns the progress bar). */
  stop(): void {
    const c = this.controller;
    if (!c) return;
    this.silenced.add(c);
    c.abort(new Error("cancelled"));
    this.controller = null;
  }

  /**
   * Run a config's paths experiment (its `paths` section, or the defaults); resolves with the
   * snapshot, or null when it failed (the progress bar says why) or was cancelled.
   */
  async run(configInput: unknown, options: PathsRunOptions): Promise<Snapshot | null> {
    this.stop();
    const controller = new AbortController();
    this.controller = controller;
    const { signal } = controller;
    const live = () => !this.silenced.has(controller);
    const sink = guardedSink(this.sink, live);
    try {
      const config = resolveConfig(configInput); // bad input fails here, before any work
      if (options.after) await waitFor(options.after, signal);
      if (!live()) return null;
      sink.start({
        optimizer: config.training.optimizer,
        learningRate: config.training.learningRate,
        momentum: config.training.momentum,
      });
      sink.progress({
        phase: "train",
        label: PATHS_PHASE_LABELS.train,
        done: 0,
        total: 0,
        detail: "starting",
      });

      let last = 0;
      let lastPhase: PathsPhase | null = null;
      const onProgress = (p: PathsProgress) => {
        if (signal.aborted || !live()) return;
        const now = performance.now();
        const changed = p.phase !== lastPhase;
        if (!changed && p.done < p.total && now - last < PROGRESS_MS) return;
        last = now;
        lastPhase = p.phase;
        const landscape = p.phase === "landscape";
        if (changed) sink.phase(landscape ? "sampling" : "training");
        sink.progress({
          phase: landscape ? "landscape" : "train",
          label: PATHS_PHASE_LABELS[p.phase],
          done: p.done,
          total: p.total,
          detail: p.detail,
        });
      };
      const started = performance.now();
      const pool = this.pool();
      const endpoints = await pool.runParallel(signal, trainCalls(configInput, config, onProgress));
      const result = await pool.onPrimary(signal, (api, jobId) =>
        api.runPathsFrom(jobId, configInput, endpoints, proxy(onProgress)),
      );
      signal.throwIfAborted();
      const seconds = (performance.now() - started) / 1000;
      const { snapshot, warnings } = result;
      for (const message of warnings) sink.warn(message);
      const total = gridPointCount(snapshot.grid);
      sink.landscape({
        snapshot,
        done: total,
        total,
        preset: options.preset,
        pathProbe: null,
        origin: options.origin,
      });
      // The training charts show model 1's (theta1's) training, as recorded in the snapshot.
      sink.history(historyOfSnapshot(snapshot));
      const evaluator = (snapshot.producer as { evaluator?: string }).evaluator ?? "?";
      sink.progress({
        phase: "landscape",
        label: PATHS_PHASE_LABELS.landscape,
        done: total,
        total,
        detail: `${snapshot.paths?.paths.length ?? 0} paths and the ${total}-point plane in ${seconds.toFixed(1)} s (${evaluator})`,
      });
      sink.phase("done");
      void boundaryFor(pool, snapshot, snapshot.model.parameters).then(
        (picture) => sink.picture(picture, snapshot),
        () => {},
      );
      return snapshot;
    } catch (err) {
      if (signal.aborted) sink.phase("cancelled");
      else sink.phase("error", err instanceof Error ? err.message : String(err));
      return null;
    } finally {
      if (this.controller === controller) this.controller = null;
    }
  }
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toPrecision(4) : String(v));

/**
 * One trainEndpoints call per model of a paths run (k = 0 .. models - 1, for pool.runParallel),
 * reporting phase "train" together: done = epochs done summed over the models, total = models x
 * epochs, the detail naming each model still training.
 */
function trainCalls(
  configInput: unknown,
  config: ExperimentConfig,
  onProgress: (p: PathsProgress) => void,
): WorkerCall<EndpointResult>[] {
  // As pathsSettingsOf (experiment/paths-run.ts, which loads tfjs: not on the main thread).
  const { models, seeds } = config.paths ?? parsePathsSettings({}, config.seed);
  const epochs = config.training.epochs;
  const latest: (HistoryEntry | undefined)[] = new Array(models).fill(undefined);
  const finished: boolean[] = new Array(models).fill(false);
  const report = () => {
    const done = latest.reduce((sum, e, k) => sum + (finished[k] ? epochs : (e?.epoch ?? 0)), 0);
    const training = latest.flatMap((e, k) =>
      e && !finished[k]
        ? [
            `model ${k + 1}/${models} (seed ${seeds[k]}): epoch ${e.epoch}/${epochs}, train loss ${fmt(e.trainLoss)}`,
          ]
        : [],
    );
    onProgress({
      phase: "train",
      done,
      total: models * epochs,
      detail: training.join("; ") || (finished.every(Boolean) ? `${models} models trained` : "starting"),
    });
  };
  return Array.from({ length: models }, (_, k) => async (api, jobId) => {
    const onEpoch = (entry: HistoryEntry) => {
      latest[k] = entry;
      report();
    };
    const r = await api.trainEndpoints(jobId, configInput, k, undefined, proxy(onEpoch));
    finished[k] = true;
    report();
    return r;
  });
}

/** Resolve once `ready()` holds (checked every 20 ms), or reject when `signal` aborts. */
function waitFor(ready: () => boolean, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (signal.aborted) reject(signal.reason);
      else if (ready()) resolve();
      else setTimeout(check, 20);
    };
    check();
  });
}
