/**
 * Synthetic datasets: specs (zod, with defaults), seeded generators, and checks shared with
 * imported data.
 *
 * @example const d = makeDataset(parseDatasetSpec({ name: "moons" }), deriveSeed(1, "data"));
 */
export { balancedLabels, blobs, circles, moons, SPIRAL_RADIUS, spirals, xor } from "./classification2d";
export { applyLabelNoise } from "./label-noise";
export { type DatasetShape, datasetShape, makeDataset } from "./make";
export { evaluatePolynomial, polynomial, sine } from "./regression1d";
export {
  blobsSpecSchema,
  circlesSpecSchema,
  DATASET_NAMES,
  type DatasetName,
  type DatasetSpec,
  type DatasetSpecInput,
  datasetSpecSchema,
  defaultDatasetSpec,
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
