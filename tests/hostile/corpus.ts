/**
 * The hostile corpus: files made the way a hostile user would make them, small on disk and huge
 * once read, or built to break a reader: gzip bombs at several ratios (zlib's own, and streams
 * built bit by bit: deflate.ts), a forged trailer, a concatenation of gzip members, an
 * oversized file, HDF5 files declaring huge datasets, deep nesting, too many objects, long
 * strings and numbers, the prototype keys, NaN and Infinity spelled every way, arrays short by
 * one, and the classic faults (truncated, corrupt, not gzip, not UTF-8, not JSON).
 *
 * Every file is generated here at test time (the bombs in well under a second each), for the
 * unit tests (in process), the CLI tests (tests/unit/cli-hostile.test.ts: exit code, time, peak
 * memory) and the e2e test (tests/e2e/hostile-files.test.ts: the page's message, the view, the
 * long tasks). `message` is the problem the reader must give, matched as it is shown by the CLI
 * (stderr), the page ("import of NAME failed: ...") and the error.
 *
 * @example for (const f of HOSTILE_FILES) { const bytes = await f.make(); ... }
 */
import { mkdir, open, writeFile } from "node:fs/promises";
import { join } from "node:path";
import zlib from "node:zlib";
import { loadH5wasm, writeH5 } from "../../src/core/export/h5";
import { surfaceToHdf5 } from "../../src/core/export/hdf5-surface";
import { gzipBytes } from "../../src/core/snapshot/gzip";
import { snapshotToJsonText } from "../../src/core/snapshot/io";
import { planeSnapshot } from "../unit/export-fixture";
import { gzipMember, spacesBomb, spacesCrc, zlibSpaces } from "./deflate";

const MB = 2 ** 20;

export interface HostileFile {
  name: string;
  kind: "snapshot" | "hdf5";
  /** What it is, in a few words. */
  what: string;
  /** "refused" with `message`; "accepted": read, its odd keys kept as data. */
  expect: "refused" | "accepted";
  /** The problem the readers give (refused files). */
  message?: RegExp;
  /** The file's bytes; or, for a file of zeros too big to build in memory, its size (written sparse). */
  make(): Promise<Uint8Array | { sparse: number }>;
}

/** The fixture snapshot (an MLP 2-3-2, a 3 x 2 grid) as JSON with plain arrays: a valid base. */
function baseJson(): Record<string, unknown> {
  return JSON.parse(snapshotToJsonText(planeSnapshot(), { arrays: "plain" })) as Record<string, unknown>;
}

function text(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

/** The base snapshot with `edit` applied to its JSON value, as bytes. */
function edited(edit: (json: Record<string, unknown>) => void): Uint8Array {
  const json = baseJson();
  edit(json);
  return text(JSON.stringify(json));
}

/** The base snapshot's JSON text with the first train_loss value replaced by `token` (JSON.stringify cannot write it). */
function withToken(token: string): Uint8Array {
  const json = baseJson();
  ((json.surfaces as Record<string, unknown[]>).train_loss as unknown[])[0] = "@@TOKEN@@";
  return text(JSON.stringify(json).replace('"@@TOKEN@@"', token));
}

/** A record property named `key` (JSON.parse keeps "__proto__" as data; an object literal would not). */
function withKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const linspace = (n: number) => Float64Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1));

/** A 2-D surface file whose coordinates are real and whose `surfaces` are chunked datasets of `shape`, never written. */
async function declaredSurfaceFile(x: number, y: number, surfaces: readonly string[]): Promise<Uint8Array> {
  return writeH5(await loadH5wasm(), (f) => {
    f.create_dataset({ name: "xcoordinates", data: linspace(x) });
    f.create_dataset({ name: "ycoordinates", data: linspace(y) });
    for (const name of surfaces) {
      const ds = f.create_dataset({
        name,
        data: new Float64Array(1),
        shape: [1, 1],
        maxshape: [null, null],
        chunks: [Math.min(1000, y), Math.min(1000, x)],
        compression: "gzip",
        dtype: "<d",
      });
      ds.resize([y, x]);
    }
  });
}

