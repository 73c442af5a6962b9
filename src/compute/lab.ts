/**
 * The lab: the one facade the app talks to on the main thread. It owns the worker pool and the
 * jobs (experiment-job.ts, paths-job.ts, lesson-job.ts, all reporting through the store's
 * JobSink), and hands the rest to one file each: the local library (lab-library.ts), the
 * calibration of paths (calibration.ts), the paths panel's t slider (paths-slider.ts), the
 * review of a plot (landscape-review.ts). No tfjs here: workers compute.
 */
import type { StoreApi } from "zustand";
import type { BackendName } from "../core/backend";
import { canonicalJson } from "../core/canonical-json";
import { resolveConfig } from "../core/config/resolve";
import { pointInSubspace } from "../core/directions/vector";
import { gridPointCount } from "../core/landscape/grid";
import type { AnyLesson } from "../core/lessons/parse";
import type { Snapshot } from "../core/snapshot/schema";
import { yieldToEventLoop } from "../core/yield";
import type { LibraryEntry } from "../library/snapshot-db";
import { configOrigin, type LandscapeOrigin, runOrigin } from "../state/origin";
import { historyOfSnapshot } from "../state/snapshot-history";
import type { AppState } from "../state/store";
import type { PickedPoint } from "../state/types";
import { applyRememberedPaths, type CalibrationReport, calibrateDevice } from "./calibration";
import { ExperimentJob, trajectoryView } from "./experiment-job";
import { LabLibrary } from "./lab-library";
import { type LandscapeReview, reviewShown } from "./landscape-review";
import { LessonJob } from "./lesson-job";
import { boundaryFor, type ModelPicture } from "./model-picture";
import { PathsJob } from "./paths-job";
import { PathsSlider } from "./paths-slider";
import { ComputePool } from "./pool";
import { BACKEND_KEY, forget, storedBackend, storedEvaluator } from "./remembered-choice";
import { storeSink } from "./store-sink";
import { prestartSurfaceWorker } from "./surface-bridge";

export { workerCounts } from "./bridge";
export type { CalibrationReport } from "./calibration";

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
type FirstRun = "ran" | "restored" | "skipped";

