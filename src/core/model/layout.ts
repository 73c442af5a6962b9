import type { Layout } from "./types";

/** Number of elements of a shape (1 for a scalar shape []). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Total length of the flat vector described by a layout. */
export function parameterCount(layout: Layout): number {
  let n = 0;
  for (const entry of layout) n += shapeSize(entry.shape);
  return n;
}

/** Start offset of each layout entry in the flat vector, plus the total as the last element. */
export function layoutOffsets(layout: Layout): number[] {
  const offsets = [0];
  for (const entry of layout) offsets.push(offsets[offsets.length - 1] + shapeSize(entry.shape));
  return offsets;
}

/** Throws when a flat vector does not match its layout, naming what was expected. */
export function assertFlatLength(flat: ArrayLike<number>, layout: Layout, what = "parameters"): void {
  const expected = parameterCount(layout);
  if (flat.length !== expected) {
    throw new Error(`${what}: expected ${expected} values (sum of layout sizes), got ${flat.length}`);
  }
}

/** Throws on the first NaN or Infinity, naming its index and layout entry. */
export function assertFinite(flat: ArrayLike<number>, layout: Layout, what = "parameters"): void {
  const offsets = layoutOffsets(layout);
  for (let i = 0; i < flat.length; i++) {
    if (!Number.isFinite(flat[i])) {
      let e = 0;
      while (offsets[e + 1] <= i) e++;
      throw new Error(`${what}: value ${flat[i]} at index ${i} (${layout[e]?.name ?? "?"}) is not finite`);
    }
  }
}
