/**
 * Part files: what one shard (or `compute`'s resume journal) has computed of a plan, written as it
 * goes so a killed worker loses at most the tile it was computing. JSON Lines, one record per
 * line, every line written and flushed whole (src/node/part-file.ts):
 *
 * ```jsonc
 * {"format":"loss-landscape-part","version":1,"plan":"sha256:...","shard":{"index":1,"count":4},
 *  "tiles":[2,3,4],"tileCount":11,"tilePoints":256,"surfaces":["train_loss",...],
 *  "producer":{"name":"loss-landscape-lab","version":"0.1.0","backend":"wasm","evaluator":"wasm-kernel",
 *              "kernel":"relaxed-simd","host":"node-17","cpu":"...","node":"v20.20.2","pid":4242},
 *  "startedAt":"2026-11-27T10:00:00.000Z","workers":1}                        // line 1: the header
 * {"tile":2,"rect":[0,51,10,15],"points":255,"ms":812.5,
 *  "values":{"train_loss":"<base64 float32>",...},"crc32":"crc32:1a2b3c4d"}  // one per finished tile
 * {"resume":{"at":"...","producer":{...},"workers":2,"done":1}}              // each restart
 * {"done":{"at":"...","tiles":3,"points":765,"seconds":2.41,"pointsPerSecond":317.4}} // when complete
 * ```
 *
 * `values` are the tile's surfaces, x fastest within the tile (as writeTile expects), as the
 * base64 of their little-endian float32 bytes; `crc32` covers those bytes, surfaces in the
 * header's order. Only the last line can be cut short (a process killed while writing it): the
 * reader calls that a truncated part; the shard, run again, drops the cut line and goes on.
 */
import type { Tile } from "../landscape/grid";
import { decodeBase64, encodeBase64 } from "../snapshot/base64";
import { crc32Of, float32Bytes } from "./checksum";

export const PART_FORMAT = "loss-landscape-part";
export const PART_VERSION = 1;

/** Who computed a part's tiles: the program, the path and the machine. */
export interface PartProducer {
  name: string;
  version: string;
  backend: string;
  evaluator: string;
  kernel?: string;
  host?: string;
  cpu?: string;
  node?: string;
  pid?: number;
}

export interface PartHeader {
  format: typeof PART_FORMAT;
  version: typeof PART_VERSION;
  /** The plan id (plan.id) the tiles were computed from. */
  plan: string;
  shard: { index: number; count: number };
  /** The tile indices this part is meant to hold. */
  tiles: number[];
  /** Tiles of the whole plan and their size (for checks without the plan). */
  tileCount: number;
  tilePoints: number;
  surfaces: string[];
  producer: PartProducer;
  startedAt: string;
  /** Worker threads of the first session. */
  workers: number;
}

/** One computed tile of a part. */
export interface PartTile {
  index: number;
  rect: [number, number, number, number];
  points: number;
  /** Compute time of the tile on one thread, milliseconds. */
  ms: number;
  /** Surface name -> the tile's values (x fastest within the tile). */
  values: Record<string, Float32Array>;
  crc32: string;
  /** 1-based line of the record in its file. */
  line: number;
}

export interface PartSession {
  at: string;
  producer: PartProducer;
  workers: number;
}

interface PartDone {
  at: string;
  tiles: number;
  points: number;
  seconds: number;
  pointsPerSecond: number;
}

/** A part file read back: everything usable, and what is wrong with it. */
export interface ParsedPart {
  source: string;
  /** Null when the first line is not a part header (then `problems` says why). */
  header: PartHeader | null;
  /** Tiles by index (the first record of each). */
  tiles: Map<number, PartTile>;
  /** Damage other than a cut last line: corrupt records, wrong checksums, conflicting duplicates. */
  problems: string[];
  /** The last line was cut short (the writer was killed while writing it). */
  truncated: { line: number; keepChars: number } | null;
  /** The first session (from the header) and each resume. */
  sessions: PartSession[];
  /** The last completion record, if any. */
  done: PartDone | null;
}

/** The header line's object (without the newline). */
export function encodePartHeader(h: PartHeader): string {
  return JSON.stringify(h);
}

/** Rect of a tile as written in a record: [ix0, ix1, iy0, iy1]. */
function tileRect(t: Tile): [number, number, number, number] {
  return [t.ix0, t.ix1, t.iy0, t.iy1];
}

