/**
 * The lab's compute side on the main thread: one worker pool, the running experiment job, the
 * linked inspection of a picked point, snapshot import and export, and the backend calibration.
 * It only orchestrates (workers compute) and reports into the store.
 */
import type { StoreApi } from "zustand";
import type { BackendName } from "../core/backend";
import { canonicalJson } from "../core/canonical-json";
import { resolveConfig } from "../core/config/resolve";
import { pointInSubspace } from "../core/directions/vector";
import { gridPointCount } from "../core/landscape/grid";
import { evaluateChecks } from "../core/lessons/checks";
import { type AnyLesson, isPathsLesson } from "../core/lessons/parse";
import { evaluatePathsChecks, type PathsLesson, pathsLessonNumbers } from "../core/lessons/paths-lesson";
import type { LessonMetrics } from "../core/lessons/schema";
import type { Snapshot } from "../core/snapshot/schema";
import { type LibraryEntry, SnapshotDb } from "../library/snapshot-db";
import { MARK_CALIBRATION_START } from "../state/marks";
import { configOrigin, type LandscapeOrigin, runOrigin } from "../state/origin";
import { historyOfSnapshot } from "../state/snapshot-history";
import type { AppState } from "../state/store";
import type { PickedPoint } from "../state/types";
import { startComputeWorker } from "./bridge";
import { ExperimentJob, trajectoryView } from "./experiment-job";
import { type LandscapeReview, reviewShown } from "./landscape-review";
import { boundaryFor } from "./model-picture";
import { PathsJob } from "./paths-job";
import { ComputePool } from "./pool";
import {
  BACKEND_KEY,
  EVALUATOR_KEY,
  forget,
  rememberChoice,
  storedBackend,
  storedEvaluator,
} from "./remembered-choice";
import { workerSnapshotCodec } from "./snapshot-io-bridge";
import { storeSink } from "./store-sink";

/**
 * Why a lab's start() rejects when terminate() stopped the lab on purpose while it started (the
 * page unmounted it; React StrictMode mounts twice in development and stops the first lab). It
 * is not a failure: nothing is reported, and the caller drops the stopped lab.
 */
export class LabStoppedError extends Error {
  constructor() {
    super("the lab was stopped while it started");
    this.name = "LabStoppedError";
  }
}

/** What the automatic first run of a page load did (Lab.firstRun). */
export type FirstRun = "ran" | "restored" | "skipped";

export interface CalibrationReport {
  backend: string;
  timings: Record<string, number | string>;
  evaluator: string;
  evaluatorTimings: Record<string, number | string>;
  pointsPerSecond: number;
  /** The training path chosen (kernel/training-path.ts) and milliseconds per step of each. */
  training: string;
  trainingTimings: Record<string, number | string>;
}

export class Lab {
  pool: ComputePool;
  private job: ExperimentJob;
  /** Called when the workers move to another backend (the status line follows). */
  onBackend?: (backend: string, workers: number) => void;
  private inspectToken = 0;
  /** Aborts the open lesson's measuring step (its runs are cancelled through the job). */
  private lessonAbort: AbortController | null = null;
  /** How the MLP evaluation path was chosen (what the status line says after an MLP job). */
  private evaluationSource: "calibrated" | "default" | undefined;
  /** The local library and last result (IndexedDB); null where storage is unavailable. */
  private db: Promise<SnapshotDb | null> | null = null;
  /** Paths between minima (paths-job.ts): its run and the paths panel's t slider. */
  readonly paths: PathsJob;

  /** Set by terminate(): the lab was stopped on purpose and starts nothing more. */
  private stopped = false;

  /**
   * @param makePool makes the worker pool (at start, and again after a backend change); tests
   * pass a stand-in, since Node has no web workers.
   */
  constructor(
    private readonly store: StoreApi<AppState>,
    private readonly makePool: () => ComputePool = () => new ComputePool(),
  ) {
    this.pool = makePool();
    this.job = new ExperimentJob(
      this.pool,
      storeSink(store, () => this.evaluationSource),
    );
    this.paths = new PathsJob(() => this.pool, store);
  }

