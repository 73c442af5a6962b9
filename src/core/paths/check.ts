/** Input checks shared by the path functions; every message names what was wrong. */

/** Throws unless every vector has the length of the first, naming the odd one out. */
export function assertSameLength(vectors: readonly ArrayLike<number>[], names: readonly string[]): void {
  if (vectors.length === 0) return;
  const n = vectors[0].length;
  vectors.forEach((v, i) => {
    if (v.length !== n) {
      throw new Error(
        `${names[i] ?? `vector ${i}`} has ${v.length} values but ${names[0] ?? "vector 0"} has ${n}; ` +
          "path points must be parameter vectors of the same model",
      );
    }
  });
}

/** Throws on the first NaN or Infinity of a vector, naming the vector and the index. */
export function assertFiniteVector(v: ArrayLike<number>, name: string): void {
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) throw new Error(`${name}: value ${v[i]} at index ${i} is not finite`);
  }
}

/** Throws unless `value` is an integer >= min. */
export function assertInteger(value: number, min: number, what: string): void {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${what} must be an integer >= ${min}, got ${value}`);
  }
}

/** Throws unless `value` is a finite number. */
export function assertFiniteNumber(value: number, what: string): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new Error(`${what} must be a finite number, got ${value}`);
  }
}
