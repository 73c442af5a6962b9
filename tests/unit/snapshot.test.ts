import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  decodeFloat32Wire,
  encodeFloat32Array,
  type Float32Wire,
  float32ArrayCodec,
  withArrayEncoding,
} from "../../src/core/snapshot/arrays";
import { decodeBase64, encodeBase64 } from "../../src/core/snapshot/base64";
import { gunzipChecked, gzipBytes } from "../../src/core/snapshot/gzip";
import { parseSnapshot, serializeSnapshot, snapshotToJsonText } from "../../src/core/snapshot/io";
import type { Snapshot, SnapshotWire } from "../../src/core/snapshot/schema";
import { summarizeSnapshot, surfaceStats } from "../../src/core/snapshot/summary";
import { assertSnapshot, checkSnapshot, SnapshotError } from "../../src/core/snapshot/validate";
import { readSnapshotFile, writeSnapshotFile } from "../../src/node/snapshot-file";

/**
 * MLP 2-3-2 (17 parameters), two directions, a 3 x 2 grid, 4 training and 2 test samples.
 * Values are small binary fractions and thirds so that both exact and inexact decimals occur.
 */
function fixture(): Snapshot {
  const parameters = Float32Array.of(
    ...[0.5, -0.25, 1 / 3, 0.1, 2, -1.5], // dense_0/kernel [2, 3]
    ...[0.01, 0, -0.02], // dense_0/bias [3]
    ...[1, -1, 0.75, 0.2, -0.3, 0.4], // dense_1/kernel [3, 2]
    ...[0.05, -0.05], // dense_1/bias [2]
  );
  const direction = (scale: number): Float32Array => {
    const d = new Float32Array(17);
    for (let i = 0; i < 17; i++) d[i] = scale * Math.sin(i + 1);
    d.fill(0, 6, 9); // biases are 0 for bias "zero"
    d.fill(0, 15, 17);
    return d;
  };
  return {
    format: "loss-landscape-snapshot",
    version: 1,
    createdAt: "2026-11-27T10:00:00Z",
    producer: { name: "loss-landscape-lab", version: "0.1.0", backend: "cpu" },
    config: { dataset: { name: "spirals", n: 4 }, seed: 7 },
    model: {
      architecture: {
        kind: "mlp",
        inputSize: 2,
        hiddenSizes: [3],
        outputSize: 2,
        activation: "relu",
        residual: false,
      },
      loss: "cross-entropy",
      layout: [
        { name: "dense_0/kernel", shape: [2, 3] },
        { name: "dense_0/bias", shape: [3] },
        { name: "dense_1/kernel", shape: [3, 2] },
        { name: "dense_1/bias", shape: [2] },
      ],
      parameters,
    },
    data: {
      name: "spirals",
      task: "classification",
      inputSize: 2,
      outputSize: 2,
      classes: 2,
      train: {
        x: new Float32Array([0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8]),
        y: new Float32Array([0, 1, 1, 0]),
        count: 4,
      },
      test: { x: new Float32Array([1.5, -2.5, 0.125, 3]), y: new Float32Array([1, 0]), count: 2 },
    },
    directions: [
      {
        label: "x",
        method: "random",
        normalization: "filter",
        bias: "zero",
        seed: 123,
        values: direction(0.3),
      },
      {
        label: "y",
        method: "random",
        normalization: "filter",
        bias: "zero",
        seed: 124,
        values: direction(-0.7),
      },
    ],
    grid: {
      axes: [
        { label: "x", min: -1, max: 1, count: 3 },
        { label: "y", min: -0.5, max: 0.5, count: 2 },
      ],
    },
    surfaces: {
      train_loss: new Float32Array([0.9, 0.4, 1.3, 1.1, 0.6, 2.2]),
      train_accuracy: new Float32Array([0.5, 1, 0.25, 0.5, 0.75, 0]),
      test_loss: new Float32Array([1, 0.5, 1.5, 1.2, 0.7, 2.5]),
      test_accuracy: new Float32Array([0.5, 1, 0, 0.5, 0.5, 0]),
    },
  };
}

