/**
 * gzip for snapshot bytes (fflate), read with a limit on the inflated size and with every
 * member's trailer checked (fflate does not verify the CRC-32 and length stored in the last 8
 * bytes, so a corrupted file could otherwise inflate to wrong data).
 *
 * Reading never inflates more than the limit: the deflate data are pushed through fflate's
 * streaming Inflate in small chunks, and the output is counted as it comes. Up to 16 MB of
 * output is kept as it comes; a stream that inflates to more is first only counted (holding
 * nothing, stopping the moment it passes the limit) and then inflated again into one buffer of
 * the exact size. So a gzip bomb costs neither memory nor the time to inflate it all, whatever
 * its trailer claims, and a big honest file is held once, not as chunks plus their copy.
 *
 * Failures are told apart by the first words of the message: "truncated gzip data" (the file
 * ends early, wherever it was cut, block boundaries included), "corrupt gzip data" (a bad
 * stream, header or checksum), "too large" (stopped on purpose at the limit).
 *
 * @example gunzipChecked(gzipBytes(strToU8("{}")), { maxBytes: 2 ** 20 }); // the bytes of "{}"
 */
import { gzipSync, Inflate } from "fflate";
import { abortError, DEFAULT_READ_LIMITS, ReadLimitError, sizeText } from "./limits";

/** True when the bytes start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function gzipBytes(bytes: Uint8Array): Uint8Array {
  return gzipSync(bytes, { level: 6 });
}

/** CRC-32 tables for slicing by 8 (eight bytes per step, about 2.5 times the byte-wise speed). */
const CRC_TABLES = (() => {
  const t = new Uint32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++)
      t[k * 256 + n] = (t[(k - 1) * 256 + n] >>> 8) ^ t[t[(k - 1) * 256 + n] & 0xff];
  }
  return t;
})();

/** CRC-32 (IEEE, as in gzip and zip). */
export function crc32(bytes: Uint8Array): number {
  return (crc32Update(0xffffffff, bytes) ^ 0xffffffff) >>> 0;
}

