/**
 * Number arrays on the wire. A snapshot array is written either as
 *   - a plain JSON array of numbers, null standing for any non-finite value (NaN, +-Infinity all
 *     become null and read back as NaN), or
 *   - { "dtype": "float32", "base64": "..." }: the little-endian float32 bytes, which keep NaN,
 *     +-Infinity and -0 exactly and are about 4x smaller than decimal text.
 * In memory every such array is a Float32Array.
 *
 * @example decodeFloat32Wire(encodeFloat32Array(new Float32Array([1, NaN]), "base64")); // Float32Array [1, NaN]
 */
import { z } from "zod";
import { decodeBase64, encodeBase64 } from "./base64";

/** How arrays are written: base64 float32 bytes (exact, compact) or plain JSON numbers (readable). */
export type ArrayEncoding = "base64" | "plain";

/** The base64 wire form: little-endian float32 bytes. */
interface Float32Base64 {
  dtype: "float32";
  base64: string;
}

/** Either wire form of a float array. */
export type Float32Wire = (number | null)[] | Float32Base64;

/** True on the (practically universal) little-endian hosts, where typed arrays can be viewed as bytes. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Little-endian bytes of a float32 array (a view without copying on little-endian hosts). */
function float32ToLeBytes(values: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return bytes;
}

function leBytesToFloat32(bytes: Uint8Array): Float32Array {
  const n = bytes.length / 4;
  if (LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, n);
  const out = new Float32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/**
 * The double with the fewest significant decimal digits that still rounds (Math.fround) to the
 * float32 value v. JSON.stringify writes that double as its short decimal, e.g. 0.1 rather than
 * 0.10000000149011612, and JSON.parse + Math.fround gives back exactly v. 9 digits always suffice
 * for float32, and most values need 7 or 8, so those are tried first (about 2 toPrecision calls
 * per value) before a binary search over 1..6.
 *
 * @example shortestFloat32Decimal(Math.fround(0.1)); // 0.1
 */
export function shortestFloat32Decimal(v: number): number {
  if (!Number.isFinite(v) || (Number.isInteger(v) && Math.abs(v) <= 16777216)) return v;
  const d8 = Number(v.toPrecision(8));
  if (Math.fround(d8) !== v) return Number(v.toPrecision(9));
  const d7 = Number(v.toPrecision(7));
  if (Math.fround(d7) !== v) return d8;
  let lo = 1;
  let hi = 7;
  let best = d7;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const d = Number(v.toPrecision(mid));
    if (Math.fround(d) === v) {
      hi = mid;
      best = d;
    } else {
      lo = mid + 1;
    }
  }
  return best;
}

/**
 * Wire form of a float32 array. Plain mode writes the shortest round-tripping decimal of each value
 * and null for NaN/+-Infinity; -0 becomes 0 there because JSON.stringify writes it as 0.
 *
 * @example encodeFloat32Array(new Float32Array([0.5, Infinity]), "plain"); // [0.5, null]
 */
export function encodeFloat32Array(values: Float32Array, mode: ArrayEncoding): Float32Wire {
  if (mode === "base64") return { dtype: "float32", base64: encodeBase64(float32ToLeBytes(values)) };
  const out = new Array<number | null>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = Number.isFinite(v) ? shortestFloat32Decimal(v) : null;
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") {
    return `a string (${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}...` : value)})`;
  }
  return typeof value === "object" ? "an object" : `a ${typeof value} (${String(value)})`;
}

/** Said when NaN or Infinity was spelled as text or as a bare word: what JSON can hold instead. */
export const NON_FINITE_TEXT =
  "; JSON has no NaN or Infinity: write null in a plain array (it reads back as NaN), or use base64 arrays, which keep NaN and Infinity exactly";

const WIRE_HINT =
  'expected an array of numbers (null for NaN/Infinity) or { "dtype": "float32", "base64": "..." }';

/**
 * What is wrong with the shape of a wire array, or null when it is well formed. Checks the element
 * types of plain arrays; base64 content is checked when it is decoded.
 */
function float32WireProblem(wire: unknown): string | null {
  if (Array.isArray(wire)) {
    for (let i = 0; i < wire.length; i++) {
      const v: unknown = wire[i];
      if (v !== null && typeof v !== "number") {
        const spelled = typeof v === "string" && /^\s*[-+]?(nan|inf(inity)?)\s*$/i.test(v);
        return `${WIRE_HINT}; element ${i} is ${describe(v)}${spelled ? NON_FINITE_TEXT : ""}`;
      }
    }
    return null;
  }
  if (typeof wire !== "object" || wire === null) return `${WIRE_HINT}, got ${describe(wire)}`;
  if (ArrayBuffer.isView(wire)) {
    return `${WIRE_HINT}, got a typed array: this reads JSON; check in-memory snapshots with reviewSnapshot`;
  }
  const record = wire as Record<string, unknown>;
  if (!("dtype" in record) && !("base64" in record)) {
    return `${WIRE_HINT}, got an object without dtype/base64`;
  }
  if (record.dtype !== "float32") {
    return `dtype must be "float32" (little-endian float32 bytes), got ${record.dtype === undefined ? "no dtype" : JSON.stringify(record.dtype)}`;
  }
  if (typeof record.base64 !== "string") return `base64 must be a string, got ${describe(record.base64)}`;
  // Any other key would be dropped once the values are decoded: refused by name, never lost quietly.
  const extra = Object.keys(record).filter((k) => k !== "dtype" && k !== "base64");
  if (extra.length > 0) {
    return `a base64 array holds only "dtype" and "base64"; unexpected key${extra.length === 1 ? "" : "s"} ${extra
      .slice(0, 5)
      .map((k) => JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}...` : k))
      .join(", ")}`;
  }
  return null;
}

