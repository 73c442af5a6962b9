import type { Dataset } from "../data/types";
import type { Grid } from "../landscape/grid";
import type { Surfaces } from "../landscape/surfaces";
import type { Layout, LossKind, MlpArchitecture } from "../model/types";
import { PRODUCER_NAME, PRODUCER_VERSION } from "../producer";
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type Snapshot } from "../snapshot/schema";
import type { TrainResult } from "../train/train";

export interface SnapshotParts {
  config: Record<string, unknown>;
  backend: string;
  createdAt: Date;
  arch: MlpArchitecture;
  loss: LossKind;
  layout: Layout;
  theta: Float32Array;
  dataset: Dataset;
  directions: Snapshot["directions"];
  grid: Grid;
  surfaces: Surfaces;
  training?: TrainResult;
  /** Extra producer facts (e.g. the evaluation path). */
  evaluator: string;
}

/** The training section: status and per-epoch history as columns (non-finite values become null in JSON). */
export function trainingSection(t: TrainResult): Record<string, unknown> {
  const column = (key: "trainLoss" | "trainAccuracy" | "testLoss" | "testAccuracy") =>
    t.history.some((h) => h[key] !== undefined) ? t.history.map((h) => h[key] ?? null) : undefined;
  const section: Record<string, unknown> = {
    status: t.status,
    epochs: t.epochs,
    steps: t.steps,
    history: {
      epoch: t.history.map((h) => h.epoch),
      step: t.history.map((h) => h.step),
      trainLoss: column("trainLoss"),
      trainAccuracy: column("trainAccuracy"),
      testLoss: column("testLoss"),
      testAccuracy: column("testAccuracy"),
    },
  };
  if (t.message) section.message = t.message;
  if (t.diverged) section.diverged = t.diverged;
  return section;
}

/** Assemble a version-1 snapshot from the pieces of a run. */
export function buildSnapshot(p: SnapshotParts): Snapshot {
  const data: Snapshot["data"] = {
    name: p.dataset.name,
    task: p.dataset.task,
    inputSize: p.dataset.inputSize,
    outputSize: p.dataset.outputSize,
    train: { ...p.dataset.train },
  };
  if (p.dataset.classes !== undefined) data.classes = p.dataset.classes;
  if (p.dataset.test.count > 0) data.test = { ...p.dataset.test };
  const surfaces: Record<string, Float32Array> = {};
  for (const [name, values] of Object.entries(p.surfaces)) if (values) surfaces[name] = values;
  const snapshot: Snapshot = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    createdAt: p.createdAt.toISOString(),
    producer: { name: PRODUCER_NAME, version: PRODUCER_VERSION, backend: p.backend, evaluator: p.evaluator },
    config: p.config,
    model: { architecture: p.arch, loss: p.loss, layout: p.layout, parameters: p.theta },
    data,
    directions: p.directions,
    grid: { axes: p.grid.axes.map((a) => ({ ...a })) },
    surfaces,
  };
  if (p.training) snapshot.training = trainingSection(p.training);
  return snapshot;
}
