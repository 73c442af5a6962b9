/**
 * The browser's local library of snapshots (IndexedDB through `idb`): named snapshots with a
 * thumbnail and a short summary, to list, reopen, delete and compare; and the last result, so
 * that a reload shows the current experiment without recomputing it. Snapshots are stored as
 * the gzipped snapshot format itself (serializeSnapshot), so what comes back is validated by the
 * same reader as an imported file. The bytes are written and read through a SnapshotCodec: the
 * app passes the snapshot worker's, so that this work never blocks the page.
 *
 * @example const db = await SnapshotDb.open(); const id = await db.save("sharp minimum", snapshot, thumb);
 */

import { type DBSchema, type IDBPDatabase, openDB } from "idb";
import { architectureSummary } from "../core/model/architecture";
import type { Snapshot } from "../core/snapshot/schema";
import { SnapshotError } from "../core/snapshot/validate";
import { inThreadSnapshotCodec, type SnapshotCodec } from "./snapshot-codec";

const DB_NAME = "loss-landscape-lab";
const DB_VERSION = 1;
const LAST_KEY = "current";

/** What a list shows without reading the snapshot itself. */
export interface LibraryEntry {
  id: number;
  name: string;
  savedAt: string;
  /** e.g. "spirals, MLP 2-64-64-2 relu, 51 x 51, min train loss 0.0123". */
  summary: string;
  /** A small heatmap as a PNG data URL ("" when none could be made). */
  thumbnail: string;
  bytes: number;
}

interface StoredSnapshot extends Omit<LibraryEntry, "id" | "bytes"> {
  id?: number;
  data: Uint8Array;
}

interface LabDb extends DBSchema {
  snapshots: { key: number; value: StoredSnapshot };
  last: { key: string; value: { savedAt: string; data: Uint8Array } };
}

/** One line about a snapshot: data, model, grid and its lowest train loss. */
export function snapshotSummary(s: Snapshot): string {
  const model = architectureSummary(s.model.architecture);
  const grid = s.grid.axes.map((x) => x.count).join(" x ");
  let min = Number.POSITIVE_INFINITY;
  for (const v of s.surfaces.train_loss ?? []) if (v < min) min = v;
  const loss = Number.isFinite(min) ? `, min train loss ${min.toPrecision(3)}` : "";
  return `${s.data.name}, ${model}, ${grid}${loss}`;
}

export class SnapshotDb {
  private constructor(
    private readonly db: IDBPDatabase<LabDb>,
    private readonly codec: SnapshotCodec,
  ) {}

  /**
   * Open (and create on first use) the database; `factory` lets tests pass fake-indexeddb,
   * `codec` writes and reads the snapshots (the app passes the snapshot worker's).
   */
  static async open(factory?: IDBFactory, codec: SnapshotCodec = inThreadSnapshotCodec): Promise<SnapshotDb> {
    const previous = globalThis.indexedDB;
    if (factory) (globalThis as { indexedDB: IDBFactory }).indexedDB = factory;
    try {
      const db = await openDB<LabDb>(DB_NAME, DB_VERSION, {
        upgrade(d) {
          d.createObjectStore("snapshots", { keyPath: "id", autoIncrement: true });
          d.createObjectStore("last");
        },
      });
      return new SnapshotDb(db, codec);
    } finally {
      if (factory) (globalThis as { indexedDB: IDBFactory }).indexedDB = previous;
    }
  }

  /**
   * Save a snapshot under a name; returns its id. A blank name is an error. The bytes are made
   * before the store is touched, so a snapshot that cannot be written changes nothing.
   */
  async save(name: string, snapshot: Snapshot, thumbnail = ""): Promise<number> {
    const trimmed = name.trim();
    if (trimmed === "") throw new Error("a saved snapshot needs a name");
    if (trimmed.length > 200)
      throw new Error(`the name is too long (${trimmed.length} characters, at most 200)`);
    const value: StoredSnapshot = {
      name: trimmed,
      savedAt: new Date().toISOString(),
      summary: snapshotSummary(snapshot),
      thumbnail,
      data: await this.codec.serialize(snapshot, { gzip: true }),
    };
    return this.db.add("snapshots", value);
  }

  /** Every saved snapshot, newest first, without the snapshots themselves. */
  async list(): Promise<LibraryEntry[]> {
    const all = await this.db.getAll("snapshots");
    return all
      .map(({ data, id, ...rest }) => ({ ...rest, id: id as number, bytes: data.byteLength }))
      .sort((a, b) => b.id - a.id);
  }

  /** The snapshot saved under `id` (validated as it is read). */
  async load(id: number): Promise<Snapshot> {
    const stored = await this.db.get("snapshots", id);
    if (!stored) throw new Error(`no saved snapshot with id ${id}`);
    return this.codec.parse(stored.data, { source: `saved snapshot "${stored.name}"` });
  }

  async remove(id: number): Promise<void> {
    await this.db.delete("snapshots", id);
  }

  /** Keep `snapshot` as the last result, replacing the previous one only once its bytes are made. */
  async saveLast(snapshot: Snapshot): Promise<void> {
    const data = await this.codec.serialize(snapshot, { gzip: true });
    await this.db.put("last", { savedAt: new Date().toISOString(), data }, LAST_KEY);
  }

  /**
   * The last result, or null when there is none or it no longer reads (then it is dropped).
   * Any other failure (the codec's worker did not start) rejects and keeps the entry.
   */
  async loadLast(): Promise<Snapshot | null> {
    const stored = await this.db.get("last", LAST_KEY);
    if (!stored) return null;
    try {
      return await this.codec.parse(stored.data, { source: "last result" });
    } catch (error) {
      if (!(error instanceof SnapshotError)) throw error;
      await this.db.delete("last", LAST_KEY);
      return null;
    }
  }

  close(): void {
    this.db.close();
  }
}
