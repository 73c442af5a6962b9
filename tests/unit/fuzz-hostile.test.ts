/**
 * The fuzz harness's hostile builders (tests/fuzz/hostile.ts) as fast-check properties: files
 * made from real snapshots that aim at a reader (prototype keys anywhere, nesting around the
 * depth limit, bare NaN/Infinity, gzip bombs against small limits, gzip members cut anywhere,
 * arrays short by one, long strings; HDF5 surfaces declared larger than small random limits).
 * Each must get the answer it was built for, and no result (nor Object.prototype) may have a
 * prototype changed (checkPrototypes in tests/fuzz/targets.ts). The counts are printed.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadH5wasm } from "../../src/core/export/h5";
import { createGuardedHdf5Reader } from "../../src/node/hdf5-guard";
import { hostileHdf5, hostileSnapshot } from "../fuzz/hostile";
import { createRng } from "../fuzz/mutate";
import { seedSnapshots } from "../fuzz/seeds";
import { checkHostile, checkHostileHdf5, type Outcome } from "../fuzz/targets";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

const counts: Record<string, Record<Outcome, number>> = {};
function count(kind: string, outcome: Outcome): void {
  counts[kind] ??= { accepted: 0, rejected: 0, stopped: 0 };
  counts[kind][outcome]++;
}
afterAll(() => {
  console.log(`hostile property-test counts: ${JSON.stringify(counts)}`);
});

describe("hostile snapshots built from real ones", () => {
  let seedJson: unknown[] = [];
  beforeAll(async () => {
    const seeds = await seedSnapshots("wasm");
    seedJson = seeds.filter((b) => b[0] === 0x7b).map((b) => JSON.parse(new TextDecoder().decode(b)));
  }, 60_000);

  it("each gets the answer it was built for", () => {
    fc.assert(
      fc.property(fc.nat(), (seed) => {
        const rng = createRng(seed);
        const input = hostileSnapshot(seedJson[seed % seedJson.length], rng);
        count(input.kind, checkHostile(input));
      }),
      { numRuns: 600, seed: 51 },
    );
    // Every builder ran, and both answers occurred.
    const kinds = Object.keys(counts);
    for (const kind of [
      "__proto__ key",
      "deep nesting",
      "bare NaN or Infinity",
      "gzip bomb",
      "array short by one",
    ])
      expect(kinds).toContain(kind);
    expect(counts["__proto__ key"].accepted).toBe(0);
    expect(counts["bare NaN or Infinity"].accepted).toBe(0);
    expect(counts["array short by one"].accepted).toBe(0);
    expect(counts["gzip bomb"].rejected).toBeGreaterThan(0);
    expect(counts["gzip bomb"].accepted).toBeGreaterThan(0);
  }, 120_000);
});

describe("hostile HDF5 surface files", () => {
  const reader = createGuardedHdf5Reader({ timeoutMs: 5000 });
  afterAll(() => reader.close());

  it("declaring surfaces larger than the limits are refused from their headers, exactly when they are", async () => {
    const lib = await loadH5wasm();
    await fc.assert(
      fc.asyncProperty(fc.nat(), async (seed) => {
        const input = hostileHdf5(lib, createRng(seed));
        count(`hdf5 ${input.kind}`, await checkHostileHdf5(reader.read, input));
      }),
      { numRuns: 60, seed: 52 },
    );
    const c = counts["hdf5 declared surface"];
    expect(c.accepted + c.rejected).toBe(60);
    expect(c.rejected).toBeGreaterThan(0);
  }, 120_000);
});
