/**
 * The types a paths run (paths-run.ts) and its connecting half (paths-connect.ts) share: the
 * problem every path is scored on, the run's options and its progress reports.
 */
import type { Dataset } from "../data/types";
import type { LandscapeEvaluator } from "../landscape/evaluator";
import type { Layout, MlpArchitecture } from "../model/types";
import type { PathModel } from "../paths/evaluate";
import type { Snapshot } from "../snapshot/schema";

export type PathsPhase = "train" | "curve" | "align" | "paths" | "landscape";

export interface PathsProgress {
  phase: PathsPhase;
  done: number;
  total: number;
  /** e.g. "model 2/2 (seed 7): epoch 12/200, train loss 0.4312". */
  detail: string;
}

export interface PathsRunOptions {
  /** Name of the tfjs backend that runs, recorded in the snapshot. */
  backend: string;
  /** Absent: the fastest path for the backend (defaultEvaluatorFor). */
  evaluator?: LandscapeEvaluator;
  onProgress?: (p: PathsProgress) => void;
  signal?: AbortSignal;
  /** Clock for createdAt (tests pin it). */
  now?: () => Date;
}

export interface PathsRunResult {
  snapshot: Snapshot;
  /** Things the user should know that did not stop the run (divergence, a skipped path). */
  warnings: string[];
}

/** The model and data every path of a run is scored on: any model kind (an ONNX graph: paths-onnx.ts). */
export interface ConnectProblem extends PathModel {
  layout: Layout;
  dataset: Dataset;
}

/** The problem of an MLP paths run (the models a config trains, or two MLP snapshots). */
export interface PathsProblem extends ConnectProblem {
  arch: MlpArchitecture;
}