/** Running CRC-32 state over more bytes (start at 0xffffffff, finish with ^ 0xffffffff). */
export function crc32Update(state: number, bytes: Uint8Array): number {
  const t = CRC_TABLES;
  let c = state;
  let i = 0;
  const n = bytes.length;
  const end = n - (n % 8);
  for (; i < end; i += 8) {
    const a = c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    c =
      t[1792 + (a & 0xff)] ^
      t[1536 + ((a >>> 8) & 0xff)] ^
      t[1280 + ((a >>> 16) & 0xff)] ^
      t[1024 + (a >>> 24)] ^
      t[768 + bytes[i + 4]] ^
      t[512 + bytes[i + 5]] ^
      t[256 + bytes[i + 6]] ^
      t[bytes[i + 7]];
  }
  for (; i < n; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return c;
}

interface GunzipOptions {
  /** Stop with a "too large" error once the inflated bytes pass this (default: DEFAULT_READ_LIMITS.maxReadBytes). */
  maxBytes?: number;
  /** What to say after "too large" about raising the limit. */
  howToRaise?: string;
  /** Called as the compressed bytes are read: how many so far, and of how many. */
  onProgress?: (read: number, total: number) => void;
  /** Checked between chunks; an aborted signal stops the inflation with its reason. */
  signal?: AbortSignal;
}

/** Output kept as it comes; a stream inflating to more is counted first, then inflated again. */
const KEEP_AS_IT_COMES = 16 * 2 ** 20;
/** Compressed bytes per push: enough for speed, few enough that one push inflates to at most 16 MB (deflate's ratio is at most 1032:1). */
const MAX_CHUNK = 16 * 1024;
const MIN_CHUNK = 1024;
/** Output wanted per push, for the chunk size: about 1 MB. */
const OUTPUT_PER_PUSH = 2 ** 20;

const truncated = (what: string) => new Error(`truncated gzip data: ${what}`);
const corrupt = (what: string) => new Error(`corrupt gzip data: ${what}`);

/**
 * Where the deflate data of the gzip member at `at` start (RFC 1952: a 10-byte header, then the
 * optional extra field, file name, comment and header CRC its flags announce).
 */
function deflateStart(bytes: Uint8Array, at: number, member: number): number {
  const where = member === 1 ? "" : ` of member ${member}`;
  if (bytes.length - at < 10) throw truncated(`the file ends inside the gzip header${where}`);
  if (bytes[at + 2] !== 8) throw corrupt(`compression method ${bytes[at + 2]}${where}, not deflate (8)`);
  const flags = bytes[at + 3];
  if (flags & 0xe0) throw corrupt(`reserved header flags are set (${flags})${where}`);
  let pos = at + 10;
  if (flags & 4) {
    if (pos + 2 > bytes.length) throw truncated(`the file ends inside the gzip header${where}`);
    pos += 2 + (bytes[pos] | (bytes[pos + 1] << 8));
  }
  for (const bit of [8, 16]) {
    if (!(flags & bit)) continue;
    while (pos < bytes.length && bytes[pos] !== 0) pos++;
    pos++; // the terminating zero
  }
  if (flags & 2) pos += 2;
  if (pos > bytes.length) throw truncated(`the file ends inside the gzip header${where}`);
  return pos;
}

/** fflate's Inflate state, read to learn where a member's deflate data end (fflate 0.8). */
interface InflateInternals {
  /** Input not yet consumed. */
  p: Uint8Array;
  /** f: the final block was read; l: a block is in progress; p: bit offset into `p`. */
  s: { f?: number; l?: unknown; p?: number };
}

function internals(inflater: Inflate): InflateInternals {
  const i = inflater as unknown as InflateInternals;
  if (!(i.p instanceof Uint8Array) || typeof i.s !== "object" || i.s === null) {
    throw new Error(
      "gzip: this version of fflate keeps its Inflate state differently; gzip.ts needs updating",
    );
  }
  return i;
}

/** What the members' walk does with the output: keep it, count it, or write it into `into`. */
interface Sink {
  /** Bytes so far; may switch from keeping to counting. */
  total: number;
  keep: Uint8Array[] | null;
  into: Uint8Array | null;
}

interface WalkOptions {
  maxBytes: number;
  howToRaise?: string;
  /** Verify trailers (the first walk) or trust them (the second, over the same bytes). */
  check: boolean;
  onProgress?: (read: number, total: number) => void;
  signal?: AbortSignal;
}

function tooLarge(bytes: Uint8Array, read: number, o: WalkOptions): ReadLimitError {
  const declared =
    bytes.length >= 18
      ? new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true)
      : 0;
  const claim =
    declared > o.maxBytes
      ? `; its last 4 bytes declare ${sizeText(declared)} (the inflated size modulo 4 GB)`
      : "";
  return new ReadLimitError(
    `too large: the gzip stream inflates to more than ${sizeText(o.maxBytes)}, the limit for a file's ` +
      `data once read; stopped there, after ${sizeText(read)} of its ${sizeText(bytes.length)}${claim}` +
      (o.howToRaise ? `; ${o.howToRaise}` : ""),
  );
}

/**
 * Inflates one member's deflate data from `start`, feeding `sink`; returns where they end and the
 * member's CRC-32 and length. Chunks are sized so that one push inflates to about 1 MB.
 */
function inflateMember(
  bytes: Uint8Array,
  start: number,
  member: number,
  sink: Sink,
  o: WalkOptions,
): { end: number; crc: number; length: number } {
  let crc = 0xffffffff;
  let length = 0;
  const inflater = new Inflate((chunk) => {
    length += chunk.length;
    sink.total += chunk.length;
    if (sink.total > o.maxBytes) throw tooLarge(bytes, reading, o);
    if (o.check) crc = crc32Update(crc, chunk);
    if (sink.into) sink.into.set(chunk, sink.total - chunk.length);
    else if (sink.keep) {
      if (sink.total > KEEP_AS_IT_COMES)
        sink.keep = null; // count from here; inflate again after
      else sink.keep.push(chunk);
    }
  });
  const state = internals(inflater);
  let pushed = start;
  /** The end of the chunk being pushed: how far the compressed data were read when output came. */
  let reading = start;
  let chunk = 4096;
  while (true) {
    if (o.signal?.aborted) throw abortError(o.signal);
    const next = Math.min(bytes.length, pushed + chunk);
    const final = next === bytes.length;
    reading = next;
    try {
      inflater.push(bytes.subarray(pushed, next), final);
    } catch (error) {
      if (error instanceof ReadLimitError) throw error;
      const message = (error as Error).message;
      const where = member === 1 ? "" : ` (member ${member})`;
      if (/unexpected EOF/i.test(message))
        throw new Error(`truncated gzip data: the stream ends early${where}`, { cause: error });
      throw new Error(`corrupt gzip data: ${message}${where}`, { cause: error });
    }
    pushed = next;
    o.onProgress?.(pushed, bytes.length);
    if (state.s.f && !state.s.l) {
      // The final block was read: the deflate data end in the byte holding bit s.p of what is left.
      const end = pushed - state.p.length + ((state.s.p ?? 0) > 0 ? 1 : 0);
      return { end, crc: (crc ^ 0xffffffff) >>> 0, length };
    }
    if (final) throw truncated(`the stream ends early${member === 1 ? "" : ` (member ${member})`}`);
    const ratio = Math.max(1, length / Math.max(1, pushed - start));
    chunk = Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, Math.floor(OUTPUT_PER_PUSH / ratio)));
  }
}

