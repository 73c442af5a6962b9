import type { NpyArray } from "./npy";
import { classIndices, type Samples } from "./samples";
import type { Task } from "./types";

interface NpySamplesOptions {
  task?: Task;
  /** Classification: the number of classes (default: largest label + 1). */
  classes?: number;
  /** Shape of one sample (channels last); default the features' shape after the first axis. */
  inputShape?: number[];
  /** Names for messages. */
  source?: string;
  labelsSource?: string;
}

const shapeText = (shape: readonly number[]) => `[${shape.join(", ")}]`;

/**
 * Samples from .npy arrays: features [N, D] (or [N, ...] for images, e.g. [N, 28, 28, 1]) and
 * labels [N] (classification: integer class indices 0..C-1; regression: [N] or [N, T] targets).
 * Without a labels array the features must be [N, D + 1] with the label as the last column.
 * Throws naming the file and what is wrong (shapes that disagree, labels out of range, NaN).
 *
 * @example npySamples(parseNpy(xBytes, "x.npy"), parseNpy(yBytes, "y.npy"), { source: "x.npy", labelsSource: "y.npy" })
 */
export function npySamples(
  features: NpyArray,
  labels: NpyArray | undefined,
  options: NpySamplesOptions = {},
): Samples {
  const source = options.source ?? "features";
  const labelsSource = options.labelsSource ?? "labels";
  const task = options.task ?? "classification";
  const fShape = features.shape;
  if (fShape.length === 0) throw new Error(`${source}: a scalar; expected features of shape [N, D]`);
  const count = fShape[0];
  if (count === 0) throw new Error(`${source}: has no rows (shape ${shapeText(fShape)})`);
  let x: Float32Array;
  let sampleShape: number[];
  let labelValues: Float64Array;
  let targets = 1;
  if (labels) {
    const lShape = labels.shape;
    if (lShape.length === 0 || lShape[0] !== count) {
      throw new Error(
        `${labelsSource}: shape ${shapeText(lShape)} does not match ${source}'s ${count} rows (shape ${shapeText(fShape)})`,
      );
    }
    if (lShape.length > 2 || (task === "classification" && lShape.length === 2 && lShape[1] !== 1)) {
      throw new Error(
        `${labelsSource}: shape ${shapeText(lShape)}; expected [N]${task === "classification" ? " (or [N, 1]) class indices" : " or [N, T] targets"}`,
      );
    }
    targets = lShape.length === 2 ? lShape[1] : 1;
    x = Float32Array.from(features.values);
    sampleShape = fShape.length === 1 ? [1] : fShape.slice(1);
    labelValues = labels.values;
  } else {
    if (fShape.length !== 2 || fShape[1] < 2) {
      throw new Error(
        `${source}: shape ${shapeText(fShape)}; without a labels file the features must be [N, D + 1] with the label as the last column`,
      );
    }
    const width = fShape[1];
    const d = width - 1;
    x = new Float32Array(count * d);
    labelValues = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < d; j++) x[i * d + j] = features.values[i * width + j];
      labelValues[i] = features.values[i * width + d];
    }
    sampleShape = [d];
  }
  const perSample = sampleShape.reduce((a, b) => a * b, 1);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      throw new Error(
        `${source}: value ${x[i]} at row ${Math.floor(i / perSample)}, feature ${i % perSample} is not finite` +
          (Number.isFinite(features.values[i]) ? " in float32" : ""),
      );
    }
  }
  let inputShape = sampleShape;
  if (options.inputShape) {
    const size = options.inputShape.reduce((a, b) => a * b, 1);
    if (size !== perSample) {
      throw new Error(
        `inputShape ${shapeText(options.inputShape)} has ${size} values, but each row of ${source} has ${perSample}`,
      );
    }
    inputShape = [...options.inputShape];
  }
  const where = (i: number) => `${labels ? labelsSource : source}: row ${i}`;
  if (task === "regression") {
    const y = Float32Array.from(labelValues);
    const bad = y.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw new Error(`${where(Math.floor(bad / targets))}: target ${labelValues[bad]} is not finite`);
    return { x, y, count, task, inputShape, outputSize: targets };
  }
  const { y, classes } = classIndices(labelValues, where, options.classes);
  return { x, y, count, task, inputShape, outputSize: classes, classes };
}
