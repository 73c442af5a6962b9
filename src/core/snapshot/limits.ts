/**
 * What reading an outside file may cost, declared before any work and enforced while it is done:
 * a file that is small on disk and huge once read (a gzip bomb, an HDF5 dataset declared
 * 40000 x 40000 and never written) is refused with the numbers, never read until memory runs out.
 *
 * Every limit derives from one figure, the memory a job may use (MEMORY_BUDGET_BYTES, 1 GiB, the
 * figure the compute jobs' estimate is held to in config/memory.ts), so raising that one figure
 * (the CLI's --read-memory) raises them all in proportion:
 * - maxReadBytes = memory / 8: what a file may expand to once read (a gzip stream's inflated
 *   size, i.e. a snapshot's JSON text; the sum of the HDF5 datasets read). Reading JSON text of
 *   T bytes holds the bytes (T), the string (T), the parsed tree (up to 4T: plain arrays of
 *   one-digit numbers take 8 bytes per 2 characters) and the float32 arrays (up to 2T): 8T.
 * - maxArrayValues = memory / 32: values in any one array (a JSON array, a base64 array, an
 *   HDF5 dataset): the read takes 8 bytes per value in HDF5's memory, 8 in its JavaScript copy,
 *   4 in the float32 result, and the views build about 12 more per grid point.
 * - maxJsonNodes = memory / 1024: objects, arrays and object members in one JSON document (each
 *   costs a JavaScript engine 50 to 200 bytes; a snapshot has a few thousand).
 * - maxDepth 64 and maxStringChars 65,536 are fixed: a snapshot nests about 8 deep, and only its
 *   base64 arrays are long strings.
 *
 * @example const limits = readLimits(2 * MEMORY_BUDGET_BYTES); limits.maxReadBytes; // 256 MB
 */
import { MEMORY_BUDGET_BYTES } from "../config/memory";

export interface ReadLimits {
  /** The memory (bytes) the other limits derive from. */
  memoryBytes: number;
  /** The most bytes a file may expand to once read (inflated gzip, HDF5 datasets read). */
  maxReadBytes: number;
  /** Values in any one array or dataset. */
  maxArrayValues: number;
  /** Objects, arrays and object members in one JSON document. */
  maxJsonNodes: number;
  /** Nesting depth of a JSON document. */
  maxDepth: number;
  /** Characters of a string that is not a base64 array. */
  maxStringChars: number;
  /**
   * The setting that raises the limits, with "{MB}" where its value goes ("--read-memory {MB}",
   * "LANDSCAPE_READ_MEMORY={MB}"): a "too large" message suggests the value the file needs, or
   * twice the memory when that is not known.
   */
  raiseWith?: string;
  /** More words on raising the limits, said after every "too large" message (e.g. where the README tells). */
  howToRaise?: string;
}

const MAX_JSON_DEPTH = 64;
const MAX_STRING_CHARS = 65_536;

/**
 * The limits for a job that may use `memoryBytes` (default: MEMORY_BUDGET_BYTES, 1 GiB).
 *
 * @example readLimits().maxReadBytes === 128 * 2 ** 20 // true
 */
export function readLimits(
  memoryBytes = MEMORY_BUDGET_BYTES,
  howToRaise?: string,
  raiseWith?: string,
): ReadLimits {
  if (!(Number.isFinite(memoryBytes) && memoryBytes >= 2 ** 20)) {
    throw new Error(`the read memory must be at least 1 MB, got ${memoryBytes} bytes`);
  }
  return {
    memoryBytes,
    maxReadBytes: Math.floor(memoryBytes / 8),
    maxArrayValues: Math.floor(memoryBytes / 32),
    maxJsonNodes: Math.floor(memoryBytes / 1024),
    maxDepth: MAX_JSON_DEPTH,
    maxStringChars: MAX_STRING_CHARS,
    ...(howToRaise === undefined ? {} : { howToRaise }),
    ...(raiseWith === undefined ? {} : { raiseWith }),
  };
}

/** The limits of the app and of the CLI without --read-memory. */
export const DEFAULT_READ_LIMITS: ReadLimits = readLimits();

/**
 * The largest file accepted before reading it at all: its data once read, plus room for a gzip
 * stream that does not compress (stored deflate blocks add 5 bytes per 64 KB) and HDF5's own
 * metadata.
 */
export function maxFileBytes(limits: ReadLimits): number {
  return limits.maxReadBytes + Math.ceil(limits.maxReadBytes / 64) + 65_536;
}

/** Bytes in the project's words: "600 MB", "12.8 GB", "604 KB" (1 MB = 2^20 bytes, as memory.ts). */
export function sizeText(bytes: number): string {
  const units = ["bytes", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes.toLocaleString("en-US")} bytes`;
  const digits = value >= 100 || Number.isInteger(value) ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** "1,600,000,000" */
export function countText(n: number): string {
  return n.toLocaleString("en-US");
}

/**
 * The words after a "too large" message: the read memory the file would need (when
 * `neededMemoryBytes`, the memory whose limits would admit it, is known) and how to raise it.
 *
 * @example limitHint(cliLimits, 1_600_000_000 * 32) // "; raise the limits with --read-memory 48829 (MB; now 1024, the least that admits it), see README ..."
 */
export function limitHint(limits: ReadLimits, neededMemoryBytes?: number): string {
  const nowMb = Math.round(limits.memoryBytes / 2 ** 20);
  const known = neededMemoryBytes !== undefined && neededMemoryBytes > limits.memoryBytes;
  const neededMb = known ? Math.ceil(neededMemoryBytes / 2 ** 20) : 2 * nowMb;
  if (limits.raiseWith) {
    const least = known ? ", the least that admits it" : "";
    const more = limits.howToRaise ? `, ${limits.howToRaise}` : "";
    return `; raise the limits with ${limits.raiseWith.replace("{MB}", String(neededMb))} (MB; now ${nowMb}${least})${more}`;
  }
  const need = known
    ? `; it needs a read memory of at least ${countText(neededMb)} MB (now ${countText(nowMb)} MB)`
    : "";
  return `${need}${limits.howToRaise ? `; ${limits.howToRaise}` : ""}`;
}

/** The read memory whose limits admit an array of `values` values (maxArrayValues = memory / 32). */
export const memoryForArray = (values: number): number => values * 32;
/** The read memory whose limits admit `bytes` of data once read (maxReadBytes = memory / 8). */
export const memoryForData = (bytes: number): number => bytes * 8;

/**
 * Thrown when a file would take more than a limit allows. The message starts with "too large:"
 * or "too deep:" and names the part, the size it would take and the limit.
 */
export class ReadLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReadLimitError";
  }
}

/** Raised by a `signal` that was aborted while a file was read (the DOM's AbortError name). */
export function abortError(signal: { reason?: unknown }): Error {
  if (signal.reason instanceof Error) return signal.reason;
  const error = new Error("the read was cancelled");
  error.name = "AbortError";
  return error;
}
