import "fake-indexeddb/auto"; // IndexedDB globals (IDBRequest, ...) that idb uses
import { IDBFactory } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import { thumbnailPixels } from "../../src/app/library/thumbnail";
import { SnapshotError } from "../../src/core/snapshot/validate";
import { inThreadSnapshotCodec, type SnapshotCodec } from "../../src/library/snapshot-codec";
import { SnapshotDb, snapshotSummary } from "../../src/library/snapshot-db";
import { lineSnapshot, planeSnapshot } from "./export-fixture";

/** The in-thread codec, with every call written down. */
function recordingCodec(): { codec: SnapshotCodec; calls: string[] } {
  const calls: string[] = [];
  const codec: SnapshotCodec = {
    serialize(s, opts) {
      calls.push(`serialize ${JSON.stringify(opts)}`);
      return inThreadSnapshotCodec.serialize(s, opts);
    },
    parse(bytes, opts) {
      calls.push(`parse ${opts.source}`);
      return inThreadSnapshotCodec.parse(bytes, opts);
    },
  };
  return { codec, calls };
}

/** A codec whose every call rejects with `error` (a worker that failed). */
function failingCodec(error: Error): SnapshotCodec {
  return { serialize: () => Promise.reject(error), parse: () => Promise.reject(error) };
}

describe("the local snapshot library", () => {
  it("saves, lists (newest first, without the data), reopens and deletes snapshots", async () => {
    const db = await SnapshotDb.open(new IDBFactory());
    const a = planeSnapshot();
    const b = lineSnapshot();
    const ida = await db.save("  sharp minimum ", a, "data:image/png;base64,AAA");
    const idb = await db.save("flat minimum", b);
    const list = await db.list();
    expect(list.map((e) => [e.id, e.name])).toEqual([
      [idb, "flat minimum"],
      [ida, "sharp minimum"],
    ]);
    expect(list[1].thumbnail).toBe("data:image/png;base64,AAA");
    expect(list[1].summary).toBe(snapshotSummary(a));
    expect(list[1].bytes).toBeGreaterThan(100);
    expect("data" in list[0]).toBe(false);
    const back = await db.load(ida);
    expect(Array.from(back.surfaces.train_loss)).toEqual(Array.from(a.surfaces.train_loss));
    expect(Array.from(back.model.parameters)).toEqual(Array.from(a.model.parameters));
    await db.remove(ida);
    expect((await db.list()).map((e) => e.id)).toEqual([idb]);
    await expect(db.load(ida)).rejects.toThrow(`no saved snapshot with id ${ida}`);
    db.close();
  });

  it("refuses a blank or overlong name and saves nothing", async () => {
    const db = await SnapshotDb.open(new IDBFactory());
    await expect(db.save("   ", planeSnapshot())).rejects.toThrow("a saved snapshot needs a name");
    await expect(db.save("x".repeat(201), planeSnapshot())).rejects.toThrow(/too long \(201 characters/);
    expect(await db.list()).toEqual([]);
    db.close();
  });

  it("keeps one last result, replaced by the next, and survives reopening", async () => {
    const factory = new IDBFactory();
    const db = await SnapshotDb.open(factory);
    expect(await db.loadLast()).toBeNull();
    await db.saveLast(planeSnapshot());
    await db.saveLast(lineSnapshot());
    db.close();
    const again = await SnapshotDb.open(factory);
    const last = await again.loadLast();
    expect(last?.grid.axes.length).toBe(1);
    again.close();
  });
});

describe("the library's snapshot codec", () => {
  it("writes and reads every snapshot through the codec it is opened with", async () => {
    const { codec, calls } = recordingCodec();
    const db = await SnapshotDb.open(new IDBFactory(), codec);
    const id = await db.save("sharp minimum", planeSnapshot());
    await db.saveLast(lineSnapshot());
    expect((await db.load(id)).grid.axes.length).toBe(2);
    expect((await db.loadLast())?.grid.axes.length).toBe(1);
    expect(calls).toEqual([
      'serialize {"gzip":true}',
      'serialize {"gzip":true}',
      'parse saved snapshot "sharp minimum"',
      "parse last result",
    ]);
    db.close();
  });

  it("changes nothing when the codec cannot write a snapshot", async () => {
    const factory = new IDBFactory();
    const db = await SnapshotDb.open(factory);
    await db.save("kept", planeSnapshot());
    await db.saveLast(planeSnapshot());
    db.close();
    const broken = await SnapshotDb.open(
      factory,
      failingCodec(new Error("the snapshot worker crashed: boom")),
    );
    await expect(broken.save("lost", lineSnapshot())).rejects.toThrow("the snapshot worker crashed: boom");
    await expect(broken.saveLast(lineSnapshot())).rejects.toThrow("the snapshot worker crashed: boom");
    broken.close();
    const again = await SnapshotDb.open(factory);
    expect((await again.list()).map((e) => e.name)).toEqual(["kept"]);
    expect((await again.loadLast())?.grid.axes.length).toBe(2);
    again.close();
  });

  it("drops a last result that no longer reads, but keeps it when the codec itself fails", async () => {
    const factory = new IDBFactory();
    const db = await SnapshotDb.open(factory);
    await db.saveLast(planeSnapshot());
    db.close();
    const failed = await SnapshotDb.open(
      factory,
      failingCodec(new Error("the snapshot worker failed to start")),
    );
    await expect(failed.loadLast()).rejects.toThrow("the snapshot worker failed to start");
    failed.close();
    const unreadable = await SnapshotDb.open(
      factory,
      failingCodec(new SnapshotError(["bad"], "last result")),
    );
    expect(await unreadable.loadLast()).toBeNull();
    unreadable.close();
    const again = await SnapshotDb.open(factory);
    expect(await again.loadLast()).toBeNull();
    again.close();
  });
});

describe("library thumbnails", () => {
  it("colour every finite grid point of the train loss, one row for a 1-D landscape", () => {
    const s = planeSnapshot();
    const px = thumbnailPixels(s);
    const [nx, ny] = [s.grid.axes[0].count, s.grid.axes[1].count];
    expect(px?.width).toBe(nx);
    expect(px?.height).toBe(ny);
    const finite = Array.from(s.surfaces.train_loss).filter((v) => Number.isFinite(v)).length;
    let opaque = 0;
    for (let i = 3; i < (px?.rgba.length ?? 0); i += 4) if (px?.rgba[i] === 255) opaque++;
    expect(opaque).toBe(finite);
    expect(thumbnailPixels(lineSnapshot())?.height).toBe(1);
  });
});
