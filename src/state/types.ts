/**
 * Shapes shared by the store, the compute bridge and the views. A landscape on screen is a
 * snapshot (the same object export writes and import reads) plus what the UI derives from it.
 */

import type { ImportedSurface } from "../core/export/imported";
import type { CheckResult } from "../core/lessons/checks";
import type { AnyLesson } from "../core/lessons/parse";
import type { pathsLessonNumbers } from "../core/lessons/paths-lesson";
import type { LessonMetrics } from "../core/lessons/schema";
import type { Snapshot } from "../core/snapshot/schema";
import type { LandscapeOrigin } from "./origin";

import type { SurfaceMetric } from "./surface-view";

export type { SurfaceMetric, SurfaceViewOptions } from "./surface-view";

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
  /** The preset that made it (the paths panel explains the paths presets). */
  preset?: string;
  /** Where it came from: what the controls, the badge and Copy link say about it (origin.ts). */
  origin: LandscapeOrigin;
  /** The paths panel's point w(t), marked on the plane of a snapshot with a `paths` section. */
  pathProbe?: PathProbe | null;
}

/** A point w(t) on one path of the snapshot's `paths` section, in the plane's coordinates. */
export interface PathProbe {
  /** Index into `snapshot.paths.paths`. */
  path: number;
  t: number;
  /** Plane coordinates of w(t) (the landscape's grid coordinates) and its distance from the plane. */
  x: number;
  y: number;
  offPlane: number;
}

/**
 * The part of a landscape the 3D, contour and slice views draw: the grid and its surfaces (and
 * the directions, for the axis titles). A Snapshot has it; so has a surface imported from the
 * reference tool's HDF5 file, which holds no model, data or directions.
 */
export interface DrawnSnapshot {
  grid: Snapshot["grid"];
  surfaces: Snapshot["surfaces"];
  directions?: Snapshot["directions"];
}

/** What the views draw: a LandscapeView is one, and so is an ImportedLandscapeView. */
export interface DrawnLandscape {
  snapshot: DrawnSnapshot;
  done: number;
  total: number;
  trajectory?: TrajectoryView;
  /** The paths panel's w(t) on a snapshot's paths plane (LandscapeView.pathProbe). */
  pathProbe?: PathProbe | null;
}

/**
 * A surface file from another tool (the reference tool's HDF5 layout), shown as it is, without
 * recomputing. It has no model, data or directions, so it never becomes the store's `landscape`:
 * everything that needs a model (inspecting a point, training, pinning, snapshot and directions
 * exports) sees no landscape, while the views draw it and the surface exports write it.
 */
export interface ImportedLandscapeView extends DrawnLandscape {
  kind: "imported-surface";
  /** The file as read (grid, surfaces in our names and units, dataset names, warnings). */
  snapshot: ImportedSurface;
}

/** A point the user picked on a surface: grid coordinates and the values there. */
export interface PickedPoint {
  x: number;
  y: number;
  values: Partial<Record<SurfaceMetric, number>>;
}

/**
 * A lesson on screen. A flatness lesson: its two runs side by side (run 0 pinned on the left,
 * run 1 current on the right), then the numbers of both and the lesson's checks. A paths lesson:
 * its paths run's plane as the current landscape, then the paths' numbers and the checks.
 */
export interface LessonView {
  lesson: AnyLesson;
  status: "running" | "measuring" | "done" | "cancelled" | "error";
  /** What runs now, in words ("run 1 of 2: small learning rate"). */
  step: string;
  /** Flatness lessons: per run, once measured (paths lessons: empty). */
  metrics: (LessonMetrics | null)[];
  /** Paths lessons, once the run is done: every path's numbers (paths-lesson.ts). */
  pathNumbers?: ReturnType<typeof pathsLessonNumbers>;
  /** Once everything is measured. */
  checks: CheckResult[] | null;
  error?: string;
}
