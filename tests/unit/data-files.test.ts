/**
 * Datasets from bytes: the .npy and CSV parsers, the seeded split, the file spec, and the shipped
 * iris and digits read from public/data/. The .npy bytes are written by hand here, byte by byte,
 * so the parser is checked against the format, not against itself.
 */
import { describe, expect, it } from "vitest";
import { parseCsvSamples } from "../../src/core/data/csv";
import { loadData, loadDataset } from "../../src/core/data/files";
import { datasetShape, makeDataset } from "../../src/core/data/make";
import { parseNpy } from "../../src/core/data/npy";
import { npySamples } from "../../src/core/data/npy-samples";
import { splitSamples } from "../../src/core/data/samples";
import { loadShippedData } from "../../src/core/data/shipped";
import { parseDatasetSpec } from "../../src/core/data/spec";
import { validateDataset } from "../../src/core/data/validate";
import { readPublicFile } from "../../src/node/data-files";

/** A .npy file: magic, version, little-endian header length, the header dict padded to 64, the data. */
function npy(
  descr: string,
  shape: number[],
  data: Uint8Array,
  options: { version?: 1 | 2; fortran?: boolean } = {},
) {
  const version = options.version ?? 1;
  const tuple = `(${shape.join(", ")}${shape.length === 1 ? "," : ""})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${options.fortran ? "True" : "False"}, 'shape': ${tuple}, }`;
  const pre = version === 1 ? 10 : 12;
  header += " ".repeat((64 - ((pre + header.length + 1) % 64)) % 64);
  header += "\n";
  const out = new Uint8Array(pre + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  out.set(data, pre + header.length);
  return out;
}

/** Little-endian bytes of numbers in one dtype. */
function bytes(kind: "f4" | "f8" | "i4" | "i8" | "u1", values: number[]): Uint8Array {
  const size = { f4: 4, f8: 8, i4: 4, i8: 8, u1: 1 }[kind];
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    if (kind === "f4") view.setFloat32(i * 4, v, true);
    else if (kind === "f8") view.setFloat64(i * 8, v, true);
    else if (kind === "i4") view.setInt32(i * 4, v, true);
    else if (kind === "i8") view.setBigInt64(i * 8, BigInt(v), true);
    else out[i] = v;
  });
  return out;
}

const text = (s: string) => new TextEncoder().encode(s);

/** A reader over in-memory files, as the CLI's is over the disk. */
function memoryReader(files: Record<string, Uint8Array>) {
  return async (path: string) => {
    const f = files[path];
    if (!f) throw new Error("no such file");
    return f;
  };
}

