import type { Surfaces } from "../landscape/surfaces";
import { PRODUCER_NAME, PRODUCER_VERSION } from "../producer";
import type { CurvatureSection } from "../snapshot/curvature-section";
import { reproducibilityRecord } from "../snapshot/reproducibility";
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type Snapshot } from "../snapshot/schema";
import type { TrajectorySection, TrajectorySectionRun } from "../snapshot/trajectory-section";
import type { TrainResult } from "../train/train";
import type { PlaneSetup, PreparedModel, Trajectory } from "./prepare";
import { REPLAY_STORED_FLOATS } from "./replay";

interface SnapshotParts {
  config: Record<string, unknown>;
  backend: string;
  createdAt: Date;
  model: PreparedModel;
  plane: PlaneSetup;
  surfaces: Surfaces;
  /** The evaluation path that computed the surfaces (recorded in producer). */
  evaluator: string;
  /** The curvature report at theta (experiment/curvature-report.ts), when one was computed. */
  curvature?: CurvatureSection;
}

const plain = (a: ArrayLike<number>) => Array.from(a, (v) => (Number.isFinite(v) ? v : null));

/**
 * The trajectory section (snapshot/trajectory-section.ts): every run's replay checkpoints with
 * their plane coordinates, distance from the plane, training loss (and accuracy), parameters when
 * stored, and a race run's settings and final figures; for a PCA plane also the columns earlier
 * versions wrote (run 1's checkpoints the plane came from, and each axis's explained variance).
 */
function trajectorySection(t: Trajectory): TrajectorySection {
  const section: TrajectorySection = { method: t.method };
  if (t.explained) section.explained = t.explained;
  if (t.pca) {
    const xs: (number | null)[] = [];
    const ys: (number | null)[] = [];
    for (let i = 0; i < t.pca.coords.length; i += 2) {
      xs.push(finite(t.pca.coords[i]));
      ys.push(finite(t.pca.coords[i + 1]));
    }
    Object.assign(section, {
      epochs: t.pca.epochs,
      steps: t.pca.steps,
      x: xs,
      y: ys,
      loss: plain(t.pca.loss),
    });
  }
  section.runs = t.runs.map((r) => {
    const run: TrajectorySectionRun = {
      label: r.label,
      epochs: r.epochs,
      steps: r.steps,
      x: plain(r.x),
      ...(r.y ? { y: plain(r.y) } : {}),
      offPlane: plain(r.offPlane),
      loss: plain(r.loss),
      ...(r.accuracy ? { accuracy: plain(r.accuracy) } : {}),
    };
    if (r.parameters) run.parameters = r.parameters.map((p) => p.slice());
    if (r.settings) run.settings = r.settings;
    if (r.final) {
      const f = r.final;
      const final: NonNullable<TrajectorySectionRun["final"]> = {
        status: f.status,
        epochs: f.epochs,
        steps: f.steps,
        trainLoss: finite(f.trainLoss),
        lambdaMax: finite(f.lambdaMax),
        lambdaMaxIterations: f.lambdaMaxIterations,
        lambdaMaxConverged: f.lambdaMaxConverged,
      };
      if (f.message) final.message = f.message;
      if (f.trainAccuracy !== undefined) final.trainAccuracy = finite(f.trainAccuracy);
      if (f.testLoss !== undefined) final.testLoss = finite(f.testLoss);
      if (f.testAccuracy !== undefined) final.testAccuracy = finite(f.testAccuracy);
      run.final = final;
    }
    return run;
  });
  section.replay = {
    maxCheckpoints: t.replay.plan.maxCheckpoints,
    every: t.replay.plan.every,
    parametersStored: t.replay.parametersStored,
    storedFloatsBound: REPLAY_STORED_FLOATS,
  };
  if (t.initial) section.initial = t.initial.slice();
  return section;
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * The training section: status and per-epoch history as columns (non-finite values become null in
 * JSON); with sharpness tracking, `sharpness` columns (step, fractional epoch, lambdaMax, power
 * iterations) plus how they were measured and the stability bound (2/lr for GD); with label
 * noise, how many training labels were flipped.
 */
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
  if (t.sharpness) {
    const { entries, ...how } = t.sharpness;
    section.sharpness = {
      ...how,
      step: entries.map((e) => e.step),
      epoch: entries.map((e) => e.epoch),
      lambdaMax: entries.map((e) => (Number.isFinite(e.lambdaMax) ? e.lambdaMax : null)),
      iterations: entries.map((e) => e.iterations),
    };
  }
  if (t.labelNoise) section.labelNoise = t.labelNoise;
  return section;
}

/** Assemble a version-1 snapshot from the pieces of a run. */
export function buildSnapshot(p: SnapshotParts): Snapshot {
  const { dataset, arch, loss, layout, theta, training } = p.model;
  const data: Snapshot["data"] = {
    name: dataset.name,
    task: dataset.task,
    inputSize: dataset.inputSize,
    outputSize: dataset.outputSize,
    train: { ...dataset.train },
  };
  if (dataset.classes !== undefined) data.classes = dataset.classes;
  // Optional extras of data read from files: class names (string labels) and the sample shape.
  if (dataset.classNames) data.classNames = [...dataset.classNames];
  if (dataset.inputShape) data.inputShape = [...dataset.inputShape];
  if (dataset.test.count > 0) data.test = { ...dataset.test };
  // Node classification: x holds node ids of the graph the GCN's architecture carries.
  if (dataset.graph) data.graph = { nodes: dataset.graph.nodes };
  const surfaces: Record<string, Float32Array> = {};
  for (const [name, values] of Object.entries(p.surfaces)) if (values) surfaces[name] = values;
  const snapshot: Snapshot = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    createdAt: p.createdAt.toISOString(),
    producer: {
      name: PRODUCER_NAME,
      version: PRODUCER_VERSION,
      backend: p.backend,
      evaluator: p.evaluator,
      // The code that trained (kernel/training-path.ts), when this run trained.
      ...(p.model.training ? { training: p.model.training.path } : {}),
    },
    config: p.config,
    model: { architecture: arch, loss, layout, parameters: theta },
    data,
    directions: p.plane.directions,
    grid: { axes: p.plane.grid.axes.map((a) => ({ ...a })) },
    surfaces,
  };
  if (training) snapshot.training = trainingSection(training);
  if (p.plane.trajectory) snapshot.trajectory = trajectorySection(p.plane.trajectory);
  if (p.curvature) snapshot.curvature = p.curvature;
  snapshot.reproducibility = { ...reproducibilityRecord(snapshot) };
  return snapshot;
}