  /**
   * Start the workers on the remembered (or default) backend, prove it with a real tile and the
   * self-check, fall back to wasm when a remembered GPU backend fails, and report which one runs.
   * A start that fails posts an error message and rejects with the reason; a start cancelled by
   * terminate() rejects with LabStoppedError and posts nothing (stopping a lab is not a failure).
   */
  async start(): Promise<{ backend: string; workers: number; selfCheck: string }> {
    const remembered = storedBackend();
    const preferred: BackendName[] = remembered ? [remembered, "wasm", "cpu"] : ["wasm", "webgl", "cpu"];
    try {
      this.throwIfStopped();
      let init = await this.pool.init(preferred);
      this.throwIfStopped();
      if (init.backend !== "wasm") {
        try {
          await this.pool.checkBackend();
        } catch (err) {
          this.throwIfStopped();
          // A remembered GPU backend that cannot run real work is dropped before any job.
          forget(BACKEND_KEY);
          this.store
            .getState()
            .notify(
              `the ${init.backend} backend failed a test run (${(err as Error).message}); using wasm`,
              "warn",
            );
          this.replacePool();
          init = await this.pool.init(["wasm", "cpu"]);
        }
      }
      const check = await this.pool.primary.api.selfCheck();
      this.throwIfStopped();
      this.store.getState().setBackend(`${init.backend} x${this.pool.size} workers`);
      await this.applyRememberedEvaluator(init.backend);
      this.throwIfStopped();
      return {
        backend: init.backend,
        workers: this.pool.size,
        selfCheck: check.ok ? "self-check ok" : `self-check FAILED (${check.error})`,
      };
    } catch (err) {
      // The workers' "compute worker was stopped" after terminate() is the stop itself, not a failure.
      if (this.stopped) throw new LabStoppedError();
      this.store.getState().notify(`compute workers failed to start: ${(err as Error).message}`, "error");
      throw err;
    }
  }

  private throwIfStopped(): void {
    if (this.stopped) throw new LabStoppedError();
  }

  /**
   * The automatic first run of a page load, so that a person opening the app sees a landscape
   * without touching anything: the last result when it is the experiment the settings (the URL)
   * describe (restoreLast), else a run of those settings. It never replaces a choice: when
   * anything already runs, ran or is shown (a preset, a lesson, Run, an imported file, picked
   * while the workers started), it does nothing, and that choice is what runs and is shown.
   *
   * @example await lab.start(); await lab.firstRun(); // "ran", "restored" or "skipped"
   */
  async firstRun(): Promise<FirstRun> {
    if (this.chosen()) return "skipped";
    if (await this.restoreLast()) return "restored";
    if (this.chosen()) return "skipped";
    await this.run();
    return "ran";
  }

  /** Whether the lab is stopped, or anything runs, ran or is shown (firstRun leaves it alone). */
  private chosen(): boolean {
    const s = this.store.getState();
    return (
      this.stopped ||
      this.job.running ||
      this.paths.running ||
      s.job.phase !== "idle" ||
      s.lesson !== null ||
      s.landscape !== null ||
      s.imported !== null
    );
  }

