/**
 * One frame of a recording, composed on a 2-D canvas at the chosen size: the 3D view's picture
 * (fitted, never stretched), its axis labels (the DOM labels over the view, drawn at their places
 * in the picture), a colour bar with the legend's ticks, a title (metric, step and epoch) and the
 * runs' legend (each run's colour, loss and accuracy at that moment, a race's final lambda_max).
 *
 * @example composeFrame(ctx, { picture, labels: root, title, runs, scale, colormap, metric });
 */

import { legendTicks, metricTitle } from "../../scene/format";
import type { ColormapName, SurfaceScale } from "../../scene/scale";
import { colormapLut } from "../../scene/scale";

export interface LegendRow {
  color: string;
  text: string;
}

interface FrameContent {
  /** The 3D view's visible picture canvas. */
  picture: HTMLCanvasElement;
  /** The element holding the view's DOM axis labels (`.scene-label`), positioned over the picture. */
  labels: Element | null;
  title: string;
  rows: LegendRow[];
  scale: SurfaceScale | null;
  colormap: ColormapName;
  metric: string;
}

const BG = "#0f1216";
const TEXT = "#e6e9ee";
const MUTED = "#9aa4b2";
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";

/** Draws `c` into `ctx` (its canvas's whole size). */
export function composeFrame(
  ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D,
  c: FrameContent,
): void {
  const { width: W, height: H } = ctx.canvas;
  const u = Math.max(10, Math.round(Math.min(W, H * 1.4) / 42));
  const pad = Math.round(u * 0.6);
  ctx.fillStyle = BG;
  ctx.fillRect(0, 0, W, H);
  ctx.textBaseline = "middle";

  // Title.
  const titleH = Math.round(u * 1.7);
  ctx.fillStyle = TEXT;
  ctx.font = `600 ${u}px ${FONT}`;
  ctx.textAlign = "left";
  ctx.fillText(c.title, pad, titleH / 2, W - 2 * pad);

  // Legend rows at the bottom (two columns when wide).
  const columns = W >= 560 && c.rows.length > 1 ? 2 : 1;
  const rowH = Math.round(u * 1.45);
  const legendH = Math.ceil(c.rows.length / columns) * rowH + (c.rows.length > 0 ? pad : 0);
  const small = Math.round(u * 0.85);
  ctx.font = `${small}px ${FONT}`;
  c.rows.forEach((row, i) => {
    const col = i % columns;
    const line = Math.floor(i / columns);
    const x = pad + (col * (W - 2 * pad)) / columns;
    const y = H - legendH + line * rowH + rowH / 2;
    ctx.fillStyle = row.color;
    ctx.beginPath();
    ctx.arc(x + small / 2, y, small / 2.4, 0, 2 * Math.PI);
    ctx.fill();
    ctx.strokeStyle = "#000";
    ctx.lineWidth = 1;
    ctx.stroke();
    ctx.fillStyle = TEXT;
    ctx.textAlign = "left";
    ctx.fillText(row.text, x + small * 1.4, y, (W - 2 * pad) / columns - small * 1.8);
  });

  // Colour bar on the right.
  const barW = c.scale ? Math.round(u * 0.8) : 0;
  ctx.font = `${small}px ${FONT}`;
  const ticks = c.scale ? legendTicks(c.scale, 5) : [];
  const tickW = ticks.reduce((m, t) => Math.max(m, ctx.measureText(t.label).width), 0);
  const barArea = c.scale ? barW + tickW + pad * 2 : 0;
  const top = titleH + pad;
  const bottom = H - legendH - pad;
  if (c.scale && bottom - top > 20) {
    const x0 = W - barArea + pad / 2;
    const lut = colormapLut(c.colormap);
    const h = bottom - top;
    for (let py = 0; py < h; py++) {
      const t = 1 - py / Math.max(1, h - 1);
      const k = Math.round(t * 255) * 3;
      ctx.fillStyle = `rgb(${lut[k]}, ${lut[k + 1]}, ${lut[k + 2]})`;
      ctx.fillRect(x0, top + py, barW, 1);
    }
    ctx.strokeStyle = MUTED;
    ctx.strokeRect(x0 + 0.5, top + 0.5, barW - 1, h - 1);
    ctx.fillStyle = TEXT;
    ctx.textAlign = "left";
    for (const t of ticks) {
      const y = top + (1 - t.t) * (h - 1);
      ctx.fillRect(x0 + barW, y, Math.round(u * 0.3), 1);
      ctx.fillText(t.label, x0 + barW + Math.round(u * 0.4), y);
    }
    ctx.save();
    ctx.translate(x0 - Math.round(u * 0.5), (top + bottom) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillStyle = MUTED;
    ctx.fillText(metricTitle(c.metric), 0, 0);
    ctx.restore();
  }

  // The picture, fitted into what is left.
  const box = { x: pad, y: top, w: W - barArea - 2 * pad - (c.scale ? u : 0), h: bottom - top };
  const src = c.picture;
  if (src.width > 0 && src.height > 0 && box.w > 0 && box.h > 0) {
    const k = Math.min(box.w / src.width, box.h / src.height);
    const dw = src.width * k;
    const dh = src.height * k;
    const dx = box.x + (box.w - dw) / 2;
    const dy = box.y + (box.h - dh) / 2;
    ctx.drawImage(src, dx, dy, dw, dh);
    drawLabels(ctx, c, { dx, dy, k: dw / Math.max(1, src.getBoundingClientRect().width) });
  }
}

/** The view's DOM axis labels, at their places over the picture, scaled with it. */
function drawLabels(
  ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D,
  c: FrameContent,
  at: { dx: number; dy: number; k: number },
): void {
  if (!c.labels) return;
  const pr = c.picture.getBoundingClientRect();
  for (const el of c.labels.querySelectorAll<HTMLElement>(".scene-label")) {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden" || Number(style.opacity) === 0) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const detail = el.querySelector(".scene-label-detail")?.textContent ?? "";
    const full = el.textContent ?? "";
    const main = detail && full.endsWith(detail) ? full.slice(0, full.length - detail.length) : full;
    const fontPx = Number.parseFloat(style.fontSize) || 12;
    const size = Math.max(9, Math.round(fontPx * at.k));
    const cx = at.dx + (r.left + r.width / 2 - pr.left) * at.k;
    const cy = at.dy + (r.top + r.height / 2 - pr.top) * at.k;
    ctx.textAlign = "center";
    ctx.font = `${style.fontWeight === "400" ? "" : "600 "}${size}px ${FONT}`;
    ctx.lineWidth = Math.max(2, size / 4);
    ctx.strokeStyle = BG;
    ctx.fillStyle = style.color || TEXT;
    const lines = detail ? [main.trim(), detail.trim()] : [main.trim()];
    const lh = size * 1.15;
    lines.forEach((text, i) => {
      const y = cy + (i - (lines.length - 1) / 2) * lh;
      if (i === 1) ctx.font = `${Math.max(8, Math.round(size * 0.85))}px ${FONT}`;
      ctx.strokeText(text, cx, y);
      ctx.fillText(text, cx, y);
    });
  }
}
