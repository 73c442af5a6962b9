/**
 * The read limits in process: every file of the hostile corpus gets its message from the readers
 * themselves (parseSnapshot, readHdf5Surface), gzip stops at the limit while inflating (it never
 * reads the rest of a bomb), honest big and multi-member streams still read exactly, the limits
 * scale with the memory they derive from, and a read can be cancelled between gzip chunks.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type H5Lib, loadH5wasm } from "../../src/core/export/h5";
import { readHdf5Surface } from "../../src/core/export/hdf5-surface";
import { gunzipChecked, gzipBytes } from "../../src/core/snapshot/gzip";
import { parseSnapshot, snapshotToJsonText } from "../../src/core/snapshot/io";
import {
  DEFAULT_READ_LIMITS,
  maxFileBytes,
  ReadLimitError,
  readLimits,
} from "../../src/core/snapshot/limits";
import { SnapshotError } from "../../src/core/snapshot/validate";
import { HOSTILE_FILES } from "../hostile/corpus";
import { gzipMember, spacesBomb, spacesCrc } from "../hostile/deflate";
import { planeSnapshot } from "./export-fixture";

const MB = 2 ** 20;

describe("the limits", () => {
  it("derive from one memory figure and scale with it", () => {
    expect(DEFAULT_READ_LIMITS).toMatchObject({
      memoryBytes: 1024 * MB,
      maxReadBytes: 128 * MB,
      maxArrayValues: 33_554_432,
      maxJsonNodes: 1_048_576,
      maxDepth: 64,
      maxStringChars: 65_536,
    });
    const doubled = readLimits(2048 * MB, "raise it");
    expect(doubled).toMatchObject({
      maxReadBytes: 256 * MB,
      maxArrayValues: 67_108_864,
      maxJsonNodes: 2_097_152,
      maxDepth: 64,
      howToRaise: "raise it",
    });
    expect(maxFileBytes(DEFAULT_READ_LIMITS)).toBe(128 * MB + 2 * MB + 65_536);
    expect(() => readLimits(1000)).toThrow(/at least 1 MB, got 1000 bytes/);
  });
});

describe("every corpus file, read in process", () => {
  let lib: H5Lib;
  const files = new Map<string, Uint8Array>();
  beforeAll(async () => {
    lib = await loadH5wasm();
    for (const f of HOSTILE_FILES) {
      const content = await f.make();
      // The sparse 200 MB file is refused from its size before it is read (readInputFile, the app).
      if (content instanceof Uint8Array) files.set(f.name, content);
    }
  }, 120_000);

  for (const f of HOSTILE_FILES) {
    it(`${f.name}: ${f.expect === "refused" ? "refused with its message" : "read, its odd keys kept"}`, () => {
      const bytes = files.get(f.name);
      if (!bytes) {
        expect(f.name).toBe("huge.json");
        return;
      }
      if (f.kind === "hdf5") {
        expect(() => readHdf5Surface(lib, bytes, { source: f.name })).toThrow(f.message as RegExp);
        return;
      }
      if (f.expect === "accepted") {
        const snapshot = parseSnapshot(bytes, { source: f.name });
        expect(Object.getPrototypeOf(snapshot)).toBe(Object.prototype);
        return;
      }
      let error: unknown;
      try {
        parseSnapshot(bytes, { source: f.name });
      } catch (err) {
        error = err;
      }
      expect(error, f.name).toBeInstanceOf(SnapshotError);
      const message = (error as Error).message;
      expect(message).toMatch(new RegExp(`^${f.name.replace(/\./g, "\\.")} has \\d+ problems?:\\n`));
      expect(message).toMatch(f.message as RegExp);
      // A stream stopped on purpose is never called truncated, nor a bomb "not UTF-8".
      if (f.name.startsWith("bomb-")) expect(message).not.toMatch(/truncated|UTF-8|not valid JSON/);
    });
  }
});

describe("gzip, read within a limit", () => {
  it("stops a bomb at the limit, long before the end of its compressed data", () => {
    const { deflate, size } = spacesBomb({ size: 1024 * MB, literals: 0 });
    const bomb = gzipMember(deflate, spacesCrc(size - 2), size);
    let read = 0;
    let error: unknown;
    try {
      gunzipChecked(bomb, { maxBytes: 8 * MB, onProgress: (done) => (read = done) });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ReadLimitError);
    expect((error as Error).message).toMatch(
      /^too large: the gzip stream inflates to more than 8 MB, the limit for a file's data once read; stopped there, after [\d.]+ KB of its 6\.\d MB; its last 4 bytes declare 1\.0 GB \(the inflated size modulo 4 GB\)$/,
    );
    // 8 MB of output is 8 MB / 159 of input: the rest of the 6.5 MB was never read.
    expect(read).toBeLessThan(bomb.length / 50);
  });

  it("reads honest streams exactly: over 16 MB (counted, then inflated into one buffer) and several members", () => {
    const big = new Uint8Array(20 * MB);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 27;
    const back = gunzipChecked(gzipBytes(big), { maxBytes: 21 * MB });
    expect(back.length).toBe(big.length);
    expect(back.every((b, i) => b === big[i])).toBe(true);
    expect(() => gunzipChecked(gzipBytes(big), { maxBytes: 20 * MB - 1, howToRaise: "use more" })).toThrow(
      /^too large: the gzip stream inflates to more than 20\.0 MB,.*; use more$/,
    );

    const text = new TextEncoder().encode(snapshotToJsonText(planeSnapshot()));
    const cut = Math.floor(text.length / 3);
    const a = gzipBytes(text.subarray(0, cut));
    const b = gzipBytes(text.subarray(cut));
    const members = new Uint8Array(a.length + b.length);
    members.set(a);
    members.set(b, a.length);
    expect(parseSnapshot(members).surfaces.train_loss).toEqual(planeSnapshot().surfaces.train_loss);
    // Two members each under the limit, over it together: the total counts.
    expect(() => gunzipChecked(members, { maxBytes: text.length - 1 })).toThrow(/^too large: /);
    // Bytes after a member that are not another member: corrupt, saying where.
    const tail = new Uint8Array(a.length + 3);
    tail.set(a);
    tail.set([1, 2, 3], a.length);
    expect(() => gunzipChecked(tail)).toThrow(
      /^corrupt gzip data: 3 byte\(s\) after the end of gzip member 1 \(at byte \d+\) are not another gzip member$/,
    );
  });

  it("tells truncated from corrupt, wherever the file is cut", () => {
    const gz = gzipBytes(new TextEncoder().encode(snapshotToJsonText(planeSnapshot(), { indent: 2 })));
    for (let cut = 1; cut < gz.length; cut += 7) {
      expect(() => gunzipChecked(gz.subarray(0, cut)), `cut at ${cut}`).toThrow(/^truncated gzip data/);
    }
    const method = gz.slice();
    method[2] = 7;
    expect(() => gunzipChecked(method)).toThrow(
      /^corrupt gzip data: compression method 7, not deflate \(8\)/,
    );
    const length = gz.slice();
    length[length.length - 1] ^= 1;
    expect(() => gunzipChecked(length)).toThrow(
      /^corrupt gzip data: the CRC-32 or length in the gzip trailer does not match the content/,
    );
  });

  it("stops between chunks when the read is cancelled", () => {
    const { deflate, size } = spacesBomb({ size: 64 * MB, literals: 0 });
    const bomb = gzipMember(deflate, spacesCrc(size - 2), size);
    const controller = new AbortController();
    let chunks = 0;
    expect(() =>
      gunzipChecked(bomb, {
        maxBytes: 128 * MB,
        signal: controller.signal,
        onProgress: () => {
          if (++chunks === 3) controller.abort();
        },
      }),
    ).toThrow(expect.objectContaining({ name: "AbortError" }));
    expect(chunks).toBe(3);
    expect(() => parseSnapshot(bomb, { signal: AbortSignal.abort(), source: "cancelled.json.gz" })).toThrow(
      expect.objectContaining({ name: "AbortError" }),
    );
  });
});