  /**
   * Run a lesson: its first run, pinned on the left, then its second run beside it (one colour
   * scale for both, as the comparison view draws them), then both runs' numbers (curvature with
   * the lesson's settings, in a worker) and the lesson's checks. Another run, another lesson or
   * closing it cancels what is left.
   */
  async openLesson(lesson: AnyLesson): Promise<void> {
    if (isPathsLesson(lesson)) return this.openPathsLesson(lesson);
    const st = () => this.store.getState();
    this.paths.stop();
    this.lessonAbort?.abort(new Error("cancelled"));
    const controller = new AbortController();
    this.lessonAbort = controller;
    const current = () => this.lessonAbort === controller && st().lesson?.lesson === lesson;
    st().setCompare(null);
    st().setLesson({
      lesson,
      status: "running",
      step: "",
      metrics: lesson.runs.map(() => null),
      checks: null,
    });
    const snapshots: Snapshot[] = [];
    for (const [i, run] of lesson.runs.entries()) {
      st().updateLesson({ step: `run ${i + 1} of ${lesson.runs.length}: ${run.label}` });
      // The controls show the run's settings (keys the controls do not have, such as a
      // rescaling, stay in the run's config and in its snapshot).
      st().applyPreset(`lesson "${lesson.title}", run ${i + 1}`, run.config, null);
      const snapshot = await this.job.run(run.config, this.lessonOrigin(lesson, run.config));
      if (!current()) return;
      if (!snapshot) {
        const { phase, error } = st().job;
        st().updateLesson({ status: phase === "error" ? "error" : "cancelled", error: error ?? undefined });
        return;
      }
      snapshots.push(snapshot);
      if (i === 0) st().setCompare(st().landscape);
    }
    st().updateLesson({ status: "measuring", step: "measuring the curvature of both runs" });
    try {
      const metrics: LessonMetrics[] = [];
      for (const snapshot of snapshots) {
        metrics.push(await this.pool.lessonMetrics(snapshot, lesson, controller.signal));
        if (!current()) return;
        st().updateLesson({ metrics: [...metrics, ...lesson.runs.slice(metrics.length).map(() => null)] });
      }
      const checks = evaluateChecks(
        lesson,
        metrics,
        snapshots.map((s) => s.surfaces.train_loss),
      );
      st().updateLesson({ status: "done", step: "", checks });
    } catch (err) {
      if (!current()) return;
      if (controller.signal.aborted) st().updateLesson({ status: "cancelled" });
      else st().updateLesson({ status: "error", error: (err as Error).message });
    }
  }

  /**
   * Run a paths lesson: its one paths run (as the paths presets run, after whatever experiment
   * runs has stopped), its plane as the current landscape with both paths drawn, then the checks
   * on its barriers. Another run, another lesson or closing it cancels the run.
   */
  private async openPathsLesson(lesson: PathsLesson): Promise<void> {
    const st = () => this.store.getState();
    this.lessonAbort?.abort(new Error("cancelled"));
    const controller = new AbortController();
    this.lessonAbort = controller;
    const current = () => this.lessonAbort === controller && st().lesson?.lesson === lesson;
    this.job.cancel();
    st().setCompare(null);
    st().setLesson({
      lesson,
      status: "running",
      step: `paths run: ${lesson.run.label}`,
      metrics: [],
      checks: null,
    });
    // The controls show the run's settings; the paths panel explains the preset of the same name.
    st().applyPreset(`lesson "${lesson.title}"`, lesson.run.config, null);
    const snapshot = await this.paths.run(lesson.run.config, {
      preset: lesson.id,
      origin: this.lessonOrigin(lesson, lesson.run.config),
      after: () => !this.job.running,
    });
    if (!current()) return;
    if (!snapshot?.paths) {
      const { phase, error } = st().job;
      st().updateLesson({
        status: phase === "error" ? "error" : "cancelled",
        error: snapshot ? "the paths run wrote no paths section" : (error ?? undefined),
      });
      return;
    }
    st().updateLesson({
      status: "done",
      step: "",
      pathNumbers: pathsLessonNumbers(snapshot.paths),
      checks: evaluatePathsChecks(lesson, snapshot.paths),
    });
  }

  /** Close the open lesson (and its comparison); cancels whatever of it still runs. */
  closeLesson(): void {
    const open = this.store.getState().lesson;
    if (!open) return;
    this.lessonAbort?.abort(new Error("cancelled"));
    this.lessonAbort = null;
    if (isPathsLesson(open.lesson)) this.paths.cancel();
    this.job.cancel();
    this.store.getState().setLesson(null);
    this.store.getState().setCompare(null);
  }

