/**
 * JSON that is cheap on disk and costly once parsed, refused before it is parsed: a scan of the
 * bytes (strings skipped natively with indexOf) measures the nesting depth, the number of
 * objects, arrays and object members, and every array's length, so that 60 MB of "[[[[" or of
 * "[],[],[]" (each empty array costs an engine 30 to 60 bytes) never reaches JSON.parse.
 *
 * After parsing, a walk of the tree refuses by name the key "__proto__" (JSON.parse keeps it as
 * data, but an assignment or Object.assign on the way to a store, a URL or an export would make
 * it an object's prototype, and zod drops it without a word), strings longer than
 * maxStringChars other than base64 arrays, and base64 arrays over maxArrayValues before they
 * are decoded. "constructor" and "prototype" are ordinary data keys and are kept.
 *
 * @example scanJsonBytes(bytes, DEFAULT_READ_LIMITS); const problems = jsonTreeProblems(JSON.parse(text), DEFAULT_READ_LIMITS);
 */
import { jsonPath } from "./issues";
import { countText, limitHint, memoryForArray, ReadLimitError, type ReadLimits, sizeText } from "./limits";

/** Keys refused by name: the one whose assignment sets an object's prototype. */
export const REFUSED_KEYS: readonly string[] = ["__proto__"];

const QUOTE = 0x22;
/** Bytes the scan acts on: quotes, brackets, braces, commas and colons; all others are skipped. */
const STRUCTURAL = new Uint8Array(256);
for (const c of [0x22, 0x5b, 0x5d, 0x7b, 0x7d, 0x2c, 0x3a]) STRUCTURAL[c] = 1;
const BACKSLASH = 0x5c;
const utf8 = new TextDecoder();

/** "line 3 column 7" of a byte offset. */
function lineColumn(bytes: Uint8Array, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = bytes.indexOf(10); i >= 0 && i < offset; i = bytes.indexOf(10, i + 1)) {
    line++;
    start = i + 1;
  }
  return `line ${line} column ${offset - start + 1}`;
}

/**
 * Throws a ReadLimitError ("too deep: ..." or "too large: ...") when JSON bytes would break a
 * limit once parsed. Text that is not JSON at all passes; JSON.parse then says why.
 */
export function scanJsonBytes(bytes: Uint8Array, limits: ReadLimits): void {
  const maxDepth = limits.maxDepth;
  // Per open container (index = depth): array or object, commas seen, start offset, current key.
  const isArray = new Uint8Array(maxDepth + 2);
  const commas = new Float64Array(maxDepth + 2);
  const opened = new Float64Array(maxDepth + 2);
  const keyStart = new Float64Array(maxDepth + 2).fill(-1);
  const keyEnd = new Float64Array(maxDepth + 2);
  let lastStringStart = -1;
  let lastStringEnd = -1;
  let depth = 0;
  let nodes = 0;
  const n = bytes.length;

  const path = (upTo: number): string => {
    const parts: (string | number)[] = [];
    for (let d = 1; d < upTo; d++) {
      if (isArray[d]) parts.push(commas[d]);
      else if (keyStart[d] >= 0) {
        try {
          parts.push(JSON.parse(utf8.decode(bytes.subarray(keyStart[d], keyEnd[d] + 1))) as string);
        } catch {
          parts.push("?");
        }
      }
    }
    return shortPath(parts);
  };
  /** Elements (or members) of the container open at depth d, closed at byte `close`. */
  const elementsOf = (d: number, close: number): number => {
    let k = close - 1;
    while (
      k > opened[d] &&
      (bytes[k] === 0x20 || bytes[k] === 0x0a || bytes[k] === 0x0d || bytes[k] === 0x09)
    )
      k--;
    return k === opened[d] ? 0 : commas[d] + 1;
  };
  const tooLong = (d: number, count: number, closed: boolean) =>
    new ReadLimitError(
      `too large: the array at ${path(d)} (${lineColumn(bytes, opened[d])}) ${closed ? "holds" : "has at least"} ` +
        `${countText(count)} values, more than ${countText(limits.maxArrayValues)}, the limit for one array` +
        limitHint(limits, closed ? memoryForArray(count) : undefined),
    );

  for (let i = 0; i < n; i++) {
    const c = bytes[i];
    if (STRUCTURAL[c] === 0) continue;
    if (c === QUOTE) {
      let j = i + 1;
      for (;;) {
        j = bytes.indexOf(QUOTE, j);
        if (j < 0) return; // an unterminated string: JSON.parse reports it
        let k = j - 1;
        while (bytes[k] === BACKSLASH) k--;
        if ((j - 1 - k) % 2 === 0) break;
        j++;
      }
      lastStringStart = i;
      lastStringEnd = j;
      i = j;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > maxDepth) {
        throw new ReadLimitError(
          `too deep: the JSON nests more than ${maxDepth} levels deep at ${path(depth)} (${lineColumn(bytes, i)}); ` +
            `a snapshot nests about 8 deep`,
        );
      }
      nodes++;
      isArray[depth] = c === 0x5b ? 1 : 0;
      commas[depth] = 0;
      opened[depth] = i;
      keyStart[depth] = -1;
    } else if (c === 0x5d || c === 0x7d) {
      if (depth === 0) return; // unbalanced: JSON.parse reports it
      const count = elementsOf(depth, i);
      if (isArray[depth] && count > limits.maxArrayValues) throw tooLong(depth, count, true);
      if (!isArray[depth] && count > 0) nodes++; // the last member (the others are counted at their commas)
      depth--;
    } else if (c === 0x2c) {
      if (depth === 0) continue;
      commas[depth]++;
      if (!isArray[depth]) nodes++;
    } else if (c === 0x3a) {
      if (depth > 0 && !isArray[depth]) {
        keyStart[depth] = lastStringStart;
        keyEnd[depth] = lastStringEnd;
      }
    } else continue;
    if (nodes > limits.maxJsonNodes) {
      throw new ReadLimitError(
        `too large: the JSON holds more than ${countText(limits.maxJsonNodes)} objects, arrays and object members ` +
          `(at ${path(depth + 1)}, ${lineColumn(bytes, i)}), the limit for one document; a snapshot has a few thousand` +
          limitHint(limits),
      );
    }
  }
  // Unclosed containers (a truncated file): JSON.parse would build them before it fails.
  for (let d = depth; d >= 1; d--) {
    if (isArray[d] && commas[d] + 1 > limits.maxArrayValues) throw tooLong(d, commas[d] + 1, false);
  }
}

