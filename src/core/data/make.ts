import { createRng, deriveSeed } from "../rng";
import type { DatasetDefinition, FieldValues, ParamField } from "./fields";
import { graphShape, isGraphSpec, makeGraphDataset } from "./graph-datasets";
import { applyLabelNoise } from "./label-noise";
import { datasetFromLoaded, type LoadedData } from "./loaded";
import { GENERATED_DATASETS } from "./registry";
import { type DatasetSpec, isLoadedSpec, parseDatasetSpec } from "./spec";
import type { Dataset, Task } from "./types";

/** What a model needs to know about a dataset before any point is drawn. */
export interface DatasetShape {
  task: Task;
  inputSize: number;
  /** Classes for classification, target dimension for regression. */
  outputSize: number;
  /** Number of classes; absent for regression. */
  classes?: number;
  /** Shape of one sample when it is more than a vector (digits: [14, 14, 1]). */
  inputShape?: number[];
  /** A graph dataset (graph-datasets.ts): its node count and features per node; x holds node ids. */
  graphShape?: { nodes: number; featureSize: number };
}

/** A generated spec as its definition's functions read it (their own fields are checked by the schema). */
type DefinitionInput = FieldValues<Record<string, ParamField>> & { noise: number };

/** The definition of a generated dataset (registry.ts), or undefined for one read from bytes. */
function definitionOf(name: string): DatasetDefinition | undefined {
  return Object.hasOwn(GENERATED_DATASETS, name)
    ? (GENERATED_DATASETS as Record<string, DatasetDefinition>)[name]
    : undefined;
}

/**
 * Task and sizes of the dataset a spec describes, without generating it: a generated dataset's
 * from its definition (registry.ts), a shipped one's from its files. A "file" dataset's shape is
 * known only once its file is read: undefined then.
 *
 * @example datasetShape(parseDatasetSpec({ name: "spirals", arms: 3 })) // { task: "classification", inputSize: 2, outputSize: 3, classes: 3 }
 */
export function datasetShape<S extends DatasetSpec>(
  spec: S,
): S extends { name: "file" } ? DatasetShape | undefined : DatasetShape;
export function datasetShape(spec: DatasetSpec): DatasetShape | undefined {
  if (isGraphSpec(spec)) {
    const { classes, nodes, featureSize } = graphShape(spec);
    return {
      task: "classification",
      inputSize: 1,
      outputSize: classes,
      classes,
      graphShape: { nodes, featureSize },
    };
  }
  const definition = definitionOf(spec.name);
  if (definition) {
    const { task, inputSize } = definition;
    const outputSize =
      typeof definition.outputSize === "function"
        ? definition.outputSize(spec as unknown as DefinitionInput)
        : definition.outputSize;
    return task === "classification"
      ? { task, inputSize, outputSize, classes: outputSize }
      : { task, inputSize, outputSize };
  }
  switch (spec.name) {
    case "iris":
      return { task: "classification", inputSize: 4, outputSize: 3, classes: 3 };
    case "digits":
      return { task: "classification", inputSize: 196, outputSize: 10, classes: 10, inputShape: [14, 14, 1] };
    default:
      return undefined;
  }
}

/**
 * Generates a dataset: train then test from one rng stream seeded with `spec.seed ?? seed`.
 *
 * Each split is drawn separately (classes balanced within it, rows shuffled), train first,
 * so the training set does not change when only testCount changes. spec.labelNoise then flips
 * that fraction of the training labels only, from its own stream (label-noise.ts). Same spec and
 * seed give bit-identical arrays. Pass a seed derived for the data, e.g. deriveSeed(seed, "data"),
 * so that the data stream is independent of initialization and training streams.
 * Datasets read from files (iris, digits, file) take their decoded files as `loaded` (loadData in
 * files.ts; loadDataset does both steps) and are split by the seed (loaded.ts).
 *
 * @example makeDataset(parseDatasetSpec({ name: "moons" }), deriveSeed(1, "data"))
 */
export function makeDataset(spec: DatasetSpec, seed: number, loaded?: LoadedData): Dataset {
  // Specs may be built by hand (not through the schema); re-checking is cheap next to generating.
  const checked = parseDatasetSpec(spec);
  const dataSeed = checked.seed ?? seed;
  if (isLoadedSpec(checked)) {
    if (!loaded) {
      throw new Error(
        `dataset "${checked.name}" is read from files: load it first (loadDataset in data/files.ts, or pass loadData's result)`,
      );
    }
    return datasetFromLoaded(checked, dataSeed, loaded);
  }
  if (isGraphSpec(checked)) return makeGraphDataset(checked, dataSeed);
  const definition = definitionOf(checked.name);
  if (!definition) throw new Error(`dataset "${checked.name}" has no generator in data/registry.ts`);
  const options = checked as unknown as DefinitionInput;
  const rng = createRng(dataSeed);
  const train = definition.generate(checked.trainCount, options, rng);
  const test = definition.generate(checked.testCount, options, rng);
  const shape = datasetShape(checked);
  const fraction = checked.labelNoise ?? 0;
  if (fraction > 0 && shape.classes !== undefined) {
    const noisy = applyLabelNoise(
      train,
      shape.classes,
      fraction,
      createRng(deriveSeed(dataSeed, "label-noise")),
    );
    return {
      name: checked.name,
      ...shape,
      train: noisy.split,
      test,
      labelNoise: { fraction, changed: noisy.changed.length },
    };
  }
  return { name: checked.name, ...shape, train, test };
}
