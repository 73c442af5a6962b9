/**
 * The first place where two JSON-like values differ, as a dotted path and both values in JSON
 * (object keys in sorted order, so the answer does not depend on key order). Used to say which
 * part of a config the controls cannot hold.
 *
 * @example firstJsonDifference({ a: { b: 1 } }, { a: { b: 2 } }) // { path: "a.b", a: "1", b: "2" }
 */
interface JsonDifference {
  path: string;
  /** JSON of the first value there ("absent" when it has none). */
  a: string;
  b: string;
}

const text = (v: unknown) => (v === undefined ? "absent" : (JSON.stringify(v) ?? String(v)));

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

export function firstJsonDifference(a: unknown, b: unknown, path = ""): JsonDifference | null {
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const d = firstJsonDifference(a[key], b[key], path ? `${path}.${key}` : key);
      if (d) return d;
    }
    return null;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (let i = 0; i < a.length; i++) {
      const d = firstJsonDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (text(a) === text(b)) return null;
  return { path: path || "(the whole value)", a: text(a), b: text(b) };
}