describe("parseNpy", () => {
  it("reads every supported dtype, little-endian, in C order", () => {
    const cases: [string, "f4" | "f8" | "i4" | "i8" | "u1", string][] = [
      ["<f4", "f4", "float32"],
      ["<f8", "f8", "float64"],
      ["<i4", "i4", "int32"],
      ["<i8", "i8", "int64"],
      ["|u1", "u1", "uint8"],
    ];
    for (const [descr, kind, dtype] of cases) {
      const a = parseNpy(npy(descr, [2, 3], bytes(kind, [1, 2, 3, 4, 5, 250])), "a.npy");
      expect(a.dtype).toBe(dtype);
      expect(a.shape).toEqual([2, 3]);
      expect(Array.from(a.values)).toEqual([1, 2, 3, 4, 5, 250]);
    }
    expect(parseNpy(npy("<f4", [3], bytes("f4", [0.5, -1.25, 3e-3]))).values[2]).toBeCloseTo(3e-3, 7);
  });

  it("reads format version 2 (4-byte header length) and an empty shape tuple as a scalar", () => {
    expect(parseNpy(npy("<f8", [1, 2], bytes("f8", [7, 8]), { version: 2 })).values).toEqual(
      Float64Array.from([7, 8]),
    );
    expect(parseNpy(npy("<i4", [], bytes("i4", [42]))).shape).toEqual([]);
  });

  it("names an unsupported dtype", () => {
    expect(() => parseNpy(npy("<f2", [2], new Uint8Array(4)), "h.npy")).toThrow(
      /h\.npy: unsupported dtype float16 \("<f2"\)/,
    );
    expect(() => parseNpy(npy("|b1", [2], new Uint8Array(2)), "b.npy")).toThrow(/unsupported dtype bool/);
    expect(() => parseNpy(npy(">f4", [2], new Uint8Array(8)), "be.npy")).toThrow(
      /unsupported dtype big-endian float32/,
    );
    expect(() => parseNpy(npy("<U5", [1], new Uint8Array(20)), "s.npy")).toThrow(
      /unsupported dtype text \("<U5"\)/,
    );
  });

  it("refuses Fortran order, bad headers, wrong lengths and files that are not .npy", () => {
    expect(() => parseNpy(npy("<f4", [2, 2], bytes("f4", [1, 2, 3, 4]), { fortran: true }), "f.npy")).toThrow(
      /f\.npy: Fortran \(column-major\) order is not supported/,
    );
    expect(() => parseNpy(new Uint8Array(0), "e.npy")).toThrow(/e\.npy: the file is empty/);
    expect(() => parseNpy(text("x,y\n1,2\n"), "c.npy")).toThrow(/not a \.npy file/);
    expect(() => parseNpy(npy("<f4", [2, 3], bytes("f4", [1, 2, 3])), "t.npy")).toThrow(
      /t\.npy: shape \[2, 3\] of float32 needs 24 bytes of data, the file has 12 \(truncated\?\)/,
    );
    const noShape = npy("<f4", [1], bytes("f4", [1]));
    const header = new TextDecoder("latin1").decode(noShape).replace("'shape'", "'shap_'");
    expect(() =>
      parseNpy(
        Uint8Array.from(header, (c) => c.charCodeAt(0)),
        "h.npy",
      ),
    ).toThrow(/bad \.npy header, no 'shape'/);
    const broken = npy("<f4", [1], bytes("f4", [1]));
    broken[8] = 0xff;
    broken[9] = 0xff;
    expect(() => parseNpy(broken, "l.npy")).toThrow(/bad \.npy header, it claims 65535 bytes/);
    const future = npy("<f4", [1], bytes("f4", [1]));
    future[6] = 9;
    expect(() => parseNpy(future, "v.npy")).toThrow(/unsupported \.npy format version 9\.0/);
  });
});

describe("samples from .npy arrays", () => {
  const x = parseNpy(npy("<f4", [4, 2], bytes("f4", [0, 0, 1, 0, 0, 1, 1, 1])), "x.npy");

  it("pairs features [N, D] with labels [N] from a second file", () => {
    const y = parseNpy(npy("<i8", [4], bytes("i8", [0, 1, 2, 1])), "y.npy");
    const s = npySamples(x, y, { source: "x.npy", labelsSource: "y.npy" });
    expect(s).toMatchObject({ count: 4, inputShape: [2], classes: 3, outputSize: 3, task: "classification" });
    expect(Array.from(s.y)).toEqual([0, 1, 2, 1]);
  });

  it("takes the last column as the label when there is no labels file", () => {
    const one = parseNpy(npy("|u1", [3, 3], bytes("u1", [9, 8, 0, 7, 6, 1, 5, 4, 1])), "xy.npy");
    const s = npySamples(one, undefined, { source: "xy.npy" });
    expect(Array.from(s.x)).toEqual([9, 8, 7, 6, 5, 4]);
    expect(Array.from(s.y)).toEqual([0, 1, 1]);
    expect(s.classes).toBe(2);
  });

  it("keeps image shapes and regression targets", () => {
    const img = parseNpy(npy("<f4", [2, 2, 2, 1], bytes("f4", [1, 2, 3, 4, 5, 6, 7, 8])), "img.npy");
    const t = parseNpy(npy("<f8", [2, 2], bytes("f8", [0.5, 1.5, -1, 2])), "t.npy");
    const s = npySamples(img, t, { task: "regression" });
    expect(s).toMatchObject({ inputShape: [2, 2, 1], outputSize: 2, task: "regression" });
  });

  it("names labels out of range, rows that do not match, and NaN features", () => {
    const neg = parseNpy(npy("<i4", [4], bytes("i4", [0, 1, -1, 1])), "y.npy");
    expect(() => npySamples(x, neg, { labelsSource: "y.npy" })).toThrow(
      /y\.npy: row 2: label -1 is out of range/,
    );
    const big = parseNpy(npy("<i4", [4], bytes("i4", [0, 1, 5, 1])), "y.npy");
    expect(() => npySamples(x, big, { labelsSource: "y.npy", classes: 3 })).toThrow(
      /y\.npy: row 2: label 5 is out of range for 3 classes \(0\.\.2\)/,
    );
    const frac = parseNpy(npy("<f4", [4], bytes("f4", [0, 1, 0.5, 1])), "y.npy");
    expect(() => npySamples(x, frac, { labelsSource: "y.npy" })).toThrow(/label 0\.5 is not a class index/);
    const short = parseNpy(npy("<i4", [3], bytes("i4", [0, 1, 1])), "y.npy");
    expect(() => npySamples(x, short, { source: "x.npy", labelsSource: "y.npy" })).toThrow(
      /y\.npy: shape \[3\] does not match x\.npy's 4 rows/,
    );
    const nan = parseNpy(npy("<f4", [2, 2], bytes("f4", [Number.NaN, 0, 1, 1])), "n.npy");
    expect(() => npySamples(nan, undefined, { source: "n.npy" })).toThrow(
      /n\.npy: value NaN at row 0, feature 0 is not finite/,
    );
    const one = parseNpy(npy("<i4", [4], bytes("i4", [0, 0, 0, 0])), "y.npy");
    expect(() => npySamples(x, one, { labelsSource: "y.npy" })).toThrow(/at least 2 classes/);
  });
});

