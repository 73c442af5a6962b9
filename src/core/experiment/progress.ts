/**
 * What a running experiment reports, phase by phase (prepare.ts, race.ts, run.ts); on its own so
 * that the phases' modules need not import each other for it.
 */
export interface ExperimentProgress {
  /** "directions": the Hessian eigenvectors of a hessian plane; "curvature": the config's curvature report. */
  phase: "train" | "directions" | "landscape" | "curvature";
  done: number;
  total: number;
  /** e.g. "epoch 12/100, train loss 0.4312". */
  detail: string;
}
