/**
 * Property-based tests (fast-check) of the three readers of outside input: the snapshot reader,
 * the config parser and the URL-hash parser. Thousands of random and mutated inputs each; every
 * one must be accepted (and then valid and stable) or rejected with a clear message: never a
 * crash, a hang (each run is bounded by the test timeout) or a half-applied state.
 * The counts are printed for the record.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadH5wasm } from "../../src/core/export/h5";
import { createGuardedHdf5Reader } from "../../src/node/hdf5-guard";
import { createRng, mutateBytes, mutateJson, mutateText } from "../fuzz/mutate";
import { presetConfigs, presetHashes, seedHdf5, seedSnapshots } from "../fuzz/seeds";
import { checkConfig, checkHash, checkHdf5Surface, checkSnapshotBytes, type Outcome } from "../fuzz/targets";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

const counts: Record<string, Record<Outcome, number>> = {};
function count(target: string, outcome: Outcome): void {
  counts[target] ??= { accepted: 0, rejected: 0, stopped: 0 };
  counts[target][outcome]++;
}
afterAll(() => {
  console.log(`property-test counts: ${JSON.stringify(counts)}`);
});

const RUNS = 1500;
const utf8 = new TextEncoder();

describe("the snapshot reader under random and mutated input", () => {
  let seeds: Uint8Array[] = [];
  let seedJson: unknown[] = [];
  beforeAll(async () => {
    seeds = await seedSnapshots("wasm");
    seedJson = seeds.filter((b) => b[0] === 0x7b).map((b) => JSON.parse(new TextDecoder().decode(b)));
  });

  it("accepts every seed snapshot as it is", () => {
    for (const s of seeds) expect(checkSnapshotBytes(s)).toBe("accepted");
  });

  it("accepts or clearly rejects structurally mutated snapshots", () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 4 }), (seed, times) => {
        const rng = createRng(seed);
        let json = seedJson[seed % seedJson.length];
        for (let k = 0; k < times; k++) json = mutateJson(json, rng);
        count("snapshot (json mutations)", checkSnapshotBytes(utf8.encode(JSON.stringify(json))));
      }),
      { numRuns: RUNS, seed: 11 },
    );
    // Most structural mutations must be caught; a reader that accepts everything would pass the above.
    expect(counts["snapshot (json mutations)"].rejected).toBeGreaterThan(RUNS / 2);
  });

  it("accepts or clearly rejects byte-mutated snapshots (JSON and gzip)", () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 3 }), (seed, times) => {
        const rng = createRng(seed);
        let bytes = seeds[seed % seeds.length];
        for (let k = 0; k < times; k++) bytes = mutateBytes(bytes, rng);
        count("snapshot (byte mutations)", checkSnapshotBytes(bytes));
      }),
      { numRuns: RUNS, seed: 12 },
    );
  });

  it("clearly rejects arbitrary bytes and arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        count("snapshot (random bytes)", checkSnapshotBytes(bytes));
      }),
      { numRuns: RUNS, seed: 13 },
    );
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        count("snapshot (random json)", checkSnapshotBytes(utf8.encode(JSON.stringify(value) ?? "null")));
      }),
      { numRuns: RUNS, seed: 14 },
    );
    expect(counts["snapshot (random json)"].accepted).toBe(0);
  });
});

describe("the HDF5 surface reader under mutated files", () => {
  const reader = createGuardedHdf5Reader({ timeoutMs: 2000 });
  afterAll(() => reader.close());

  it("accepts or clearly rejects byte-mutated reference-layout files, and stops any that hang", async () => {
    const files = seedHdf5(await loadH5wasm(), await seedSnapshots("wasm"));
    for (const f of files) expect(await checkHdf5Surface(reader.read, f)).toBe("accepted");
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 3 }), async (seed, times) => {
        const rng = createRng(seed);
        let bytes = files[seed % files.length];
        for (let k = 0; k < times; k++) bytes = mutateBytes(bytes, rng);
        count("hdf5 (byte mutations)", await checkHdf5Surface(reader.read, bytes));
      }),
      { numRuns: 300, seed: 41 },
    );
    expect(counts["hdf5 (byte mutations)"].rejected).toBeGreaterThan(100);
  }, 120_000);
});

describe("the config parser under random and mutated input", () => {
  const presets = presetConfigs();

  it("accepts every shipped preset and {}", () => {
    for (const p of [...presets, {}]) expect(checkConfig(p)).toBe("accepted");
  });

  it("accepts or clearly rejects mutated presets", () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 4 }), (seed, times) => {
        const rng = createRng(seed);
        let json = presets[seed % presets.length];
        for (let k = 0; k < times; k++) json = mutateJson(json, rng);
        count("config (mutations)", checkConfig(json));
      }),
      { numRuns: RUNS * 2, seed: 21 },
    );
    expect(counts["config (mutations)"].rejected).toBeGreaterThan(RUNS / 2);
  });

  it("accepts or clearly rejects arbitrary JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        count("config (random json)", checkConfig(value));
      }),
      { numRuns: RUNS, seed: 22 },
    );
  });
});

describe("the URL-hash parser under random and mutated input", () => {
  const hashes = presetHashes();

  it("accepts the hash of the default state and of every preset", () => {
    for (const h of hashes) expect(checkHash(h)).toBe("accepted");
  });

  it("never throws and never leaves a half-applied state for mutated hashes", () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 5 }), (seed, times) => {
        const rng = createRng(seed);
        let hash = hashes[seed % hashes.length];
        for (let k = 0; k < times; k++) hash = mutateText(hash, rng);
        count("url (mutations)", checkHash(hash));
      }),
      { numRuns: RUNS * 2, seed: 31 },
    );
    expect(counts["url (mutations)"].rejected).toBeGreaterThan(0);
  });

  it("never throws for arbitrary strings, including broken escapes", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120, unit: "binary" }), (text) => {
        count("url (random strings)", checkHash(text));
      }),
      { numRuns: RUNS, seed: 32 },
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom("lr", "ep", "gx", "gy", "hid", "ds", "n", "act", "zz", "%", ""),
            fc.string({ maxLength: 12 }),
          ),
          { maxLength: 6 },
        ),
        (pairs) => {
          count("url (random key=value)", checkHash(pairs.map(([k, v]) => `${k}=${v}`).join("&")));
        },
      ),
      { numRuns: RUNS, seed: 33 },
    );
  });
});