/**
 * Float32Array of a wire array; throws an Error saying what was wrong (shape, base64 alphabet,
 * byte length not a multiple of 4). Plain nulls read back as NaN.
 *
 * @example decodeFloat32Wire({ dtype: "float32", base64: "AACAPw==" }); // Float32Array [1]
 */
export function decodeFloat32Wire(wire: unknown): Float32Array {
  const problem = float32WireProblem(wire);
  if (problem !== null) throw new Error(problem);
  if (Array.isArray(wire)) {
    const out = new Float32Array(wire.length);
    for (let i = 0; i < wire.length; i++) {
      const v = wire[i] as number | null;
      out[i] = v === null ? Number.NaN : v;
    }
    return out;
  }
  const bytes = decodeBase64((wire as Float32Base64).base64);
  if (bytes.length % 4 !== 0) {
    throw new Error(`base64 holds ${bytes.length} bytes, which is not a multiple of 4 (float32 values)`);
  }
  return leBytesToFloat32(bytes);
}

/**
 * Encoding used when the codec runs backward (z.encode). A module-level setting because zod passes
 * no options to a codec's encode; set it only through withArrayEncoding, which restores it.
 */
let currentEncoding: ArrayEncoding = "base64";

/**
 * Runs fn with float arrays encoded in the given mode, restoring the previous mode afterwards
 * (encoding is synchronous, so nothing else can observe the temporary setting).
 *
 * @example const wire = withArrayEncoding("plain", () => z.encode(float32ArrayCodec, values));
 */
export function withArrayEncoding<T>(mode: ArrayEncoding, fn: () => T): T {
  const previous = currentEncoding;
  currentEncoding = mode;
  try {
    return fn();
  } finally {
    currentEncoding = previous;
  }
}

/** Wire-side schema; the element scan is one loop rather than a zod schema per element. */
const float32WireSchema = z.custom<Float32Wire>().check((payload) => {
  const problem = float32WireProblem(payload.value);
  if (problem !== null) payload.issues.push({ code: "custom", message: problem, input: payload.value });
});

/** Memory-side schema: typed as plain Float32Array so arrays over any buffer (tfjs's included) fit. */
const float32ArraySchema = z.custom<Float32Array>((value) => value instanceof Float32Array, {
  error: (issue) =>
    `expected a Float32Array in memory, got ${Array.isArray(issue.input) ? "an array" : typeof issue.input}`,
});

/**
 * Codec between either wire form and a Float32Array. Decoding accepts both forms; encoding writes
 * the form chosen with withArrayEncoding (base64 by default).
 *
 * @example z.decode(float32ArrayCodec, [1, null]); // Float32Array [1, NaN]
 */
export const float32ArrayCodec = z.codec(float32WireSchema, float32ArraySchema, {
  decode: (wire, payload) => {
    try {
      return decodeFloat32Wire(wire);
    } catch (error) {
      payload.issues.push({ code: "custom", message: (error as Error).message, input: wire });
      return new Float32Array(0);
    }
  },
  encode: (values) => encodeFloat32Array(values, currentEncoding),
});