/** The wire form with plain arrays, every field present and widened, so that a test can break any of it. */
type Breakable<T> = T extends Float32Wire
  ? (number | string | null)[]
  : T extends string
    ? string
    : T extends number
      ? number
      : T extends boolean
        ? boolean
        : T extends readonly (infer U)[]
          ? Breakable<U>[]
          : T extends object
            ? { [K in keyof T]-?: Breakable<T[K]> }
            : T;

/** The fixture as parsed JSON with plain arrays, ready to be broken field by field. */
function wireFixture(): Breakable<SnapshotWire> {
  return JSON.parse(snapshotToJsonText(fixture(), { arrays: "plain" }));
}

/** The problem lines of a wire object that must fail validation. */
function problemsOf(json: unknown): string[] {
  const result = checkSnapshot(json);
  if (result.ok) throw new Error("expected the snapshot to be rejected");
  return result.problems;
}

/** Bit patterns, so that NaN payloads and -0 count as differences. */
function bits(values: Float32Array): Uint32Array {
  return new Uint32Array(values.slice().buffer);
}

/** Index of the first differing bit pattern, or -1 (toEqual on a million elements is slow). */
function firstBitDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const x = bits(a);
  const y = bits(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

function expectSameSnapshot(actual: Snapshot, expected: Snapshot): void {
  expect(actual).toEqual(expected);
  expect(bits(actual.model.parameters)).toEqual(bits(expected.model.parameters));
  for (const [name, values] of Object.entries(expected.surfaces)) {
    expect(bits(actual.surfaces[name])).toEqual(bits(values));
  }
}

/** Deterministic float32 bit patterns (xorshift32), finite or not as asked. */
function randomFloats(n: number, seed: number, finiteOnly: boolean): Float32Array {
  const out = new Uint32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    do {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      out[i] = s >>> 0;
    } while (finiteOnly && ((out[i] >>> 23) & 0xff) === 0xff);
  }
  return new Float32Array(out.buffer);
}

describe("base64", () => {
  it("matches the RFC 4648 test vectors", () => {
    const vectors: [string, string][] = [
      ["", ""],
      ["f", "Zg=="],
      ["fo", "Zm8="],
      ["foo", "Zm9v"],
      ["foob", "Zm9vYg=="],
      ["fooba", "Zm9vYmE="],
      ["foobar", "Zm9vYmFy"],
    ];
    for (const [plain, encoded] of vectors) {
      const bytes = new TextEncoder().encode(plain);
      expect(encodeBase64(bytes)).toBe(encoded);
      expect(decodeBase64(encoded)).toEqual(bytes);
    }
  });

  it("decodes text without padding", () => {
    expect(new TextDecoder().decode(decodeBase64("Zm9vYg"))).toBe("foob");
    expect(new TextDecoder().decode(decodeBase64("Zm9vYmE"))).toBe("fooba");
  });

  it("rejects characters outside the alphabet with their position", () => {
    expect(() => decodeBase64("Zm9v!mFy")).toThrow(/invalid base64: character "!" at position 4/);
    expect(() => decodeBase64("Zm9v\nYmFy")).toThrow(/invalid base64: character U\+000a at position 4/);
    expect(() => decodeBase64("Zm=vYmFy")).toThrow(/position 2/);
  });

  it("rejects lengths that cannot encode whole bytes", () => {
    expect(() => decodeBase64("Zm9vY")).toThrow(/length % 4 is 1/);
    expect(() => decodeBase64("Zm9=")).not.toThrow();
    expect(() => decodeBase64("Zm9vYg=")).toThrow(/multiple of 4/);
  });
});

