import { describe, expect, it } from "vitest";
import { SPIRAL_RADIUS } from "../../src/core/data/classification2d";
import { datasetShape, makeDataset } from "../../src/core/data/make";
import { evaluatePolynomial } from "../../src/core/data/regression1d";
import {
  DATASET_NAMES,
  type DatasetSpecInput,
  defaultDatasetSpec,
  parseDatasetSpec,
} from "../../src/core/data/spec";
import type { Dataset } from "../../src/core/data/types";
import { datasetSummary, validateDataset } from "../../src/core/data/validate";

const make = (input: DatasetSpecInput, seed = 1): Dataset => makeDataset(parseDatasetSpec(input), seed);

/** Bit patterns, so that -0 vs 0 or NaN payloads would count as differences. */
const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

function classCounts(y: Float32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of y) counts[label]++;
  return counts;
}

/** A tiny valid classification dataset: 3 train rows, 1 test row, 2 inputs, 2 classes. */
function fixture(): Dataset {
  return {
    name: "tiny",
    task: "classification",
    inputSize: 2,
    outputSize: 2,
    classes: 2,
    train: { x: new Float32Array([0, 0, 1, 1, -1, 0.5]), y: new Float32Array([0, 1, 1]), count: 3 },
    test: { x: new Float32Array([0.5, -0.5]), y: new Float32Array([0]), count: 1 },
  };
}

function regressionFixture(): Dataset {
  return {
    name: "line",
    task: "regression",
    inputSize: 1,
    outputSize: 1,
    train: { x: new Float32Array([0, 0.5]), y: new Float32Array([1, 2]), count: 2 },
    test: { x: new Float32Array([]), y: new Float32Array([]), count: 0 },
  };
}

