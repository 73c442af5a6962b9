/**
 * The snapshot worker: writes snapshots to bytes and reads them back, off the main thread (JSON,
 * base64 and gzip of a 51 x 51 landscape take 60-130 ms, a long task in the page; an imported
 * file may take seconds: inflating, measuring, parsing and validating all happen here, within
 * the read limits). A thin Comlink shell around src/core/snapshot;
 * src/compute/snapshot-io-bridge.ts keeps one running for all calls (and stops it to cancel a
 * read). A SnapshotError comes back as data (src/core/snapshot/outcome.ts) so that the bridge can
 * rebuild it; results are transferred, not copied. Progress of a read is reported through a
 * Comlink.proxy callback at most every 100 ms.
 */
import "../src/core/zod-jitless"; // first: before any zod schema is built (see the module)
import { expose, releaseProxy, transfer } from "comlink";
import {
  type ParseOptions,
  parseSnapshot,
  type ReadProgress,
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

  /**
   * parseSnapshot's validated snapshot, or its SnapshotError; `onProgress` (a Comlink.proxy)
   * hears how far the read is, at most every 100 ms and at each new phase.
   */
  async parse(
    bytes: Uint8Array,
    opts: Pick<ParseOptions, "source" | "limits">,
    onProgress?: (progress: ReadProgress) => void,
  ): Promise<SnapshotOutcome<Snapshot>> {
    return parseReporting(bytes, opts, onProgress);
  },

  /**
   * parse() of a file (a File or Blob, which crosses to the worker as a handle): its bytes are read
   * here, so that the page never holds or copies them.
   */
  async parseBlob(
    blob: Blob,
    opts: Pick<ParseOptions, "source" | "limits">,
    onProgress?: (progress: ReadProgress) => void,
  ): Promise<SnapshotOutcome<Snapshot>> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await blob.arrayBuffer());
    } catch (error) {
      (onProgress as { [releaseProxy]?: () => void } | undefined)?.[releaseProxy]?.();
      throw new Error(`cannot read ${opts.source ?? "the file"}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return parseReporting(bytes, opts, onProgress);
  },
};

/** parseSnapshot, reporting progress to the page's callback at most every 100 ms and at each new phase. */
function parseReporting(
  bytes: Uint8Array,
  opts: Pick<ParseOptions, "source" | "limits">,
  onProgress?: (progress: ReadProgress) => void,
): SnapshotOutcome<Snapshot> {
  let last = 0;
  let phase = "";
  const report = onProgress
    ? (p: ReadProgress) => {
        const now = performance.now();
        if (p.phase === phase && now - last < 100) return;
        last = now;
        phase = p.phase;
        // A proxy released by the page (the read was cancelled) rejects; nothing to do then.
        Promise.resolve(onProgress(p)).catch(() => {});
      }
    : undefined;
  try {
    return sent(snapshotOutcome(() => parseSnapshot(bytes, { ...opts, onProgress: report })));
  } finally {
    // The page's callback was lent for this read only: close its channel.
    (onProgress as { [releaseProxy]?: () => void } | undefined)?.[releaseProxy]?.();
  }
}

export type SnapshotIoApi = typeof api;

expose(api);
