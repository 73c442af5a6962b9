/**
 * Snapshot files in Node. Writes are atomic (atomic-file.ts: a flushed temporary file in the
 * target's folder renamed over the target), so a crash or a full disk never leaves a half-written
 * snapshot.
 *
 * @example await writeSnapshotFile("runs/spirals.json.gz", snapshot); const s = await readSnapshotFile("runs/spirals.json.gz");
 */
import { readFile } from "node:fs/promises";
import {
  type ParseOptions,
  parseSnapshot,
  type SerializeOptions,
  type Snapshot,
  SnapshotError,
  serializeSnapshot,
} from "../core/snapshot";
import { writeFileAtomic } from "./atomic-file";

export type WriteSnapshotFileOptions = SerializeOptions;

/**
 * Validates and writes a snapshot. gzip defaults to whether the path ends with ".gz". Throws
 * SnapshotError (naming the file) before touching the disk when the snapshot is invalid.
 */
export async function writeSnapshotFile(
  filePath: string,
  s: Snapshot,
  opts: WriteSnapshotFileOptions = {},
): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = serializeSnapshot(s, { ...opts, gzip: opts.gzip ?? filePath.toLowerCase().endsWith(".gz") });
  } catch (error) {
    if (error instanceof SnapshotError) throw new SnapshotError(error.problems, `snapshot for ${filePath}`);
    throw error;
  }
  await writeFileAtomic(filePath, bytes, "snapshot");
}

/**
 * Reads and validates a snapshot file (JSON or gzipped JSON, detected from the bytes). Errors name
 * the file: a SnapshotError lists every problem.
 */
export async function readSnapshotFile(
  filePath: string,
  opts: Omit<ParseOptions, "source"> = {},
): Promise<Snapshot> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(filePath);
  } catch (error) {
    throw new Error(`cannot read snapshot ${filePath}: ${(error as Error).message}`, { cause: error });
  }
  return parseSnapshot(bytes, { ...opts, source: filePath });
}
