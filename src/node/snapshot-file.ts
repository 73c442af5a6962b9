/**
 * Snapshot files in Node. Writes are atomic: the bytes go to a temporary file in the target's
 * folder, are flushed, and the temporary file is renamed over the target, so a crash or a full disk
 * never leaves a half-written snapshot (rename within one folder is atomic on POSIX and NTFS).
 *
 * @example await writeSnapshotFile("runs/spirals.json.gz", snapshot); const s = await readSnapshotFile("runs/spirals.json.gz");
 */
import { randomBytes } from "node:crypto";
import { open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import {
  type ParseOptions,
  parseSnapshot,
  type SerializeOptions,
  type Snapshot,
  SnapshotError,
  serializeSnapshot,
} from "../core/snapshot";

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
  const dir = path.dirname(filePath);
  const tmp = path.join(
    dir,
    `.${path.basename(filePath)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`,
  );
  try {
    const handle = await open(tmp, "wx");
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, filePath);
  } catch (error) {
    await rm(tmp, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? `its folder ${dir} does not exist`
        : code === "EACCES"
          ? "permission denied"
          : (error as Error).message;
    throw new Error(`cannot write snapshot ${filePath}: ${reason}`, { cause: error });
  }
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