describe("parseCsvSamples", () => {
  const iris =
    "sepal_length,sepal_width,species\n5.1,3.5,setosa\n7.0,3.2,versicolor\n6.3,3.3,virginica\n4.9,3.0,setosa\n";

  it("detects a header and maps string labels to classes in sorted order", () => {
    const s = parseCsvSamples(iris);
    expect(s.classNames).toEqual(["setosa", "versicolor", "virginica"]);
    expect(Array.from(s.y)).toEqual([0, 1, 2, 0]);
    expect(s.count).toBe(4);
    expect(Array.from(s.x)).toEqual([5.1, 3.5, 7, 3.2, 6.3, 3.3, 4.9, 3].map(Math.fround));
  });

  it("takes integer labels as class indices, from a column chosen by name or index", () => {
    const noHeader = parseCsvSamples("1,0.5,2\n0,1.5,3\n2,2.5,4\n", { label: 0 });
    expect(Array.from(noHeader.y)).toEqual([1, 0, 2]);
    expect(Array.from(noHeader.x)).toEqual([0.5, 2, 1.5, 3, 2.5, 4]);
    const named = parseCsvSamples('a;"b";class\n1;2;0\n3;4;1\n', { label: "class" });
    expect(named).toMatchObject({ classes: 2, inputShape: [2] });
    const last = parseCsvSamples("x,y\n1,1\n2,0\n", { label: -1 });
    expect(Array.from(last.y)).toEqual([1, 0]);
  });

  it("reads regression targets when asked", () => {
    const s = parseCsvSamples("x,t\n0,0.25\n1,-1.5\n", { task: "regression" });
    expect(s).toMatchObject({ task: "regression", outputSize: 1 });
    expect(Array.from(s.y)).toEqual([0.25, -1.5]);
  });

  it("names the line of a ragged row and the line and column of a non-number", () => {
    expect(() => parseCsvSamples("a,b,c\n1,2,0\n3,4\n", { source: "d.csv" })).toThrow(
      /d\.csv: line 3 has 2 fields, expected 3 \(as line 1\)/,
    );
    expect(() => parseCsvSamples("a,b,c\n1,2,0\n\n3,x4,1\n", { source: "d.csv" })).toThrow(
      /d\.csv: line 4, column 2 \("b"\): "x4" is not a number/,
    );
    expect(() => parseCsvSamples("1,,0\n2,3,1\n", { source: "d.csv" })).toThrow(/line 1, column 2: is empty/);
    expect(() => parseCsvSamples("x,t\n1,abc\n", { source: "d.csv", task: "regression" })).toThrow(
      /line 2, column 2 \(the target\): "abc" is not a finite number/,
    );
  });

  it("refuses empty files, unknown label columns and labels out of range", () => {
    expect(() => parseCsvSamples("\n\n", { source: "e.csv" })).toThrow(/e\.csv: the file is empty/);
    expect(() => parseCsvSamples("a,b\n", { source: "h.csv", header: true })).toThrow(
      /no data rows after the header/,
    );
    expect(() => parseCsvSamples(iris, { label: "kind" })).toThrow(
      /no column "kind" in the header; the columns are "sepal_length"/,
    );
    expect(() => parseCsvSamples("1,0\n2,1\n", { label: "y" })).toThrow(
      /names a column, but the file has no header/,
    );
    expect(() => parseCsvSamples("1,0\n2,1\n", { label: 5 })).toThrow(
      /label column index 5 is out of range for 2 columns/,
    );
    expect(() => parseCsvSamples("1,0\n2,-1\n", { source: "n.csv" })).toThrow(
      /n\.csv: line 2: label -1 is out of range/,
    );
    expect(() => parseCsvSamples("1,0\n2,3\n", { source: "n.csv", classes: 3 })).toThrow(
      /label 3 is out of range for 3 classes/,
    );
    expect(() => parseCsvSamples("1,0\n2,1.5\n", { source: "n.csv" })).toThrow(
      /label 1\.5 is not a class index/,
    );
  });
});

