/**
 * Snapshot <-> bytes behind an asynchronous seam, so that callers need not know which thread
 * does the work. Writing a 51 x 51 landscape (JSON, base64, gzip) or reading it back with full
 * validation takes 60-130 ms: the app runs it in a worker (src/compute/snapshot-io-bridge.ts),
 * Node and the unit tests run it in-thread with the same core functions, so both give the same
 * bytes, the same snapshots and the same SnapshotErrors.
 *
 * @example const bytes = await codec.serialize(snapshot, { gzip: true }); const back = await codec.parse(bytes, { source: "x" });
 */
import {
  type ParseOptions,
  parseSnapshot,
  type ReadProgress,
  type SerializeOptions,
  serializeSnapshot,
} from "../core/snapshot/io";
import type { Snapshot } from "../core/snapshot/schema";

/**
 * What a reader is told: the source and limits (which cross to a worker), and a signal that
 * cancels the read and a progress callback (which the worker's bridge handles on this side).
 * The bytes passed to a worker codec are moved there: the caller must not use them afterwards.
 */
export type CodecParseOptions = Pick<ParseOptions, "source" | "limits"> & {
  signal?: AbortSignal;
  onProgress?: (progress: ReadProgress) => void;
};

export interface SnapshotCodec {
  /** serializeSnapshot: validated bytes; rejects with its SnapshotError for a broken snapshot. */
  serialize(snapshot: Snapshot, opts: SerializeOptions): Promise<Uint8Array>;
  /** parseSnapshot: the validated snapshot; rejects with a SnapshotError listing every problem. */
  parse(bytes: Uint8Array, opts: CodecParseOptions): Promise<Snapshot>;
}

/** The core functions on the calling thread (Node, tests); a signal is checked between steps and gzip chunks. */
export const inThreadSnapshotCodec: SnapshotCodec = {
  serialize: async (snapshot, opts) => serializeSnapshot(snapshot, opts),
  parse: async (bytes, opts) => parseSnapshot(bytes, opts),
};
