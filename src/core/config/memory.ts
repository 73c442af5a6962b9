/**
 * An up-front estimate of the memory a job needs in one compute worker, so that a model too
 * large for the device is refused with the numbers before any work, never by an out-of-memory
 * crash in the middle. Pure and tfjs-free (the main thread checks configs with it too).
 *
 * The estimate counts float32 copies of the parameter vector (P values of 4 bytes):
 * - training: the parameters, their gradients, two optimizer slots (Adam's m and v; fewer for
 *   SGD, counted anyway), SAM's saved copy, and every checkpoint kept for the trajectory;
 * - the landscape: the centre, the two directions, and the per-point weights the evaluators form;
 * - Hessian directions or a curvature section: the Lanczos / power-iteration basis (up to
 *   maxIterations vectors);
 * plus the data (float32 inputs and targets) and a fixed allowance for activations, which the
 * evaluators bound by chunking (ACTIVATION_BUDGET floats per tensor).
 */

import { type DatasetShape, datasetShape } from "../data/make";
import type { DatasetSpec } from "../data/spec";
import { gcnLayout } from "../model/gcn-architecture";
import { layersLayout } from "../model/layers";
import { imageShape, makeCnnArchitecture } from "../model/layers-cnn";
import { parameterCount } from "../model/layout";
import { makeArchitecture, mlpLayout } from "../model/mlp";
import type { Layout } from "../model/types";
import type { ExperimentConfig } from "./schema";

/** What one compute worker may use: tfjs-wasm and the kernel live in 32-bit WebAssembly memory, and the page needs room too. */
export const MEMORY_BUDGET_BYTES = 1024 * 1024 * 1024;

/** Activations (chunked by the evaluators), tfjs and kernel bookkeeping: a fixed allowance. */
const ACTIVATIONS_BYTES = 96 * 1024 * 1024;

interface MemoryEstimate {
  bytes: number;
  parameters: number;
  /** Float32 copies of the parameter vector held at the peak. */
  copies: number;
  dataBytes: number;
}

function checkpointCount(epochs: number, every: number): number {
  return 1 + (every > 0 ? Math.floor(epochs / every) : 0) + 1;
}

/** The layout of the config's model (an MLP, a cnn or a GCN; an imported model is known only once read). */
function configLayout(config: ExperimentConfig, shape: DatasetShape): Layout {
  const model = config.model;
  if (model.kind === "layers" || model.kind === "onnx") {
    throw new Error("the size of an imported model is known only once it is read");
  }
  if (model.kind === "gcn") {
    if (!shape.graphShape) throw new Error('model.kind "gcn" needs a graph dataset');
    const { featureSize, nodes } = shape.graphShape;
    return gcnLayout({
      graph: { featureSize, nodes, edges: [], features: [] },
      hiddenSizes: model.hiddenSizes,
      outputSize: shape.outputSize,
    });
  }
  if (model.kind === "cnn") {
    return layersLayout(
      makeCnnArchitecture(imageShape(shape.inputShape, shape.inputSize), shape.outputSize, model),
    );
  }
  return mlpLayout(makeArchitecture(shape.inputSize, shape.outputSize, model));
}

/** @example estimateJobMemory(resolveConfig({})).bytes // about 100 MB */
export function estimateJobMemory(config: ExperimentConfig): MemoryEstimate {
  const shape = datasetShape(config.data as DatasetSpec);
  if (!shape) throw new Error("the memory of a job on a file dataset is known only once the file is read");
  const parameters = parameterCount(configLayout(config, shape));
  const { epochs, checkpointEvery } = config.training;
  const training = 6 + checkpointCount(epochs, checkpointEvery);
  const landscape = 3 + 2;
  const hessianIterations = (config.directions as { hessian?: { maxIterations?: number } }).hessian
    ?.maxIterations;
  const curvatureIterations = (config as { curvature?: { maxIterations?: number } }).curvature?.maxIterations;
  const basis = Math.max(hessianIterations ?? 0, curvatureIterations ?? 0);
  const copies = Math.max(training, landscape + basis);
  const samples = (config.data.trainCount ?? 0) + (config.data.testCount ?? 0);
  const dataBytes = samples * (shape.inputSize + shape.outputSize) * 4;
  return { bytes: parameters * copies * 4 + dataBytes + ACTIVATIONS_BYTES, parameters, copies, dataBytes };
}

const mb = (bytes: number) => `${Math.round(bytes / (1024 * 1024)).toLocaleString("en-US")} MB`;

/** A problem line when the job would not fit in a compute worker, else null. */
export function memoryProblem(config: ExperimentConfig, budget = MEMORY_BUDGET_BYTES): string | null {
  // A file's size is unknown before it is read; reading bounds it (and the CLI reads it up front).
  if (config.data.name === "file" || config.model.kind === "layers" || config.model.kind === "onnx")
    return null;
  const e = estimateJobMemory(config);
  if (e.bytes <= budget) return null;
  return (
    `model: the job needs about ${mb(e.bytes)} (${e.parameters.toLocaleString("en-US")} parameters x ` +
    `${e.copies} float32 copies, plus ${mb(e.dataBytes)} of data), more than the ${mb(budget)} a compute ` +
    "worker may use; use fewer or narrower hidden layers, or fewer checkpoints"
  );
}
