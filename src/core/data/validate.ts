import type { DataSplit, Dataset } from "./types";

/**
 * Checks for any dataset, generated or brought by the user: sizes, array lengths, finite
 * values, integer labels in range. Problems are collected and thrown as one Error, so a
 * broken file is diagnosed in one go.
 */

/** The first bad element of a flat array and how many are bad, or null. */
function findBad(
  array: Float32Array,
  isBad: (v: number) => boolean,
): { index: number; value: number; total: number } | null {
  let first = -1;
  let total = 0;
  for (let i = 0; i < array.length; i++) {
    if (isBad(array[i])) {
      if (first < 0) first = i;
      total++;
    }
  }
  return first < 0 ? null : { index: first, value: array[first], total };
}

function where(index: number, cols: number): string {
  return cols === 1 ? `row ${index}` : `row ${Math.floor(index / cols)}, column ${index % cols}`;
}

function checkSplit(
  d: Dataset,
  which: "train" | "test",
  split: DataSplit | undefined,
  problems: string[],
): void {
  if (split === undefined || split === null || typeof split !== "object") {
    problems.push(`${which} is missing`);
    return;
  }
  const { count, x, y } = split;
  if (!Number.isInteger(count) || count < 0) {
    problems.push(`${which}.count must be a non-negative integer, got ${count}`);
    return;
  }
  if (which === "train" && count === 0) problems.push("train.count must be at least 1, got 0");
  const classification = d.task === "classification";
  const yCols = classification ? 1 : d.outputSize;
  const arrays: [string, Float32Array, number][] = [
    ["x", x, d.inputSize],
    ["y", y, yCols],
  ];
  for (const [field, array, cols] of arrays) {
    const name = `${which}.${field}`;
    if (!(array instanceof Float32Array)) {
      problems.push(`${name} must be a Float32Array`);
      continue;
    }
    const expected = count * cols;
    if (array.length !== expected) {
      const formula = cols === 1 ? "count" : `count * ${field === "x" ? "inputSize" : "outputSize"}`;
      problems.push(`${name} has length ${array.length}, expected ${formula} = ${expected}`);
      continue;
    }
    const nonFinite = findBad(array, (v) => !Number.isFinite(v));
    if (nonFinite) {
      problems.push(
        `${name} has ${nonFinite.total} non-finite value${nonFinite.total > 1 ? "s" : ""}, ` +
          `first ${nonFinite.value} at ${where(nonFinite.index, cols)}`,
      );
      continue;
    }
    if (field === "y" && classification && d.classes !== undefined) {
      const classes = d.classes;
      const badLabel = findBad(array, (v) => !Number.isInteger(v) || v < 0 || v >= classes);
      if (badLabel) {
        problems.push(
          `${name} has ${badLabel.total} invalid label${badLabel.total > 1 ? "s" : ""} (labels must be ` +
            `integers in [0, ${classes})), first ${badLabel.value} at row ${badLabel.index}`,
        );
      }
    }
  }
}

function isPositiveInteger(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 1;
}

/**
 * Throws an Error naming every problem: sizes not positive integers, classes missing or not
 * equal to outputSize (classification, at least 2), classes present for regression, array
 * lengths other than count * inputSize (x) and count (classification y) or count * outputSize
 * (regression y), NaN or Infinity, labels that are not integers in [0, classes), empty train.
 *
 * @example validateDataset(makeDataset(parseDatasetSpec({ name: "xor" }), 1))
 */
export function validateDataset(d: Dataset): void {
  const problems: string[] = [];
  if (typeof d.name !== "string" || d.name === "")
    problems.push(`name must be a non-empty string, got ${d.name}`);
  if (d.task !== "classification" && d.task !== "regression") {
    problems.push(`task must be "classification" or "regression", got ${String(d.task)}`);
  }
  if (!isPositiveInteger(d.inputSize))
    problems.push(`inputSize must be a positive integer, got ${d.inputSize}`);
  if (!isPositiveInteger(d.outputSize))
    problems.push(`outputSize must be a positive integer, got ${d.outputSize}`);
  if (d.task === "classification") {
    if (!isPositiveInteger(d.classes) || d.classes < 2) {
      problems.push(`classes must be an integer >= 2 for classification, got ${d.classes}`);
    } else if (d.classes !== d.outputSize) {
      problems.push(`outputSize must equal classes for classification, got ${d.outputSize} and ${d.classes}`);
    }
  } else if (d.task === "regression" && d.classes !== undefined) {
    problems.push(`classes must be absent for regression, got ${d.classes}`);
  }
  // Array checks need trustworthy sizes; without them every length message would mislead.
  if (problems.length === 0) {
    checkSplit(d, "train", d.train, problems);
    checkSplit(d, "test", d.test, problems);
  }
  if (problems.length > 0) {
    throw new Error(`invalid dataset "${String(d.name)}": ${problems.join("; ")}`);
  }
}

/**
 * One line for logs and the CLI.
 *
 * @example datasetSummary(d) // 'moons: classification, 2 inputs -> 2 classes, 512 train (256/256), 512 test'
 */
export function datasetSummary(d: Dataset): string {
  const head = `${d.name}: ${d.task}, ${d.inputSize} input${d.inputSize === 1 ? "" : "s"}`;
  if (d.task === "classification" && d.classes !== undefined) {
    const counts = new Array<number>(d.classes).fill(0);
    for (let i = 0; i < d.train.count; i++) {
      const label = d.train.y[i];
      if (Number.isInteger(label) && label >= 0 && label < d.classes) counts[label]++;
    }
    return `${head} -> ${d.classes} classes, ${d.train.count} train (${counts.join("/")}), ${d.test.count} test`;
  }
  const outputs = `${d.outputSize} output${d.outputSize === 1 ? "" : "s"}`;
  return `${head} -> ${outputs}, ${d.train.count} train, ${d.test.count} test`;
}
