/**
 * PNG of a surface as a heatmap (the CLI has no 3D renderer): one block of `scale` x `scale`
 * pixels per grid point, viridis over the finite range of the plotted value (or of ln(v + 0.1)
 * with log), holes (NaN, Infinity) transparent; rows top-down with y growing upwards as in the
 * app's contour view. A 1-D landscape is one row of blocks. Encoded with fflate's zlib.
 *
 * @example const png = surfaceToPng(snapshot, { scale: 8 });
 */
import { zlibSync } from "fflate";
import { concatBytes } from "../concat-bytes";
import { crc32 } from "../snapshot/gzip";
import { referenceLog } from "./numbers";
import { viridis } from "./obj";
import { pickSurface, type SurfaceView } from "./surface-view";

export interface PngOptions {
  metric?: string;
  log?: boolean;
  /** Pixels per grid point along each axis (default: enough for about 512 pixels, at most 64). */
  scale?: number;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  const body = new Uint8Array(4 + data.length);
  body.set(new TextEncoder().encode(type), 0);
  body.set(data, 4);
  out.set(body, 4);
  dv.setUint32(8 + data.length, crc32(body));
  return out;
}

export function surfaceToPng(view: SurfaceView, opts: PngOptions = {}): Uint8Array {
  const { values } = pickSurface(view, opts.metric);
  const axes = view.grid.axes;
  const nx = axes[0].count;
  const ny = axes.length === 2 ? axes[1].count : 1;
  const scale = opts.scale ?? Math.min(64, Math.max(1, Math.ceil(512 / Math.max(nx, ny))));
  if (!Number.isInteger(scale) || scale < 1 || scale > 64)
    throw new Error(`scale must be an integer in [1, 64], got ${scale}`);
  const plotted = Float64Array.from(values, (v) => (opts.log ? referenceLog(v) : v));
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of plotted) {
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi > lo ? hi - lo : 1;
  const width = nx * scale;
  const height = ny * scale;
  // Each row: a filter byte (0: none), then RGBA pixels.
  const raw = new Uint8Array(height * (1 + width * 4));
  for (let row = 0; row < height; row++) {
    const iy = ny - 1 - Math.floor(row / scale);
    const base = row * (1 + width * 4);
    for (let col = 0; col < width; col++) {
      const v = plotted[iy * nx + Math.floor(col / scale)];
      const p = base + 1 + col * 4;
      if (!Number.isFinite(v)) continue; // transparent hole
      const [r, g, b] = viridis((v - lo) / span);
      raw[p] = Math.round(r * 255);
      raw[p + 1] = Math.round(g * 255);
      raw[p + 2] = Math.round(b * 255);
      raw[p + 3] = 255;
    }
  }
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter method variants, no interlace
  const parts = [
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlibSync(raw, { level: 6 })),
    chunk("IEND", new Uint8Array(0)),
  ];
  return concatBytes(parts);
}
