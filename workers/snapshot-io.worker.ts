/**
 * The snapshot worker: writes snapshots to bytes and reads them back, off the main thread (JSON,
 * base64 and gzip of a 51 x 51 landscape take 60-130 ms, a long task in the page). A thin Comlink
 * shell around src/core/snapshot; src/compute/snapshot-io-bridge.ts keeps one running for all
 * calls. A SnapshotError comes back as data (src/core/snapshot/outcome.ts) so that the bridge can
 * rebuild it; results are transferred, not copied.
 */
import "../src/core/zod-jitless"; // first: before any zod schema is built (see the module)
import { expose, transfer } from "comlink";
import {
  type ParseOptions,
  parseSnapshot,
  type SerializeOptions,
  serializeSnapshot,
} from "../src/core/snapshot/io";
import { type SnapshotOutcome, snapshotOutcome } from "../src/core/snapshot/outcome";
import type { Snapshot } from "../src/core/snapshot/schema";
import { buffersOf } from "./transfer";

/** The outcome, with every typed array in it transferred. */
function sent<T>(outcome: SnapshotOutcome<T>): SnapshotOutcome<T> {
  return transfer(outcome, buffersOf(outcome));
}

const api = {
  /** serializeSnapshot's bytes, or its SnapshotError. */
  async serialize(snapshot: Snapshot, opts: SerializeOptions): Promise<SnapshotOutcome<Uint8Array>> {
    return sent(snapshotOutcome(() => serializeSnapshot(snapshot, opts)));
  },

  /** parseSnapshot's validated snapshot, or its SnapshotError. */
  async parse(bytes: Uint8Array, opts: Pick<ParseOptions, "source">): Promise<SnapshotOutcome<Snapshot>> {
    return sent(snapshotOutcome(() => parseSnapshot(bytes, opts)));
  },
};

export type SnapshotIoApi = typeof api;

expose(api);
