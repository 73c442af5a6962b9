/**
 * NumPy .npy files (format versions 1, 2 and 3), read from bytes: the magic "\x93NUMPY", the
 * version, a little-endian header length (2 bytes in version 1, 4 in versions 2 and 3), a Python
 * dict literal such as `{'descr': '<f4', 'fortran_order': False, 'shape': (150, 4), }`, then the
 * values, row-major (C order). Numbers are read with explicit little-endian DataView calls, so
 * neither the platform's byte order nor the data's alignment matters.
 *
 * Supported dtypes: float32 (<f4), float64 (<f8), int32 (<i4), int64 (<i8), uint8 (|u1).
 * Everything else (big-endian, bool, strings, objects, Fortran order) is refused by name.
 *
 * @example const { shape, values } = parseNpy(bytes, "features.npy"); // shape [150, 4], values Float64Array(600)
 */

const NPY_DTYPES = ["float32", "float64", "int32", "int64", "uint8"] as const;
type NpyDtype = (typeof NPY_DTYPES)[number];

export interface NpyArray {
  dtype: NpyDtype;
  /** Row-major shape; [] for a scalar. */
  shape: number[];
  /** Every value, row-major, as float64 (exact for all supported dtypes within +-2^53). */
  values: Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** descr -> dtype and item size; '=' and '<' are both little-endian here ('=' is native, written by little-endian machines). */
const DESCRS: Record<string, [NpyDtype, number]> = {
  "<f4": ["float32", 4],
  "<f8": ["float64", 8],
  "<i4": ["int32", 4],
  "<i8": ["int64", 8],
  "|u1": ["uint8", 1],
  "<u1": ["uint8", 1],
  "=u1": ["uint8", 1],
  "=f4": ["float32", 4],
  "=f8": ["float64", 8],
  "=i4": ["int32", 4],
  "=i8": ["int64", 8],
};

/** Readable names of descrs people meet, for the refusal message. */
const KNOWN_UNSUPPORTED: Record<string, string> = {
  b1: "bool",
  i1: "int8",
  i2: "int16",
  u2: "uint16",
  u4: "uint32",
  u8: "uint64",
  f2: "float16",
  c8: "complex64",
  c16: "complex128",
  O: "object",
};

function describeDescr(descr: string): string {
  const order = descr[0];
  const code = descr.slice(1);
  if (order === ">" && DESCRS[`<${code}`]) {
    return `big-endian ${DESCRS[`<${code}`][0]} ("${descr}"); save it little-endian, e.g. arr.astype("<${code}")`;
  }
  const known = KNOWN_UNSUPPORTED[code];
  if (known) return `${known} ("${descr}")`;
  if (/^[<>|=]?[US]\d+$/.test(descr)) return `text ("${descr}")`;
  return `"${descr}"`;
}

/** The value of one key of the header dict, as written by numpy (a quoted string, True/False, or a tuple). */
function headerField(header: string, key: string, source: string): string {
  const m = new RegExp(`['"]${key}['"]\\s*:\\s*('[^']*'|"[^"]*"|True|False|\\([^)]*\\))`).exec(header);
  if (!m) throw new Error(`${source}: bad .npy header, no '${key}' in ${JSON.stringify(header.trim())}`);
  return m[1];
}

function parseShape(text: string, source: string): number[] {
  const inner = text.slice(1, -1).trim();
  if (inner === "") return [];
  const parts = inner
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  return parts.map((p) => {
    if (!/^\d+L?$/.test(p))
      throw new Error(`${source}: bad .npy header, shape ${text} is not a tuple of integers`);
    return Number.parseInt(p, 10);
  });
}

/**
 * Parses a .npy file. Throws an Error starting with `source` that names what is wrong: not a .npy
 * file, an unsupported version, a bad header, an unsupported dtype (named), Fortran order, or a
 * data length that does not match the shape.
 *
 * @example parseNpy(await readFile("x.npy"), "x.npy").shape // [1000, 196]
 */
export function parseNpy(bytes: Uint8Array, source = ".npy file"): NpyArray {
  if (bytes.length === 0) throw new Error(`${source}: the file is empty`);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new Error(`${source}: not a .npy file (it does not start with the magic string "\\x93NUMPY")`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error(`${source}: bad .npy header, the file ends inside the preamble`);
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new Error(
      `${source}: unsupported .npy format version ${major}.${bytes[7]} (versions 1, 2 and 3 are read)`,
    );
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) {
    throw new Error(
      `${source}: bad .npy header, it claims ${headerLength} bytes but the file has ${bytes.length - headerStart}`,
    );
  }
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
    bytes.subarray(headerStart, dataStart),
  );
  if (!header.trim().startsWith("{")) {
    throw new Error(
      `${source}: bad .npy header, expected a dict literal, got ${JSON.stringify(header.slice(0, 40))}`,
    );
  }
  const descr = headerField(header, "descr", source).slice(1, -1);
  const fortran = headerField(header, "fortran_order", source);
  const shape = parseShape(headerField(header, "shape", source), source);
  if (!(descr in DESCRS)) {
    throw new Error(
      `${source}: unsupported dtype ${describeDescr(descr)}; supported: float32, float64, int32, int64, uint8 (little-endian)`,
    );
  }
  if (fortran === "True") {
    throw new Error(
      `${source}: Fortran (column-major) order is not supported; save a C-order array, e.g. np.save(path, np.ascontiguousarray(a))`,
    );
  }
  if (fortran !== "False") throw new Error(`${source}: bad .npy header, fortran_order is ${fortran}`);
  const [dtype, itemSize] = DESCRS[descr];
  let count = 1;
  for (const s of shape) count *= s;
  const expected = count * itemSize;
  const available = bytes.length - dataStart;
  if (available !== expected) {
    throw new Error(
      `${source}: shape [${shape.join(", ")}] of ${dtype} needs ${expected} bytes of data, the file has ${available}` +
        (available < expected ? " (truncated?)" : ""),
    );
  }
  const values = new Float64Array(count);
  let at = dataStart;
  switch (dtype) {
    case "float32":
      for (let i = 0; i < count; i++, at += 4) values[i] = view.getFloat32(at, true);
      break;
    case "float64":
      for (let i = 0; i < count; i++, at += 8) values[i] = view.getFloat64(at, true);
      break;
    case "int32":
      for (let i = 0; i < count; i++, at += 4) values[i] = view.getInt32(at, true);
      break;
    case "int64":
      for (let i = 0; i < count; i++, at += 8) {
        const v = view.getBigInt64(at, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
          throw new Error(`${source}: int64 value ${v} at index ${i} is too large to represent exactly`);
        }
        values[i] = Number(v);
      }
      break;
    case "uint8":
      for (let i = 0; i < count; i++) values[i] = bytes[at + i];
      break;
  }
  return { dtype, shape, values };
}