/**
 * One tile record (a line without its newline).
 *
 * @example encodeTileRecord(2, tile, ["train_loss"], { train_loss: values }, 12.5)
 */
export function encodeTileRecord(
  index: number,
  tile: Tile,
  names: readonly string[],
  values: Readonly<Record<string, Float32Array | undefined>>,
  ms: number,
): string {
  const points = (tile.ix1 - tile.ix0) * (tile.iy1 - tile.iy0);
  const encoded: Record<string, string> = {};
  const arrays: Float32Array[] = [];
  for (const name of names) {
    const v = values[name];
    if (!v) throw new Error(`tile ${index}: the evaluation gave no ${name} surface`);
    if (v.length !== points)
      throw new Error(`tile ${index}: ${name} has ${v.length} values, expected ${points}`);
    encoded[name] = encodeBase64(float32Bytes(v));
    arrays.push(v);
  }
  return JSON.stringify({
    tile: index,
    rect: tileRect(tile),
    points,
    ms: Math.round(ms * 1000) / 1000,
    values: encoded,
    crc32: crc32Of(...arrays),
  });
}

export function encodeResumeRecord(s: PartSession & { done: number }): string {
  return JSON.stringify({ resume: s });
}

export function encodeDoneRecord(d: PartDone): string {
  return JSON.stringify({ done: d });
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** What is wrong with a header object, or null. */
function headerProblem(h: unknown): string | null {
  if (!isObject(h)) return "the first line is not a JSON object";
  if (h.format !== PART_FORMAT) {
    return `the first line is not a part header (format ${JSON.stringify(h.format)}, expected "${PART_FORMAT}")`;
  }
  if (h.version !== PART_VERSION) return `unsupported part version ${JSON.stringify(h.version)}`;
  if (typeof h.plan !== "string") return "the header has no plan id";
  const shard = h.shard;
  if (!isObject(shard) || !isCount(shard.index) || !isCount(shard.count) || shard.index >= shard.count) {
    return "the header's shard is not { index, count } with index < count";
  }
  if (!Array.isArray(h.tiles) || !h.tiles.every(isCount)) return "the header's tiles are not tile indices";
  if (!isCount(h.tileCount) || !isCount(h.tilePoints)) return "the header has no tileCount or tilePoints";
  if (
    !Array.isArray(h.surfaces) ||
    !h.surfaces.every((s) => typeof s === "string") ||
    h.surfaces.length === 0
  ) {
    return "the header's surfaces are not a list of names";
  }
  if (!isObject(h.producer)) return "the header has no producer";
  return null;
}

function decodeTile(
  r: Json,
  header: PartHeader,
  line: number,
  rects: readonly Tile[] | undefined,
): PartTile | string {
  const index = r.tile;
  if (!isCount(index) || index >= header.tileCount) {
    return `line ${line}: tile ${JSON.stringify(index)} is not a tile of the plan (0 to ${header.tileCount - 1})`;
  }
  const rect = r.rect;
  if (!Array.isArray(rect) || rect.length !== 4 || !rect.every(isCount))
    return `line ${line}: tile ${index} has no rect`;
  const expected = rects?.[index];
  if (expected && rect.join() !== tileRect(expected).join()) {
    return `line ${line}: tile ${index} covers [${rect.join(", ")}], the plan's tile ${index} is [${tileRect(expected).join(", ")}]`;
  }
  const points = (rect[1] - rect[0]) * (rect[3] - rect[2]);
  if (r.points !== points)
    return `line ${line}: tile ${index} says ${JSON.stringify(r.points)} points, its rect has ${points}`;
  if (!isObject(r.values)) return `line ${line}: tile ${index} has no values`;
  const values: Record<string, Float32Array> = {};
  const arrays: Float32Array[] = [];
  for (const name of header.surfaces) {
    const text = r.values[name];
    if (typeof text !== "string") return `line ${line}: tile ${index} has no ${name} values`;
    let bytes: Uint8Array;
    try {
      bytes = decodeBase64(text);
    } catch (err) {
      return `line ${line}: tile ${index} ${name}: ${(err as Error).message}`;
    }
    if (bytes.length !== points * 4) {
      return `line ${line}: tile ${index} ${name} holds ${bytes.length / 4} values, expected ${points}`;
    }
    const copy = new Float32Array(points);
    new Uint8Array(copy.buffer).set(bytes);
    values[name] = copy;
    arrays.push(copy);
  }
  const crc = crc32Of(...arrays);
  if (r.crc32 !== crc) {
    return `line ${line}: tile ${index} fails its checksum (recorded ${JSON.stringify(r.crc32)}, the values give ${crc}): the part is corrupted`;
  }
  const ms = typeof r.ms === "number" && Number.isFinite(r.ms) && r.ms >= 0 ? r.ms : 0;
  return { index, rect: rect as PartTile["rect"], points, ms, values, crc32: crc, line };
}

function sameValues(a: PartTile, b: PartTile): boolean {
  if (a.crc32 !== b.crc32) return false;
  for (const name of Object.keys(a.values)) {
    const x = float32Bytes(a.values[name]);
    const y = float32Bytes(b.values[name]);
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}

/**
 * Reads a part file's text. Never throws for bad content: the returned problems and `truncated`
 * say what is wrong (the first line that is not a header makes the whole part unusable).
 * `rects`, when given (the plan's tiles), checks each record covers its tile.
 *
 * @example const part = parsePart(text, "runs/x.parts/shard-1-of-4.part", planTiles);
 */
export function parsePart(text: string, source: string, rects?: readonly Tile[]): ParsedPart {
  const out: ParsedPart = {
    source,
    header: null,
    tiles: new Map(),
    problems: [],
    truncated: null,
    sessions: [],
    done: null,
  };
  if (text.length === 0) {
    out.problems.push("the file is empty (no header line)");
    return out;
  }
  const lines = text.split("\n");
  // After a final newline split gives one empty string; otherwise the last piece was cut short.
  const last = lines.pop() as string;
  if (last !== "") out.truncated = { line: lines.length + 1, keepChars: text.length - last.length };
  if (lines.length === 0) {
    out.problems.push("the header line itself is cut short");
    return out;
  }
  let headerJson: unknown;
  try {
    headerJson = JSON.parse(lines[0]);
  } catch {
    out.problems.push("line 1 is not JSON: not a part file, or a damaged one");
    return out;
  }
  const bad = headerProblem(headerJson);
  if (bad) {
    out.problems.push(bad);
    return out;
  }
  const header = headerJson as PartHeader;
  out.header = header;
  out.sessions.push({ at: header.startedAt, producer: header.producer, workers: header.workers ?? 1 });
  const assigned = new Set(header.tiles);
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    let record: unknown;
    try {
      record = JSON.parse(lines[i]);
    } catch {
      out.problems.push(`line ${line} is not JSON: the part is corrupted`);
      continue;
    }
    if (!isObject(record)) {
      out.problems.push(`line ${line} is not a record`);
    } else if ("tile" in record) {
      const tile = decodeTile(record, header, line, rects);
      if (typeof tile === "string") {
        out.problems.push(tile);
        continue;
      }
      if (!assigned.has(tile.index)) {
        out.problems.push(
          `line ${line}: tile ${tile.index} is not one of shard ${header.shard.index} of ${header.shard.count}'s tiles`,
        );
        continue;
      }
      const first = out.tiles.get(tile.index);
      if (!first) out.tiles.set(tile.index, tile);
      else if (!sameValues(first, tile)) {
        out.problems.push(
          `tile ${tile.index} is recorded twice with different values (lines ${first.line} and ${line})`,
        );
      }
    } else if (isObject(record.resume)) {
      const r = record.resume;
      out.sessions.push({
        at: String(r.at),
        producer: (isObject(r.producer) ? r.producer : {}) as unknown as PartProducer,
        workers: isCount(r.workers) && r.workers > 0 ? r.workers : 1,
      });
    } else if (isObject(record.done)) {
      out.done = record.done as unknown as PartDone;
    } else {
      out.problems.push(`line ${line} is not a tile, resume or done record`);
    }
  }
  return out;
}

/** Points computed in a part and its measured speed: points per second of compute time, times the last session's threads. */
export function partSpeed(p: ParsedPart): { points: number; ms: number; pointsPerSecond: number | null } {
  let points = 0;
  let ms = 0;
  for (const t of p.tiles.values()) {
    points += t.points;
    ms += t.ms;
  }
  const workers = p.sessions.at(-1)?.workers ?? 1;
  return { points, ms, pointsPerSecond: ms > 0 ? (points / ms) * 1000 * workers : null };
}
