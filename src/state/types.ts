/**
 * Shapes shared by the store, the compute bridge and the views. A landscape on screen is a
 * snapshot (the same object export writes and import reads) plus what the UI derives from it.
 */

import type { CheckResult } from "../core/lessons/checks";
import type { Lesson, LessonMetrics } from "../core/lessons/schema";
import type { Snapshot } from "../core/snapshot/schema";
import type { ColormapName } from "../scene/scale";

export type SurfaceMetric = "train_loss" | "test_loss" | "train_accuracy" | "test_accuracy";

/** How a surface is drawn; the same options drive the 3D view, the contour view and the legend. */
export interface SurfaceViewOptions {
  metric: SurfaceMetric;
  /** log10 colour and height scale (losses). */
  logScale: boolean;
  /** Height multiplier of the 3D surface. */
  exaggeration: number;
  /** Values above this quantile are clipped (1 = none). */
  clipQuantile: number;
  /** Number of contour levels (0 = none). */
  contours: number;
  wireframe: boolean;
  colormap: ColormapName;
}

/** The optimizer's path projected on the plane of the landscape (PCA directions). */
export interface TrajectoryView {
  /** [n, 2] plane coordinates of each checkpoint, row-major. */
  coords: Float32Array;
  /** True training loss at each checkpoint (off the plane in general). */
  loss: Float32Array;
  epochs: number[];
  /** Fraction of the variance of the checkpoints each axis explains. */
  explained: [number, number];
}

/** A landscape on screen: complete, or growing while a job runs. */
export interface LandscapeView {
  snapshot: Snapshot;
  /** Grid points computed so far (equal to the grid size when complete). */
  done: number;
  total: number;
  trajectory?: TrajectoryView;
}

/** A point the user picked on a surface: grid coordinates and the values there. */
export interface PickedPoint {
  x: number;
  y: number;
  values: Partial<Record<SurfaceMetric, number>>;
}

/**
 * A lesson on screen: its two runs side by side (run 0 pinned on the left, run 1 current on the
 * right), then the numbers of both and the lesson's checks.
 */
export interface LessonView {
  lesson: Lesson;
  status: "running" | "measuring" | "done" | "cancelled" | "error";
  /** What runs now, in words ("run 1 of 2: small learning rate"). */
  step: string;
  /** Per run, once measured. */
  metrics: (LessonMetrics | null)[];
  /** Once both runs are measured. */
  checks: CheckResult[] | null;
  error?: string;
}