  /**
   * Run an experiment config as written (one the controls cannot hold, e.g. a CNN preset, or
   * files picked in this browser); `origin` says where it comes from (default: the controls).
   */
  runConfig(
    config: unknown,
    files?: Record<string, Uint8Array>,
    origin: LandscapeOrigin = this.settingsOrigin(),
    options: { paused?: boolean } = {},
  ): Promise<Snapshot | null> {
    // Another experiment ends the open lesson and stops a paths run.
    if (this.store.getState().lesson) this.closeLesson();
    this.paths.stop();
    return this.job.run(config, origin, files, options).then(async (snapshot) => {
      if (snapshot) {
        this.reportHoles(snapshot);
        void this.rememberLast(snapshot);
      }
      const job = this.store.getState().job;
      if (job.phase === "error" && job.error) {
        this.store.getState().notify(job.error, "error");
        const init = await this.pool.init();
        if (init.backend !== "wasm" && storedBackend() === init.backend) {
          // A remembered backend that fails real work is forgotten, so the next start is on wasm.
          forget(BACKEND_KEY);
          this.store
            .getState()
            .notify(
              `the ${init.backend} backend failed; the lab starts on wasm next time (reload to switch now)`,
              "warn",
            );
        }
      }
      return snapshot;
    });
  }

  /**
   * Run the experiment the settings (the controls, the URL) describe; `paused`: its training
   * waits before the first epoch for Step or Play (trainingControl).
   */
  run(options: { paused?: boolean } = {}): Promise<Snapshot | null> {
    let config: unknown;
    try {
      config = this.store.getState().toExperimentConfig();
    } catch (err) {
      this.store.getState().notify((err as Error).message, "error");
      return Promise.resolve(null);
    }
    return this.runConfig(config, undefined, this.settingsOrigin(), options);
  }

  cancel(): void {
    this.job.cancel();
    this.paths.cancel();
  }

  /**
   * Run a config's paths between minima (a config with a `paths` section; paths-job.ts) after
   * the running experiment or lesson has stopped; its plane becomes the current landscape.
   */
  runPaths(config: unknown, preset: string): Promise<Snapshot | null> {
    if (this.store.getState().lesson) this.closeLesson();
    this.job.cancel();
    const origin = configOrigin("preset", preset, config, this.store.getState().settings, {
      key: "preset",
      value: preset,
    });
    return this.paths.run(config, { preset, after: () => !this.job.running, origin });
  }

  /**
   * The origin of a run of the current settings: a preset's when the preset picker still names
   * one (its settings untouched since), else a plain run of the controls.
   */
  private settingsOrigin(): LandscapeOrigin {
    const { settings, presetName } = this.store.getState();
    if (!presetName) return runOrigin(settings);
    return { ...runOrigin(settings), kind: "preset", name: presetName };
  }

  /** A lesson's run: its settings where the controls can hold them; its link opens the lesson. */
  private lessonOrigin(lesson: AnyLesson, config: unknown): LandscapeOrigin {
    return configOrigin("lesson", lesson.title, config, this.store.getState().settings, {
      key: "lesson",
      value: lesson.id,
    });
  }

  /** Stop everything and start a fresh pool (a backend change). */
  private replacePool(): void {
    this.job.cancel();
    this.paths.cancel();
    this.pool.terminate();
    this.pool = this.makePool();
    this.job = new ExperimentJob(
      this.pool,
      storeSink(this.store, () => this.evaluationSource),
    );
  }

  /** Play / pause / step of the running training. */
  trainingControl(action: "pause" | "resume" | "step"): void {
    this.pool.trainingControl(action);
  }

  /** Stop whatever runs and clear the landscape and the training curves. */
  reset(): void {
    this.job.cancel();
    this.paths.cancel();
    const st = this.store.getState();
    st.resetHistory();
    st.setLandscape(null);
    st.setBoundary(null);
    st.clearJob();
  }

  /** Linked inspection: the decision boundary (or curve) of the network at a picked grid point. */
  async inspect(point: PickedPoint | null): Promise<void> {
    const st = this.store.getState();
    st.setPicked(point);
    const snapshot = st.landscape?.snapshot;
    if (!snapshot) return;
    const token = ++this.inspectToken;
    const coords = snapshot.grid.axes.length === 2 ? [point?.x ?? 0, point?.y ?? 0] : [point?.x ?? 0];
    const parameters = point
      ? pointInSubspace(
          snapshot.model.parameters,
          snapshot.directions.map((d) => d.values),
          coords,
        )
      : snapshot.model.parameters;
    try {
      const picture = await boundaryFor(this.pool, snapshot, parameters);
      if (token === this.inspectToken) this.store.getState().setBoundary(picture);
    } catch (err) {
      this.store.getState().notify(`cannot draw the model at that point: ${(err as Error).message}`, "warn");
    }
  }

