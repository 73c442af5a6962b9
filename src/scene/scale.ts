/**
 * How surface values map to colour and height, shared by the 3D surface, the 2-D contour view
 * and the legend so that all three agree (and two compared landscapes can share one scale).
 *
 * value v -> (optional log10) -> clipped to [lo, hi] -> t = (v' - lo) / (hi - lo) in [0, 1].
 * Non-finite values map to NaN (drawn as holes). Pure functions, no DOM and no three.
 */
import {
  interpolateCividis,
  interpolateInferno,
  interpolateMagma,
  interpolatePlasma,
  interpolateTurbo,
  interpolateViridis,
} from "d3-scale-chromatic";
import { scaleNormalizer, transformedValue } from "../core/surface/normalize";
import { COLORMAP_NAMES, type ColormapName } from "../state/surface-view";

export { COLORMAP_NAMES, type ColormapName } from "../state/surface-view";

export const COLORMAPS: Record<ColormapName, (t: number) => string> = {
  viridis: interpolateViridis,
  magma: interpolateMagma,
  inferno: interpolateInferno,
  plasma: interpolatePlasma,
  cividis: interpolateCividis,
  turbo: interpolateTurbo,
};

interface ScaleOptions {
  /** log10 of the values (losses span decades; accuracies should stay linear). */
  log: boolean;
  /** Values above this quantile of the finite values are clipped (1 = no clipping). */
  clipQuantile: number;
}

export interface SurfaceScale {
  /** Range in transformed units (log10 when log). */
  lo: number;
  hi: number;
  log: boolean;
  /** Raw value -> [0, 1], NaN for non-finite input; in log mode v <= 0 maps to 0. */
  normalize(v: number): number;
  /** [0, 1] -> raw value, for legend ticks. */
  invert(t: number): number;
}

/**
 * A scale fitted to one or more surfaces (pass several to compare with one shared scale).
 * In log mode the range comes from the positive values; zero or negative values sit at the
 * bottom (t = 0) instead of dragging the range down to log10(0).
 *
 * @example const s = fitScale([loss], { log: true, clipQuantile: 0.98 }); s.normalize(loss[0]);
 */
export function fitScale(surfaces: readonly Float32Array[], options: ScaleOptions): SurfaceScale {
  let n = 0;
  for (const surface of surfaces) n += surface.length;
  // It runs on the main thread at every update of a growing landscape: reuse one scratch array,
  // and select the quantile (O(n)) instead of sorting. log10 is increasing, so the k-th smallest
  // log10(v) is log10 of the k-th smallest v: select among the raw values (those log10 maps to a
  // finite number) and take two logarithms instead of one per value.
  if (scratch.length < n) scratch = new Float64Array(n);
  const values = scratch;
  const log = options.log;
  let k = 0;
  let min = Number.POSITIVE_INFINITY;
  for (const surface of surfaces) {
    for (let i = 0; i < surface.length; i++) {
      const v = surface[i];
      if (!Number.isFinite(v) || (log && !(v > 0))) continue;
      values[k++] = v;
      if (v < min || (v === min && Object.is(v, -0))) min = v; // the smallest in sort order
    }
  }
  let lo = 0;
  let hi = 1;
  if (k > 0) {
    const q = Math.min(1, Math.max(0, options.clipQuantile));
    lo = transformedValue(min, log);
    hi = transformedValue(selectKth(values, k, Math.min(k - 1, Math.floor(q * (k - 1)))), log);
    if (!(hi > lo)) hi = lo + (Math.abs(lo) > 0 ? Math.abs(lo) * 1e-6 : 1e-6);
  }
  const span = hi - lo;
  return {
    lo,
    hi,
    log: options.log,
    // The same function the surface worker rebuilds from { lo, hi, log } (core/surface/normalize.ts).
    normalize: scaleNormalizer({ lo, hi, log: options.log }),
    invert(t) {
      const x = lo + t * span;
      return options.log ? 10 ** x : x;
    },
  };
}

let scratch = new Float64Array(0);

/** Buckets of selectKth's counting pass. */
const BUCKETS = 4096;
const bucketCounts = new Int32Array(BUCKETS);

/**
 * The k-th smallest of values[0..n) (k from 0): the element a numeric sort would put at k.
 * Linear and independent of the order of the values (a smooth surface's values are far from
 * random order, which slows pivot-based selection down): count the values into buckets between
 * the min and the max, then sort only the bucket holding the k-th (or select in it again when it
 * holds most of the values). `values` is not changed.
 *
 * @example selectKth(new Float64Array([3, 1, 2]), 3, 1) // 2
 */
export function selectKth(values: Float64Array, n: number, k: number): number {
  if (!Number.isInteger(k) || k < 0 || k >= n) throw new Error(`rank ${k} is outside 0..${n - 1}`);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max > min)) {
    // All equal; a sort puts -0 before +0.
    if (min !== 0) return min;
    let negative = 0;
    for (let i = 0; i < n; i++) if (Object.is(values[i], -0)) negative++;
    return k < negative ? -0 : 0;
  }
  // Bucket floor((v - min) * scale) is increasing in v, so bucket order is value order. Written out
  // in both loops (no function call per value): the first calls run before the JIT warms up.
  const scale = BUCKETS / (max - min);
  const last = BUCKETS - 1;
  const counts = bucketCounts;
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const b = Math.floor((values[i] - min) * scale);
    counts[Math.min(b, last)]++;
  }
  let bucket = 0;
  let below = 0;
  while (below + counts[bucket] <= k) below += counts[bucket++];
  const size = counts[bucket];
  const inBucket = new Float64Array(size);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const b = Math.floor((v - min) * scale);
    if (Math.min(b, last) === bucket) inBucket[m++] = v;
  }
  // Most values in one bucket (a cluster): its range is at most 1/BUCKETS of this one, select again.
  if (size > 4 * BUCKETS && size > n / 2) return selectKth(inBucket, size, k - below);
  return inBucket.sort()[k - below];
}

const lutCache = new Map<ColormapName, Uint8Array>();

/** 256 RGB entries of a perceptual colormap (d3-scale-chromatic), parsed once. */
export function colormapLut(name: ColormapName): Uint8Array {
  const cached = lutCache.get(name);
  if (cached) return cached;
  const interpolate = COLORMAPS[name];
  if (!interpolate)
    throw new Error(`unknown colormap "${name}"; expected one of ${COLORMAP_NAMES.join(", ")}`);
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const [r, g, b] = parseColor(interpolate(i / 255));
    lut.set([r, g, b], i * 3);
  }
  lutCache.set(name, lut);
  return lut;
}

/** "rgb(r, g, b)" or "#rrggbb" -> [r, g, b]. */
export function parseColor(css: string): [number, number, number] {
  const rgb = /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(css);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(css);
  if (hex) return [Number.parseInt(hex[1], 16), Number.parseInt(hex[2], 16), Number.parseInt(hex[3], 16)];
  throw new Error(`cannot parse colour "${css}"`);
}

/** Colour of t in [0, 1] as 0..255 RGB; NaN gives null (a hole). */
export function colorAt(lut: Uint8Array, t: number): [number, number, number] | null {
  if (!Number.isFinite(t)) return null;
  const i = Math.round(Math.min(1, Math.max(0, t)) * 255) * 3;
  return [lut[i], lut[i + 1], lut[i + 2]];
}
