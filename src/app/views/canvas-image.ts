/**
 * Small canvas utilities: an RGBA buffer as a drawable canvas (reused between frames), and the
 * hatching that shows through transparent (NaN) cells.
 */

/**
 * Put `rgba` [height, width, 4] into `target` (resized when needed) and return it, ready for
 * ctx.drawImage, which scales it to the plot area in one call.
 */
export function rgbaCanvas(
  rgba: Uint8ClampedArray,
  width: number,
  height: number,
  target?: HTMLCanvasElement,
): HTMLCanvasElement {
  const canvas = target ?? document.createElement("canvas");
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("no 2-D canvas context available");
  const image = new ImageData(
    new Uint8ClampedArray(rgba.buffer as ArrayBuffer, rgba.byteOffset, rgba.length),
    width,
    height,
  );
  ctx.putImageData(image, 0, 0);
  return canvas;
}

const hatchCache = new WeakMap<CanvasRenderingContext2D, CanvasPattern | null>();

/** Diagonal hatching pattern (holes in a surface: NaN or not computed yet). */
export function hatchPattern(ctx: CanvasRenderingContext2D): CanvasPattern | null {
  if (hatchCache.has(ctx)) return hatchCache.get(ctx) ?? null;
  const tile = document.createElement("canvas");
  tile.width = 8;
  tile.height = 8;
  const t = tile.getContext("2d");
  let pattern: CanvasPattern | null = null;
  if (t) {
    t.fillStyle = "#1d2229";
    t.fillRect(0, 0, 8, 8);
    t.strokeStyle = "#3a424e";
    t.lineWidth = 1.5;
    t.beginPath();
    t.moveTo(-2, 10);
    t.lineTo(10, -2);
    t.moveTo(-2, 2);
    t.lineTo(2, -2);
    t.moveTo(6, 10);
    t.lineTo(10, 6);
    t.stroke();
    pattern = ctx.createPattern(tile, "repeat");
  }
  hatchCache.set(ctx, pattern);
  return pattern;
}