/** Checks the 8-byte trailer at `at` (CRC-32, then length modulo 2^32, little-endian). */
function checkTrailer(bytes: Uint8Array, at: number, crc: number, length: number, member: number): void {
  const expected = new Uint8Array(8);
  const view = new DataView(expected.buffer);
  view.setUint32(0, crc, true);
  view.setUint32(4, length % 2 ** 32, true);
  const have = bytes.subarray(at, at + 8);
  if (have.length === 8 && have.every((b, i) => b === expected[i])) return;
  // The deflate data were complete; a file that ends inside the trailer this content needs was cut
  // short rather than corrupted.
  if (have.length < 8 && have.every((b, i) => b === expected[i]))
    throw truncated(`the file ends ${8 - have.length} byte(s) before the end of its trailer`);
  const where = member === 1 ? "" : ` of member ${member}`;
  throw corrupt(`the CRC-32 or length in the gzip trailer${where} does not match the content`);
}

/** Walks every member of a gzip file (RFC 1952 allows several, inflated one after the other). */
function walkMembers(bytes: Uint8Array, sink: Sink, o: WalkOptions): void {
  let at = 0;
  for (let member = 1; ; member++) {
    const start = deflateStart(bytes, at, member);
    if (start >= bytes.length)
      throw truncated(
        `the file ends before the compressed data${member === 1 ? "" : ` of member ${member}`}`,
      );
    const { end, crc, length } = inflateMember(bytes, start, member, sink, o);
    if (o.check) checkTrailer(bytes, end, crc, length, member);
    at = end + 8;
    if (at >= bytes.length) return;
    if (!isGzip(bytes.subarray(at))) {
      if (bytes.length - at === 1 && bytes[at] === 0x1f && o.check)
        throw truncated(`the file ends inside the header of member ${member + 1}`);
      throw corrupt(
        `${bytes.length - at} byte(s) after the end of gzip member ${member} (at byte ${at}) are not another gzip member`,
      );
    }
  }
}

/**
 * Inflated bytes of a gzip stream of one or more members, at most `maxBytes` of them. Throws
 * "truncated gzip data" when the stream ends early, "corrupt gzip data" for a bad stream or a
 * CRC/length mismatch, and a ReadLimitError "too large: ..." when the stream inflates past the
 * limit (it stops there).
 *
 * @example const text = new TextDecoder().decode(gunzipChecked(bytes, { maxBytes: 128 * 2 ** 20 }));
 */
export function gunzipChecked(bytes: Uint8Array, opts: GunzipOptions = {}): Uint8Array {
  if (bytes.length < 18) throw truncated(`${bytes.length} bytes, less than a gzip header and trailer`);
  const walk: WalkOptions = {
    maxBytes: opts.maxBytes ?? DEFAULT_READ_LIMITS.maxReadBytes,
    howToRaise: opts.howToRaise,
    check: true,
    onProgress: opts.onProgress,
    signal: opts.signal,
  };
  const sink: Sink = { total: 0, keep: [], into: null };
  walkMembers(bytes, sink, walk);
  if (sink.keep) return concat(sink.keep, sink.total);
  // Counted, within the limit and checked: inflate again straight into one buffer.
  const into = new Uint8Array(sink.total);
  walkMembers(bytes, { total: 0, keep: null, into }, { ...walk, check: false, onProgress: undefined });
  return into;
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
