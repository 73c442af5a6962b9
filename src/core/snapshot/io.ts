/**
 * Snapshot <-> bytes. Writing validates first (a broken snapshot is never written), encodes float
 * arrays as base64 (default) or plain JSON numbers, and optionally gzips. Reading detects gzip by
 * its magic bytes, parses JSON with a message that says where it broke, and validates.
 *
 * @example const bytes = serializeSnapshot(snapshot, { gzip: true }); const back = parseSnapshot(bytes);
 */

import { type ArrayEncoding, withArrayEncoding } from "./arrays";
import { gunzipChecked, gzipBytes, isGzip } from "./gzip";
import { formatIssues } from "./issues";
import { type Snapshot, type SnapshotWire, snapshotSchema } from "./schema";
import { reviewSnapshot } from "./semantics";
import { checkSnapshot, SnapshotError } from "./validate";

export interface JsonTextOptions {
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
  }
  return message;
}

/** The JSON value held by snapshot bytes or text, gunzipping first when the bytes are gzip. */
function parseJson(input: Uint8Array | string, source: string): unknown {
  let text: string;
  if (typeof input === "string") {
    text = input;
  } else {
    let bytes = input;
    if (isGzip(bytes)) {
      try {
        bytes = gunzipChecked(bytes);
      } catch (error) {
        throw new SnapshotError([(error as Error).message], source, { cause: error });
      }
    }
    try {
      text = utf8.decode(bytes);
    } catch (error) {
      throw new SnapshotError(["snapshot is not valid UTF-8 text (nor gzip)"], source, { cause: error });
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
  const result = checkSnapshot(parseJson(input, source));
  if (!result.ok) throw new SnapshotError(result.problems, source);
  for (const warning of result.warnings) opts.onWarning?.(warning);
  return result.snapshot;
}
