/**
 * gzip for snapshot bytes (fflate), with the trailer checked: fflate does not verify the CRC-32 and
 * length stored in the last 8 bytes, so a corrupted file could otherwise inflate to wrong data.
 *
 * @example gunzipChecked(gzipBytes(strToU8("{}"))); // the bytes of "{}"
 */
import { gzipSync, inflateSync } from "fflate";

/** True when the bytes start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function gzipBytes(bytes: Uint8Array): Uint8Array {
  return gzipSync(bytes, { level: 6 });
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE, as in gzip and zip). */
export function crc32(bytes: Uint8Array): number {
  return (crc32Update(0xffffffff, bytes) ^ 0xffffffff) >>> 0;
}

/** Running CRC-32 state over more bytes (start at 0xffffffff, finish with ^ 0xffffffff). */
export function crc32Update(state: number, bytes: Uint8Array): number {
  let c = state;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return c;
}

/**
 * Where the deflate data of a gzip member start (RFC 1952: a 10-byte header, then the optional
 * extra field, file name, comment and header CRC its flags announce). Throws "truncated" when the
 * bytes end inside the header, "corrupt" for a method other than deflate.
 */
function deflateStart(bytes: Uint8Array): number {
  const truncated = () => new Error("truncated gzip data: the file ends inside the gzip header");
  if (bytes[2] !== 8) throw new Error(`corrupt gzip data: compression method ${bytes[2]}, not deflate (8)`);
  const flags = bytes[3];
  let pos = 10;
  if (flags & 4) {
    if (pos + 2 > bytes.length) throw truncated();
    pos += 2 + (bytes[pos] | (bytes[pos + 1] << 8));
  }
  for (const bit of [8, 16]) {
    if (!(flags & bit)) continue;
    while (pos < bytes.length && bytes[pos] !== 0) pos++;
    pos++; // the terminating zero
  }
  if (flags & 2) pos += 2;
  if (pos > bytes.length) throw truncated();
  return pos;
}

/**
 * Inflate the deflate data between the header and the 8-byte trailer with fflate's inflateSync,
 * which grows its output as it goes (gunzipSync would allocate the output at the size the trailer
 * claims before inflating: a corrupted trailer in a 1 KB file could make it allocate 4 GB) and
 * fails with "unexpected EOF" when the data stop before the final deflate block. (fflate's
 * streaming Gunzip does not: a file cut between two blocks inflated "successfully" to a prefix.)
 */
function inflateGzip(bytes: Uint8Array): Uint8Array {
  const start = deflateStart(bytes);
  if (start >= bytes.length - 8)
    throw new Error("truncated gzip data: the file ends before its compressed data");
  return inflateSync(bytes.subarray(start, bytes.length - 8));
}

/**
 * Inflated bytes of a single-member gzip stream. Throws "truncated gzip data" when the stream
 * ends early, and "corrupt gzip data" for a bad stream or a CRC/length mismatch.
 */
export function gunzipChecked(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 18)
    throw new Error(`truncated gzip data: ${bytes.length} bytes, less than a gzip header and trailer`);
  let out: Uint8Array;
  try {
    out = inflateGzip(bytes);
  } catch (error) {
    if (
      (error as Error).message.startsWith("truncated gzip data") ||
      (error as Error).message.startsWith("corrupt gzip data")
    )
      throw error;
    const message = (error as Error).message;
    if (/unexpected EOF/i.test(message))
      throw new Error("truncated gzip data: the stream ends early", { cause: error });
    throw new Error(`corrupt gzip data: ${message}`, { cause: error });
  }
  const n = bytes.length;
  const crc = crc32(out);
  const view = new DataView(bytes.buffer, bytes.byteOffset + n - 8, 8);
  if (view.getUint32(4, true) === out.length % 2 ** 32 && view.getUint32(0, true) === crc) return out;
  // The deflate data were complete; a file that ends inside the trailer this content needs
  // (CRC-32 then length, little-endian) was cut short rather than corrupted.
  const trailer = new Uint8Array(8);
  new DataView(trailer.buffer).setUint32(0, crc, true);
  new DataView(trailer.buffer).setUint32(4, out.length % 2 ** 32, true);
  for (let k = 7; k >= 1; k--) {
    if (bytes.subarray(n - k).every((b, i) => b === trailer[i]))
      throw new Error(`truncated gzip data: the file ends ${8 - k} byte(s) before the end of its trailer`);
  }
  throw new Error("corrupt gzip data: the CRC-32 or length in the gzip trailer does not match the content");
}