describe("the seeded split", () => {
  const samples = parseCsvSamples(
    `x,y\n${Array.from({ length: 20 }, (_, i) => `${i},${i % 2}`).join("\n")}\n`,
  );

  it("is the same for the same seed, different for another, and covers every row once", () => {
    const a = splitSamples("t", samples, { seed: 1, testFraction: 0.25 });
    const b = splitSamples("t", samples, { seed: 1, testFraction: 0.25 });
    const c = splitSamples("t", samples, { seed: 2, testFraction: 0.25 });
    expect(a.train.count).toBe(15);
    expect(a.test.count).toBe(5);
    expect(a.train.x).toEqual(b.train.x);
    expect(a.train.x).not.toEqual(c.train.x);
    expect([...a.train.x, ...a.test.x].sort((p, q) => p - q)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    validateDataset(a);
  });

  it("takes explicit counts, refuses too many rows, and standardizes with the training statistics", () => {
    const d = splitSamples("t", samples, { seed: 3, trainCount: 10, testCount: 4, standardize: true });
    const mean = d.train.x.reduce((s, v) => s + v, 0) / d.train.count;
    const sd = Math.sqrt(d.train.x.reduce((s, v) => s + (v - mean) ** 2, 0) / d.train.count);
    expect(mean).toBeCloseTo(0, 5);
    expect(sd).toBeCloseTo(1, 5);
    expect(() => splitSamples("t", samples, { seed: 3, trainCount: 18, testCount: 4 })).toThrow(
      /trainCount 18 \+ testCount 4 = 22 is more than the 20 rows/,
    );
  });
});

describe("file dataset specs and loading", () => {
  it("checks the spec: the format from the extension, options that fit the format", () => {
    expect(parseDatasetSpec({ name: "file", path: "a.csv" })).toMatchObject({
      testFraction: 0.2,
      header: "auto",
    });
    expect(() => parseDatasetSpec({ name: "file", path: "a.dat" })).toThrow(
      /data\.format: cannot tell the format of "a\.dat"/,
    );
    expect(() => parseDatasetSpec({ name: "file", path: "a.csv", labels: "y.npy" })).toThrow(
      /data\.labels: is for \.npy data/,
    );
    expect(() => parseDatasetSpec({ name: "file", path: "a.npy", label: "y" })).toThrow(
      /data\.label: is for CSV data/,
    );
    expect(() => parseDatasetSpec({ name: "file" })).toThrow(/data\.path/);
    expect(datasetShape(parseDatasetSpec({ name: "file", path: "a.csv" }))).toBeUndefined();
  });

  it("loads a CSV and .npy features with labels through the user's reader", async () => {
    const rows = Array.from({ length: 10 }, (_, i) => `${i},${10 - i},${i < 5 ? "cat" : "dog"}`);
    const user = memoryReader({
      "d.csv": text(`a,b,animal\n${rows.join("\n")}\n`),
      "x.npy": npy("<f4", [6, 2], bytes("f4", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])),
      "y.npy": npy("<i8", [6], bytes("i8", [0, 1, 0, 1, 0, 1])),
    });
    const csv = await loadDataset(parseDatasetSpec({ name: "file", path: "d.csv", testFraction: 0.3 }), 5, {
      user,
    });
    expect(csv).toMatchObject({ name: "d.csv", classes: 2, classNames: ["cat", "dog"], inputSize: 2 });
    expect([csv.train.count, csv.test.count]).toEqual([7, 3]);
    const arrays = await loadDataset(parseDatasetSpec({ name: "file", path: "x.npy", labels: "y.npy" }), 5, {
      user,
    });
    expect([arrays.train.count, arrays.test.count, arrays.classes]).toEqual([5, 1, 2]);
    await expect(
      loadDataset(parseDatasetSpec({ name: "file", path: "gone.csv" }), 5, { user }),
    ).rejects.toThrow(/cannot read data file gone\.csv: no such file/);
    await expect(
      loadDataset(parseDatasetSpec({ name: "file", path: "x.npy", labels: "none.npy" }), 5, { user }),
    ).rejects.toThrow(/cannot read labels file none\.npy/);
  });

  it("needs the loading step before makeDataset", () => {
    expect(() => makeDataset(parseDatasetSpec({ name: "iris" }), 1)).toThrow(
      /dataset "iris" is read from files: load it first/,
    );
  });
});

