/**
 * The lab's compute side on the main thread: one worker pool, the running experiment job, the
 * linked inspection of a picked point, snapshot import and export, and the backend calibration.
 * It only orchestrates (workers compute) and reports into the store.
 */
import type { StoreApi } from "zustand";
import type { BackendName } from "../core/backend";
import { pointInSubspace } from "../core/directions/vector";
import { gridPointCount } from "../core/landscape/grid";
import { evaluateChecks } from "../core/lessons/checks";
import type { Lesson, LessonMetrics } from "../core/lessons/schema";
import type { Snapshot } from "../core/snapshot/schema";
import { MARK_CALIBRATION_START } from "../state/marks";
import type { AppState } from "../state/store";
import type { PickedPoint } from "../state/types";
import { startComputeWorker } from "./bridge";
import { ExperimentJob, type JobSink, trajectoryView } from "./experiment-job";
import { boundaryFor } from "./model-picture";
import { ComputePool } from "./pool";

const BACKEND_KEY = "loss-landscape-lab.backend";

function storedBackend(): BackendName | null {
  try {
    const v = localStorage.getItem(BACKEND_KEY);
    return v === "wasm" || v === "webgl" || v === "webgpu" || v === "cpu" ? v : null;
  } catch {
    return null;
  }
}

function forgetBackend(): void {
  try {
    localStorage.removeItem(BACKEND_KEY);
  } catch {
    // storage unavailable: nothing was remembered either
  }
}

/** The calibrated evaluation path, remembered with the backend it was measured on. */
const EVALUATOR_KEY = "loss-landscape-lab.evaluator";

interface StoredEvaluator {
  backend: string;
  evaluator: string;
  pointsPerSecond: number;
}

function storedEvaluator(): StoredEvaluator | null {
  try {
    const v = JSON.parse(localStorage.getItem(EVALUATOR_KEY) ?? "null") as Partial<StoredEvaluator> | null;
    if (v && typeof v.backend === "string" && typeof v.evaluator === "string")
      return { backend: v.backend, evaluator: v.evaluator, pointsPerSecond: Number(v.pointsPerSecond) };
  } catch {
    // unreadable or unavailable storage: calibrate again
  }
  return null;
}

function remember(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // storage may be unavailable (private mode); the choice then applies to this session only
  }
}

function forgetEvaluator(): void {
  try {
    localStorage.removeItem(EVALUATOR_KEY);
  } catch {
    // storage unavailable: nothing was remembered either
  }
}

export interface CalibrationReport {
  backend: string;
  timings: Record<string, number | string>;
  evaluator: string;
  evaluatorTimings: Record<string, number | string>;
  pointsPerSecond: number;
}

/** The store as the job's sink: every report becomes a store update. */
/** Redraws of a growing landscape at most this often: each costs main-thread time (colour, contours, slices). */
const SURFACE_UPDATE_MS = 250;

function storeSink(store: StoreApi<AppState>): JobSink {
  const s = () => store.getState();
  // Tile results arrive every few ms; coalesce them so the page redraws a few times a second.
  let pending: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = 0;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending === null) return;
    const done = pending;
    pending = null;
    last = performance.now();
    s().landscapeUpdated(done);
  };
  return {
    start() {
      s().startJob("training");
      s().resetHistory();
      s().setPicked(null);
    },
    phase(phase, detail) {
      flush();
      if (phase === "done" || phase === "cancelled") s().finishJob(phase);
      else if (phase === "error") s().finishJob("error", detail);
      else s().setJobPhase(phase);
    },
    progress(p) {
      s().setProgress({
        phase: p.phase === "train" ? "training" : "sampling",
        done: p.done,
        total: p.total,
        detail: p.detail,
      });
    },
    epoch(entry) {
      s().appendHistory([entry]);
    },
    landscape(view) {
      s().setLandscape(view);
    },
    surfaces(done, total, stage) {
      pending = done;
      const wait = SURFACE_UPDATE_MS - (performance.now() - last);
      if (stage === "coarse" || done >= total || wait <= 0) flush();
      else timer ??= setTimeout(flush, wait);
    },
    picture(p) {
      s().setBoundary(p);
    },
    speed(evaluator, pointsPerSecond) {
      s().setEvaluation({ name: evaluator, pointsPerSecond });
    },
    warn(message) {
      s().notify(message, "warn");
    },
  };
}

export class Lab {
  pool: ComputePool;
  private job: ExperimentJob;
  /** Called when the workers move to another backend (the status line follows). */
  onBackend?: (backend: string, workers: number) => void;
  private inspectToken = 0;
  /** Aborts the open lesson's measuring step (its runs are cancelled through the job). */
  private lessonAbort: AbortController | null = null;

  constructor(private readonly store: StoreApi<AppState>) {
    this.pool = new ComputePool();
    this.job = new ExperimentJob(this.pool, storeSink(store));
  }

