/**
 * Mutations of real inputs for the fuzz tests: byte-level (flips, truncation, splices, inserted
 * garbage) and structure-level (JSON values: keys removed, values of the wrong type, extreme
 * numbers, arrays cut or doubled). Every mutation is a pure function of its input and a seeded
 * random source, so a failing case can be replayed from its seed.
 */
import { createRng, type Rng } from "../../src/core/rng";

export { createRng, type Rng };

const EXTREME_NUMBERS = [
  0,
  -0,
  -1,
  1e-45,
  1e300,
  -1e300,
  3.4e38,
  2 ** 31,
  2 ** 53 + 1,
  0.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
];
const ODD_STRINGS = [
  "",
  " ",
  "NaN",
  "-1",
  "1e999",
  "<script>alert(1)</script>",
  "\u0000",
  "é",
  "🙂",
  "null",
  "[]",
  "{}",
];

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)];
}

/** A random JSON-ish value of small size (what a wrong field might hold). */
export function randomValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 1 ? 5 : 7)) {
    case 0:
      return pick(rng, EXTREME_NUMBERS);
    case 1:
      return pick(rng, ODD_STRINGS);
    case 2:
      return rng.int(2) === 0;
    case 3:
      return null;
    case 4:
      return rng.int(1000) - 500;
    case 5:
      return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: rng.int(3) }, (_, i) => [`k${i}`, randomValue(rng, depth + 1)]),
      );
  }
}

/** Every (parent, key) location inside a JSON value, up to `limit` of them (arrays sampled). */
function locations(
  root: unknown,
  rng: Rng,
  limit = 400,
): [Record<string | number, unknown>, string | number][] {
  const out: [Record<string | number, unknown>, string | number][] = [];
  const visit = (v: unknown) => {
    if (out.length >= limit || v === null || typeof v !== "object") return;
    if (Array.isArray(v)) {
      // Long numeric arrays: a few random elements, not all of them.
      const n = v.length;
      const picks = n > 8 ? Array.from({ length: 4 }, () => rng.int(n)) : v.map((_, i) => i);
      for (const i of picks) {
        out.push([v as unknown as Record<number, unknown>, i]);
        visit(v[i]);
      }
      return;
    }
    for (const k of Object.keys(v)) {
      out.push([v as Record<string, unknown>, k]);
      visit((v as Record<string, unknown>)[k]);
    }
  };
  visit(root);
  return out;
}

/** One structural mutation of a JSON value (a deep copy is mutated; the input is left alone). */
export function mutateJson(value: unknown, rng: Rng): unknown {
  const copy = structuredClone(value);
  const spots = locations(copy, rng);
  if (spots.length === 0) return randomValue(rng);
  const [parent, key] = pick(rng, spots);
  const current = parent[key];
  switch (rng.int(8)) {
    case 0: // remove
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      break;
    case 1: // wrong type or odd value
      parent[key] = randomValue(rng);
      break;
    case 2: // extreme number
      parent[key] = pick(rng, EXTREME_NUMBERS);
      break;
    case 3: // arrays cut or doubled
      if (Array.isArray(current))
        parent[key] = rng.int(2) ? current.slice(0, rng.int(current.length + 1)) : [...current, ...current];
      else if (typeof current === "string") parent[key] = current.slice(0, rng.int(current.length + 1));
      else parent[key] = [current];
      break;
    case 4: // an extra key
      if (!Array.isArray(parent)) parent[`extra${rng.int(100)}`] = randomValue(rng);
      else parent[key] = randomValue(rng);
      break;
    case 5: // numbers nudged
      parent[key] = typeof current === "number" ? current * pick(rng, [-1, 0, 2, 1e6, 1.5]) : current;
      break;
    case 6: // a string edited
      parent[key] =
        typeof current === "string" ? `${current}${pick(rng, ODD_STRINGS)}` : pick(rng, ODD_STRINGS);
      break;
    default:
      {
        // swap with another location's value
        const [p2, k2] = pick(rng, spots);
        const other = p2[k2];
        p2[k2] = current;
        parent[key] = other;
      }
      break;
  }
  return copy;
}

/** One byte-level mutation (flip, truncate, splice, insert, overwrite a run). */
export function mutateBytes(bytes: Uint8Array, rng: Rng): Uint8Array {
  const n = bytes.length;
  switch (rng.int(5)) {
    case 0: {
      const out = bytes.slice();
      for (let k = 0; k < 1 + rng.int(8); k++) if (n > 0) out[rng.int(n)] ^= 1 << rng.int(8);
      return out;
    }
    case 1:
      return bytes.slice(0, rng.int(n + 1));
    case 2: {
      const at = rng.int(n + 1);
      const len = rng.int(Math.max(1, Math.min(64, n - at + 1)));
      return Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + len)]);
    }
    case 3: {
      const at = rng.int(n + 1);
      const junk = Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256));
      return Uint8Array.from([...bytes.subarray(0, at), ...junk, ...bytes.subarray(at)]);
    }
    default: {
      const out = bytes.slice();
      const at = rng.int(Math.max(1, n));
      out.fill(pick(rng, [0, 0xff, 0x22, 0x7b]), at, at + 1 + rng.int(32));
      return out;
    }
  }
}

/** Text mutations for short strings such as URL hashes. */
export function mutateText(text: string, rng: Rng): string {
  const pieces = [
    "&",
    "=",
    "%",
    "%zz",
    "%00",
    ",",
    "-",
    "e",
    "NaN",
    "1e999",
    "#",
    "lr",
    "gx",
    "ds",
    "🙂",
    "..",
    " ",
  ];
  const at = rng.int(text.length + 1);
  switch (rng.int(4)) {
    case 0:
      return text.slice(0, at) + pick(rng, pieces) + text.slice(at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1 + rng.int(6));
    case 2:
      return text.slice(0, at);
    default: {
      const parts = text.split("&");
      const i = rng.int(parts.length);
      const [k] = parts[i].split("=");
      parts[i] = `${k}=${String(randomValue(rng, 2))}`;
      return parts.join("&");
    }
  }
}
