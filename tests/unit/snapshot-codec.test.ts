/**
 * The snapshot codec seam: the in-thread codec (Node, tests) and what the worker codec relies on,
 * run here without a worker: a snapshot survives the copy to the worker, and a SnapshotError
 * crosses back as data and is rebuilt with the same message (an import's message depends on it).
 */
import { describe, expect, it } from "vitest";
import { importErrorText } from "../../src/app/io/import-files";
import { parseSnapshot, serializeSnapshot } from "../../src/core/snapshot/io";
import { snapshotOutcome, unwrapSnapshotOutcome } from "../../src/core/snapshot/outcome";
import { SnapshotError } from "../../src/core/snapshot/validate";
import { inThreadSnapshotCodec } from "../../src/library/snapshot-codec";
import { lineSnapshot, planeSnapshot } from "./export-fixture";

/** What a call throws (or undefined). */
function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("the in-thread snapshot codec", () => {
  it("writes serializeSnapshot's bytes and reads them back", async () => {
    const s = planeSnapshot();
    const bytes = await inThreadSnapshotCodec.serialize(s, { gzip: true });
    expect(bytes).toEqual(serializeSnapshot(s, { gzip: true }));
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    const back = await inThreadSnapshotCodec.parse(bytes, { source: "plane.json.gz" });
    expect(Array.from(back.surfaces.train_loss)).toEqual(Array.from(s.surfaces.train_loss));
    expect(Array.from(back.model.parameters)).toEqual(Array.from(s.model.parameters));
    expect(back.grid).toEqual(s.grid);
  });

  it("rejects a truncated file with parseSnapshot's SnapshotError, naming the source", async () => {
    const bytes = serializeSnapshot(lineSnapshot(), { gzip: true });
    const cut = bytes.slice(0, bytes.length >> 1);
    const parsing = inThreadSnapshotCodec.parse(cut, { source: "line.json.gz" });
    await expect(parsing).rejects.toBeInstanceOf(SnapshotError);
    await expect(parsing).rejects.toThrow(/^line\.json\.gz has 1 problem:\n.*truncated gzip data/);
  });

  it("rejects a broken snapshot instead of writing it", async () => {
    const s = planeSnapshot();
    s.surfaces.train_loss = new Float32Array(5);
    await expect(inThreadSnapshotCodec.serialize(s, { gzip: true })).rejects.toThrow(
      /^snapshot has 1 problem:\nsurfaces\.train_loss/,
    );
  });
});

describe("what crosses to the snapshot worker and back", () => {
  it("a snapshot survives the copy to the worker and gives the same bytes there", () => {
    const s = planeSnapshot();
    expect(serializeSnapshot(structuredClone(s), { gzip: true })).toEqual(
      serializeSnapshot(s, { gzip: true }),
    );
  });

  it("a SnapshotError comes back with the same message, problems and import text", () => {
    const bytes = serializeSnapshot(planeSnapshot(), { gzip: true }).slice(0, 40);
    const read = () => parseSnapshot(bytes, { source: "plane.json.gz" });
    const original = thrown(read) as SnapshotError;
    const outcome = structuredClone(snapshotOutcome(read));
    expect(outcome).toEqual({ ok: false, problems: original.problems, source: "plane.json.gz" });
    const rebuilt = thrown(() => unwrapSnapshotOutcome(outcome));
    expect(rebuilt).toBeInstanceOf(SnapshotError);
    expect((rebuilt as SnapshotError).message).toBe(original.message);
    expect((rebuilt as SnapshotError).problems).toEqual(original.problems);
    expect(importErrorText(rebuilt, "plane.json.gz")).toBe(importErrorText(original, "plane.json.gz"));
    expect(importErrorText(rebuilt, "plane.json.gz")).toMatch(
      /^import of plane\.json\.gz failed: .*truncated gzip/,
    );
  });

  it("a result comes back as it is, and any other error is thrown, not carried", () => {
    expect(unwrapSnapshotOutcome(snapshotOutcome(() => 7))).toBe(7);
    expect(() =>
      snapshotOutcome(() => {
        throw new RangeError("out of memory");
      }),
    ).toThrow(RangeError);
  });
});