/** A JSON path, its middle left out when it is deeper than 12: `config.deep[0][0]...[0] (64 levels)`. */
function shortPath(parts: readonly (string | number)[]): string {
  if (parts.length <= 12) return jsonPath(parts);
  return `${jsonPath(parts.slice(0, 8))}...${jsonPath(parts.slice(-2))} (${parts.length} levels)`;
}

interface Pending {
  value: object;
  path: readonly (string | number)[];
}

/**
 * Problems of a parsed JSON tree: one line per refused key (`surfaces["__proto__"]: ...`).
 * Throws a ReadLimitError for a string, a key or a base64 array over the limits, or nesting
 * deeper than maxDepth (for trees that did not come through scanJsonBytes).
 */
export function jsonTreeProblems(root: unknown, limits: ReadLimits): string[] {
  const problems: string[] = [];
  if (typeof root !== "object" || root === null) return problems;
  const stack: Pending[] = [{ value: root, path: [] }];
  const longString = (path: readonly (string | number)[], chars: number, what = "the text") =>
    new ReadLimitError(
      `too large: ${what} at ${jsonPath(path)} has ${countText(chars)} characters, more than ` +
        `${countText(limits.maxStringChars)}, the limit for a text field (base64 arrays excepted; a fixed limit)`,
    );
  const visit = (value: unknown, path: readonly (string | number)[], key: string | number) => {
    if (typeof value === "string") {
      if (key === "base64") {
        const values = Math.floor((value.length * 3) / 4 / 4);
        if (values > limits.maxArrayValues) {
          throw new ReadLimitError(
            `too large: the base64 array at ${jsonPath(path.slice(0, -1))} holds ${countText(values)} float32 values ` +
              `(${sizeText(values * 4)}), more than ${countText(limits.maxArrayValues)}, the limit for one array${limitHint(limits, memoryForArray(values))}`,
          );
        }
      } else if (value.length > limits.maxStringChars) throw longString(path, value.length);
    } else if (typeof value === "object" && value !== null && !ArrayBuffer.isView(value)) {
      // The root is depth 1; a value at `path` is one deeper than its parent.
      if (path.length + 1 > limits.maxDepth) {
        throw new ReadLimitError(
          `too deep: the JSON nests more than ${limits.maxDepth} levels deep at ${jsonPath(path)}`,
        );
      }
      stack.push({ value, path });
    }
  };
  while (stack.length > 0) {
    const { value, path } = stack.pop() as Pending;
    if (Array.isArray(value)) {
      if (value.length > limits.maxArrayValues) {
        throw new ReadLimitError(
          `too large: the array at ${jsonPath(path)} holds ${countText(value.length)} values, more than ` +
            `${countText(limits.maxArrayValues)}, the limit for one array${limitHint(limits, memoryForArray(value.length))}`,
        );
      }
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        if (typeof v === "number" || v === null) continue;
        // Paths are made only for what needs one: a nested container, or a string to refuse.
        if (typeof v === "string" && v.length <= limits.maxStringChars) continue;
        visit(v, [...path, i], i);
      }
      continue;
    }
    for (const key of Object.keys(value)) {
      if (key.length > limits.maxStringChars) throw longString(path, key.length, "a key");
      if (REFUSED_KEYS.includes(key)) {
        problems.push(
          `${jsonPath([...path, key])}: the key "${key}" is refused: JavaScript reads it as an object's ` +
            "prototype, not as data; rename it",
        );
        continue;
      }
      visit((value as Record<string, unknown>)[key], [...path, key], key);
    }
  }
  return problems;
}
