/**
 * Axes of a canvas plot: frame, ticks with labels from niceTicks, and the axis titles. Drawn in
 * CSS pixels (the caller has set the device-pixel-ratio transform).
 */
import type { PlotFrame } from "./frame";
import { toCanvasX, toCanvasY } from "./frame";
import { FONT, LABEL_FONT, THEME } from "./theme";
import { formatTick, niceTicks, tickStep } from "./ticks";

interface AxesStyle {
  xLabel: string;
  yLabel: string;
  /** Faint grid lines across the plot area. */
  grid?: boolean;
}

/** Tick spacing: about one x label per 64 px and one y label per 45 px. */
function tickCount(pixels: number, spacing: number): number {
  return Math.max(2, Math.floor(pixels / spacing));
}

/** @example drawAxes(ctx, frame, { xLabel: "dir 1", yLabel: "dir 2" }) */
export function drawAxes(ctx: CanvasRenderingContext2D, f: PlotFrame, style: AxesStyle): void {
  const right = f.left + f.width;
  const bottom = f.top + f.height;
  const nx = tickCount(f.width, 64);
  const ny = tickCount(f.height, 45);
  const xTicks = niceTicks(f.xMin, f.xMax, nx);
  const yTicks = niceTicks(f.yMin, f.yMax, ny);
  const xStep = tickStep(f.xMin, f.xMax, nx);
  const yStep = tickStep(f.yMin, f.yMax, ny);

  ctx.save();
  if (style.grid) {
    ctx.strokeStyle = THEME.grid;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (const t of xTicks) {
      const x = Math.round(toCanvasX(f, t)) + 0.5;
      ctx.moveTo(x, f.top);
      ctx.lineTo(x, bottom);
    }
    for (const t of yTicks) {
      const y = Math.round(toCanvasY(f, t)) + 0.5;
      ctx.moveTo(f.left, y);
      ctx.lineTo(right, y);
    }
    ctx.stroke();
  }

  ctx.strokeStyle = THEME.border;
  ctx.lineWidth = 1;
  ctx.strokeRect(
    Math.round(f.left) + 0.5,
    Math.round(f.top) + 0.5,
    Math.round(f.width),
    Math.round(f.height),
  );

  ctx.strokeStyle = THEME.muted;
  ctx.beginPath();
  for (const t of xTicks) {
    const x = Math.round(toCanvasX(f, t)) + 0.5;
    ctx.moveTo(x, bottom);
    ctx.lineTo(x, bottom + 5);
  }
  for (const t of yTicks) {
    const y = Math.round(toCanvasY(f, t)) + 0.5;
    ctx.moveTo(f.left - 5, y);
    ctx.lineTo(f.left, y);
  }
  ctx.stroke();

  ctx.font = FONT;
  ctx.fillStyle = THEME.muted;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const t of xTicks) ctx.fillText(formatTick(t, xStep), toCanvasX(f, t), bottom + 7);
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const t of yTicks) ctx.fillText(formatTick(t, yStep), f.left - 8, toCanvasY(f, t));

  ctx.font = LABEL_FONT;
  ctx.fillStyle = THEME.text;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  ctx.fillText(style.xLabel, f.left + f.width / 2, bottom + 24);
  ctx.translate(f.left - 50, f.top + f.height / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = "middle";
  ctx.fillText(style.yLabel, 0, 0);
  ctx.restore();
}