export class Lab {
  pool: ComputePool;
  private job: ExperimentJob;
  /** Called when the workers move to another backend (the status line follows). */
  onBackend?: (backend: string, workers: number) => void;
  private inspectToken = 0;
  /** How the MLP evaluation path was chosen (what the status line says after an MLP job). */
  private evaluationSource: "calibrated" | "default" | undefined;
  /** Paths between minima (paths-job.ts). */
  private readonly pathsJob: PathsJob;
  /** The open lesson's runs, numbers and checks (lesson-job.ts). */
  private readonly lessons: LessonJob;
  /** The local library and the last result (IndexedDB). */
  private readonly library = new LabLibrary();
  /** The paths panel's t slider (paths-slider.ts). */
  readonly paths: PathsSlider;

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
    const sink = storeSink(store, () => this.evaluationSource);
    this.job = new ExperimentJob(this.pool, sink);
    this.pathsJob = new PathsJob(() => this.pool, sink);
    this.paths = new PathsSlider(() => this.pool, store);
    this.lessons = new LessonJob(store, {
      experiment: () => this.job,
      paths: this.pathsJob,
      pool: () => this.pool,
      origin: (lesson, config) => this.lessonOrigin(lesson, config),
    });
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
      prestartSurfaceWorker();
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
      this.pathsJob.running ||
      s.job.phase !== "idle" ||
      s.lesson !== null ||
      s.landscape !== null ||
      s.imported !== null
    );
  }

  /**
   * Open a lesson (lesson-job.ts): its runs, their numbers and its checks. Another run, another
   * lesson or closing it cancels what is left.
   */
  openLesson(lesson: AnyLesson): Promise<void> {
    return this.lessons.open(lesson);
  }

  /** Close the open lesson (and its comparison); cancels whatever of it still runs. */
  closeLesson(): void {
    this.lessons.close();
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
    this.pathsJob.stop();
    return this.job.run(config, origin, files, options).then(async (snapshot) => {
      if (snapshot) {
        // After the task that renders the finished job: its checks and the copy kept for a reload
        // (a serialisation of the whole snapshot) are a task of their own.
        await yieldToEventLoop();
        this.reportHoles(snapshot);
        void this.library.rememberLast(snapshot);
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
    this.pathsJob.cancel();
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
    return this.pathsJob.run(config, { preset, after: () => !this.job.running, origin });
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
    this.pathsJob.cancel();
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
    this.pathsJob.cancel();
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

  /** The data plot's picture of `snapshot`'s network at `parameters` (model-picture.ts; null: none for its kind). */
  pictureAt(snapshot: Snapshot, parameters: Float32Array): Promise<ModelPicture | null> {
    return boundaryFor(this.pool, snapshot, parameters);
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
    void this.library.rememberLast(snapshot);
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
      // It runs once per result, on the main thread: the typed array's own search (native code,
      // SameValueZero finds NaN) says whether to count at all; a loop here took 7-25 ms of a
      // 201 x 201 job's last task while the machine was busy.
      if (!values.includes(Number.NaN) && !values.includes(Infinity) && !values.includes(-Infinity)) continue;
      let holes = 0;
      for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) holes++;
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

  /** `createdAt` of the last result once IndexedDB has it (lab-library.ts; tests wait for it). */
  get lastSaved(): string | null {
    return this.library.lastSaved;
  }

  /**
   * After a reload: show the last result when it is the experiment the settings (the URL)
   * describe, instead of computing it again. Returns whether it did.
   */
  async restoreLast(): Promise<boolean> {
    const last = await this.library.loadLast();
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
    return this.library.save(name, snapshot, thumbnail(snapshot));
  }

  listLibrary(): Promise<LibraryEntry[]> {
    return this.library.list();
  }

  /**
   * Show a saved snapshot, named `name` in the library, as the current landscape (`compare`:
   * beside it, on the shared scale).
   */
  async openFromLibrary(id: number, name: string, as: "current" | "compare" = "current"): Promise<void> {
    const snapshot = await this.library.load(id);
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

  removeFromLibrary(id: number): Promise<void> {
    return this.library.remove(id);
  }

  /** The remembered (or default) evaluation and training paths on `backend` (calibration.ts). */
  private async applyRememberedEvaluator(backend: string): Promise<void> {
    let applied: Awaited<ReturnType<typeof applyRememberedPaths>>;
    try {
      applied = await applyRememberedPaths(this.pool, backend, () => this.stopped);
    } catch (err) {
      if (this.stopped) throw new LabStoppedError(); // stopped, not a path that cannot run
      throw err;
    }
    if (applied.dropped)
      this.store.getState().notify(`the remembered evaluation path cannot run: ${applied.dropped}`, "warn");
    this.evaluationSource = applied.source;
    this.store
      .getState()
      .setEvaluation(
        applied.source === "calibrated"
          ? { name: applied.evaluator, source: "calibrated" }
          : { name: applied.evaluator, source: "default", pointsPerSecond: null },
      );
  }

  /** Whether this device has a calibrated evaluation path remembered (calibration runs once). */
  get calibrated(): boolean {
    return storedEvaluator() !== null;
  }

  /**
   * Calibrate this device (calibration.ts) and remember the choice for the next start. A better
   * path on the running backend is used at once; a better backend from the next start.
   */
  async calibrate(): Promise<CalibrationReport> {
    const result = await calibrateDevice();
    const running = await this.pool.init();
    if (running.backend === result.backend) await this.applyRememberedEvaluator(running.backend);
    return result;
  }

  /** Stop everything for good (the page unmounts the lab); a start still under way rejects quietly. */
  terminate(): void {
    this.stopped = true;
    this.job.cancel();
    this.pathsJob.cancel();
    this.pool.terminate();
  }
}