describe("parseDatasetSpec", () => {
  it("lists the dataset names in display order", () => {
    expect(DATASET_NAMES).toEqual(["moons", "circles", "spirals", "xor", "blobs", "sine", "polynomial"]);
  });

  it("fills in every default from the name alone", () => {
    expect(parseDatasetSpec({ name: "moons" })).toEqual({
      name: "moons",
      trainCount: 512,
      testCount: 512,
      noise: 0.1,
    });
    expect(parseDatasetSpec({ name: "circles" })).toEqual({
      name: "circles",
      trainCount: 512,
      testCount: 512,
      factor: 0.5,
      noise: 0.05,
    });
    expect(defaultDatasetSpec("spirals")).toMatchObject({ arms: 2, turns: 1.5, noise: 0.1 });
    expect(defaultDatasetSpec("xor")).toMatchObject({ noise: 0.05 });
    expect(defaultDatasetSpec("blobs")).toMatchObject({ classes: 3, spread: 0.25, noise: 0 });
    expect(defaultDatasetSpec("sine")).toMatchObject({ frequency: 1, noise: 0.1 });
    expect(defaultDatasetSpec("polynomial")).toMatchObject({ coefficients: [0, -1, 0, 1], noise: 0.05 });
  });

  it("keeps the values given, including an explicit seed", () => {
    expect(
      parseDatasetSpec({ name: "spirals", arms: 5, turns: 2, noise: 0, trainCount: 3, seed: 4294967295 }),
    ).toEqual({
      name: "spirals",
      arms: 5,
      turns: 2,
      noise: 0,
      trainCount: 3,
      testCount: 512,
      seed: 4294967295,
    });
  });

  it("does not share the default coefficient array between specs", () => {
    const a = defaultDatasetSpec("polynomial");
    a.coefficients.push(7);
    expect(defaultDatasetSpec("polynomial").coefficients).toEqual([0, -1, 0, 1]);
  });

  it("names an unknown dataset and lists the valid ones", () => {
    expect(() => parseDatasetSpec({ name: "foo" })).toThrow(
      'data.name: unknown dataset "foo"; expected one of moons, circles, spirals, xor, blobs, sine, polynomial',
    );
  });

  it("says when the name is missing or the spec is not an object", () => {
    expect(() => parseDatasetSpec({ trainCount: 5 })).toThrow(/data\.name: missing; expected one of moons, /);
    expect(() => parseDatasetSpec("moons")).toThrow(
      /data: must be an object such as \{ "name": "moons" \}, got "moons"/,
    );
    expect(() => parseDatasetSpec(null)).toThrow(/data: must be an object/);
  });

  it("rejects a zero or negative trainCount, naming the field", () => {
    expect(() => parseDatasetSpec({ name: "moons", trainCount: 0 })).toThrow(
      /data\.trainCount: must be an integer in \[1, 1000000\], got 0/,
    );
    expect(() => parseDatasetSpec({ name: "moons", trainCount: -5 })).toThrow(/data\.trainCount: .* got -5/);
    expect(() => parseDatasetSpec({ name: "moons", testCount: -1 })).toThrow(
      /data\.testCount: must be an integer in \[0, 1000000\], got -1/,
    );
  });

  it("rejects spiral arms outside 2..8 and non-integer arms", () => {
    for (const arms of [1, 9, 2.5]) {
      expect(() => parseDatasetSpec({ name: "spirals", arms })).toThrow(
        new RegExp(`data\\.arms: must be an integer in \\[2, 8\\], got ${arms}`),
      );
    }
  });

  it("rejects a non-integer, negative or too large seed", () => {
    expect(() => parseDatasetSpec({ name: "xor", seed: 1.5 })).toThrow(
      /data\.seed: must be an integer in \[0, 4294967295\], got 1\.5/,
    );
    expect(() => parseDatasetSpec({ name: "xor", seed: -1 })).toThrow(/data\.seed: .* got -1/);
    expect(() => parseDatasetSpec({ name: "xor", seed: 4294967296 })).toThrow(
      /data\.seed: .* got 4294967296/,
    );
  });

  it("rejects more than a million points in total, naming both counts and the limit", () => {
    expect(() => parseDatasetSpec({ name: "sine", trainCount: 600_000, testCount: 500_000 })).toThrow(
      /data: trainCount \+ testCount must be at most 1000000, got 600000 \+ 500000 = 1100000/,
    );
    expect(() => parseDatasetSpec({ name: "sine", trainCount: 1_000_000, testCount: 0 })).not.toThrow();
  });

  it("rejects out-of-range dataset options with the field path", () => {
    expect(() => parseDatasetSpec({ name: "circles", factor: 1 })).toThrow(
      /data\.factor: must be a number strictly between 0 and 1, got 1/,
    );
    expect(() => parseDatasetSpec({ name: "circles", factor: 0 })).toThrow(/data\.factor: .* got 0/);
    expect(() => parseDatasetSpec({ name: "blobs", classes: 11 })).toThrow(
      /data\.classes: .* \[2, 10\], got 11/,
    );
    expect(() => parseDatasetSpec({ name: "spirals", turns: 0 })).toThrow(
      /data\.turns: must be a finite number > 0/,
    );
    expect(() => parseDatasetSpec({ name: "sine", frequency: Number.POSITIVE_INFINITY })).toThrow(
      /data\.frequency: .* got Infinity/,
    );
    expect(() => parseDatasetSpec({ name: "moons", noise: Number.NaN })).toThrow(/data\.noise: .* got NaN/);
    expect(() => parseDatasetSpec({ name: "moons", noise: -0.1 })).toThrow(
      /data\.noise: must be a finite number >= 0/,
    );
    expect(() => parseDatasetSpec({ name: "polynomial", coefficients: [1, "a"] })).toThrow(
      /data\.coefficients\[1\]: must be a finite number, got "a"/,
    );
    expect(() => parseDatasetSpec({ name: "polynomial", coefficients: [] })).toThrow(
      /data\.coefficients: must be an array of 1 to 16 finite numbers, got \[\]/,
    );
  });

  it("rejects unknown fields so that typos are not silently ignored", () => {
    expect(() => parseDatasetSpec({ name: "moons", trainCnt: 5 })).toThrow(
      /data: unknown field "trainCnt" for dataset "moons"; expected only name, trainCount, testCount, seed, noise/,
    );
    expect(() => parseDatasetSpec({ name: "moons", factor: 0.5 })).toThrow(/unknown field "factor"/);
  });

  it("collects every problem into one message", () => {
    const bad = { name: "spirals", trainCount: 0, arms: 20, seed: 0.5 };
    expect(() => parseDatasetSpec(bad)).toThrow(/data\.trainCount: .*; data\.seed: .*; data\.arms: /);
  });

  it("prefixes messages with the given path", () => {
    expect(() => parseDatasetSpec({ name: "moons", trainCount: 0 }, "presets[2].data")).toThrow(
      /^presets\[2\]\.data\.trainCount: /,
    );
  });
});

