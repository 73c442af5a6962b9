/**
 * The lab's local library (IndexedDB, library/snapshot-db.ts): saved snapshots and the last
 * result a reload shows again. Snapshots are gzipped and validated in the snapshot worker, so
 * the page never waits for them. Null storage (a browser that blocks IndexedDB) is not an error
 * until something must be saved or opened.
 */
import type { Snapshot } from "../core/snapshot/schema";
import { type LibraryEntry, SnapshotDb } from "../library/snapshot-db";
import { workerSnapshotCodec } from "./snapshot-io-bridge";

export class LabLibrary {
  private db: Promise<SnapshotDb | null> | null = null;

  /**
   * `createdAt` of the snapshot last written as the last result, once IndexedDB has it. The write
   * (gzip in the snapshot worker, then IndexedDB) ends some time after the job's "done": a reload
   * in between finds the previous last result (tests wait for this before they reload).
   */
  lastSaved: string | null = null;

  private open(): Promise<SnapshotDb | null> {
    this.db ??= SnapshotDb.open(undefined, workerSnapshotCodec).catch(() => null);
    return this.db;
  }

  private async require(): Promise<SnapshotDb> {
    const db = await this.open();
    if (!db) throw new Error("the local library is unavailable (this browser blocks IndexedDB here)");
    return db;
  }

  /** Keep `snapshot` as the last result, so a reload shows it again (storage full: it is not kept). */
  async rememberLast(snapshot: Snapshot): Promise<void> {
    try {
      const db = await this.open();
      await db?.saveLast(snapshot);
      if (db) this.lastSaved = snapshot.createdAt;
    } catch {
      // storage full or unavailable: the result stays on screen, only the reload copy is missing
    }
  }

  /** The last result kept, or null (none, or no storage). */
  async loadLast(): Promise<Snapshot | null> {
    return (await (await this.open())?.loadLast().catch(() => null)) ?? null;
  }

  /** Save `snapshot` under `name` with its thumbnail (a data URL); returns its id. */
  async save(name: string, snapshot: Snapshot, thumbnail: string): Promise<number> {
    return (await this.require()).save(name, snapshot, thumbnail);
  }

  async list(): Promise<LibraryEntry[]> {
    const db = await this.open();
    return db ? db.list() : [];
  }

  async load(id: number): Promise<Snapshot> {
    return (await this.require()).load(id);
  }

  async remove(id: number): Promise<void> {
    await (await this.require()).remove(id);
  }
}