  /**
   * Show a snapshot (imported, from the library, the last result) as the current landscape,
   * without recomputing it: the controls are given its settings (what they can hold of them,
   * the badge says the rest), the training charts its history.
   */
  async show(
    snapshot: Snapshot,
    from: { kind: "file" | "library" | "restored"; name: string | null },
  ): Promise<void> {
    const st = this.store.getState();
    const origin = configOrigin(from.kind, from.name, snapshot.config, st.settings);
    st.adoptSettings(origin.settings, null);
    const total = gridPointCount(snapshot.grid);
    st.setLandscape({ snapshot, done: total, total, trajectory: trajectoryView(snapshot), origin });
    st.setHistory(historyOfSnapshot(snapshot));
    this.reportHoles(snapshot);
    void this.rememberLast(snapshot);
    await this.inspect(null);
  }

  /**
   * "Is my plot right?" for what is shown (landscape-review.ts): the model's own loss at theta is
   * computed by the workers; an imported surface file is reviewed without it. Null: nothing shown.
   */
  review(): Promise<LandscapeReview | null> {
    const st = this.store.getState();
    if (st.landscape) {
      const s = st.landscape.snapshot;
      return reviewShown(this.pool, {
        kind: "snapshot",
        snapshot: s,
        name: `${s.data.name}, created ${s.createdAt}`,
      });
    }
    if (st.imported)
      return reviewShown(this.pool, {
        kind: "surface",
        view: st.imported.snapshot,
        name: st.imported.snapshot.source,
      });
    return Promise.resolve(null);
  }

  /** Say how many grid points are holes (NaN or Infinity): they are drawn as gaps, not as values. */
  private reportHoles(snapshot: Snapshot): void {
    for (const [name, values] of Object.entries(snapshot.surfaces)) {
      let holes = 0;
      for (const v of values) if (!Number.isFinite(v)) holes++;
      if (holes > 0) {
        this.store
          .getState()
          .notify(
            `${name}: ${holes} of ${values.length} grid points are not finite (NaN or Infinity); they are drawn as holes`,
            "warn",
          );
        return;
      }
    }
  }

  private library(): Promise<SnapshotDb | null> {
    // Snapshots are written and read in the snapshot worker: the page never waits for gzip or validation.
    this.db ??= SnapshotDb.open(undefined, workerSnapshotCodec).catch(() => null);
    return this.db;
  }

  private async requireLibrary(): Promise<SnapshotDb> {
    const db = await this.library();
    if (!db) throw new Error("the local library is unavailable (this browser blocks IndexedDB here)");
    return db;
  }

  /**
   * `createdAt` of the snapshot last written as the last result, once IndexedDB has it. The write
   * (gzip in the snapshot worker, then IndexedDB) ends some time after the job's "done": a reload
   * in between finds the previous last result (tests wait for this before they reload).
   */
  lastSaved: string | null = null;

  /** Keep the landscape on screen as the last result, so a reload shows it again. */
  private async rememberLast(snapshot: Snapshot): Promise<void> {
    try {
      const db = await this.library();
      await db?.saveLast(snapshot);
      if (db) this.lastSaved = snapshot.createdAt;
    } catch {
      // storage full or unavailable: the result stays on screen, only the reload copy is missing
    }
  }

  /**
   * After a reload: show the last result when it is the experiment the settings (the URL)
   * describe, instead of computing it again. Returns whether it did.
   */
  async restoreLast(): Promise<boolean> {
    const last = await (await this.library())?.loadLast().catch(() => null);
    // A choice made while the library was read (a preset, a lesson, a file) wins.
    if (!last || this.chosen()) return false;
    let wanted: unknown;
    try {
      wanted = resolveConfig(this.store.getState().toExperimentConfig());
    } catch {
      return false;
    }
    if (canonicalJson(wanted) !== canonicalJson(last.config)) return false;
    await this.show(last, { kind: "restored", name: null });
    this.store
      .getState()
      .notify("restored the last result of this experiment (Run computes it again)", "info");
    return true;
  }

