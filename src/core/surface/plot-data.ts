/**
 * The part of a snapshot's dataset the data plot reads; Snapshot["data"] and the core Dataset
 * both satisfy it.
 */

export interface PlotSplit {
  /** [count, inputSize] row-major. */
  x: Float32Array;
  /** [count] class indices, or [count, outputSize] regression targets. */
  y: Float32Array;
  count: number;
}

export interface PlotData {
  task: "classification" | "regression";
  inputSize: number;
  outputSize?: number;
  classes?: number;
  train: PlotSplit;
  test?: PlotSplit;
}

/**
 * The plotted point i of a split: (x0, x1) for 2-D inputs, (x, first target) for 1-D regression,
 * (x, 0) otherwise.
 */
export function plotPoint(data: PlotData, split: PlotSplit, i: number): [number, number] {
  const d = data.inputSize;
  const x = split.x[i * d];
  if (d > 1) return [x, split.x[i * d + 1]];
  if (data.task === "regression") return [x, split.y[i * (data.outputSize ?? 1)]];
  return [x, 0];
}
