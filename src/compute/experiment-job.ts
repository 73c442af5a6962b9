/**
 * One experiment in the browser: train on a worker, then sample the landscape over the pool,
 * coarse to fine, reporting every step to a sink (the store). The previous job is aborted when
 * a new one starts. No tfjs here: the workers compute, this file only orchestrates.
 */

import { resolveConfig } from "../core/config/resolve";
import type { Snapshot } from "../core/snapshot/schema";
import { yieldToEventLoop } from "../core/yield";
import { MARK_SAMPLING_START } from "../state/marks";
import type { LandscapeOrigin } from "../state/origin";
import type { LandscapeView, TrajectoryView } from "../state/types";
import { afterNextFrame } from "./after-frame";
import { guardedSink, type JobSink } from "./job-sink";
import { boundaryFor } from "./model-picture";
import type { ComputePool } from "./pool";

/** The trajectory of a snapshot's `trajectory` section as typed arrays for the views. */
export function trajectoryView(s: Snapshot): TrajectoryView | undefined {
  const t = s.trajectory as
    | { x?: number[]; y?: number[]; loss?: (number | null)[]; epochs?: number[]; explained?: number[] }
    | undefined;
  if (!t?.x || !t.y || !t.epochs || !t.explained) return undefined;
  const coords = new Float32Array(t.x.length * 2);
  t.x.forEach((x, i) => {
    coords[2 * i] = x;
    coords[2 * i + 1] = t.y?.[i] ?? Number.NaN;
  });
  return {
    coords,
    loss: Float32Array.from(t.loss ?? [], (v) => v ?? Number.NaN),
    epochs: t.epochs,
    explained: [t.explained[0] ?? 0, t.explained[1] ?? 0],
  };
}

export class ExperimentJob {
  private controller: AbortController | null = null;

  constructor(
    private readonly pool: ComputePool,
    private readonly sink: JobSink,
  ) {}

  get running(): boolean {
    return this.controller !== null;
  }

  cancel(): void {
    this.controller?.abort(new Error("cancelled"));
  }

  /**
   * Run one experiment from a config input; resolves when done, failed or cancelled. `origin`
   * travels with its landscape (what the controls, badge and Copy link say about it).
   */
  async run(
    configInput: unknown,
    origin: LandscapeOrigin,
    files?: Record<string, Uint8Array>,
    options: { paused?: boolean } = {},
  ): Promise<Snapshot | null> {
    this.cancel();
    const controller = new AbortController();
    this.controller = controller;
    const { signal } = controller;
    // A job replaced by a newer one stops reporting: its late "cancelled" must not overwrite the new job.
    const current = () => this.controller === controller;
    const restoreView = this.sink.keepView();
    const sink = guardedSink(this.sink, current);
    try {
      const config = resolveConfig(configInput); // bad input fails here, before any work
      sink.start();
      sink.phase("training");
      const trainStart = performance.now();
      const trained = await this.pool.train(config, {
        signal,
        files,
        paused: options.paused,
        onEpoch: (entry, total) => {
          if (signal.aborted) return;
          sink.epoch(entry, total);
          sink.progress({
            phase: "train",
            done: entry.epoch,
            total,
            detail: `train loss ${entry.trainLoss.toPrecision(4)}`,
          });
        },
      });
      signal.throwIfAborted();
      const trainMs = performance.now() - trainStart;
      for (const w of trained.warnings) sink.warn(w);
      const snapshot = trained.snapshot;
      const view: LandscapeView = {
        snapshot,
        done: 0,
        total: 0,
        trajectory: trajectoryView(snapshot),
        origin,
      };
      sink.landscape(view);
      // The trained model lands (charts, data plot, trajectory): its render is this task and its
      // drawing the next frame; the sampling starts after both (after-frame.ts).
      await afterNextFrame();
      signal.throwIfAborted();
      // The data plot's decision boundary is asked for once the first picture of the landscape
      // is in: on the first worker it would otherwise run before the coarse pass and delay that
      // picture by its 96x96 forward passes.
      let boundaryAsked = false;
      const askBoundary = () => {
        if (boundaryAsked || signal.aborted) return;
        boundaryAsked = true;
        void boundaryFor(this.pool, snapshot, snapshot.model.parameters).then(
          (p) => !signal.aborted && sink.picture(p),
          () => {},
        );
      };
      sink.phase("sampling");
      const sampleStart = performance.now();
      if (current()) performance.mark(MARK_SAMPLING_START);
      const surfaces = await this.pool.sample(snapshot, {
        signal,
        onUpdate: (s, p) => {
          snapshot.surfaces = s as Record<string, Float32Array>;
          view.done = p.done;
          view.total = p.total;
          sink.surfaces(p.done, p.total, p.stage);
          sink.progress({
            phase: "landscape",
            done: p.done,
            total: p.total,
            detail: p.stage === "coarse" ? "coarse picture" : null,
          });
          askBoundary();
        },
      });
      snapshot.surfaces = surfaces as Record<string, Float32Array>;
      // The last tile's redraw runs in a task of its own (store-sink.ts); the end of the job (its
      // figures, the "done" render, what the lab does with the result) in the next one.
      await yieldToEventLoop();
      signal.throwIfAborted();
      askBoundary();
      // How fast this device sampled, with which path: the figure the status line reports.
      const seconds = (performance.now() - sampleStart) / 1000;
      const points = view.total || snapshot.grid.axes.reduce((n, a) => n * a.count, 1);
      const evaluator = (snapshot.producer as { evaluator?: string }).evaluator ?? "?";
      sink.speed(evaluator, points / seconds, snapshot.model.architecture.kind);
      const steps = (snapshot.training as { steps?: unknown } | undefined)?.steps;
      const parameters = snapshot.model.parameters.length;
      const trainCount = config.data.trainCount ?? 0;
      if (typeof steps === "number" && steps > 0 && seconds > 0)
        sink.measured({
          pointsPerSecond: points / seconds,
          workPerPoint: (trainCount + (config.data.testCount ?? 0)) * parameters,
          msPerStep: trainMs / steps,
        });
      sink.progress({
        phase: "landscape",
        done: points,
        total: points,
        detail: `${points}/${points} grid points in ${seconds.toFixed(2)} s (${Math.round(points / seconds)} points/s, ${evaluator})`,
      });
      sink.phase("done");
      return snapshot;
    } catch (err) {
      if (signal.aborted) {
        sink.phase("cancelled");
      } else {
        sink.phase("error", err instanceof Error ? err.message : String(err));
      }
      // Only this job's own failure restores; a job replaced by a newer one leaves the screen to it.
      if (current()) restoreView();
      return null;
    } finally {
      if (this.controller === controller) this.controller = null;
    }
  }
}