  /**
   * Start the workers on the remembered (or default) backend, prove it with a real tile and the
   * self-check, fall back to wasm when a remembered GPU backend fails, and report which one runs.
   */
  async start(): Promise<{ backend: string; workers: number; selfCheck: string }> {
    const remembered = storedBackend();
    const preferred: BackendName[] = remembered ? [remembered, "wasm", "cpu"] : ["wasm", "webgl", "cpu"];
    try {
      let init = await this.pool.init(preferred);
      if (init.backend !== "wasm") {
        try {
          await this.pool.checkBackend();
        } catch (err) {
          // A remembered GPU backend that cannot run real work is dropped before any job.
          forgetBackend();
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
      this.store.getState().setBackend(`${init.backend} x${this.pool.size} workers`);
      await this.applyRememberedEvaluator(init.backend);
      return {
        backend: init.backend,
        workers: this.pool.size,
        selfCheck: check.ok ? "self-check ok" : `self-check FAILED (${check.error})`,
      };
    } catch (err) {
      this.store.getState().notify(`compute workers failed to start: ${(err as Error).message}`, "error");
      throw err;
    }
  }

  /**
   * Run a lesson: its first run, pinned on the left, then its second run beside it (one colour
   * scale for both, as the comparison view draws them), then both runs' numbers (curvature with
   * the lesson's settings, in a worker) and the lesson's checks. Another run, another lesson or
   * closing it cancels what is left.
   */
  async openLesson(lesson: Lesson): Promise<void> {
    const st = () => this.store.getState();
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
      st().applyPreset(`lesson "${lesson.title}", run ${i + 1}`, run.config);
      const snapshot = await this.job.run(run.config);
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

  /** Close the open lesson (and its comparison); cancels whatever of it still runs. */
  closeLesson(): void {
    if (!this.store.getState().lesson) return;
    this.lessonAbort?.abort(new Error("cancelled"));
    this.lessonAbort = null;
    this.job.cancel();
    this.store.getState().setLesson(null);
    this.store.getState().setCompare(null);
  }

  run(): Promise<Snapshot | null> {
    // A run of the lab's own settings ends the open lesson.
    if (this.store.getState().lesson) this.closeLesson();
    let config: unknown;
    try {
      config = this.store.getState().toExperimentConfig();
    } catch (err) {
      this.store.getState().notify((err as Error).message, "error");
      return Promise.resolve(null);
    }
    return this.job.run(config).then(async (snapshot) => {
      const job = this.store.getState().job;
      if (job.phase === "error" && job.error) {
        this.store.getState().notify(job.error, "error");
        const init = await this.pool.init();
        if (init.backend !== "wasm" && storedBackend() === init.backend) {
          // A remembered backend that fails real work is forgotten, so the next start is on wasm.
          forgetBackend();
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

  cancel(): void {
    this.job.cancel();
  }

  /** Stop everything and start a fresh pool (a backend change). */
  private replacePool(): void {
    this.job.cancel();
    this.pool.terminate();
    this.pool = new ComputePool();
    this.job = new ExperimentJob(this.pool, storeSink(this.store));
  }

  /** Play / pause / step of the running training. */
  trainingControl(action: "pause" | "resume" | "step"): void {
    this.pool.trainingControl(action);
  }

  /** Stop whatever runs and clear the landscape and the training curves. */
  reset(): void {
    this.job.cancel();
    const st = this.store.getState();
    st.resetHistory();
    st.setLandscape(null);
    st.setBoundary(null);
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

  /** Show an imported snapshot as the current landscape, without recomputing it. */
  async show(snapshot: Snapshot): Promise<void> {
    const total = gridPointCount(snapshot.grid);
    this.store
      .getState()
      .setLandscape({ snapshot, done: total, total, trajectory: trajectoryView(snapshot) });
    this.store.getState().resetHistory();
    await this.inspect(null);
  }

  /**
   * Use the evaluation path calibrated on this device when it was measured on the backend that
   * runs now; otherwise (or when the workers cannot run it) the backend's default path.
   */
  private async applyRememberedEvaluator(backend: string): Promise<void> {
    const remembered = storedEvaluator();
    if (remembered && remembered.backend === backend) {
      try {
        const name = await this.pool.selectEvaluator(remembered.evaluator);
        this.store.getState().setEvaluation({ name, source: "calibrated" });
        return;
      } catch (err) {
        forgetEvaluator();
        this.store
          .getState()
          .notify(`the remembered evaluation path cannot run: ${(err as Error).message}`, "warn");
      }
    }
    const name = await this.pool.selectEvaluator(null);
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
      remember(BACKEND_KEY, result.backend);
      remember(
        EVALUATOR_KEY,
        JSON.stringify({
          backend: result.backend,
          evaluator: result.evaluator,
          pointsPerSecond: result.pointsPerSecond,
        } satisfies StoredEvaluator),
      );
      const running = await this.pool.init();
      if (running.backend === result.backend) await this.applyRememberedEvaluator(running.backend);
      return result;
    } finally {
      w.terminate();
    }
  }

  terminate(): void {
    this.job.cancel();
    this.pool.terminate();
  }
}
