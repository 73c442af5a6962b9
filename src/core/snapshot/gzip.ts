/**
 * gzip for snapshot bytes (fflate), with the trailer checked: fflate does not verify the CRC-32 and
 * length stored in the last 8 bytes, so a corrupted file could otherwise inflate to wrong data.
 *
 * @example gunzipChecked(gzipBytes(strToU8("{}"))); // the bytes of "{}"
 */
import { gunzipSync, gzipSync } from "fflate";

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
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
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
    out = gunzipSync(bytes);
  } catch (error) {
    const message = (error as Error).message;
    if (/unexpected EOF/i.test(message))
      throw new Error("truncated gzip data: the stream ends early", { cause: error });
    throw new Error(`corrupt gzip data: ${message}`, { cause: error });
  }
  const n = bytes.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset + n - 8, 8);
  const storedCrc = view.getUint32(0, true);
  const storedSize = view.getUint32(4, true);
  if (storedSize !== out.length % 2 ** 32 || storedCrc !== crc32(out)) {
    throw new Error("corrupt gzip data: the CRC-32 or length in the gzip trailer does not match the content");
  }
  return out;
}
