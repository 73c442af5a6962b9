/**
 * The distinct ArrayBuffers under every typed array in a value, for Comlink.transfer: results
 * move to the other thread instead of being copied. Arrays that share a buffer are listed once.
 */
export function buffersOf(value: unknown, found: Set<ArrayBuffer> = new Set()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) found.add(value.buffer);
  } else if (Array.isArray(value)) {
    for (const v of value) buffersOf(v, found);
  } else if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) buffersOf(v, found);
  }
  return [...found];
}
