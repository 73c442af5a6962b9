/**
 * Snapshot <-> bytes. Writing validates first (a broken snapshot is never written), encodes float
 * arrays as base64 (default) or plain JSON numbers, and optionally gzips. Reading detects gzip by
 * its magic bytes and inflates it within the limits (limits.ts), measures the JSON before parsing
 * it (json-limits.ts: depth, array sizes), parses it with a message that says where it broke,
 * refuses the key "__proto__" by name, and validates. Every failure is a SnapshotError whose
 * problem says which it is: truncated or corrupt gzip data, not UTF-8, not JSON, too large, too
 * deep, a refused key, or the format's own rules.
 *
 * @example const bytes = serializeSnapshot(snapshot, { gzip: true }); const back = parseSnapshot(bytes);
 */

import { type ArrayEncoding, NON_FINITE_TEXT, withArrayEncoding } from "./arrays";
import { gunzipChecked, gzipBytes, isGzip } from "./gzip";
import { formatIssues } from "./issues";
import { scanJsonBytes } from "./json-limits";
import {
  abortError,
  DEFAULT_READ_LIMITS,
  limitHint,
  memoryForData,
  ReadLimitError,
  type ReadLimits,
  sizeText,
} from "./limits";
import { type Snapshot, type SnapshotWire, snapshotSchema } from "./schema";
import { reviewSnapshot } from "./semantics";
import { checkSnapshot, SnapshotError } from "./validate";

interface JsonTextOptions {
  /** Float arrays as base64 float32 bytes (exact, compact; default) or plain JSON numbers. */
  arrays?: ArrayEncoding;
  /** Spaces of indentation; 0 or absent gives compact JSON. */
  indent?: number;
  /** Check the snapshot before writing (default true); throws SnapshotError listing the problems. */
  validate?: boolean;
}

export interface SerializeOptions extends JsonTextOptions {
  /** gzip the JSON text (default false). */
  gzip?: boolean;
}

export interface ParseOptions {
  /** What is being read, e.g. a file name, for error messages (default "snapshot"). */
  source?: string;
  /** Receives the warnings of a valid snapshot (non-finite surface values, ...). */
  onWarning?: (warning: string) => void;
  /** What reading may cost (default DEFAULT_READ_LIMITS): inflated size, array sizes, depth. */
  limits?: ReadLimits;
  /** Progress of a long read: inflating (compressed bytes read of all), parsing, validating. */
  onProgress?: (progress: ReadProgress) => void;
  /** Stops the read between steps (and between gzip chunks) with the signal's reason. */
  signal?: AbortSignal;
}

/** Where a snapshot read is. `done` and `total` count compressed bytes while inflating. */
export interface ReadProgress {
  phase: "inflating" | "parsing" | "validating";
  done: number;
  total: number;
}

/**
 * JSON-ready wire object of a snapshot (float arrays encoded in the given mode). Throws
 * SnapshotError when the in-memory snapshot breaks the schema or, with validate, its rules.
 */
export function encodeSnapshot(s: Snapshot, arrays: ArrayEncoding = "base64", validate = true): SnapshotWire {
  const encoded = withArrayEncoding(arrays, () => snapshotSchema.safeEncode(s, { reportInput: true }));
  if (!encoded.success) throw new SnapshotError(formatIssues(encoded.error.issues));
  if (validate) {
    const { problems } = reviewSnapshot(s);
    if (problems.length > 0) throw new SnapshotError(problems);
  }
  return encoded.data;
}

/**
 * Snapshot as JSON text.
 *
 * @example snapshotToJsonText(snapshot, { arrays: "plain", indent: 2 });
 */
export function snapshotToJsonText(s: Snapshot, opts: JsonTextOptions = {}): string {
  const wire = encodeSnapshot(s, opts.arrays ?? "base64", opts.validate ?? true);
  return JSON.stringify(wire, null, opts.indent || undefined);
}

/**
 * Snapshot as bytes: UTF-8 JSON, gzipped when opts.gzip.
 *
 * @example serializeSnapshot(snapshot, { arrays: "base64", gzip: true }); // Uint8Array starting 1f 8b
 */
