import { blobsDataset, circlesDataset, moonsDataset, spiralsDataset, xorDataset } from "./classification2d";
import type { DatasetDefinition } from "./fields";
import { polynomialDataset, sineDataset } from "./regression1d";

/**
 * The generated datasets, by name, in the order shown to people: the one list every reader
 * derives from. spec.ts builds each one's zod schema from its fields (bounds, defaults), make.ts
 * its shape and data, src/state/properties.ts the app's dataset menu and its parameter controls.
 *
 * Adding a dataset: a generator file that exports its `defineDataset({...})` (fields.ts), and one
 * line here. Datasets read from bytes (iris, digits, your file) are not generated: spec.ts and
 * files.ts. Readers derive everything (names, lookups) from this one export, so a table with one
 * more line is all a new dataset is (tests/unit/data-registry.test.ts adds one in the test alone).
 *
 * @example GENERATED_DATASETS.spirals.fields.arms.max // 8
 */
export const GENERATED_DATASETS = {
  moons: moonsDataset,
  circles: circlesDataset,
  spirals: spiralsDataset,
  xor: xorDataset,
  blobs: blobsDataset,
  sine: sineDataset,
  polynomial: polynomialDataset,
} as const satisfies Record<string, DatasetDefinition>;

export type GeneratedDatasets = typeof GENERATED_DATASETS;
/** The name of a generated dataset, e.g. "spirals". */
export type DatasetName = keyof GeneratedDatasets;
