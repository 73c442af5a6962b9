/**
 * Snapshot files in Node. Writes are atomic (atomic-file.ts: a flushed temporary file in the
 * target's folder renamed over the target), so a crash or a full disk never leaves a half-written
 * snapshot.
 *
 * @example await writeSnapshotFile("runs/spirals.json.gz", snapshot); const s = await readSnapshotFile("runs/spirals.json.gz");
 */
import { open } from "node:fs/promises";
import {
  type ParseOptions,
  parseSnapshot,
  type SerializeOptions,
  serializeSnapshot,
} from "../core/snapshot/io";
import {
  limitHint,
  maxFileBytes,
  memoryForData,
  type ReadLimits,
  readLimits,
  sizeText,
} from "../core/snapshot/limits";
import type { Snapshot } from "../core/snapshot/schema";
import { SnapshotError } from "../core/snapshot/validate";
import { writeFileAtomic } from "./atomic-file";

/** The environment variable (MB) that raises the read limits of every command. */
export const READ_MEMORY_ENV = "LANDSCAPE_READ_MEMORY";
/** The memory (MB) reading an input may use when nothing says otherwise: MEMORY_BUDGET_BYTES. */
const DEFAULT_READ_MEMORY_MB = 1024;
const MB = 2 ** 20;

/**
 * The memory (MB) reading an input may use: LANDSCAPE_READ_MEMORY when it is set (an integer
 * from 16 to 1048576), else 1024. Throws naming the variable for any other value.
 *
 * @example process.env.LANDSCAPE_READ_MEMORY = "2048"; readMemoryMb(); // 2048
 */
export function readMemoryMb(env: Record<string, string | undefined> = process.env): number {
  const raw = env[READ_MEMORY_ENV]?.trim();
  if (raw === undefined || raw === "") return DEFAULT_READ_MEMORY_MB;
  const mb = Number(raw);
  if (!/^\d+$/.test(raw) || mb < 16 || mb > 1024 * 1024) {
    throw new Error(
      `${READ_MEMORY_ENV} must be an integer number of MB in [16, 1048576], got ${JSON.stringify(raw)}`,
    );
  }
  return mb;
}

/**
 * The read limits of a command that has no --read-memory option: those of readMemoryMb(), with a
 * message saying how to raise them.
 */
function envReadLimits(env: Record<string, string | undefined> = process.env): ReadLimits {
  const mb = readMemoryMb(env);
  return readLimits(
    mb * MB,
    `or --read-memory where a command has it; see README "Robustness and security"`,
    `${READ_MEMORY_ENV}={MB}`,
  );
}

type WriteSnapshotFileOptions = SerializeOptions;

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
 * The bytes of an input file (snapshot or HDF5), refused before reading when the file alone is
 * larger than its data may be once read (maxFileBytes: the limit plus room for compression).
 * Errors name the file.
 */
export async function readInputFile(
  filePath: string,
  limits: ReadLimits = envReadLimits(),
  what = "",
): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(filePath, "r");
    const { size } = await handle.stat();
    const max = maxFileBytes(limits);
    if (size > max) {
      throw new SnapshotError(
        [
          `too large: the file is ${sizeText(size)}, more than the ${sizeText(max)} a file may be (its data once ` +
            `read may take ${sizeText(limits.maxReadBytes)})${limitHint(limits, memoryForData(size))}`,
        ],
        filePath,
      );
    }
    return new Uint8Array(await handle.readFile());
  } catch (error) {
    if (error instanceof SnapshotError) throw error;
    throw new Error(`cannot read ${what ? `${what} ` : ""}${filePath}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    await handle?.close();
  }
}

/**
 * Reads and validates a snapshot file (JSON or gzipped JSON, detected from the bytes) within
 * `opts.limits` (default envReadLimits(): LANDSCAPE_READ_MEMORY or 1024 MB). Errors name the
 * file: a SnapshotError lists every problem.
 */
export async function readSnapshotFile(
  filePath: string,
  opts: Omit<ParseOptions, "source"> = {},
): Promise<Snapshot> {
  const limits = opts.limits ?? envReadLimits();
  const bytes = await readInputFile(filePath, limits, "snapshot");
  return parseSnapshot(bytes, { ...opts, limits, source: filePath });
}