  /**
   * Save the current landscape in the local library under `name` (with a thumbnail the view
   * made from it); returns its id.
   */
  async saveToLibrary(name: string, thumbnail: (s: Snapshot) => string = () => ""): Promise<number> {
    const snapshot = this.store.getState().landscape?.snapshot;
    if (!snapshot || this.store.getState().job.phase === "sampling")
      throw new Error("there is no finished landscape to save yet");
    return (await this.requireLibrary()).save(name, snapshot, thumbnail(snapshot));
  }

  async listLibrary(): Promise<LibraryEntry[]> {
    const db = await this.library();
    return db ? db.list() : [];
  }

  /**
   * Show a saved snapshot, named `name` in the library, as the current landscape (`compare`:
   * beside it, on the shared scale).
   */
  async openFromLibrary(id: number, name: string, as: "current" | "compare" = "current"): Promise<void> {
    const snapshot = await (await this.requireLibrary()).load(id);
    if (as === "current") {
      await this.show(snapshot, { kind: "library", name });
      return;
    }
    const total = gridPointCount(snapshot.grid);
    const origin = configOrigin("library", name, snapshot.config, this.store.getState().settings);
    this.store
      .getState()
      .setCompare({ snapshot, done: total, total, trajectory: trajectoryView(snapshot), origin });
  }

  async removeFromLibrary(id: number): Promise<void> {
    await (await this.requireLibrary()).remove(id);
  }

  /**
   * Use the evaluation path (and training path) calibrated on this device when it was measured on
   * the backend that runs now; otherwise (or when the workers cannot run it) the backend's default
   * evaluation path and the "auto" training path.
   */
  private async applyRememberedEvaluator(backend: string): Promise<void> {
    const remembered = storedEvaluator();
    if (remembered && remembered.backend === backend) {
      try {
        await this.pool.selectTrainingPath(remembered.training ?? null);
        const name = await this.pool.selectEvaluator(remembered.evaluator);
        this.evaluationSource = "calibrated";
        this.store.getState().setEvaluation({ name, source: "calibrated" });
        return;
      } catch (err) {
        if (this.stopped) throw new LabStoppedError(); // stopped, not a path that cannot run
        forget(EVALUATOR_KEY);
        this.store
          .getState()
          .notify(`the remembered evaluation path cannot run: ${(err as Error).message}`, "warn");
      }
    }
    await this.pool.selectTrainingPath(null);
    const name = await this.pool.selectEvaluator(null);
    this.evaluationSource = "default";
    this.store.getState().setEvaluation({ name, source: "default", pointsPerSecond: null });
  }

  /** Whether this device has a calibrated evaluation path remembered (calibration runs once). */
  get calibrated(): boolean {
    return storedEvaluator() !== null;
  }

  /**
   * Time the candidate backends, then every evaluation path on the fastest backend, in a throwaway
   * worker (so running jobs are not disturbed), and remember both for the next start. A better
   * path on the running backend is used at once; a better backend from the next start.
   */
  async calibrate(): Promise<CalibrationReport> {
    performance.mark(MARK_CALIBRATION_START);
    const w = startComputeWorker();
    try {
      await w.api.init(["wasm", "cpu"]);
      const candidates: BackendName[] = ["wasm", "webgl", "webgpu"];
      const result = await Promise.race([w.api.calibrate(candidates), w.failed]);
      rememberChoice({
        backend: result.backend,
        evaluator: result.evaluator,
        pointsPerSecond: result.pointsPerSecond,
        training: result.training,
      });
      const running = await this.pool.init();
      if (running.backend === result.backend) await this.applyRememberedEvaluator(running.backend);
      return result;
    } finally {
      w.terminate();
    }
  }

  /** Stop everything for good (the page unmounts the lab); a start still under way rejects quietly. */
  terminate(): void {
    this.stopped = true;
    this.job.cancel();
    this.paths.cancel();
    this.pool.terminate();
  }
}
