import type { GraphData } from "./graph";

/**
 * A dataset split held as flat row-major typed arrays.
 *
 * x: [count, inputSize] features. y: for classification [count] integer class indices
 * (stored as floats so that one array type serves both tasks); for regression
 * [count, outputSize] targets.
 */
export interface DataSplit {
  x: Float32Array;
  y: Float32Array;
  count: number;
}

export type Task = "classification" | "regression";

export interface Dataset {
  name: string;
  task: Task;
  inputSize: number;
  /** Classes for classification, target dimension for regression. */
  outputSize: number;
  /** Number of classes; absent for regression. */
  classes?: number;
  train: DataSplit;
  test: DataSplit;
  /** Present when spec.labelNoise > 0: that fraction of training labels was flipped (label-noise.ts). */
  labelNoise?: { fraction: number; changed: number };
  /** Shape of one sample when it is more than a vector, channels last (digits: [14, 14, 1]); product = inputSize. */
  inputShape?: number[];
  /** Class names in class-index order, when the labels were strings (iris: setosa, versicolor, virginica). */
  classNames?: string[];
  /**
   * The graph of a node-classification dataset (graph-datasets.ts): x holds node ids of this graph
   * (inputSize 1), and a GCN (model/gcn.ts) computes over all of it.
   */
  graph?: GraphData;
}
