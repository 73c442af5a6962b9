/**
 * Hostile inputs built from real snapshots for the fuzzers (npm run fuzz, and the properties of
 * tests/unit/fuzz-hostile.test.ts): mutations do not make a file that is small on disk and huge
 * once read, or that aims at a reader's prototype, so these builders do, each from a seeded random
 * source, and each says what the reader must answer:
 * - "__proto__" at a random place: refused by name;
 * - "constructor" or "prototype" at a random place: data (kept through a round trip if the file
 *   is otherwise valid);
 * - arrays nested around the depth limit: refused as too deep exactly when deeper than the limit;
 * - NaN or Infinity spelled bare for a number: not JSON, with the hint;
 * - whitespace padding inflated past a (small) limit: too large, stopped there;
 * - the text split into several gzip members: the same snapshot; cut anywhere: truncated;
 * - a float array short by one: the expected length named;
 * - a text field just over the string limit: too large;
 * - (HDF5) a surface declared [ny, nx] and never written, against small random limits: refused
 *   exactly when the coordinates or the surface declare more than the limits allow.
 *
 * @example const input = hostileSnapshot(seedJson, createRng(7)); checkHostile(input);
 */
import { gzipSync } from "fflate";
import { type H5Lib, writeH5 } from "../../src/core/export/h5";
import { jsonPath } from "../../src/core/snapshot/issues";
import { DEFAULT_READ_LIMITS, type ReadLimits } from "../../src/core/snapshot/limits";
import type { Rng } from "./mutate";

export interface HostileInput {
  /** Which builder made it. */
  kind: string;
  bytes: Uint8Array;
  limits: ReadLimits;
  /** The problem a refusal must give; "accepted" when it must be read; "either" when validity depends on the rest. */
  expect: RegExp | "accepted" | "either";
  /** A key that must still be there (as data) when the file is accepted: its path from the root. */
  kept?: (string | number)[];
}

const utf8 = new TextEncoder();

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)];
}

/** Every object (not array) inside a JSON value, with its path. */
function objects(root: unknown): { value: Record<string, unknown>; path: (string | number)[] }[] {
  const out: { value: Record<string, unknown>; path: (string | number)[] }[] = [];
  const visit = (v: unknown, path: (string | number)[]) => {
    if (v === null || typeof v !== "object") return;
    if (Array.isArray(v)) {
      if (v.length <= 16) {
        for (const [i, x] of v.entries()) visit(x, [...path, i]);
      }
      return;
    }
    out.push({ value: v as Record<string, unknown>, path });
    for (const k of Object.keys(v)) visit((v as Record<string, unknown>)[k], [...path, k]);
  };
  visit(root, []);
  return out;
}

/** Plain float arrays (arrays of numbers and nulls with more than one element), with their paths. */
function floatArrays(root: unknown): { value: unknown[]; path: (string | number)[] }[] {
  const out: { value: unknown[]; path: (string | number)[] }[] = [];
  const visit = (v: unknown, path: (string | number)[]) => {
    if (v === null || typeof v !== "object") return;
    if (Array.isArray(v)) {
      if (v.length > 1 && v.every((x) => x === null || typeof x === "number")) out.push({ value: v, path });
      else if (v.length <= 16) {
        for (const [i, x] of v.entries()) visit(x, [...path, i]);
      }
      return;
    }
    for (const k of Object.keys(v)) visit((v as Record<string, unknown>)[k], [...path, k]);
  };
  visit(root, []);
  return out;
}

