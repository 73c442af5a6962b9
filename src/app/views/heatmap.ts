/**
 * The heatmap image of a surface at grid resolution: one RGBA pixel per grid point, coloured by
 * the shared scale and a colormap LUT. Image rows run top-down while grid rows run bottom-up
 * (y grows upwards on screen), so grid row iy lands in image row ny - 1 - iy. Pure, no DOM.
 */

/**
 * RGBA pixels [ny, nx, 4] of a surface [ny, nx] (x fastest). Non-finite normalized values are
 * transparent (alpha 0) so the view's hatching shows the holes. Reuses `out` when it fits.
 *
 * @example const rgba = heatmapRgba(surface, 51, 51, scale.normalize, colormapLut("viridis"));
 */
export function heatmapRgba(
  values: ArrayLike<number>,
  nx: number,
  ny: number,
  normalize: (v: number) => number,
  lut: Uint8Array,
  out?: Uint8ClampedArray,
): Uint8ClampedArray {
  if (!Number.isInteger(nx) || !Number.isInteger(ny) || nx < 1 || ny < 1)
    throw new Error(`heatmap size must be positive integers, got ${nx} x ${ny}`);
  if (values.length !== nx * ny)
    throw new Error(`surface has ${values.length} values, expected ${nx} x ${ny} = ${nx * ny}`);
  if (lut.length !== 256 * 3)
    throw new Error(`colormap LUT must hold 256 RGB entries, got ${lut.length} bytes`);
  const rgba = out && out.length === nx * ny * 4 ? out : new Uint8ClampedArray(nx * ny * 4);
  for (let iy = 0; iy < ny; iy++) {
    const row = (ny - 1 - iy) * nx;
    for (let ix = 0; ix < nx; ix++) {
      const t = normalize(values[iy * nx + ix]);
      const p = (row + ix) * 4;
      if (Number.isFinite(t)) {
        const l = Math.round(Math.min(1, Math.max(0, t)) * 255) * 3;
        rgba[p] = lut[l];
        rgba[p + 1] = lut[l + 1];
        rgba[p + 2] = lut[l + 2];
        rgba[p + 3] = 255;
      } else {
        rgba[p] = 0;
        rgba[p + 1] = 0;
        rgba[p + 2] = 0;
        rgba[p + 3] = 0;
      }
    }
  }
  return rgba;
}

/** Normalized values t in [0, 1] (NaN for holes) of a surface, for contouring. */
export function normalizedValues(values: ArrayLike<number>, normalize: (v: number) => number): Float64Array {
  const t = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) t[i] = normalize(values[i]);
  return t;
}
