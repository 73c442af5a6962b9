/**
 * What a job (an experiment, a paths run) reports, and to whom: every job of the lab reports
 * through one JobSink (the store's is store-sink.ts), so the progress bar, the charts and the
 * landscape follow any job the same way. No tfjs here.
 */
import type { HistoryEntry } from "../../workers/compute.worker";
import type { MeasuredSpeed } from "../core/config/cost";
import type { Snapshot } from "../core/snapshot/schema";
import type { HistoryColumns, StabilitySettings } from "../state/history";
import type { LandscapeView } from "../state/types";
import type { ModelPicture } from "./model-picture";
import type { SampleProgress } from "./pool";

export type JobPhase = "training" | "sampling" | "done" | "error" | "cancelled";

/** One progress report: of training ("train") or of sampling a landscape ("landscape"). */
interface JobReport {
  phase: "train" | "landscape";
  done: number;
  total: number;
  detail: string | null;
  /**
   * What the progress bar names (a paths run's "training the curve", "aligning", ...); absent:
   * "training" counting epochs, or "sampling" counting grid points.
   */
  label?: string;
}

export interface JobSink {
  /** A job starts: the charts empty (their stability bound from `training`), nothing is picked. */
  start(training?: StabilitySettings): void;
  phase(phase: JobPhase, detail?: string): void;
  progress(p: JobReport): void;
  epoch(entry: HistoryEntry, total: number): void;
  landscape(view: LandscapeView): void;
  /** The training charts show these columns (a finished run's recorded history). */
  history(columns: HistoryColumns): void;
  /** The landscape's surface arrays changed in place. */
  surfaces(done: number, total: number, stage: SampleProgress["stage"]): void;
  /** The data plot's model picture; with `of`, only while that snapshot is still the landscape. */
  picture(p: ModelPicture | null, of?: Snapshot): void;
  warn(message: string): void;
  /** A landscape finished: the path that sampled it and its speed in grid points per second. */
  speed(evaluator: string, pointsPerSecond: number, modelKind: string): void;
  /** The speeds of a finished run, with the work they were measured on (the next run's estimate). */
  measured(speed: MeasuredSpeed): void;
  /**
   * Remember what is on screen now (the landscape and the model picture); the returned function
   * puts it back. A job that fails or is cancelled restores it, so it never leaves a half-made
   * landscape in place of the last good one.
   */
  keepView(): () => void;
}

/**
 * `sink` while `live()` holds; afterwards every report is dropped. A job replaced by a newer one
 * stops reporting this way: its late "cancelled" must not overwrite the new job's progress.
 */
export function guardedSink(sink: JobSink, live: () => boolean): JobSink {
  return new Proxy(sink, {
    get:
      (target, key: keyof JobSink) =>
      (...args: unknown[]) => {
        if (live()) return (target[key] as (...a: unknown[]) => unknown)(...args);
        return key === "keepView" ? () => {} : undefined;
      },
  });
}
