import { parseCsvSamples } from "./csv";
import type { LoadedData } from "./loaded";
import { makeDataset } from "./make";
import { parseNpy } from "./npy";
import { npySamples } from "./npy-samples";
import type { Samples } from "./samples";
import { loadShippedData, type ReadBytes } from "./shipped";
import { type DatasetSpec, fileFormat, isLoadedSpec, type LoadedDatasetSpec } from "./spec";
import type { Dataset } from "./types";

/**
 * Datasets read from bytes: the shipped iris and digits (shipped.ts) and the user's CSV or .npy
 * files. Loading is a separate, asynchronous step (loadData); splitting is synchronous and
 * seeded (datasetFromLoaded, which makeDataset calls), so the same spec, seed and bytes always
 * give the same Dataset.
 *
 * @example const d = await loadDataset(config.data, config.data.seed, { shipped: readPublic, user: readUserFile });
 */

/**
 * Where bytes come from. shipped: paths relative to public/ (e.g. "data/iris.csv"); user: the
 * paths a "file" spec names (data.path, data.labels), resolved by the caller (the CLI: relative to
 * the config file). Core never touches a file system or the DOM itself.
 */
export type { LoadedData } from "./loaded";

export interface DataReaders {
  shipped?: ReadBytes;
  user?: ReadBytes;
}

async function readUser(readers: DataReaders, path: string, what: string): Promise<Uint8Array> {
  if (!readers.user)
    throw new Error(`${what} ${path}: no way to read the user's files here (DataReaders.user is missing)`);
  try {
    return await readers.user(path);
  } catch (err) {
    throw new Error(`cannot read ${what} ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Reads and decodes the files of a loaded dataset spec (iris, digits, file). Errors name the file
 * and what is wrong with it.
 *
 * @example const loaded = await loadData(parseDatasetSpec({ name: "file", path: "x.csv" }), { user: readFile });
 */
export async function loadData(spec: LoadedDatasetSpec, readers: DataReaders): Promise<LoadedData> {
  if (spec.name === "iris" || spec.name === "digits") {
    if (!readers.shipped) {
      throw new Error(
        `dataset "${spec.name}" is read from public/data/; no reader for the shipped files was given (DataReaders.shipped)`,
      );
    }
    return loadShippedData(spec.name, readers.shipped);
  }
  const format = spec.format ?? fileFormat(spec.path);
  if (format === "csv") {
    const bytes = await readUser(readers, spec.path, "data file");
    const samples = parseCsvSamples(new TextDecoder().decode(bytes), {
      label: spec.label,
      header: spec.header,
      task: spec.task,
      classes: spec.classes,
      source: spec.path,
    });
    return { name: "file", source: spec.path, samples: withShape(samples, spec.inputShape, spec.path) };
  }
  if (format === "npy") {
    const [xBytes, yBytes] = await Promise.all([
      readUser(readers, spec.path, "features file"),
      spec.labels === undefined ? undefined : readUser(readers, spec.labels, "labels file"),
    ]);
    const features = parseNpy(xBytes, spec.path);
    const labels = yBytes && spec.labels !== undefined ? parseNpy(yBytes, spec.labels) : undefined;
    const samples = npySamples(features, labels, {
      task: spec.task,
      classes: spec.classes,
      inputShape: spec.inputShape,
      source: spec.path,
      labelsSource: spec.labels,
    });
    return { name: "file", source: spec.path, samples };
  }
  throw new Error(`data.format: cannot tell the format of "${spec.path}"; set format to "csv" or "npy"`);
}

function withShape(s: Samples, inputShape: number[] | undefined, source: string): Samples {
  if (!inputShape) return s;
  const size = inputShape.reduce((a, b) => a * b, 1);
  if (size !== s.inputShape[0]) {
    throw new Error(
      `inputShape [${inputShape.join(", ")}] has ${size} values, but ${source} has ${s.inputShape[0]} feature columns`,
    );
  }
  return { ...s, inputShape: [...inputShape] };
}

/**
 * Any dataset: generated ones directly (makeDataset), loaded ones after reading their files.
 * `seed` is used when the spec has none (as makeDataset).
 *
 * @example const d = await loadDataset(parseDatasetSpec({ name: "iris" }), 1, { shipped: readPublic });
 */
export async function loadDataset(spec: DatasetSpec, seed: number, readers: DataReaders): Promise<Dataset> {
  if (!isLoadedSpec(spec)) return makeDataset(spec, seed);
  return makeDataset(spec, seed, await loadData(spec, readers));
}
