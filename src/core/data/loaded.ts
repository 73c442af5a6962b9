import { datasetOf, type Samples, splitSamples } from "./samples";
import type { ShippedData } from "./shipped";
import type { LoadedDatasetSpec } from "./spec";
import type { Dataset } from "./types";

/** The decoded contents of a loaded dataset's files (files.ts loadData), before the seeded split. */
export type LoadedData = ShippedData | { name: "file"; source: string; samples: Samples };

const baseName = (path: string) => path.split(/[\\/]/).pop() || path;

/** The first `count` rows of samples as a split. */
function head(s: Samples, count: number) {
  const d = s.x.length / s.count;
  const t = s.y.length / s.count;
  return { x: s.x.slice(0, count * d), y: s.y.slice(0, count * t), count };
}

/**
 * The Dataset of a loaded spec from its decoded files: iris and files are shuffled by `seed` and
 * split (splitSamples); digits take the first trainCount / testCount rows of the shipped files.
 *
 * @example datasetFromLoaded(spec, 7, await loadData(spec, readers))
 */
export function datasetFromLoaded(spec: LoadedDatasetSpec, seed: number, loaded: LoadedData): Dataset {
  if (loaded.name !== spec.name) {
    throw new Error(`the loaded data are "${loaded.name}", the spec asks for "${spec.name}"`);
  }
  if (spec.name === "iris" && loaded.name === "iris") {
    return splitSamples("iris", loaded.samples, {
      seed,
      trainCount: spec.trainCount,
      testCount: spec.testCount,
      standardize: spec.standardize,
    });
  }
  if (spec.name === "digits" && loaded.name === "digits") {
    const { train, test } = loaded;
    return datasetOf(
      "digits",
      train,
      head(train, Math.min(spec.trainCount, train.count)),
      head(test, Math.min(spec.testCount, test.count)),
    );
  }
  if (spec.name === "file" && loaded.name === "file") {
    return splitSamples(baseName(spec.path), loaded.samples, {
      seed,
      trainCount: spec.trainCount,
      testCount: spec.testCount,
      testFraction: spec.testFraction,
      standardize: spec.standardize,
    });
  }
  throw new Error(`the loaded data are "${loaded.name}", the spec asks for "${spec.name}"`);
}