describe("makeDataset", () => {
  const shapes = [
    { name: "moons", task: "classification", inputSize: 2, outputSize: 2, classes: 2 },
    { name: "circles", task: "classification", inputSize: 2, outputSize: 2, classes: 2 },
    { name: "spirals", task: "classification", inputSize: 2, outputSize: 2, classes: 2 },
    { name: "xor", task: "classification", inputSize: 2, outputSize: 2, classes: 2 },
    { name: "blobs", task: "classification", inputSize: 2, outputSize: 3, classes: 3 },
    { name: "sine", task: "regression", inputSize: 1, outputSize: 1, classes: undefined },
    { name: "polynomial", task: "regression", inputSize: 1, outputSize: 1, classes: undefined },
  ] as const;

  it.each(shapes)("gives $name the documented shape and array lengths", (s) => {
    const d = make({ name: s.name, trainCount: 10, testCount: 7 });
    expect(d).toMatchObject({ name: s.name, task: s.task, inputSize: s.inputSize, outputSize: s.outputSize });
    expect(d.classes).toBe(s.classes);
    expect(datasetShape(parseDatasetSpec({ name: s.name }))).toEqual({
      task: s.task,
      inputSize: s.inputSize,
      outputSize: s.outputSize,
      ...(s.classes === undefined ? {} : { classes: s.classes }),
    });
    expect(d.train.count).toBe(10);
    expect(d.test.count).toBe(7);
    expect(d.train.x).toBeInstanceOf(Float32Array);
    expect(d.train.x.length).toBe(10 * s.inputSize);
    expect(d.test.x.length).toBe(7 * s.inputSize);
    const yCols = s.task === "classification" ? 1 : s.outputSize;
    expect(d.train.y.length).toBe(10 * yCols);
    expect(d.test.y.length).toBe(7 * yCols);
    expect(() => validateDataset(d)).not.toThrow();
  });

  it("covers every dataset name in the shape table", () => {
    expect(shapes.map((s) => s.name)).toEqual([...DATASET_NAMES]);
  });

  it.each(DATASET_NAMES)("makes bit-identical %s data from the same spec and seed", (name) => {
    const a = make({ name, trainCount: 50, testCount: 20 }, 42);
    const b = make({ name, trainCount: 50, testCount: 20 }, 42);
    expect(bits(a.train.x)).toEqual(bits(b.train.x));
    expect(bits(a.train.y)).toEqual(bits(b.train.y));
    expect(bits(a.test.x)).toEqual(bits(b.test.x));
    expect(bits(a.test.y)).toEqual(bits(b.test.y));
  });

  it.each(DATASET_NAMES)("makes different %s data from a different seed", (name) => {
    const a = make({ name, trainCount: 50, testCount: 20 }, 42);
    const b = make({ name, trainCount: 50, testCount: 20 }, 43);
    expect(bits(a.train.x)).not.toEqual(bits(b.train.x));
    expect(bits(a.test.x)).not.toEqual(bits(b.test.x));
  });

  it("uses spec.seed in place of the seed argument", () => {
    const pinned = make({ name: "moons", trainCount: 20, seed: 9 }, 1);
    expect(bits(make({ name: "moons", trainCount: 20, seed: 9 }, 2).train.x)).toEqual(bits(pinned.train.x));
    expect(bits(make({ name: "moons", trainCount: 20 }, 9).train.x)).toEqual(bits(pinned.train.x));
  });

  it("keeps the training set when only testCount changes", () => {
    const a = make({ name: "spirals", trainCount: 30, testCount: 5 });
    const b = make({ name: "spirals", trainCount: 30, testCount: 100 });
    expect(bits(b.train.x)).toEqual(bits(a.train.x));
    expect(bits(b.train.y)).toEqual(bits(a.train.y));
  });

  it("moves the same points continuously when only the noise changes", () => {
    const clean = make({ name: "moons", trainCount: 100, noise: 0 });
    const noisy = make({ name: "moons", trainCount: 100, noise: 0.01 });
    expect(noisy.train.y).toEqual(clean.train.y);
    for (let i = 0; i < clean.train.x.length; i++) {
      expect(Math.abs(noisy.train.x[i] - clean.train.x[i])).toBeLessThan(0.06);
    }
  });

  it("works with testCount 0 and a single training point", () => {
    const d = make({ name: "circles", trainCount: 1, testCount: 0 });
    expect(d.train.count).toBe(1);
    expect(d.train.x.length).toBe(2);
    expect(d.test).toEqual({ x: new Float32Array(0), y: new Float32Array(0), count: 0 });
    expect(() => validateDataset(d)).not.toThrow();
  });

  it("balances classes within each split, extra points going to the lowest classes", () => {
    const d = make({ name: "spirals", arms: 3, trainCount: 10, testCount: 7 });
    expect(classCounts(d.train.y, 3)).toEqual([4, 3, 3]);
    expect(classCounts(d.test.y, 3)).toEqual([3, 2, 2]);
    const b = make({ name: "blobs", classes: 10, trainCount: 1000, testCount: 0 });
    expect(classCounts(b.train.y, 10)).toEqual(new Array(10).fill(100));
  });

  it("gives integer labels in [0, classes) in shuffled order", () => {
    const d = make({ name: "spirals", arms: 8, trainCount: 400, testCount: 0 });
    for (const label of d.train.y) {
      expect(Number.isInteger(label) && label >= 0 && label < 8).toBe(true);
    }
    const firstFifty = d.train.y.subarray(0, 50);
    expect(new Set(firstFifty).size).toBeGreaterThan(4);
  });

  it("keeps default 2-D inputs roughly within [-1.5, 1.5]", () => {
    for (const name of ["moons", "circles", "spirals", "xor", "blobs"] as const) {
      const x = make({ name }).train.x;
      let inside = 0;
      for (const v of x) if (Math.abs(v) <= 1.5) inside++;
      expect(inside / x.length).toBeGreaterThan(0.97);
      for (const v of x) expect(Math.abs(v)).toBeLessThan(2.5);
    }
  });

  it("puts noise-free circles exactly on radius 1 (class 0) and radius factor (class 1)", () => {
    const d = make({ name: "circles", factor: 0.3, noise: 0, trainCount: 200, testCount: 0 });
    for (let i = 0; i < d.train.count; i++) {
      const r = Math.hypot(d.train.x[2 * i], d.train.x[2 * i + 1]);
      expect(r).toBeCloseTo(d.train.y[i] === 0 ? 1 : 0.3, 6);
    }
  });

  it("puts noise-free moons exactly on their two unit half circles", () => {
    const d = make({ name: "moons", noise: 0, trainCount: 200, testCount: 0 });
    for (let i = 0; i < d.train.count; i++) {
      const [x, y] = [d.train.x[2 * i], d.train.x[2 * i + 1]];
      // Class 0: upper half circle centred (-0.5, -0.25); class 1: lower half centred (0.5, 0.25).
      const [cx, cy, side] = d.train.y[i] === 0 ? [-0.5, -0.25, 1] : [0.5, 0.25, -1];
      expect(Math.hypot(x - cx, y - cy)).toBeCloseTo(1, 6);
      expect(side * (y - cy)).toBeGreaterThanOrEqual(-1e-6);
    }
  });

  it("puts noise-free spiral points on the arm of their class", () => {
    const arms = 3;
    const turns = 1.5;
    const d = make({ name: "spirals", arms, turns, noise: 0, trainCount: 300, testCount: 0 });
    for (let i = 0; i < d.train.count; i++) {
      const [x, y] = [d.train.x[2 * i], d.train.x[2 * i + 1]];
      const s = Math.hypot(x, y) / SPIRAL_RADIUS;
      if (s < 1e-3) continue; // the angle is ill-conditioned at the centre
      const expected = 2 * Math.PI * (turns * s + d.train.y[i] / arms);
      const miss = Math.atan2(y, x) - expected;
      // Compare angles modulo 2 pi.
      expect(Math.abs(Math.atan2(Math.sin(miss), Math.cos(miss)))).toBeLessThan(1e-4);
    }
  });

  it("labels noise-free xor points by the sign of x * y inside [-1, 1]^2", () => {
    const d = make({ name: "xor", noise: 0, trainCount: 200, testCount: 0 });
    for (let i = 0; i < d.train.count; i++) {
      const [x, y] = [d.train.x[2 * i], d.train.x[2 * i + 1]];
      expect(Math.max(Math.abs(x), Math.abs(y))).toBeLessThanOrEqual(1);
      expect(d.train.y[i]).toBe(x * y > 0 ? 1 : 0);
    }
  });

  it("puts zero-spread blobs exactly on the unit-circle centres", () => {
    const d = make({ name: "blobs", classes: 4, spread: 0, noise: 0, trainCount: 8, testCount: 0 });
    for (let i = 0; i < d.train.count; i++) {
      const angle = (2 * Math.PI * d.train.y[i]) / 4;
      expect(d.train.x[2 * i]).toBeCloseTo(Math.cos(angle), 6);
      expect(d.train.x[2 * i + 1]).toBeCloseTo(Math.sin(angle), 6);
    }
  });

  it("puts noise-free sine and polynomial targets on their curves", () => {
    const s = make({ name: "sine", frequency: 2, noise: 0, trainCount: 100, testCount: 0 });
    const p = make({
      name: "polynomial",
      coefficients: [0.5, 0, -2],
      noise: 0,
      trainCount: 100,
      testCount: 0,
    });
    for (let i = 0; i < 100; i++) {
      expect(s.train.x[i]).toBeGreaterThanOrEqual(-1);
      expect(s.train.x[i]).toBeLessThan(1);
      expect(s.train.y[i]).toBeCloseTo(Math.sin(2 * Math.PI * s.train.x[i]), 5);
      expect(p.train.y[i]).toBeCloseTo(0.5 - 2 * p.train.x[i] ** 2, 5);
    }
  });

  it("evaluates polynomials with coefficients in increasing degree", () => {
    expect(evaluatePolynomial([0, -1, 0, 1], 2)).toBe(6);
    expect(evaluatePolynomial([3], -7)).toBe(3);
  });

  it("rejects a hand-built spec that the schema would not accept", () => {
    const spec = { ...defaultDatasetSpec("spirals"), arms: 20 };
    expect(() => makeDataset(spec, 1)).toThrow(/data\.arms: must be an integer in \[2, 8\], got 20/);
  });
});