/** The path as the readers write it, escaped for a RegExp: `surfaces\.train_loss`, `directions\[0\]\.values`. */
function jsonPathText(path: readonly (string | number)[]): string {
  return jsonPath(path).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Sets an own property (defineProperty: "__proto__" stays data, as JSON.parse leaves it). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The JSON text of a value with a marker string replaced by `token` (a bare word JSON.stringify cannot write). */
function withBare(json: unknown, token: string): Uint8Array {
  return utf8.encode(JSON.stringify(json).replace('"@@BARE@@"', token));
}

const BARE_NON_FINITE = [
  "NaN",
  "-NaN",
  "nan",
  "NAN",
  "Infinity",
  "-Infinity",
  "+Infinity",
  "inf",
  "-inf",
  "INF",
];

/** A gzip file of `text` split into `members` gzip members (RFC 1952 allows any number). */
function gzipMembers(text: Uint8Array, members: number, rng: Rng): Uint8Array {
  const cuts = Array.from({ length: members - 1 }, () => rng.int(text.length + 1)).sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const cut of [...cuts, text.length]) {
    parts.push(gzipSync(text.subarray(at, cut), { level: (1 + rng.int(9)) as 6 }));
    at = cut;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * One hostile snapshot made from `seed` (a valid snapshot's JSON value, plain or base64 arrays).
 * The seed is not changed.
 */
export function hostileSnapshot(seed: unknown, rng: Rng): HostileInput {
  const json = structuredClone(seed) as Record<string, unknown>;
  const limits = DEFAULT_READ_LIMITS;
  switch (rng.int(8)) {
    case 0: {
      const { value } = pick(rng, objects(json));
      define(value, "__proto__", rng.int(2) ? { polluted: true } : [1, 2, 3]);
      return {
        kind: "__proto__ key",
        bytes: utf8.encode(JSON.stringify(json)),
        limits,
        expect: /the key "__proto__" is refused/,
      };
    }
    case 1: {
      const { value, path } = pick(rng, objects(json));
      const key = pick(rng, ["constructor", "prototype"]);
      const values: unknown[] = [{ prototype: { polluted: true } }, "x", 1, null, [], { constructor: {} }];
      define(value, key, pick(rng, values));
      return {
        kind: `${key} key`,
        bytes: utf8.encode(JSON.stringify(json)),
        limits,
        expect: "either",
        kept: [...path, key],
      };
    }
    case 2: {
      // The root is depth 1, config 2, config.deep's arrays 3...: n arrays reach depth 2 + n.
      const n = limits.maxDepth - 2 - 2 + rng.int(5);
      const config = (json.config ?? {}) as Record<string, unknown>;
      json.config = config;
      config.deep = "@@BARE@@";
      return {
        kind: "deep nesting",
        bytes: withBare(json, `${"[".repeat(n)}${"]".repeat(n)}`),
        limits,
        expect: 2 + n > limits.maxDepth ? /too deep: the JSON nests more than 64 levels deep/ : "either",
      };
    }
    case 3: {
      const arrays = floatArrays(json);
      if (arrays.length === 0) return hostileSnapshot(seed, rng);
      const { value } = pick(rng, arrays);
      value[rng.int(value.length)] = "@@BARE@@";
      return {
        kind: "bare NaN or Infinity",
        bytes: withBare(json, pick(rng, BARE_NON_FINITE)),
        limits,
        expect: /not valid JSON: .*JSON has no NaN or Infinity/,
      };
    }
    case 4: {
      // Padding after the document, inflating past a small limit (or not).
      const text = utf8.encode(JSON.stringify(json));
      const maxReadBytes = text.length + rng.int(64 * 1024);
      const padded = new Uint8Array(text.length + rng.int(128 * 1024)).fill(0x20);
      padded.set(text);
      return {
        kind: "gzip bomb",
        bytes: gzipSync(padded, { level: 9 }),
        limits: { ...limits, maxReadBytes },
        expect:
          padded.length > maxReadBytes ? /too large: the gzip stream inflates to more than/ : "accepted",
      };
    }
    case 5: {
      const text = utf8.encode(JSON.stringify(json));
      const bytes = gzipMembers(text, 1 + rng.int(5), rng);
      if (rng.int(2) === 0) return { kind: "gzip members", bytes, limits, expect: "accepted" };
      // Cut: the gzip data end early, or (at a member's end) the JSON does.
      const cut = 1 + rng.int(bytes.length - 1);
      return {
        kind: "gzip members cut",
        bytes: bytes.slice(0, cut),
        limits,
        expect: /truncated gzip data|probably truncated|not valid JSON/,
      };
    }
    case 6: {
      // One of the arrays whose length the format fixes: parameters, directions, data, surfaces.
      const fixed = floatArrays(json).filter(({ path }) =>
        /^(model\.parameters|directions\.\d+\.values|data\.(train|test)\.[xy]|surfaces\..*)$/.test(
          path.join("."),
        ),
      );
      if (fixed.length === 0) return hostileSnapshot(seed, rng);
      const { value, path } = pick(rng, fixed);
      value.splice(rng.int(value.length), 1);
      return {
        kind: "array short by one",
        bytes: utf8.encode(JSON.stringify(json)),
        limits,
        expect: new RegExp(`${jsonPathText(path)}: expected \\d+ values .*got ${value.length}`),
      };
    }
    default: {
      const { value } = pick(rng, objects(json));
      const over = 1 + rng.int(64);
      const maxStringChars = 256;
      define(value, `note${rng.int(10)}`, "x".repeat(maxStringChars + over));
      return {
        kind: "long string",
        bytes: utf8.encode(JSON.stringify(json)),
        limits: { ...limits, maxStringChars },
        expect: /too large: the text at .* has \d+ characters, more than 256/,
      };
    }
  }
}

export interface HostileHdf5 {
  kind: string;
  bytes: Uint8Array;
  limits: ReadLimits;
  /** The problem a refusal must give, or "accepted". */
  expect: RegExp | "accepted";
}

/**
 * A reference-layout surface file whose train_loss is a chunked dataset declared [ny, nx] and
 * never written (it reads as zeros), against small random limits: refused exactly when the
 * coordinates or the surface declare more than the limits allow, in the order the reader checks.
 */
export function hostileHdf5(lib: H5Lib, rng: Rng): HostileHdf5 {
  const nx = 2 + rng.int(300);
  const ny = 2 + rng.int(300);
  const limits: ReadLimits = {
    ...DEFAULT_READ_LIMITS,
    maxArrayValues: 100 + rng.int(50_000),
    maxReadBytes: 1000 + rng.int(400_000),
  };
  const linspace = (n: number) => Float64Array.from({ length: n }, (_, i) => i / (n - 1));
  const bytes = writeH5(lib, (f) => {
    f.create_dataset({ name: "xcoordinates", data: linspace(nx) });
    f.create_dataset({ name: "ycoordinates", data: linspace(ny) });
    const ds = f.create_dataset({
      name: "train_loss",
      data: new Float64Array(1),
      shape: [1, 1],
      maxshape: [null, null],
      chunks: [Math.min(64, ny), Math.min(64, nx)],
      compression: "gzip",
      dtype: "<d",
    });
    ds.resize([ny, nx]);
  });
  let expect: RegExp | "accepted" = "accepted";
  for (const [name, n] of [
    ["xcoordinates", nx],
    ["ycoordinates", ny],
  ] as const) {
    if (expect !== "accepted") break;
    if (n * 8 > limits.maxReadBytes)
      expect = new RegExp(`too large: dataset ${name} \\[${n}\\] float64 would take`);
    else if (n > limits.maxArrayValues)
      expect = new RegExp(`too large: dataset ${name} \\[${n}\\] float64 .*the limit for one array`);
  }
  if (expect === "accepted" && nx * ny > limits.maxArrayValues)
    expect = new RegExp(
      `too large: dataset train_loss \\[${ny}, ${nx}\\] float64 would take .*the limit for one array`,
    );
  else if (expect === "accepted" && (nx * ny + nx + ny) * 8 > limits.maxReadBytes)
    expect = /too large: its datasets would take .* the limit for a file's data once read/;
  return { kind: "declared surface", bytes, limits, expect };
}
