/**
 * A lesson in the browser: its runs go through the lab's jobs (an experiment job per run of a
 * flatness lesson, in the order core/lessons/sequence.ts gives the CLI too; one paths job for a
 * paths lesson), its numbers are measured in a worker, and the lesson panel follows in the store.
 * Another run, another lesson or closing it cancels what is left. No tfjs here.
 */
import type { StoreApi } from "zustand";
import { type AnyLesson, isPathsLesson } from "../core/lessons/parse";
import { evaluatePathsChecks, type PathsLesson, pathsLessonNumbers } from "../core/lessons/paths-lesson";
import type { Lesson } from "../core/lessons/schema";
import { lessonSequence } from "../core/lessons/sequence";
import { fromExperimentConfig } from "../state/config-map";
import type { LandscapeOrigin } from "../state/origin";
import type { AppState } from "../state/store";
import type { ExperimentJob } from "./experiment-job";
import type { PathsJob } from "./paths-job";
import type { ComputePool } from "./pool";

/** What a lesson job runs on: the lab's jobs and pool (taken when used: a backend change replaces them). */
interface LessonJobDeps {
  experiment: () => ExperimentJob;
  paths: PathsJob;
  pool: () => ComputePool;
  /** Where a run of the lesson comes from (its link opens the lesson). */
  origin: (lesson: AnyLesson, config: unknown) => LandscapeOrigin;
}

export class LessonJob {
  /** Aborts the open lesson's measuring step (its runs are cancelled through the jobs). */
  private abort: AbortController | null = null;

  constructor(
    private readonly store: StoreApi<AppState>,
    private readonly deps: LessonJobDeps,
  ) {}

  /**
   * Open a lesson: a flatness lesson's first run, pinned on the left, then its second beside it
   * (one colour scale for both), then both runs' numbers and the checks; a paths lesson's one
   * paths run, its plane shown with the paths, then the checks on its barriers.
   */
  open(lesson: AnyLesson): Promise<void> {
    this.abort?.abort(new Error("cancelled"));
    const controller = new AbortController();
    this.abort = controller;
    const current = () => this.abort === controller && this.store.getState().lesson?.lesson === lesson;
    return isPathsLesson(lesson)
      ? this.openPaths(lesson, current)
      : this.openFlatness(lesson, controller.signal, current);
  }

  /** Close the open lesson (and its comparison); cancels whatever of it still runs. */
  close(): void {
    const open = this.store.getState().lesson;
    if (!open) return;
    this.abort?.abort(new Error("cancelled"));
    this.abort = null;
    if (isPathsLesson(open.lesson)) this.deps.paths.cancel();
    this.deps.experiment().cancel();
    this.store.getState().setLesson(null);
    this.store.getState().setCompare(null);
  }

  /**
   * The controls show a run's settings (keys they do not have, such as a rescaling, stay in the
   * run's config and its snapshot). A run they cannot hold (a CNN, the digits, a graph) runs as
   * written: the controls take what they can and one notice per lesson (`notice`: the first run)
   * says so, rather than one per control.
   */
  private showSettings(lesson: AnyLesson, label: string, config: unknown, notice: boolean): void {
    const st = this.store.getState();
    const unshown = fromExperimentConfig(config).problems;
    if (unshown.length === 0) {
      st.applyPreset(label, config, null);
      return;
    }
    st.adoptSettings(this.deps.origin(lesson, config).settings, null);
    if (notice)
      st.notify(
        `lesson "${lesson.title}" runs as written: the controls cannot show all of it (${unshown[0]})`,
        "info",
      );
  }

  private async openFlatness(lesson: Lesson, signal: AbortSignal, current: () => boolean): Promise<void> {
    const st = () => this.store.getState();
    this.deps.paths.stop();
    st().setCompare(null);
    st().setLesson({
      lesson,
      status: "running",
      step: "",
      metrics: lesson.runs.map(() => null),
      checks: null,
    });
    /** A run ended without a snapshot: the panel says how (the job's error, or cancelled). */
    const stopped = () => {
      const { phase, error } = st().job;
      st().updateLesson({ status: phase === "error" ? "error" : "cancelled", error: error ?? undefined });
    };
    try {
      const outcome = await lessonSequence(lesson, {
        run: async (i) => {
          const run = lesson.runs[i];
          st().updateLesson({ step: `run ${i + 1} of ${lesson.runs.length}: ${run.label}` });
          this.showSettings(lesson, `lesson "${lesson.title}", run ${i + 1}`, run.config, i === 0);
          const snapshot = await this.deps.experiment().run(run.config, this.deps.origin(lesson, run.config));
          if (!current()) throw signal.reason ?? new Error("cancelled");
          if (!snapshot) return null;
          if (i === 0) st().setCompare(st().landscape);
          return snapshot;
        },
        measuring: () =>
          st().updateLesson({ status: "measuring", step: "measuring the curvature of both runs" }),
        measure: async (snapshot) => {
          const metrics = await this.deps.pool().lessonMetrics(snapshot, lesson, signal);
          if (!current()) throw signal.reason ?? new Error("cancelled");
          return metrics;
        },
        measured: (metrics) =>
          st().updateLesson({ metrics: [...metrics, ...lesson.runs.slice(metrics.length).map(() => null)] }),
      });
      if (!current()) return;
      if (!outcome) stopped();
      else st().updateLesson({ status: "done", step: "", checks: outcome.checks });
    } catch (err) {
      if (!current()) return;
      if (signal.aborted) st().updateLesson({ status: "cancelled" });
      else st().updateLesson({ status: "error", error: (err as Error).message });
    }
  }

  private async openPaths(lesson: PathsLesson, current: () => boolean): Promise<void> {
    const st = () => this.store.getState();
    const experiment = this.deps.experiment();
    experiment.cancel();
    st().setCompare(null);
    st().setLesson({
      lesson,
      status: "running",
      step: `paths run: ${lesson.run.label}`,
      metrics: [],
      checks: null,
    });
    // The controls show the run's settings; the paths panel explains the preset of the same name.
    this.showSettings(lesson, `lesson "${lesson.title}"`, lesson.run.config, true);
    const snapshot = await this.deps.paths.run(lesson.run.config, {
      preset: lesson.id,
      origin: this.deps.origin(lesson, lesson.run.config),
      after: () => !this.deps.experiment().running,
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
}
