/**
 * Deflate streams built bit by bit, for gzip bombs of any size and ratio without compressing
 * gigabytes: one fixed-Huffman block (RFC 1951, 3.2.6) of "{", then units of `literals` spaces
 * and one 258-byte copy of the byte before (length code 285, distance code 0), then "}". A unit
 * costs 8 x literals + 13 bits and inflates to literals + 258 bytes: ratio 159:1 with no
 * literals, 10.6:1 with 25.
 *
 * @example const deflate = spacesBomb({ size: 2 ** 30, literals: 0 }); // 6.5 MB inflating to 1 GB
 */
import zlib from "node:zlib";
import { crc32Update } from "../../src/core/snapshot/gzip";

/** Bits packed least significant first, as deflate wants them. */
class BitWriter {
  private bytes = new Uint8Array(1 << 16);
  private length = 0;
  private acc = 0;
  private count = 0;

  /** `n` (at most 16) bits of `value`, low bit first (header fields, extra bits). */
  bits(value: number, n: number): void {
    this.acc |= (value & ((1 << n) - 1)) << this.count;
    this.count += n;
    while (this.count >= 8) {
      if (this.length === this.bytes.length) {
        const grown = new Uint8Array(this.bytes.length * 2);
        grown.set(this.bytes);
        this.bytes = grown;
      }
      this.bytes[this.length++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.count -= 8;
    }
  }

  /** A Huffman code of `n` bits, most significant bit first. */
  code(code: number, n: number): void {
    let reversed = 0;
    for (let i = 0; i < n; i++) reversed |= ((code >>> i) & 1) << (n - 1 - i);
    this.bits(reversed, n);
  }

  finish(): Uint8Array {
    if (this.count > 0) this.bits(0, 8 - this.count);
    return this.bytes.slice(0, this.length);
  }
}

/** Fixed-Huffman code of a literal byte (RFC 1951 3.2.6). */
function literal(w: BitWriter, byte: number): void {
  if (byte < 144) w.code(0x30 + byte, 8);
  else w.code(0x190 + byte - 144, 9);
}

/**
 * A raw deflate stream inflating to "{" + spaces + "}", `size` bytes in all (rounded up to a whole
 * unit), with `literals` spaces written out per 258 copied.
 */
export function spacesBomb(opts: { size: number; literals: number }): { deflate: Uint8Array; size: number } {
  const w = new BitWriter();
  w.bits(1, 1); // BFINAL
  w.bits(1, 2); // BTYPE 01: fixed Huffman codes
  literal(w, 0x7b); // {
  literal(w, 0x20); // the first space, which the copies repeat
  let size = 3;
  const unit = opts.literals + 258;
  while (size < opts.size) {
    for (let k = 0; k < opts.literals; k++) literal(w, 0x20);
    w.code(0xc0 + (285 - 280), 8); // length 258
    w.code(0, 5); // distance code 0: distance 1
    size += unit;
  }
  literal(w, 0x7d); // }
  w.code(0, 7); // end of block (256)
  return { deflate: w.finish(), size };
}

/** CRC-32 of "{", `spaces` spaces and "}" (node:zlib's when it has one, else the project's). */
export function spacesCrc(spaces: number): number {
  const chunk = Buffer.alloc(2 ** 20, 0x20);
  const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
  if (native) {
    let c = native(Uint8Array.of(0x7b));
    for (let left = spaces; left > 0; left -= chunk.length)
      c = native(chunk.subarray(0, Math.min(left, chunk.length)), c);
    return native(Uint8Array.of(0x7d), c) >>> 0;
  }
  let c = crc32Update(0xffffffff, Uint8Array.of(0x7b));
  for (let left = spaces; left > 0; left -= chunk.length)
    c = crc32Update(c, chunk.subarray(0, Math.min(left, chunk.length)));
  return (crc32Update(c, Uint8Array.of(0x7d)) ^ 0xffffffff) >>> 0;
}

/** A gzip member: header, the deflate data, and a trailer with `crc` and `size` (mod 2^32). */
export function gzipMember(deflate: Uint8Array, crc: number, size: number): Uint8Array {
  const out = new Uint8Array(10 + deflate.length + 8);
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  out.set(deflate, 10);
  const view = new DataView(out.buffer);
  view.setUint32(10 + deflate.length, crc >>> 0, true);
  view.setUint32(14 + deflate.length, size % 2 ** 32, true);
  return out;
}

/** Raw deflate of "{" + `spaces` spaces + "}" by zlib at level 9 (ratio about 1000:1), streamed. */
export async function zlibSpaces(spaces: number): Promise<Uint8Array> {
  const deflater = zlib.createDeflateRaw({ level: 9 });
  const parts: Buffer[] = [];
  deflater.on("data", (c: Buffer) => parts.push(c));
  const done = new Promise<void>((resolve, reject) => {
    deflater.on("end", resolve);
    deflater.on("error", reject);
  });
  const chunk = Buffer.alloc(2 ** 20, 0x20);
  deflater.write(Buffer.from("{"));
  for (let left = spaces; left > 0; left -= chunk.length) {
    if (!deflater.write(chunk.subarray(0, Math.min(left, chunk.length))))
      await new Promise((r) => deflater.once("drain", r));
  }
  deflater.end(Buffer.from("}"));
  await done;
  return new Uint8Array(Buffer.concat(parts));
}