export function serializeSnapshot(s: Snapshot, opts: SerializeOptions = {}): Uint8Array {
  const bytes = new TextEncoder().encode(snapshotToJsonText(s, opts));
  return opts.gzip ? gzipBytes(bytes) : bytes;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Line and column (1-based) of a character offset, for JSON error messages. */
function lineColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line} column ${offset - lineStart + 1}`;
}

/** JSON.parse's message plus where it broke, in the same words on every engine. */
function jsonErrorText(error: unknown, text: string): string {
  let message = (error as Error).message;
  const position = /at position (\d+)/.exec(message);
  if (position !== null && !/line \d+ column \d+/.test(message)) {
    message += ` (${lineColumn(text, Number(position[1]))})`;
  }
  const atEnd = position !== null && Number(position[1]) >= text.trimEnd().length;
  if (atEnd || /end of (JSON )?(input|data)|unterminated/i.test(message)) {
    message += `; the text ends after ${text.length} characters, so it is probably truncated`;
  } else if (NON_FINITE_TOKEN.test(errorExcerpt(message, text, position))) {
    message += NON_FINITE_TEXT;
  }
  return message;
}

/** NaN, Infinity, inf, nan... as a bare token (not inside a word or right after a quote). */
const NON_FINITE_TOKEN = /(^|[^A-Za-z0-9_"])[-+]?(nan|inf(inity)?)([^A-Za-z0-9_]|$)/i;

/** The text around where JSON.parse broke: at its position, or the excerpt its message quotes. */
function errorExcerpt(message: string, text: string, position: RegExpExecArray | null): string {
  if (position !== null) {
    const at = Number(position[1]);
    return text.slice(Math.max(0, at - 1), at + 12);
  }
  return /"(.*)"(\.\.\.)? is not valid JSON/s.exec(message)?.[1] ?? "";
}

/** The 8 bytes an HDF5 file starts with (\x89HDF\r\n\x1a\n). */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Offset of the first byte that is not valid UTF-8 (RFC 3629), or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = 0; i < n; ) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    if (i + need >= n) return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** What a byte offset is in words: "byte 0xFF at offset 3 (line 1)". */
function badByteText(bytes: Uint8Array, offset: number): string {
  let line = 1;
  for (let i = bytes.indexOf(10); i >= 0 && i < offset; i = bytes.indexOf(10, i + 1)) line++;
  const hex = bytes[offset].toString(16).toUpperCase().padStart(2, "0");
  return (
    `byte 0x${hex} at offset ${offset.toLocaleString("en-US")} (line ${line}) is not valid UTF-8 there; ` +
    "was the file saved in another encoding (Latin-1, UTF-16)?"
  );
}

/** The problem line of an error thrown while reading: its own words for ours, else a generic one. */
function readProblem(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Bytes of JSON text: gunzipped (within the limit) when they are gzip, checked against the limits either way. */
function textBytes(bytes: Uint8Array, source: string, o: ParseOptions, limits: ReadLimits): Uint8Array {
  if (isGzip(bytes)) {
    try {
      return gunzipChecked(bytes, {
        maxBytes: limits.maxReadBytes,
        howToRaise: limitHint(limits).replace(/^; /, "") || undefined,
        signal: o.signal,
        onProgress:
          o.onProgress && ((read, total) => o.onProgress?.({ phase: "inflating", done: read, total })),
      });
    } catch (error) {
      if ((error as Error).name === "AbortError") throw error;
      throw new SnapshotError([readProblem(error)], source, { cause: error });
    }
  }
  if (bytes.length > limits.maxReadBytes) {
    throw new SnapshotError(
      [
        `too large: the snapshot's text is ${sizeText(bytes.length)}, more than ${sizeText(limits.maxReadBytes)}, ` +
          `the limit for a file's data once read${limitHint(limits, memoryForData(bytes.length))}`,
      ],
      source,
    );
  }
  return bytes;
}

/** The JSON value held by snapshot bytes or text, gunzipping first when the bytes are gzip. */
function parseJson(input: Uint8Array | string, source: string, o: ParseOptions, limits: ReadLimits): unknown {
  const gzip = typeof input !== "string" && isGzip(input);
  const bytes =
    typeof input === "string" ? new TextEncoder().encode(input) : textBytes(input, source, o, limits);
  o.onProgress?.({ phase: "parsing", done: 0, total: bytes.length });
  if (o.signal?.aborted) throw abortError(o.signal);
  try {
    scanJsonBytes(bytes, limits);
  } catch (error) {
    if (!(error instanceof ReadLimitError)) throw error;
    throw new SnapshotError([error.message], source, { cause: error });
  }
  let text: string;
  if (typeof input === "string") {
    text = input;
  } else {
    try {
      text = utf8.decode(bytes);
    } catch (error) {
      const at = firstInvalidUtf8(bytes);
      const hdf5 = HDF5_SIGNATURE.every((b, i) => bytes[i] === b);
      const where = hdf5
        ? ": it is an HDF5 file (its signature is at byte 0); a surface .h5 is read by export and import, not as a snapshot"
        : at >= 0
          ? `: ${badByteText(bytes, at)}`
          : "";
      const what = gzip ? "its gzip stream holds bytes that are not UTF-8 text" : "nor gzip data";
      throw new SnapshotError([`snapshot is not valid UTF-8 text (${what})${where}`], source, {
        cause: error,
      });
    }
  }
  // A byte-order mark is legal in UTF-8 files written by some editors but not in JSON.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SnapshotError([`snapshot is not valid JSON: ${jsonErrorText(error, text)}`], source, {
      cause: error,
    });
  }
}

/**
 * Reads a snapshot from bytes (JSON or gzipped JSON) or JSON text and validates it; throws
 * SnapshotError listing every problem.
 *
 * @example const snapshot = parseSnapshot(await file.bytes(), { source: file.name });
 */
export function parseSnapshot(input: Uint8Array | string, opts: ParseOptions = {}): Snapshot {
  const source = opts.source ?? "snapshot";
  const limits = opts.limits ?? DEFAULT_READ_LIMITS;
  const json = parseJson(input, source, opts, limits);
  if (opts.signal?.aborted) throw abortError(opts.signal);
  opts.onProgress?.({ phase: "validating", done: 0, total: 1 });
  const result = checkSnapshot(json, limits);
  if (!result.ok) throw new SnapshotError(result.problems, source);
  for (const warning of result.warnings) opts.onWarning?.(warning);
  return result.snapshot;
}