describe("the shipped datasets in public/data", () => {
  it("iris: 150 flowers, 4 measurements, 3 species in sorted order", async () => {
    const d = await loadShippedData("iris", readPublicFile);
    if (d.name !== "iris") throw new Error("expected iris");
    expect(d.samples).toMatchObject({ count: 150, classes: 3, inputShape: [4] });
    expect(d.samples.classNames).toEqual(["setosa", "versicolor", "virginica"]);
    const counts = [0, 0, 0];
    for (const v of d.samples.y) counts[v]++;
    expect(counts).toEqual([50, 50, 50]);
    const ds = await loadDataset(parseDatasetSpec({ name: "iris" }), 9, { shipped: readPublicFile });
    expect([ds.train.count, ds.test.count, ds.inputSize, ds.outputSize]).toEqual([100, 50, 4, 3]);
    validateDataset(ds);
    expect(datasetShape(parseDatasetSpec({ name: "iris" }))).toEqual({
      task: "classification",
      inputSize: 4,
      outputSize: 3,
      classes: 3,
    });
  });

  it("digits: 3000 + 1000 MNIST digits of 14 x 14 pixels in [0, 1], balanced", async () => {
    const d = await loadShippedData("digits", readPublicFile);
    if (d.name !== "digits") throw new Error("expected digits");
    expect([d.train.count, d.test.count]).toEqual([3000, 1000]);
    expect(d.train.inputShape).toEqual([14, 14, 1]);
    const counts = new Array(10).fill(0);
    for (const v of d.train.y) counts[v]++;
    expect(counts).toEqual(new Array(10).fill(300));
    let max = 0;
    for (const v of d.train.x) max = Math.max(max, v);
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.9);
    const ds = await loadDataset(parseDatasetSpec({ name: "digits", trainCount: 500, testCount: 100 }), 1, {
      shipped: readPublicFile,
    });
    expect([ds.train.count, ds.test.count, ds.inputSize, ds.classes]).toEqual([500, 100, 196, 10]);
    expect(ds.inputShape).toEqual([14, 14, 1]);
    validateDataset(ds);
    expect(() => parseDatasetSpec({ name: "digits", trainCount: 5000 })).toThrow(
      /data\.trainCount: must be an integer in \[1, 3000\]/,
    );
  });

  it("reads nothing without a reader for the shipped files", async () => {
    await expect(loadData(parseDatasetSpec({ name: "digits" }) as never, {})).rejects.toThrow(
      /dataset "digits" is read from public\/data\/; no reader for the shipped files was given/,
    );
  });
});