describe("float32 wire arrays", () => {
  it("round-trips arrays of length 0, 1, 2, 3, 4 and 1e6 through base64 bit for bit", () => {
    for (const n of [0, 1, 2, 3, 4, 1_000_000]) {
      const values = randomFloats(n, n + 1, false);
      const wire = encodeFloat32Array(values, "base64");
      expect(wire).toMatchObject({ dtype: "float32" });
      expect(firstBitDifference(decodeFloat32Wire(wire), values)).toBe(-1);
    }
  });

  it("writes little-endian float32 bytes", () => {
    expect(encodeFloat32Array(new Float32Array([1]), "base64")).toEqual({
      dtype: "float32",
      base64: "AACAPw==",
    });
    expect(decodeFloat32Wire({ dtype: "float32", base64: "AACAPwAAgL8=" })).toEqual(
      new Float32Array([1, -1]),
    );
  });

  it("keeps NaN, Infinity and -0 exactly in base64", () => {
    const values = new Float32Array([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0]);
    expect(bits(decodeFloat32Wire(encodeFloat32Array(values, "base64")))).toEqual(bits(values));
  });

  it("writes non-finite values as null in plain mode and reads null back as NaN", () => {
    const values = new Float32Array([1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    const wire = encodeFloat32Array(values, "plain");
    expect(wire).toEqual([1.5, null, null, null]);
    expect(decodeFloat32Wire(JSON.parse(JSON.stringify(wire)))).toEqual(
      new Float32Array([1.5, NaN, NaN, NaN]),
    );
  });

  it("writes plain values as the shortest decimal that rounds back to the same float32", () => {
    expect(
      JSON.stringify(encodeFloat32Array(new Float32Array([0.1, 1 / 3, 16777216, 1e-7, 3.4e38]), "plain")),
    ).toBe("[0.1,0.33333334,16777216,1e-7,3.4e+38]");
    const values = randomFloats(20_000, 99, true);
    const wire = encodeFloat32Array(values, "plain") as number[];
    const back = decodeFloat32Wire(JSON.parse(JSON.stringify(wire)));
    const expected = values.map((v) => (Object.is(v, -0) ? 0 : v));
    expect(firstBitDifference(back, expected)).toBe(-1);
    // Shortest: one significant digit less no longer rounds to the same float32.
    for (let i = 0; i < 2000; i++) {
      // toExponential() without digits gives the shortest mantissa of the double that was written.
      const digits = wire[i].toExponential().replace(/e.*$/, "").replace(/[-.]/g, "").length;
      if (digits > 1) expect(Math.fround(Number(values[i].toPrecision(digits - 1)))).not.toBe(values[i]);
    }
  });

  it("decodes both wire forms through the zod codec and encodes in the chosen mode", () => {
    expect(z.decode(float32ArrayCodec, [1, null])).toEqual(new Float32Array([1, NaN]));
    expect(z.decode(float32ArrayCodec, { dtype: "float32", base64: "AACAPw==" })).toEqual(
      new Float32Array([1]),
    );
    const values = new Float32Array([0.25, 2]);
    expect(z.encode(float32ArrayCodec, values)).toEqual({ dtype: "float32", base64: "AACAPgAAAEA=" });
    expect(withArrayEncoding("plain", () => z.encode(float32ArrayCodec, values))).toEqual([0.25, 2]);
    expect(z.encode(float32ArrayCodec, values)).toMatchObject({ dtype: "float32" });
  });

  it("explains bad base64, a byte length that is not a multiple of 4 and a wrong dtype", () => {
    expect(() => decodeFloat32Wire({ dtype: "float32", base64: "AAC*Pw==" })).toThrow(
      /invalid base64: character "\*"/,
    );
    expect(() => decodeFloat32Wire({ dtype: "float32", base64: "AACA" })).toThrow(
      /3 bytes, which is not a multiple of 4/,
    );
    expect(() => decodeFloat32Wire({ dtype: "float64", base64: "AACAPw==" })).toThrow(
      /dtype must be "float32".*got "float64"/,
    );
    expect(() => decodeFloat32Wire([1, "2"])).toThrow(/element 1 is a string/);
    expect(() => decodeFloat32Wire("1,2")).toThrow(/expected an array of numbers/);
  });
});

describe("serializing and parsing snapshots", () => {
  it.each([
    ["base64", false],
    ["base64", true],
    ["plain", false],
    ["plain", true],
  ] as const)("round-trips exactly with %s arrays (gzip %s)", (arrays, gzip) => {
    const s = fixture();
    const bytes = serializeSnapshot(s, { arrays, gzip });
    expect(bytes[0] === 0x1f && bytes[1] === 0x8b).toBe(gzip);
    expectSameSnapshot(parseSnapshot(bytes), s);
  });

  it("writes compact JSON with base64 arrays by default and indents on request", () => {
    const text = new TextDecoder().decode(serializeSnapshot(fixture()));
    expect(text).not.toContain("\n");
    expect(JSON.parse(text).model.parameters).toMatchObject({ dtype: "float32" });
    const indented = snapshotToJsonText(fixture(), { arrays: "plain", indent: 2 });
    expect(indented).toContain('\n  "version": 1,');
    expect(JSON.parse(indented).model.parameters).toHaveLength(17);
  });

  it("keeps NaN and Infinity in surfaces with base64 and turns them into NaN with plain arrays", () => {
    const s = fixture();
    s.surfaces.train_loss[2] = Number.NaN;
    s.surfaces.train_loss[5] = Number.POSITIVE_INFINITY;
    expectSameSnapshot(parseSnapshot(serializeSnapshot(s)), s);

    const text = snapshotToJsonText(s, { arrays: "plain" });
    expect(JSON.parse(text).surfaces.train_loss).toEqual([0.9, 0.4, null, 1.1, 0.6, null]);
    const plain = parseSnapshot(text);
    expect(plain.surfaces.train_loss).toEqual(new Float32Array([0.9, 0.4, NaN, 1.1, 0.6, NaN]));
  });

  it("reports non-finite surface values as warnings, not problems", () => {
    const s = fixture();
    s.surfaces.test_loss.fill(Number.NaN, 3);
    const warnings: string[] = [];
    parseSnapshot(serializeSnapshot(s), { onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([
      "surfaces.test_loss: 3 non-finite values (NaN or Infinity), the first at index 3",
    ]);
  });

  it("reads a snapshot with plain JSON arrays written by hand", () => {
    const text = `{
      "format": "loss-landscape-snapshot", "version": 1, "createdAt": "2026-01-02T03:04:05.678+01:00",
      "producer": { "name": "numpy-script", "version": "1", "backend": "numpy" },
      "config": {},
      "model": {
        "architecture": { "kind": "mlp", "inputSize": 1, "hiddenSizes": [], "outputSize": 1,
                          "activation": "linear", "residual": false },
        "loss": "mse",
        "layout": [ { "name": "dense_0/kernel", "shape": [1, 1] }, { "name": "dense_0/bias", "shape": [1] } ],
        "parameters": [2.0, -1]
      },
      "data": { "name": "line", "task": "regression", "inputSize": 1, "outputSize": 1,
                "train": { "x": [0, 1, 2], "y": [-1, 1, 3], "count": 3 } },
      "directions": [ { "label": "a", "method": "random", "normalization": "none", "bias": "copy",
                        "values": [1e-1, -1] } ],
      "grid": { "axes": [ { "label": "a", "min": -2, "max": 2, "count": 5 } ] },
      "surfaces": { "train_loss": [4, 1, 0, 1, null] }
    }`;
    const s = parseSnapshot(new TextEncoder().encode(text));
    expect(s.model.parameters).toEqual(new Float32Array([2, -1]));
    expect(s.directions[0].values).toEqual(new Float32Array([0.1, -1]));
    expect(s.surfaces.train_loss).toEqual(new Float32Array([4, 1, 0, 1, NaN]));
    expect(s.data.test).toBeUndefined();
  });

  it("keeps unknown extra top-level fields through a round trip", () => {
    const wire = wireFixture();
    wire.notes = { author: "someone", tags: ["a", "b"] };
    wire.futureField = 42;
    const s = parseSnapshot(JSON.stringify(wire));
    expect(s.notes).toEqual({ author: "someone", tags: ["a", "b"] });
    const again = JSON.parse(snapshotToJsonText(s));
    expect(again.notes).toEqual({ author: "someone", tags: ["a", "b"] });
    expect(again.futureField).toBe(42);
  });

  it("keeps unknown fields of nested objects through a round trip", () => {
    const wire = wireFixture();
    Object.assign(wire.producer, { evaluator: "batched" });
    Object.assign(wire.directions[1], { note: "second axis" });
    Object.assign(wire.model.architecture, { dropout: 0 });
    const again = JSON.parse(snapshotToJsonText(parseSnapshot(JSON.stringify(wire))));
    expect(again.producer.evaluator).toBe("batched");
    expect(again.directions[1].note).toBe("second axis");
    expect(again.model.architecture.dropout).toBe(0);
  });

  it("keeps the extension sections through a round trip", () => {
    const s = fixture();
    s.training = { epochs: 3, history: [{ epoch: 1, loss: 0.5 }] };
    s.trajectory = { method: "pca", note: "kept as written" };
    const back = parseSnapshot(serializeSnapshot(s));
    expect(back.training).toEqual(s.training);
    expect(back.trajectory).toEqual(s.trajectory);
  });

  it("refuses to serialize an invalid snapshot", () => {
    const s = fixture();
    s.model.parameters = new Float32Array(12);
    expect(() => serializeSnapshot(s)).toThrow(
      /model\.parameters: expected 17 values \(sum of layout sizes\), got 12/,
    );
    const t = fixture();
    (t.model as { parameters: unknown }).parameters = [1, 2, 3];
    expect(() => serializeSnapshot(t)).toThrow(/model\.parameters: expected a Float32Array in memory/);
  });
});

describe("reading broken bytes", () => {
  it("says that truncated JSON is not valid JSON and where it ends", () => {
    const text = snapshotToJsonText(fixture(), { indent: 2 });
    const truncated = text.slice(0, Math.floor(text.length / 2));
    expect(() => parseSnapshot(truncated)).toThrow(/snapshot is not valid JSON: .*probably truncated/);
    expect(() => parseSnapshot('{"format": "loss-landscape-snapshot",\n "version": 1,,}')).toThrow(
      /snapshot is not valid JSON: .*line 2 column/,
    );
  });

  it("says that truncated gzip data is truncated", () => {
    const bytes = serializeSnapshot(fixture(), { gzip: true });
    for (const cut of [20, bytes.length / 2, bytes.length - 4, bytes.length - 1]) {
      expect(() => parseSnapshot(bytes.slice(0, Math.floor(cut)))).toThrow(/truncated gzip data/);
    }
    expect(() => parseSnapshot(bytes.slice(0, 10))).toThrow(/truncated gzip data/);
  });

  it("says truncated wherever a multi-block gzip file is cut, block boundaries included", () => {
    // Noisy text: several deflate blocks, so some cuts fall between blocks, where fflate's Gunzip
    // would inflate a prefix without complaint (the e2e export's half was one such cut).
    let state = 7;
    const words = Array.from({ length: 40_000 }, () => {
      state = (state * 1103515245 + 12345) >>> 0;
      return (state >>> 8).toString(36);
    });
    const bytes = gzipBytes(new TextEncoder().encode(words.join(" ")));
    expect(bytes.length).toBeGreaterThan(20_000);
    for (let cut = 18; cut < bytes.length; cut += 257)
      expect(() => gunzipChecked(bytes.slice(0, cut)), `cut at ${cut}`).toThrow(/^truncated gzip data/);
    expect(new TextDecoder().decode(gunzipChecked(bytes))).toBe(words.join(" "));
  });

  it("detects a gzip file whose checksum does not match its content", () => {
    const bytes = serializeSnapshot(fixture(), { gzip: true });
    bytes[bytes.length - 6] ^= 0xff;
    expect(() => parseSnapshot(bytes)).toThrow(/corrupt gzip data/);
  });

  it("rejects bytes that are neither UTF-8 nor gzip", () => {
    expect(() => parseSnapshot(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).toThrow(/not valid UTF-8/);
  });
});

describe("validating snapshots", () => {
  it("accepts the fixture without warnings", () => {
    const result = checkSnapshot(wireFixture());
    expect(result).toMatchObject({ ok: true, warnings: [] });
  });

  it("says what format string was expected", () => {
    const wire = wireFixture();
    wire.format = "landscape";
    expect(problemsOf(wire)).toEqual([
      'format: expected "loss-landscape-snapshot", got "landscape": this is not a loss-landscape snapshot',
    ]);
  });

  it("says which version it understands when given version 2", () => {
    const wire = wireFixture();
    wire.version = 2;
    expect(problemsOf(wire)).toEqual(["version: unsupported version 2: this reader understands version 1"]);
  });

  it("names missing fields, wrong types and bad enum values by path", () => {
    const wire = wireFixture();
    Reflect.deleteProperty(wire.producer, "backend");
    wire.model.layout[1].shape = ["3"];
    wire.directions[0].normalization = "filterwise";
    wire.createdAt = "yesterday";
    wire.model.parameters[3] = "0.1";
    const problems = problemsOf(wire);
    expect(problems).toContain("producer.backend: missing (expected string)");
    expect(problems).toContain('model.layout[1].shape[0]: expected number, got "3"');
    expect(problems.some((p) => p.startsWith("directions[0].normalization:") && p.includes('"filter"'))).toBe(
      true,
    );
    expect(problems).toContain(
      'createdAt: expected an ISO 8601 date-time such as 2026-11-27T10:00:00Z, got "yesterday"',
    );
    expect(
      problems.some((p) => /^model\.parameters: expected an array of numbers.*element 3 is a string/.test(p)),
    ).toBe(true);
    expect(problems).toHaveLength(5);
  });

  it("rejects a document that is not an object", () => {
    expect(problemsOf([1, 2])).toEqual(["(root): expected object, got an array of 2"]);
  });

  it("reports wrong lengths of parameters, directions, surfaces and data", () => {
    const wire = wireFixture();
    wire.model.parameters = wire.model.parameters.slice(0, 12);
    wire.directions[1].values.push(0);
    wire.surfaces.test_loss.pop();
    wire.data.train.x.pop();
    wire.data.test.y.push(1);
    expect(problemsOf(wire)).toEqual([
      "model.parameters: expected 17 values (sum of layout sizes), got 12",
      "directions[1].values: expected 17 values (one per parameter, sum of layout sizes), got 18",
      "surfaces.test_loss: expected 6 values (grid 3 x 2), got 5",
      "data.train.x: expected 8 values (count 4 x inputSize 2), got 7",
      "data.test.y: expected 2 values (one label per sample, count 2), got 3",
    ]);
  });

  it("names the first NaN in the parameters and its tensor", () => {
    const s = fixture();
    s.model.parameters[7] = Number.NaN;
    s.model.parameters[16] = Number.POSITIVE_INFINITY;
    const problems = problemsOf(JSON.parse(snapshotToJsonText(s, { validate: false })));
    expect(problems).toEqual([
      "model.parameters: value NaN at index 7 (dense_0/bias) is not finite (2 non-finite in all)",
      // The bias of direction x is 0 there and theta's is NaN, so nothing else is reported.
    ]);
  });

  it("rejects non-finite direction values", () => {
    const s = fixture();
    s.directions[1].values[2] = Number.NEGATIVE_INFINITY;
    const problems = problemsOf(JSON.parse(snapshotToJsonText(s, { validate: false })));
    expect(problems).toEqual([
      "directions[1].values: value -Infinity at index 2 (dense_0/kernel) is not finite (1 non-finite in all)",
    ]);
  });

  it("requires min < max and an integer count of at least 2 on every axis", () => {
    const wire = wireFixture();
    wire.grid.axes[0].min = 1;
    wire.grid.axes[1].count = 1;
    expect(problemsOf(wire)).toEqual([
      "grid.axes[0].min: must be less than max, got min 1 and max 1",
      "grid.axes[1].count: must be an integer >= 2, got 1",
    ]);
    const other = wireFixture();
    other.grid.axes[0].min = 2;
    other.grid.axes[0].count = 2.5;
    expect(problemsOf(other)).toEqual(["grid.axes[0].count: must be an integer >= 2, got 2.5"]);
  });

  it("requires one direction per axis and at most two axes", () => {
    const wire = wireFixture();
    wire.grid.axes.push({ label: "z", min: 0, max: 1, count: 2 });
    const problems = problemsOf(wire);
    expect(problems).toContain("grid.axes: a landscape has 1 or 2 axes, got 3");
    expect(problems).toContain("grid.axes: 3 axes but 2 directions; each axis needs its own direction");
  });

  it("checks the layout against the architecture", () => {
    const wire = wireFixture();
    wire.model.layout[0].name = "layer0/kernel";
    wire.model.layout[2].shape = [2, 3];
    expect(problemsOf(wire)).toEqual([
      'model.layout[0].name: expected "dense_0/kernel" (MLP 2-3-2 from model.architecture), got "layer0/kernel"',
      "model.layout[2].shape: expected [3, 2] for dense_1/kernel (MLP 2-3-2 from model.architecture), got [2, 3]",
    ]);

    const deeper = wireFixture();
    (deeper.model.architecture as { hiddenSizes: number[] }).hiddenSizes = [3, 3];
    expect(problemsOf(deeper)).toEqual([
      "model.layout: expected 6 tensors for MLP 2-3-3-2 (a kernel and a bias per layer, from model.architecture), got 4",
      "model.layout[2].shape: expected [3, 3] for dense_1/kernel (MLP 2-3-3-2 from model.architecture), got [3, 2]",
      "model.layout[3].shape: expected [3] for dense_1/bias (MLP 2-3-3-2 from model.architecture), got [2]",
    ]);
  });

  it("checks the architecture's sizes against the data", () => {
    const wire = wireFixture();
    wire.data.inputSize = 3;
    wire.data.train.x.push(0, 0, 0, 0);
    wire.data.test.x.push(0, 0);
    expect(problemsOf(wire)).toEqual(["model.architecture.inputSize: 2, but data.inputSize is 3"]);
  });

  it("rejects class labels that are not integers in [0, classes)", () => {
    const wire = wireFixture();
    wire.data.train.y = [0, 2, 0.5, -1];
    wire.data.test.y = [1, null];
    expect(problemsOf(wire)).toEqual([
      "data.train.y: 3 labels are not integers in [0, 2), the first is 2 at index 1",
      "data.test.y: 1 labels are not integers in [0, 2), the first is NaN at index 1",
    ]);
  });

  it("checks that the loss and classes fit the task", () => {
    const wire = wireFixture();
    wire.model.loss = "mse";
    Reflect.deleteProperty(wire.data, "classes");
    expect(problemsOf(wire)).toEqual([
      "data.classes: missing; required for classification",
      'model.loss: "mse" needs regression targets, but data.task is "classification"',
    ]);
  });

  it("requires the slope of leaky_relu", () => {
    const wire = wireFixture();
    (wire.model.architecture as { activation: string }).activation = "leaky_relu";
    expect(problemsOf(wire)).toEqual([
      "model.architecture.leakyReluAlpha: required when activation is leaky_relu",
    ]);
    (wire.model.architecture as { leakyReluAlpha?: number }).leakyReluAlpha = 0.01;
    expect(checkSnapshot(wire).ok).toBe(true);
  });

  it("warns when a direction's biases contradict its bias rule", () => {
    const wire = wireFixture();
    wire.directions[0].values[7] = 0.5;
    const result = checkSnapshot(wire);
    expect(result).toMatchObject({
      ok: true,
      warnings: ['directions[0].values: bias is "zero" but dense_0/bias differs from 0 at index 7'],
    });
  });

  it("reports several problems at once", () => {
    const wire = wireFixture();
    wire.model.parameters[0] = null;
    wire.grid.axes[1].max = -1;
    wire.data.train.y[0] = 5;
    wire.surfaces.train_loss.push(1);
    wire.model.architecture.outputSize = 3;
    const problems = problemsOf(wire);
    expect(problems).toHaveLength(7);
    expect(problems.map((p) => p.split(":")[0])).toEqual([
      "model.parameters",
      "model.layout[2].shape",
      "model.layout[3].shape",
      "grid.axes[1].min",
      "surfaces.train_loss",
      "model.architecture.outputSize",
      "data.train.y",
    ]);
  });

  it("throws a SnapshotError whose message counts and lists the problems", () => {
    const wire = wireFixture();
    wire.format = "x";
    wire.version = 3;
    let error: unknown;
    try {
      assertSnapshot(wire);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SnapshotError);
    const { problems, message } = error as SnapshotError;
    expect(problems).toHaveLength(2);
    expect(message.split("\n")).toEqual(["snapshot has 2 problems:", ...problems]);
  });
});

describe("summaries", () => {
  it("finds the minimum of a surface on the grid, ignoring non-finite values", () => {
    const axes = [
      { min: -1, max: 1, count: 3 },
      { min: 0, max: 2, count: 2 },
    ];
    expect(surfaceStats(new Float32Array([3, 2, NaN, 4, 1, Number.POSITIVE_INFINITY]), axes)).toEqual({
      min: 1,
      max: 4,
      argmin: 4,
      argminIndex: [1, 1],
      argminCoords: [0, 2],
      nonFinite: 2,
    });
    expect(surfaceStats(new Float32Array([NaN, NaN]), [{ min: 0, max: 1, count: 2 }])).toMatchObject({
      argmin: -1,
      nonFinite: 2,
    });
  });

  it("summarizes model, data, directions, grid and surfaces", () => {
    const s = fixture();
    s.surfaces.test_loss[5] = Number.NaN;
    const text = summarizeSnapshot(s);
    expect(text).toContain("mlp 2-3-2, relu, residual no, 17 parameters");
    expect(text).toContain("cross-entropy");
    expect(text).toContain(
      "spirals (classification, 2 classes, inputSize 2, outputSize 2): 4 train samples, 2 test samples",
    );
    expect(text).toContain("random, filter normalization, bias zero, seed 123");
    expect(text).toContain("x in [-1, 1] x 3, y in [-0.5, 0.5] x 2 (6 points)");
    expect(text).toMatch(
      /train_loss\s+min 0\.4 at x=0, y=-0\.5 \(index 1 = \[1, 0\]\), max 2\.2, 0 non-finite/,
    );
    expect(text).toMatch(/test_loss\s+min 0\.5 .* 1 non-finite/);
    expect(text).toContain("loss-landscape-lab 0.1.0, backend cpu");
    expect(text).toContain("2026-11-27T10:00:00Z");
  });
});

describe("snapshot files", () => {
  let dir = "";
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "snapshot-test-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes gzip for .gz paths and plain JSON otherwise, leaving no temporary file", async () => {
    const s = fixture();
    await writeSnapshotFile(path.join(dir, "a.json.gz"), s);
    await writeSnapshotFile(path.join(dir, "b.json"), s, { arrays: "plain", indent: 2 });
    expect((await readdir(dir)).sort()).toEqual(["a.json.gz", "b.json"]);
    const gz = await readFile(path.join(dir, "a.json.gz"));
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    expect((await readFile(path.join(dir, "b.json"), "utf8")).startsWith("{\n")).toBe(true);
    expectSameSnapshot(await readSnapshotFile(path.join(dir, "a.json.gz")), s);
    expectSameSnapshot(await readSnapshotFile(path.join(dir, "b.json")), s);
  });

  it("replaces an existing file", async () => {
    const file = path.join(dir, "s.json");
    await writeFile(file, "old");
    await writeSnapshotFile(file, fixture());
    expect((await readSnapshotFile(file)).format).toBe("loss-landscape-snapshot");
    expect(await readdir(dir)).toEqual(["s.json"]);
  });

  it("does not create the target when validation fails", async () => {
    const s = fixture();
    s.grid.axes[0].count = 1;
    const file = path.join(dir, "bad.json");
    await expect(writeSnapshotFile(file, s)).rejects.toThrow(/bad\.json[\s\S]*grid\.axes\[0\]\.count/);
    expect(await readdir(dir)).toEqual([]);
  });

  it("removes the temporary file when the write fails", async () => {
    // Renaming a file over a non-empty directory fails after the temporary file was written.
    const target = path.join(dir, "target");
    await mkdir(path.join(target, "inside"), { recursive: true });
    await expect(writeSnapshotFile(target, fixture())).rejects.toThrow(/cannot write snapshot .*target/);
    expect(await readdir(dir)).toEqual(["target"]);
  });

  it("names the file when reading fails", async () => {
    const missing = path.join(dir, "missing.json");
    await expect(readSnapshotFile(missing)).rejects.toThrow(/cannot read snapshot .*missing\.json/);
    const broken = path.join(dir, "broken.json");
    await writeFile(broken, '{"format": "loss-landscape-snapshot"');
    await expect(readSnapshotFile(broken)).rejects.toThrow(
      /broken\.json has 1 problem:\nsnapshot is not valid JSON/,
    );
  });
});