describe("validateDataset", () => {
  it("accepts small valid classification and regression datasets", () => {
    expect(() => validateDataset(fixture())).not.toThrow();
    expect(() => validateDataset(regressionFixture())).not.toThrow();
  });

  it("reports an x array of the wrong length", () => {
    const d = fixture();
    d.train.x = new Float32Array(5);
    expect(() => validateDataset(d)).toThrow(
      /invalid dataset "tiny": train\.x has length 5, expected count \* inputSize = 6/,
    );
  });

  it("reports a y array of the wrong length", () => {
    const d = fixture();
    d.test.y = new Float32Array([0, 1]);
    expect(() => validateDataset(d)).toThrow(/test\.y has length 2, expected count = 1/);
  });

  it("reports NaN and Infinity with their position", () => {
    const d = fixture();
    d.train.x[3] = Number.NaN;
    expect(() => validateDataset(d)).toThrow(/train\.x has 1 non-finite value, first NaN at row 1, column 1/);
    const r = regressionFixture();
    r.train.y[1] = Number.POSITIVE_INFINITY;
    expect(() => validateDataset(r)).toThrow(/train\.y has 1 non-finite value, first Infinity at row 1/);
  });

  it("reports labels that are out of range, negative or not integers", () => {
    for (const label of [2, -1, 0.5]) {
      const d = fixture();
      d.train.y[2] = label;
      expect(() => validateDataset(d)).toThrow(
        new RegExp(
          `train\\.y has 1 invalid label \\(labels must be integers in \\[0, 2\\)\\), first ${label} at row 2`,
        ),
      );
    }
  });

  it("reports inconsistent sizes and an empty training set", () => {
    expect(() => validateDataset({ ...fixture(), outputSize: 3 })).toThrow(
      /outputSize must equal classes for classification, got 3 and 2/,
    );
    expect(() => validateDataset({ ...fixture(), classes: undefined })).toThrow(
      /classes must be an integer >= 2/,
    );
    expect(() => validateDataset({ ...regressionFixture(), classes: 2 })).toThrow(/classes must be absent/);
    const empty = fixture();
    empty.train = { x: new Float32Array(0), y: new Float32Array(0), count: 0 };
    expect(() => validateDataset(empty)).toThrow(/train\.count must be at least 1, got 0/);
  });

  it("collects problems from both splits into one message", () => {
    const d = fixture();
    d.train.x = new Float32Array(1);
    d.test.y[0] = 7;
    expect(() => validateDataset(d)).toThrow(/train\.x has length 1.*; test\.y has 1 invalid label/);
  });
});

describe("datasetSummary", () => {
  it("describes a classification dataset with its training class counts in one line", () => {
    expect(datasetSummary(fixture())).toBe(
      "tiny: classification, 2 inputs -> 2 classes, 3 train (1/2), 1 test",
    );
  });

  it("describes a regression dataset in one line", () => {
    expect(datasetSummary(regressionFixture())).toBe(
      "line: regression, 1 input -> 1 output, 2 train, 0 test",
    );
  });

  it("describes generated data", () => {
    expect(datasetSummary(make({ name: "blobs", trainCount: 7, testCount: 2 }))).toBe(
      "blobs: classification, 2 inputs -> 3 classes, 7 train (3/2/2), 2 test",
    );
  });
});
