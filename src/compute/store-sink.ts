/**
 * The store as an experiment job's sink: every report of the job becomes a store update, with
 * the growing landscape's redraws coalesced so the page stays responsive.
 */
import type { StoreApi } from "zustand";
import type { AppState, JobProgress } from "../state/store";
import type { JobSink } from "./job-sink";

/** Redraws of a growing landscape at most this often: each costs main-thread time (colour, contours, slices). */
const SURFACE_UPDATE_MS = 250;
/**
 * ... and for big grids at most every this many ms per grid point (1 s for 201 x 201): a redraw's
 * cost grows with the points (the surface's build, upload and software rasterising, its colour
 * scale, contours and slices), and on a 2-core machine the redraws of a 40,000-point surface
 * every 250 ms kept both cores busy beside the sampling, stretching the page's tasks.
 */
const SURFACE_UPDATE_MS_PER_POINT = 1 / 40;
/** Training epochs reach the charts and the progress line at most this often (a fast run sends hundreds a second). */
const EPOCH_UPDATE_MS = 100;

export function storeSink(
  store: StoreApi<AppState>,
  sourceOf?: () => "calibrated" | "default" | undefined,
): JobSink {
  const s = () => store.getState();
  // Tile results arrive every few ms; coalesce them so the page redraws a few times a second.
  let pending: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** The delay `timer` was set with (an urgent redraw replaces a later one). */
  let timerWait = 0;
  let last = 0;
  let pendingProgress: JobProgress | null = null;
  // Epochs and their progress, coalesced the same way (each chart update redraws uPlot).
  let epochs: Parameters<JobSink["epoch"]>[0][] = [];
  let trainProgress: JobProgress | null = null;
  let epochTimer: ReturnType<typeof setTimeout> | null = null;
  const flushEpochs = () => {
    if (epochTimer) clearTimeout(epochTimer);
    epochTimer = null;
    if (epochs.length > 0) s().appendHistory(epochs);
    epochs = [];
    if (trainProgress) s().setProgress(trainProgress);
    trainProgress = null;
  };
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending === null) return;
    const done = pending;
    pending = null;
    last = performance.now();
    s().landscapeUpdated(done);
    if (pendingProgress) s().setProgress(pendingProgress);
    pendingProgress = null;
  };
  return {
    start(training) {
      // Whatever a replaced job left waiting is not this job's.
      if (epochTimer) clearTimeout(epochTimer);
      if (timer) clearTimeout(timer);
      epochTimer = timer = null;
      epochs = [];
      trainProgress = pendingProgress = null;
      pending = null;
      s().startJob("training");
      s().resetHistory(training);
      s().setPicked(null);
    },
    phase(phase, detail) {
      flushEpochs();
      flush();
      if (phase === "done" || phase === "cancelled") s().finishJob(phase);
      else if (phase === "error") s().finishJob("error", detail);
      else s().setJobPhase(phase);
    },
    progress(p) {
      const train = p.phase === "train";
      // A labelled step (a paths run's) counts what its label says; the plain ones name the unit.
      const progress: JobProgress = p.label
        ? { phase: p.label, done: p.done, total: p.total, detail: p.detail }
        : {
            phase: train ? "training" : "sampling",
            done: p.done,
            total: p.total,
            unit: train ? "epochs" : "grid points",
            detail: p.detail,
          };
      // While a redraw of the growing surface waits, the count waits with it: the progress line
      // and the view's "computing" badge then give the same number.
      if (train) {
        // The worker's epoch callbacks come through their own message port, so the last ones can
        // arrive after the job has moved on (a fast training): a training line then is stale.
        if (s().job.phase !== "training") return;
        trainProgress = progress;
        epochTimer ??= setTimeout(flushEpochs, EPOCH_UPDATE_MS);
      } else if (timer !== null) pendingProgress = progress;
      else s().setProgress(progress);
    },
    epoch(entry) {
      epochs.push(entry);
      epochTimer ??= setTimeout(flushEpochs, EPOCH_UPDATE_MS);
    },
    landscape(view) {
      flushEpochs();
      s().setLandscape(view);
    },
    surfaces(done, total, stage) {
      pending = done;
      // Always in a task of its own, never inline: a tile arrives in Comlink's message task (and
      // the coarse picture in the upsampling's), and the redraw's React render added to it made
      // one task of both (51-84 ms on a busy 2-core machine). The first picture and the last
      // tile go at once (the next task); the others at most every `interval`.
      const urgent = stage === "coarse" || done >= total;
      const interval = Math.max(SURFACE_UPDATE_MS, total * SURFACE_UPDATE_MS_PER_POINT);
      const wait = urgent ? 0 : Math.max(0, interval - (performance.now() - last));
      if (timer !== null) {
        // The redraw already waiting takes these points too, unless this one must come sooner.
        if (!urgent || timerWait === 0) return;
        clearTimeout(timer);
      }
      timerWait = wait;
      timer = setTimeout(flush, wait);
    },
    history(columns) {
      flushEpochs();
      s().setHistory(columns);
    },
    picture(p, of) {
      if (of && s().landscape?.snapshot !== of) return;
      s().setBoundary(p);
    },
    speed(evaluator, pointsPerSecond, modelKind) {
      // Other model kinds take their kind's path (evaluators.ts); MLPs the calibrated (or default) one.
      const source = modelKind === "mlp" ? (sourceOf?.() ?? undefined) : "model";
      s().setEvaluation({ name: evaluator, pointsPerSecond, ...(source ? { source } : {}) });
    },
    measured(speed) {
      s().setMeasuredSpeed(speed);
    },
    keepView() {
      const { landscape, boundary, history } = s();
      return () => {
        s().setLandscape(landscape);
        s().setBoundary(boundary);
        // The charts go back with the landscape they belong to.
        s().setHistory(history);
      };
    },
    warn(message) {
      s().notify(message, "warn");
    },
  };
}
