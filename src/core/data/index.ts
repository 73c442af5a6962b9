/**
 * Synthetic datasets: one registry (registry.ts: each dataset's generator, shape and fields, whose
 * bounds the zod specs and the app's controls derive from), seeded generators, and checks shared with
 * imported data. Datasets read from bytes: the shipped iris and digits and the user's CSV / .npy
 * files (files.ts loadDataset; csv.ts, npy.ts parsers; shipped.ts).
 *
 * @example const d = makeDataset(parseDatasetSpec({ name: "moons" }), deriveSeed(1, "data"));
 */
export { balancedLabels, blobs, circles, moons, SPIRAL_RADIUS, spirals, xor } from "./classification2d";
export { parseCsvSamples } from "./csv";
export {
  COMMON_FIELDS,
  type DatasetDefinition,
  defineDataset,
  type Field,
  integerField,
  numberField,
  numberListField,
  type ParamField,
} from "./fields";
export { type DataReaders, type LoadedData, loadData, loadDataset } from "./files";
export { applyLabelNoise } from "./label-noise";
export { datasetFromLoaded } from "./loaded";
export { type DatasetShape, datasetShape, makeDataset } from "./make";
export { type NpyArray, parseNpy } from "./npy";
export { npySamples } from "./npy-samples";
export { type DatasetName, GENERATED_DATASETS } from "./registry";
export { evaluatePolynomial, polynomial, sine } from "./regression1d";
export { type Samples, splitSamples } from "./samples";
export { fetchBytes, loadShippedData, type ReadBytes, SHIPPED_DATASETS, SHIPPED_FILES } from "./shipped";
export {
  DATASET_NAMES,
  type DatasetSpec,
  type DatasetSpecInput,
  datasetSpecSchema,
  defaultDatasetSpec,
  isLoadedSpec,
  LOADED_DATASET_NAMES,
  type LoadedDatasetName,
  MAX_COEFFICIENTS,
  MAX_POINTS,
  MAX_SEED,
  parseDatasetSpec,
  type SpecOf,
} from "./spec";
export type { DataSplit, Dataset, Task } from "./types";
export { datasetSummary, validateDataset } from "./validate";
