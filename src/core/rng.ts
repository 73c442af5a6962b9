/**
 * Seeded pseudo-random numbers, always passed explicitly (never Math.random, never a global).
 *
 * Generator: sfc32 (Small Fast Counter, 128-bit state), seeded through splitmix32 so that
 * nearby integer seeds give unrelated streams. Normals come from the Box-Muller transform
 * (both values of each pair are used, so a stream of normals is reproducible call for call).
 *
 * @example const rng = createRng(42); const u = rng.next(); const z = rng.normal();
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** The seed this generator was created from. */
  readonly seed: number;
}

/** splitmix32 step: a well-mixed 32-bit integer from a 32-bit state. */
function splitmix32(state: number): [value: number, next: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [z >>> 0, next];
}

export function assertSeed(seed: number, what = "seed"): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`${what} must be an integer in [0, 4294967295], got ${seed}`);
  }
}

export function createRng(seed: number): Rng {
  assertSeed(seed);
  let s = seed | 0;
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [v, n] = splitmix32(s);
    words.push(v);
    s = n;
  }
  let [a, b, c, d] = words;
  const nextUint32 = (): number => {
    // sfc32
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Warm up: discard the first outputs, as the sfc32 authors recommend.
  for (let i = 0; i < 12; i++) nextUint32();

  let spare: number | null = null;
  const next = (): number => nextUint32() / 4294967296;
  return {
    seed,
    next,
    normal(): number {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return v;
      }
      // Box-Muller; 1 - u keeps the log argument in (0, 1].
      const u = 1 - next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    int(n: number): number {
      if (!Number.isInteger(n) || n <= 0) throw new Error(`rng.int needs a positive integer, got ${n}`);
      return Math.floor(next() * n);
    },
  };
}

/**
 * A child seed for one named part of an experiment (data, init, training, direction x, ...),
 * so that changing one part's seed never shifts another's stream.
 *
 * @example deriveSeed(1, "init") // a fixed 32-bit integer
 */
export function deriveSeed(seed: number, label: string): number {
  assertSeed(seed);
  // FNV-1a over the label, mixed with the seed through splitmix32.
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  const [v] = splitmix32((seed ^ h) >>> 0);
  return v;
}

/** Fisher-Yates shuffle in place, driven by rng. */
export function shuffleInPlace<T>(items: T[] | Int32Array | Uint32Array, rng: Rng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
}

/** A permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  shuffleInPlace(p, rng);
  return p;
}
