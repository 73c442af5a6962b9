/**
 * Checksums of a sharded landscape. A plan's id is the SHA-256 of everything a tile's numbers
 * depend on, so a part file computed from one plan is refused by any other, and an edited or
 * damaged plan is noticed before any work: the snapshot's config, model, data, directions and grid
 * in their wire form (float arrays as base64 float32 bytes, keys sorted), then the plan's tiling
 * and evaluation settings. Creation time, producer, training history and curvature report are not
 * part of it: they do not change a tile. Float arrays also get CRC-32s (the same as gzip's), so a
 * mismatch can say which array changed, and so can each tile record of a part file.
 *
 * SHA-256 comes from WebCrypto (crypto.subtle), present in browsers and in Node 20.
 */
import { canonicalJson } from "../canonical-json";
import { crc32 } from "../snapshot/gzip";
import { encodeSnapshot } from "../snapshot/io";
import type { Snapshot } from "../snapshot/schema";

/** "sha256:" + 64 hex digits of the bytes (or of the text as UTF-8). */
export async function sha256(content: Uint8Array | string): Promise<string> {
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return `sha256:${Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

const littleEndian = new Uint8Array(Float32Array.of(1).buffer)[3] === 0x3f;

/** Little-endian float32 bytes of an array (a view, no copy). */
export function float32Bytes(values: Float32Array): Uint8Array {
  if (!littleEndian) throw new Error("checksums are defined on little-endian float32 bytes");
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** "crc32:" + 8 hex digits of the float32 bytes of the arrays, in order. */
export function crc32Of(...arrays: Float32Array[]): string {
  const total = arrays.reduce((n, a) => n + a.byteLength, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const a of arrays) {
    bytes.set(float32Bytes(a), at);
    at += a.byteLength;
  }
  return `crc32:${(crc32(bytes) >>> 0).toString(16).padStart(8, "0")}`;
}

/** The settings of a plan that change the numbers of a tile or which tile is which. */
interface PlanIdentity {
  tilePoints: number;
  evaluator: string;
  kernel?: string;
}

/**
 * The plan id of a snapshot's centre, data, directions and grid with these settings.
 *
 * @example const id = await planId(snapshot, { tilePoints: 256, evaluator: "wasm-kernel", kernel: "simd" });
 */
export async function planId(s: Snapshot, settings: PlanIdentity): Promise<string> {
  // The wire form, not the in-memory one: a plan read back from its file gives the same text.
  const { plan: _plan, ...rest } = s;
  const wire = encodeSnapshot({ ...rest, surfaces: {} } as Snapshot, "base64", false) as Record<
    string,
    unknown
  >;
  const identity = {
    format: "loss-landscape-plan",
    version: 1,
    config: wire.config,
    model: wire.model,
    data: wire.data,
    directions: wire.directions,
    grid: wire.grid,
    tilePoints: settings.tilePoints,
    evaluator: settings.evaluator,
    kernel: settings.kernel ?? null,
  };
  return sha256(canonicalJson(identity));
}