const TOO_LARGE_GZIP =
  /too large: the gzip stream inflates to more than 128 MB, the limit for a file's data once read; stopped there/;
const NON_FINITE_HINT = /JSON has no NaN or Infinity: write null in a plain array/;

/** Bare non-finite tokens JSON does not have, one file each. */
const NON_FINITE_TOKENS: [string, string][] = [
  ["nan-bare", "NaN"],
  ["nan-negative", "-NaN"],
  ["nan-lowercase", "nan"],
  ["infinity-bare", "Infinity"],
  ["infinity-negative", "-Infinity"],
  ["infinity-plus", "+Infinity"],
  ["infinity-short", "inf"],
];

export const HOSTILE_FILES: readonly HostileFile[] = [
  // Gzip bombs: each stops at the limit, whatever the ratio or the trailer says.
  {
    name: "bomb-1000x.json.gz",
    kind: "snapshot",
    what: "zlib -9 of 600 MB of spaces around {} (the issue's bomb, 600 KB)",
    expect: "refused",
    message: TOO_LARGE_GZIP,
    make: async () => gzipMember(await zlibSpaces(600 * MB), spacesCrc(600 * MB), 600 * MB + 2),
  },
  {
    name: "bomb-159x.json.gz",
    kind: "snapshot",
    what: "1 GB of spaces as 258-byte copies (fixed Huffman, 6.5 MB)",
    expect: "refused",
    message: TOO_LARGE_GZIP,
    make: async () => {
      const { deflate, size } = spacesBomb({ size: 1024 * MB, literals: 0 });
      return gzipMember(deflate, spacesCrc(size - 2), size);
    },
  },
  {
    name: "bomb-10x.json.gz",
    kind: "snapshot",
    what: "200 MB of spaces, 25 literals per copy (ratio 10.6:1, 19 MB)",
    expect: "refused",
    message: TOO_LARGE_GZIP,
    make: async () => {
      const { deflate, size } = spacesBomb({ size: 200 * MB, literals: 25 });
      return gzipMember(deflate, spacesCrc(size - 2), size);
    },
  },
  {
    name: "bomb-forged-trailer.json.gz",
    kind: "snapshot",
    what: "the 600 MB bomb with a trailer claiming 2 bytes",
    expect: "refused",
    message: TOO_LARGE_GZIP,
    make: async () => gzipMember(await zlibSpaces(600 * MB), spacesCrc(0), 2),
  },
  {
    name: "bomb-members.json.gz",
    kind: "snapshot",
    what: "10 concatenated gzip members of 16 MB each, every one under the limit",
    expect: "refused",
    message: TOO_LARGE_GZIP,
    make: async () => {
      const member = new Uint8Array(zlib.gzipSync(Buffer.alloc(16 * MB, 0x20), { level: 9 }));
      const out = new Uint8Array(member.length * 10);
      for (let k = 0; k < 10; k++) out.set(member, k * member.length);
      return out;
    },
  },
  {
    name: "huge.json",
    kind: "snapshot",
    what: "a 200 MB file (sparse: zeros), larger than a file may be",
    expect: "refused",
    message: /too large: the file is 200 MB, more than the 130 MB a file may be/,
    make: async () => ({ sparse: 200 * MB }),
  },
  // HDF5 files declaring more than they hold.
  {
    name: "huge-dataset.h5",
    kind: "hdf5",
    what: "640 KB declaring train_loss 40000 x 40000 float64 (chunked, compressed, never written)",
    expect: "refused",
    message:
      /too large: dataset train_loss \[40000, 40000\] float64 would take 11\.9 GB once read \(1,600,000,000 values\), more than 33,554,432 values, the limit for one array/,
    make: () => declaredSurfaceFile(40000, 40000, ["train_loss"]),
  },
  {
    name: "huge-coordinates.h5",
    kind: "hdf5",
    what: "xcoordinates declared with 2,000,000,000 values (never written)",
    expect: "refused",
    message:
      /too large: dataset xcoordinates \[2000000000\] float64 would take 14\.9 GB once read, more than 128 MB/,
    make: async () =>
      writeH5(await loadH5wasm(), (f) => {
        const ds = f.create_dataset({
          name: "xcoordinates",
          data: new Float64Array(2),
          shape: [2],
          maxshape: [null],
          chunks: [65536],
          compression: "gzip",
          dtype: "<d",
        });
        ds.resize([2_000_000_000]);
      }),
  },
  {
    name: "many-surfaces.h5",
    kind: "hdf5",
    what: "four surfaces of 3000 x 3000 float64, each under the array limit, 275 MB together",
    expect: "refused",
    message:
      /too large: its datasets would take 275 MB once read \(.*\), more than 128 MB, the limit for a file's data once read/,
    make: () => declaredSurfaceFile(3000, 3000, ["test_acc", "test_loss", "train_acc", "train_loss"]),
  },
  {
    name: "proto-dataset.h5",
    kind: "hdf5",
    what: 'a good surface file with one more dataset named "__proto__"',
    expect: "refused",
    message: /the dataset name "__proto__" is refused: JavaScript reads it as an object's prototype/,
    make: async () => {
      const lib = await loadH5wasm();
      const good = planeSnapshot();
      return surfaceToHdf5(lib, {
        ...good,
        surfaces: { ...good.surfaces, ["__proto__"]: good.surfaces.train_loss },
      });
    },
  },
  // JSON costly once parsed.
  {
    name: "deep-nesting.json",
    kind: "snapshot",
    what: "a snapshot whose config holds arrays nested 100,000 deep",
    expect: "refused",
    message:
      /too deep: the JSON nests more than 64 levels deep at config\.deep(\[0\])+\.\.\.\[0\]\[0\] \(64 levels\) \(line 1 column \d+\)/,
    make: async () => {
      const json = text(JSON.stringify({ ...baseJson(), config: { deep: "@@" } }));
      const s = new TextDecoder().decode(json);
      return text(s.replace('"@@"', `${"[".repeat(100_000)}${"]".repeat(100_000)}`));
    },
  },
  {
    name: "many-nodes.json",
    kind: "snapshot",
    what: "2,000,000 empty arrays (6 MB) in the config",
    expect: "refused",
    message: /too large: the JSON holds more than 1,048,576 objects, arrays and object members/,
    make: async () => {
      const s = JSON.stringify({ ...baseJson(), config: { many: "@@" } });
      return text(s.replace('"@@"', `[${"[],".repeat(1_999_999)}[]]`));
    },
  },
  {
    name: "long-string.json",
    kind: "snapshot",
    what: "a dataset name of 1,000,000 characters",
    expect: "refused",
    message:
      /too large: the text at data\.name has 1,000,000 characters, more than 65,536, the limit for a text field/,
    make: async () =>
      edited((j) => {
        (j.data as Record<string, unknown>).name = "x".repeat(1_000_000);
      }),
  },
  {
    name: "long-key.json",
    kind: "snapshot",
    what: "a config key of 100,000 characters",
    expect: "refused",
    message: /too large: a key at config has 100,000 characters/,
    make: async () =>
      edited((j) => {
        (j.config as Record<string, unknown>)["k".repeat(100_000)] = 1;
      }),
  },
  {
    name: "long-number.json",
    kind: "snapshot",
    what: "a parameter written with 400,000 digits (it reads as Infinity)",
    expect: "refused",
    message: /model\.parameters: value Infinity at index 0 \(dense_0\/kernel\) is not finite/,
    make: async () => {
      const json = baseJson();
      ((json.model as Record<string, unknown>).parameters as unknown[])[0] = "@@";
      return text(JSON.stringify(json).replace('"@@"', `1${"0".repeat(400_000)}.5`));
    },
  },
  {
    name: "proto-keys.json",
    kind: "snapshot",
    what: '"__proto__" at the root, in the config, the architecture and the surfaces (with constructor and prototype)',
    expect: "refused",
    message:
      /__proto__: the key "__proto__" is refused: JavaScript reads it as an object's prototype, not as data/,
    make: async () =>
      edited((j) => {
        withKey(j, "__proto__", { polluted: true });
        withKey(j.config as Record<string, unknown>, "__proto__", { polluted: true });
        withKey(j.config as Record<string, unknown>, "constructor", { prototype: { polluted: true } });
        const model = j.model as Record<string, Record<string, unknown>>;
        withKey(model.architecture, "__proto__", { kind: "layers" });
        const surfaces = j.surfaces as Record<string, unknown>;
        withKey(surfaces, "__proto__", surfaces.train_loss);
      }),
  },
  {
    name: "constructor-keys.json",
    kind: "snapshot",
    what: '"constructor" and "prototype" at several depths, a surface named "constructor" (kept as data)',
    expect: "accepted",
    make: async () =>
      edited((j) => {
        withKey(j, "prototype", { constructor: { prototype: 1 } });
        withKey(j.config as Record<string, unknown>, "constructor", { prototype: { polluted: true } });
        const data = j.data as Record<string, unknown>;
        withKey(data, "prototype", "data");
        const surfaces = j.surfaces as Record<string, unknown>;
        withKey(surfaces, "constructor", surfaces.train_loss);
      }),
  },
  // NaN and Infinity, spelled every way.
  ...NON_FINITE_TOKENS.map(
    ([stem, token]): HostileFile => ({
      name: `${stem}.json`,
      kind: "snapshot",
      what: `${token} written bare in a surface`,
      expect: "refused",
      message: new RegExp(`snapshot is not valid JSON: .*${NON_FINITE_HINT.source}`),
      make: async () => withToken(token),
    }),
  ),
  {
    name: "nan-strings.json",
    kind: "snapshot",
    what: 'the strings "NaN" and "Infinity" in a surface',
    expect: "refused",
    message: /surfaces\.train_loss: .*element 0 is a string \("NaN"\).*JSON has no NaN or Infinity/,
    make: async () =>
      edited((j) => {
        const loss = (j.surfaces as Record<string, unknown[]>).train_loss;
        loss[0] = "NaN";
        loss[1] = "Infinity";
      }),
  },
  {
    name: "infinity-overflow.json",
    kind: "snapshot",
    what: "1e999 (reads as Infinity) as a parameter",
    expect: "refused",
    message: /model\.parameters: value Infinity at index 3 \(dense_0\/kernel\) is not finite/,
    make: async () => {
      const json = baseJson();
      ((json.model as Record<string, unknown>).parameters as unknown[])[3] = "@@";
      return text(JSON.stringify(json).replace('"@@"', "1e999"));
    },
  },
  // Arrays short by one.
  {
    name: "short-by-one-plain.json",
    kind: "snapshot",
    what: "train_loss with 5 values for a 3 x 2 grid",
    expect: "refused",
    message: /surfaces\.train_loss: expected 6 values \(grid 3 x 2\), got 5/,
    make: async () =>
      edited((j) => {
        (j.surfaces as Record<string, unknown[]>).train_loss.pop();
      }),
  },
  {
    name: "short-by-one-base64.json",
    kind: "snapshot",
    what: "parameters as base64 holding 16 of 17 values",
    expect: "refused",
    message: /model\.parameters: expected 17 values \(sum of layout sizes\), got 16/,
    make: async () => {
      const json = JSON.parse(snapshotToJsonText(planeSnapshot(), { arrays: "base64" }));
      const sixteen = planeSnapshot().model.parameters.slice(0, 16);
      json.model.parameters = { dtype: "float32", base64: Buffer.from(sixteen.buffer).toString("base64") };
      return text(JSON.stringify(json));
    },
  },
  // The classic faults, each told by its name.
  {
    name: "truncated.json.gz",
    kind: "snapshot",
    what: "a gzipped snapshot cut in half",
    expect: "refused",
    message: /truncated gzip data/,
    make: async () => {
      const gz = gzipBytes(text(snapshotToJsonText(planeSnapshot(), { arrays: "plain", indent: 2 })));
      return gz.slice(0, Math.floor(gz.length / 2));
    },
  },
  {
    name: "corrupt.json.gz",
    kind: "snapshot",
    what: "a gzipped snapshot whose CRC-32 was changed",
    expect: "refused",
    message: /corrupt gzip data: the CRC-32 or length in the gzip trailer does not match the content/,
    make: async () => {
      const gz = gzipBytes(text(snapshotToJsonText(planeSnapshot())));
      gz[gz.length - 6] ^= 0xff;
      return gz;
    },
  },
  {
    name: "not-gzip.json.gz",
    kind: "snapshot",
    what: "a zip archive named .json.gz",
    expect: "refused",
    message: /snapshot is not valid UTF-8 text \(nor gzip data\): byte 0x[0-9A-F]{2} at offset \d+/,
    make: async () => {
      const zip = new Uint8Array(64);
      zip.set([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0xb7, 0xac, 0xce, 0x34]);
      return zip;
    },
  },
  {
    name: "not-utf8.json",
    kind: "snapshot",
    what: "a snapshot saved as Latin-1 (an é in a name)",
    expect: "refused",
    message:
      /snapshot is not valid UTF-8 text \(nor gzip data\): byte 0xE9 at offset \d+ \(line 1\) is not valid UTF-8 there/,
    make: async () => {
      const s = JSON.stringify({ ...baseJson(), data: { ...(baseJson().data as object), name: "cafe" } });
      const bytes = text(s);
      bytes[s.indexOf('"cafe"') + 4] = 0xe9;
      return bytes;
    },
  },
  {
    name: "not-utf8-in-gzip.json.gz",
    kind: "snapshot",
    what: "the Latin-1 snapshot, gzipped",
    expect: "refused",
    message:
      /snapshot is not valid UTF-8 text \(its gzip stream holds bytes that are not UTF-8 text\): byte 0xE9/,
    make: async () => {
      const s = JSON.stringify({ ...baseJson(), data: { ...(baseJson().data as object), name: "cafe" } });
      const bytes = text(s);
      bytes[s.indexOf('"cafe"') + 4] = 0xe9;
      return gzipBytes(bytes);
    },
  },
  {
    name: "not-json.json",
    kind: "snapshot",
    what: "JavaScript object syntax, not JSON",
    expect: "refused",
    message: /snapshot is not valid JSON: .*line 1 column 2/,
    make: async () => text("{format: 'loss-landscape-snapshot', version: 1}"),
  },
];

/** The corpus entry named `name`. */
export function hostileFile(name: string): HostileFile {
  const file = HOSTILE_FILES.find((f) => f.name === name);
  if (!file) throw new Error(`no hostile file named ${name}`);
  return file;
}

/** Writes every file of the corpus (or those `which` picks) into `dir`; returns their paths by name. */
export async function writeHostileCorpus(
  dir: string,
  which: (f: HostileFile) => boolean = () => true,
): Promise<Map<string, string>> {
  await mkdir(dir, { recursive: true });
  const paths = new Map<string, string>();
  for (const f of HOSTILE_FILES.filter(which)) {
    const path = join(dir, f.name);
    const content = await f.make();
    if (content instanceof Uint8Array) await writeFile(path, content);
    else {
      const handle = await open(path, "w");
      await handle.truncate(content.sparse);
      await handle.close();
    }
    paths.set(f.name, path);
  }
  return paths;
}
