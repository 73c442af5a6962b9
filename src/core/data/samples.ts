import { createRng, permutation } from "../rng";
import type { DataSplit, Dataset, Task } from "./types";

/**
 * Samples read from a file (CSV, .npy, a shipped dataset) before they are split into train and
 * test: flat row-major arrays as in DataSplit, plus what the file says about them.
 */
export interface Samples {
  /** [count, inputSize] features, row-major. */
  x: Float32Array;
  /** Classification: [count] class indices (as floats); regression: [count, outputSize] targets. */
  y: Float32Array;
  count: number;
  task: Task;
  /** Shape of one sample, channels last (e.g. [14, 14, 1] for an image); its product is inputSize. */
  inputShape: number[];
  /** Classes for classification, target dimension for regression. */
  outputSize: number;
  /** Number of classes; absent for regression. */
  classes?: number;
  /** Class names in class-index order, when the labels were strings (sorted). */
  classNames?: string[];
}

/** Most classes a label column may imply; a larger class index is almost surely a wrong column. */
const MAX_CLASSES = 1000;

function inputSizeOf(s: Pick<Samples, "inputShape">): number {
  return s.inputShape.reduce((a, b) => a * b, 1);
}

/**
 * Class indices from label values that are numbers: each must be an integer in [0, classes),
 * where classes is given or max + 1. `where(i)` names sample i for messages (e.g. "line 7").
 * Throws naming the first bad label.
 */
export function classIndices(
  labels: ArrayLike<number>,
  where: (i: number) => string,
  classes?: number,
): { y: Float32Array; classes: number } {
  let max = -1;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isFinite(v) || !Number.isInteger(v)) {
      throw new Error(
        `${where(i)}: label ${v} is not a class index (an integer 0..C-1); for real-valued targets use task "regression"`,
      );
    }
    if (v < 0) throw new Error(`${where(i)}: label ${v} is out of range (class indices are 0..C-1)`);
    if (classes !== undefined && v >= classes) {
      throw new Error(`${where(i)}: label ${v} is out of range for ${classes} classes (0..${classes - 1})`);
    }
    if (v >= MAX_CLASSES) {
      throw new Error(
        `${where(i)}: label ${v} is out of range (at most ${MAX_CLASSES} classes, 0..${MAX_CLASSES - 1})`,
      );
    }
    if (v > max) max = v;
  }
  const c = classes ?? max + 1;
  if (c < 2) {
    throw new Error(
      `classification needs at least 2 classes, the labels have ${c === 1 ? "only class 0" : "none"}`,
    );
  }
  return { y: Float32Array.from(labels), classes: c };
}

/** Class indices from string labels: the distinct strings in sorted order are classes 0..C-1. */
export function classesFromNames(names: readonly string[]): {
  y: Float32Array;
  classes: number;
  classNames: string[];
} {
  const classNames = [...new Set(names)].sort();
  if (classNames.length < 2) {
    throw new Error(
      `classification needs at least 2 classes, the labels have only ${classNames.length === 1 ? `"${classNames[0]}"` : "none"}`,
    );
  }
  if (classNames.length > MAX_CLASSES) {
    throw new Error(`the labels have ${classNames.length} distinct values; at most ${MAX_CLASSES} classes`);
  }
  const index = new Map(classNames.map((n, i) => [n, i]));
  return {
    y: Float32Array.from(names, (n) => index.get(n) as number),
    classes: classNames.length,
    classNames,
  };
}

function pick(s: Samples, rows: ArrayLike<number>): DataSplit {
  const d = inputSizeOf(s);
  const t = s.task === "classification" ? 1 : s.outputSize;
  const x = new Float32Array(rows.length * d);
  const y = new Float32Array(rows.length * t);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    x.set(s.x.subarray(r * d, (r + 1) * d), i * d);
    y.set(s.y.subarray(r * t, (r + 1) * t), i * t);
  }
  return { x, y, count: rows.length };
}

/**
 * Standardizes features in place with the mean and standard deviation of each feature over
 * `fit` (the training split), applied to every split: x <- (x - mean) / std; a constant feature
 * (std 0) is only centred.
 */
function standardizeSplits(fit: DataSplit, inputSize: number, splits: readonly DataSplit[]): void {
  const n = fit.count;
  if (n === 0) return;
  const mean = new Float64Array(inputSize);
  const sq = new Float64Array(inputSize);
  for (let i = 0; i < n; i++) for (let j = 0; j < inputSize; j++) mean[j] += fit.x[i * inputSize + j];
  for (let j = 0; j < inputSize; j++) mean[j] /= n;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < inputSize; j++) sq[j] += (fit.x[i * inputSize + j] - mean[j]) ** 2;
  const std = Array.from(sq, (s) => Math.sqrt(s / n));
  for (const split of splits) {
    for (let i = 0; i < split.count; i++) {
      for (let j = 0; j < inputSize; j++) {
        const k = i * inputSize + j;
        split.x[k] = (split.x[k] - mean[j]) / (std[j] > 0 ? std[j] : 1);
      }
    }
  }
}

interface SplitOptions {
  /** Seeds the shuffle that assigns rows to train and test. */
  seed: number;
  /** Rows in train and test; absent: from testFraction. */
  trainCount?: number;
  testCount?: number;
  /** Fraction of the rows held out for test when the counts are absent (rounded). */
  testFraction?: number;
  /** z-score the features with the training split's statistics. */
  standardize?: boolean;
}

/**
 * A dataset from samples: the rows are shuffled by `seed` (permutation from createRng(seed)), the
 * first trainCount go to train and the next testCount to test (or round(count * testFraction)
 * to test and the rest to train). Throws when the counts ask for more rows than there are.
 *
 * @example splitSamples("iris", samples, { seed: 3, trainCount: 100, testCount: 50, standardize: true })
 */
export function splitSamples(name: string, s: Samples, options: SplitOptions): Dataset {
  let { trainCount, testCount } = options;
  if (trainCount === undefined || testCount === undefined) {
    const fraction = options.testFraction ?? 0.2;
    const test = testCount ?? Math.round(s.count * fraction);
    testCount = test;
    trainCount = trainCount ?? s.count - test;
  }
  if (trainCount < 1) {
    throw new Error(`${name}: ${s.count} rows leave no training rows (${testCount} held out for test)`);
  }
  if (trainCount + testCount > s.count) {
    throw new Error(
      `${name}: trainCount ${trainCount} + testCount ${testCount} = ${trainCount + testCount} is more than the ${s.count} rows`,
    );
  }
  const order = permutation(s.count, createRng(options.seed));
  const train = pick(s, order.subarray(0, trainCount));
  const test = pick(s, order.subarray(trainCount, trainCount + testCount));
  const inputSize = inputSizeOf(s);
  if (options.standardize) standardizeSplits(train, inputSize, [train, test]);
  return datasetOf(name, s, train, test);
}

/** The Dataset of samples already split (a shipped dataset with its own train and test files). */
export function datasetOf(
  name: string,
  s: Omit<Samples, "x" | "y" | "count">,
  train: DataSplit,
  test: DataSplit,
): Dataset {
  const d: Dataset = {
    name,
    task: s.task,
    inputSize: inputSizeOf(s),
    outputSize: s.outputSize,
    train,
    test,
  };
  if (s.classes !== undefined) d.classes = s.classes;
  if (s.inputShape.length > 1) d.inputShape = [...s.inputShape];
  if (s.classNames) d.classNames = [...s.classNames];
  return d;
}
