import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { runExperiment } from "../../src/core/experiment/run";
import { crc32 } from "../../src/core/snapshot/gzip";
import { parseSnapshot, serializeSnapshot } from "../../src/core/snapshot/io";
import { dataChecksum } from "../../src/core/snapshot/reproducibility";
import { summarizeSnapshot } from "../../src/core/snapshot/summary";
import { checkSnapshot } from "../../src/core/snapshot/validate";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

async function small() {
  const config = resolveConfig({
    seed: 9,
    data: { name: "moons", trainCount: 24, testCount: 8 },
    model: { hiddenSizes: [4] },
    training: { epochs: 2 },
    grid: { x: { count: 5 }, y: { count: 4 } },
  });
  return (await runExperiment(config, { backend: "wasm" })).snapshot;
}

describe("the reproducibility record of a snapshot", () => {
  it("names the producer, backend, path, every seed, the directions' normalization and a data checksum", async () => {
    const s = await small();
    const r = s.reproducibility as Record<string, unknown>;
    expect(r.producer).toMatch(/^loss-landscape-lab \S+$/);
    expect(r.backend).toBe("wasm");
    expect(r.evaluator).toBe((s.producer as { evaluator?: string }).evaluator);
    if (r.evaluator === "wasm-kernel") expect(["simd", "relaxed-simd"]).toContain(r.kernel);
    const config = s.config as {
      seed: number;
      data: { seed: number };
      model: { seed: number };
      training: { seed: number };
      directions: { seeds: number[] };
    };
    expect(r.seeds).toEqual({
      experiment: 9,
      data: config.data.seed,
      init: config.model.seed,
      training: config.training.seed,
      directions: config.directions.seeds,
    });
    expect(r.directions).toEqual([
      { label: "x", method: "random", normalization: "filter", bias: "zero" },
      { label: "y", method: "random", normalization: "filter", bias: "zero" },
    ]);
    expect(r.dataChecksum).toBe(dataChecksum(s.data));
    expect(summarizeSnapshot(s)).toMatch(/checksum of the data\s+crc32:[0-9a-f]{8}/);
  });

  it("computes the checksum as CRC-32 of the float32 bytes: train x, y, then test x, y", async () => {
    const s = await small();
    const parts = [s.data.train.x, s.data.train.y, s.data.test?.x, s.data.test?.y].filter(
      (p): p is Float32Array => p !== undefined,
    );
    const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const p of parts) {
      all.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
      at += p.byteLength;
    }
    expect(dataChecksum(s.data)).toBe(`crc32:${crc32(all).toString(16).padStart(8, "0")}`);
  });

  it("survives a round trip, and a reader warns when the data no longer match their checksum", async () => {
    const s = await small();
    const back = parseSnapshot(serializeSnapshot(s));
    expect(back.reproducibility).toEqual(s.reproducibility);
    const json = JSON.parse(new TextDecoder().decode(serializeSnapshot(s, { arrays: "plain" })));
    json.data.train.x[0] += 0.5;
    const checked = checkSnapshot(json);
    expect(checked.ok).toBe(true);
    if (checked.ok)
      expect(checked.warnings.join("\n")).toMatch(
        /reproducibility\.dataChecksum: crc32:\w+ recorded, but the data give crc32:\w+/,
      );
  });
});
