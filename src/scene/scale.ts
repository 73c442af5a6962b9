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

export const COLORMAPS = {
  viridis: interpolateViridis,
  magma: interpolateMagma,
  inferno: interpolateInferno,
  plasma: interpolatePlasma,
  cividis: interpolateCividis,
  turbo: interpolateTurbo,
} as const;
export type ColormapName = keyof typeof COLORMAPS;
export const COLORMAP_NAMES = Object.keys(COLORMAPS) as ColormapName[];

export interface ScaleOptions {
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

function transformed(v: number, log: boolean): number {
  if (!Number.isFinite(v)) return Number.NaN;
  if (!log) return v;
  return v > 0 ? Math.log10(v) : Number.NEGATIVE_INFINITY;
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
  const values = new Float64Array(n);
  let k = 0;
  for (const surface of surfaces) {
    for (let i = 0; i < surface.length; i++) {
      const t = transformed(surface[i], options.log);
      if (Number.isFinite(t)) values[k++] = t;
    }
  }
  const finite = values.subarray(0, k).sort(); // typed-array sort: numeric, fast
  let lo = 0;
  let hi = 1;
  if (finite.length > 0) {
    lo = finite[0];
    const q = Math.min(1, Math.max(0, options.clipQuantile));
    hi = finite[Math.min(finite.length - 1, Math.floor(q * (finite.length - 1)))];
    if (!(hi > lo)) hi = lo + (Math.abs(lo) > 0 ? Math.abs(lo) * 1e-6 : 1e-6);
  }
  const span = hi - lo;
  return {
    lo,
    hi,
    log: options.log,
    normalize(v) {
      const t = transformed(v, options.log);
      if (t === Number.NEGATIVE_INFINITY) return Number.isFinite(v) ? 0 : Number.NaN;
      if (!Number.isFinite(t)) return Number.NaN;
      return Math.min(1, Math.max(0, (t - lo) / span));
    },
    invert(t) {
      const x = lo + t * span;
      return options.log ? 10 ** x : x;
    },
  };
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
