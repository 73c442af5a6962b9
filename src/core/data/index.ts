/**
 * Synthetic datasets: specs (zod, with defaults), seeded generators, and checks shared with
 * imported data. Datasets read from bytes: the shipped iris and digits and the user's CSV / .npy
 * files (files.ts loadDataset; csv.ts, npy.ts parsers; shipped.ts).
 *
 * @example const d = makeDataset(parseDatasetSpec({ name: "moons" }), deriveSeed(1, "data"));
 */
export { balancedLabels, blobs, circles, moons, SPIRAL_RADIUS, spirals, xor } from "./classification2d";
export { parseCsvSamples } from "./csv";
export { type DataReaders, type LoadedData, loadData, loadDataset } from "./files";
export { applyLabelNoise } from "./label-noise";
export { datasetFromLoaded } from "./loaded";
export { type DatasetShape, datasetShape, makeDataset } from "./make";
export { type NpyArray, parseNpy } from "./npy";
export { npySamples } from "./npy-samples";
export { evaluatePolynomial, polynomial, sine } from "./regression1d";
export { type Samples, splitSamples } from "./samples";
export { fetchBytes, loadShippedData, type ReadBytes, SHIPPED_DATASETS, SHIPPED_FILES } from "./shipped";
export {
  blobsSpecSchema,
  circlesSpecSchema,
  DATASET_NAMES,
  type DatasetName,
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
  moonsSpecSchema,
  parseDatasetSpec,
  polynomialSpecSchema,
  type SpecOf,
  sineSpecSchema,
  spiralsSpecSchema,
  xorSpecSchema,
} from "./spec";
export type { DataSplit, Dataset, Task } from "./types";
export { datasetSummary, validateDataset } from "./validate";
