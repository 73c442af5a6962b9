/**
 * Thumbnails for the snapshot library: the train-loss heatmap at grid resolution (the same scale
 * rule and colormap as the views), scaled to a small PNG data URL. The pixels are pure; only the
 * PNG encoding needs a canvas.
 */
import type { Snapshot } from "../../core/snapshot/schema";
import { colormapLut, fitScale } from "../../scene/scale";
import { heatmapRgba } from "../views/heatmap";

/** RGBA [ny, nx, 4] of the train-loss surface (a 1-D landscape is one row), or null without one. */
export function thumbnailPixels(
  s: Snapshot,
): { rgba: Uint8ClampedArray; width: number; height: number } | null {
  const values = s.surfaces.train_loss;
  if (!values || values.length === 0) return null;
  const nx = s.grid.axes[0].count;
  const ny = s.grid.axes.length === 2 ? s.grid.axes[1].count : 1;
  const scale = fitScale([values], { log: true, clipQuantile: 0.98 });
  return {
    rgba: heatmapRgba(values, nx, ny, scale.normalize, colormapLut("viridis")),
    width: nx,
    height: ny,
  };
}

/** A PNG data URL `size` pixels wide (1-D landscapes: a strip), or "" where there is no canvas. */
export function thumbnailDataUrl(s: Snapshot, size = 96): string {
  const pixels = thumbnailPixels(s);
  if (!pixels || typeof document === "undefined") return "";
  const source = document.createElement("canvas");
  source.width = pixels.width;
  source.height = pixels.height;
  source
    .getContext("2d")
    ?.putImageData(new ImageData(new Uint8ClampedArray(pixels.rgba), pixels.width, pixels.height), 0, 0);
  const out = document.createElement("canvas");
  out.width = size;
  out.height = pixels.height === 1 ? Math.max(8, Math.round(size / 8)) : size;
  const ctx = out.getContext("2d");
  if (!ctx) return "";
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(source, 0, 0, out.width, out.height);
  return out.toDataURL("image/png");
}
