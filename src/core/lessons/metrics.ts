/**
 * The numbers of one lesson run, from its snapshot alone: losses and accuracies at the model's
 * parameters on the snapshot's own train/test data, curvature at the same point on the training
 * loss (curvatureReport with the lesson's `measure`, seeded: measure.seed or 0), the texture of
 * the train_loss surface, the learning rate with gradient descent's stability bound, and for a
 * GCN how far its node embeddings have collapsed (embedding-collapse.ts).
 *
 * @example const m = await lessonMetrics(snapshot, lesson, { signal });
 */

import type { CurvatureSettings } from "../curvature/settings";
import { curvatureReport, snapshotCurvatureProblem } from "../experiment/curvature-report";
import type { ExperimentProgress } from "../experiment/prepare";
import { flatToTensors } from "../model/flat";
import { modelForward } from "../model/forward";
import { dataTensors, disposeDataTensors, meanAccuracy, meanLoss } from "../model/loss";
import type { CurvatureSection } from "../snapshot/curvature-section";
import type { Snapshot, SnapshotDataSplit } from "../snapshot/schema";
import { tf } from "../tf";
import { embeddingCollapse } from "./embedding-collapse";
import { surfaceRoughness } from "./roughness";
import { type Lesson, type LessonMetrics, lessonMeasure } from "./schema";

interface LessonMetricsOptions {
  /** Aborts the curvature report (rejects with the signal's reason; no tensor is left behind). */
  signal?: AbortSignal;
  /** Progress of the curvature report (phase "curvature"). */
  onProgress?: (p: ExperimentProgress) => void;
}

/** Mean loss (and accuracy for classification) of the snapshot's model on one split. */
function splitMetrics(s: Snapshot, split: SnapshotDataSplit): { loss: number; accuracy: number | null } {
  const d = dataTensors(split, s.data);
  try {
    const [loss, accuracy] = tf.tidy(() => {
      const params = flatToTensors(s.model.parameters, s.model.layout);
      const out = modelForward(s.model.architecture, params, d.x);
      const l = meanLoss(s.model.loss, out, d.target);
      return d.labels ? [l, meanAccuracy(out, d.labels)] : [l];
    });
    try {
      return { loss: loss.dataSync()[0], accuracy: accuracy ? accuracy.dataSync()[0] : null };
    } finally {
      loss.dispose();
      accuracy?.dispose();
    }
  } finally {
    disposeDataTensors(d);
  }
}

/** Settings as one canonical string (keys sorted), to tell whether a stored report used them. */
function settingsKey(s: Record<string, unknown>): string {
  return JSON.stringify(
    Object.keys(s)
      .filter((k) => s[k] !== undefined)
      .sort()
      .map((k) => [k, s[k]]),
  );
}

/**
 * The curvature report of the measure: the snapshot's own `curvature` section when it was made
 * with exactly these settings (runLesson writes it so), else computed now.
 */
async function measureCurvature(
  s: Snapshot,
  settings: CurvatureSettings,
  options: LessonMetricsOptions,
): Promise<CurvatureSection> {
  const stored = s.curvature;
  if (stored && settingsKey(stored.settings as Record<string, unknown>) === settingsKey(settings))
    return stored;
  return curvatureReport(snapshotCurvatureProblem(s), settings, {
    signal: options.signal,
    onProgress: options.onProgress,
  });
}

const finiteOrNull = (v: number | null | undefined): number | null =>
  v !== null && v !== undefined && Number.isFinite(v) ? v : null;

/** The last finite tracked lambda_max over the largest one (schema.ts), or null without two finite values. */
function sharpnessDecay(series: unknown): number | null {
  if (!Array.isArray(series)) return null;
  const values = series.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (values.length < 2) return null;
  const peak = Math.max(...values);
  return peak > 0 ? (values.at(-1) as number) / peak : null;
}

/**
 * The metrics of one run (schema.ts's LessonMetrics). `roughness` is surfaceRoughness of the
 * train_loss surface (roughness.ts). `bound` is 2 / learningRate when the config trained with plain
 * gradient descent (optimizer sgd, no SAM), else null (momentum, Adam and SAM have other limits).
 *
 * @example const metrics = await Promise.all(snapshots.map((s) => lessonMetrics(s, lesson)));
 */
export async function lessonMetrics(
  snapshot: Snapshot,
  lesson: Lesson,
  options: LessonMetricsOptions = {},
): Promise<LessonMetrics> {
  options.signal?.throwIfAborted();
  const train = splitMetrics(snapshot, snapshot.data.train);
  const test =
    snapshot.data.test && snapshot.data.test.count > 0 ? splitMetrics(snapshot, snapshot.data.test) : null;
  const curvature = await measureCurvature(snapshot, lessonMeasure(lesson), options);
  const surface = snapshot.surfaces.train_loss;
  const axes = snapshot.grid.axes;
  const roughness =
    surface && axes.length >= 1 && axes.length <= 2
      ? surfaceRoughness(surface, axes[0].count, axes[1]?.count ?? 1)
      : null;
  const tracked = (snapshot.training as { sharpness?: { lambdaMax?: unknown } } | undefined)?.sharpness
    ?.lambdaMax;
  const training = (snapshot.config.training ?? {}) as {
    optimizer?: unknown;
    learningRate?: unknown;
    sam?: unknown;
  };
  const learningRate = typeof training.learningRate === "number" ? training.learningRate : null;
  const plainGd = training.optimizer === "sgd" && training.sam === undefined;
  const collapse = embeddingCollapse(snapshot);
  return {
    trainLoss: train.loss,
    testLoss: test?.loss ?? null,
    trainAccuracy: train.accuracy,
    testAccuracy: test?.accuracy ?? null,
    gap: test ? test.loss - train.loss : null,
    lambdaMax: finiteOrNull(curvature.top.values[0]),
    trace: finiteOrNull(curvature.trace?.value),
    epsSharpness: finiteOrNull(curvature.epsSharpness[0]?.sharpness),
    averageSharpness: finiteOrNull(curvature.averageSharpness[0]?.sharpness),
    roughness,
    sharpnessDecay: sharpnessDecay(tracked),
    dirichletEnergy: finiteOrNull(collapse?.dirichletEnergy),
    rankOneResidual: finiteOrNull(collapse?.rankOneResidual),
    learningRate,
    bound: plainGd && learningRate !== null && learningRate > 0 ? 2 / learningRate : null,
  };
}
