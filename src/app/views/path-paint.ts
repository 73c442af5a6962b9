/**
 * Paths between minima on the contour view (a snapshot whose landscape is its paths plane): the
 * straight segment theta1 -> theta2 dashed, the trained curve solid, theta1, theta2 and the bends
 * as dots, and the paths panel's w(t) as a ring; the colours of scene/path-lines.ts, which the 3D
 * view and the legend share.
 */
import { PATH_COLORS, type PlaneOverlay } from "../../scene/path-lines";
import { type PlotFrame, toCanvasX, toCanvasY } from "./frame";

const OUTLINE = "rgba(0, 0, 0, 0.7)";

function polyline(ctx: CanvasRenderingContext2D, f: PlotFrame, coords: Float32Array): void {
  ctx.beginPath();
  for (let i = 0; i + 1 < coords.length; i += 2) {
    const x = toCanvasX(f, coords[i]);
    const y = toCanvasY(f, coords[i + 1]);
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  }
}

/** Paint the overlay into the plot frame `f` (the caller clips to it). */
export function paintPaths(
  ctx: CanvasRenderingContext2D,
  f: PlotFrame,
  overlay: PlaneOverlay,
  probe?: { x: number; y: number } | null,
): void {
  ctx.save();
  ctx.lineJoin = "round";
  ctx.lineCap = "round";
  const line = (coords: Float32Array, color: string, dash: number[]) => {
    if (coords.length < 4) return;
    polyline(ctx, f, coords);
    ctx.setLineDash([]);
    ctx.strokeStyle = OUTLINE;
    ctx.lineWidth = 5;
    ctx.stroke();
    ctx.setLineDash(dash);
    ctx.strokeStyle = color;
    ctx.lineWidth = 2.5;
    ctx.stroke();
  };
  line(overlay.segment, PATH_COLORS.straight, [7, 5]);
  line(overlay.curve, PATH_COLORS.curve, []);
  ctx.setLineDash([]);
  for (const p of overlay.points) {
    ctx.beginPath();
    ctx.arc(toCanvasX(f, p.x), toCanvasY(f, p.y), p.role === "bend" ? 4.5 : 5.5, 0, 2 * Math.PI);
    ctx.fillStyle = PATH_COLORS[p.role];
    ctx.fill();
    ctx.strokeStyle = OUTLINE;
    ctx.lineWidth = 1.5;
    ctx.stroke();
  }
  if (probe && Number.isFinite(probe.x) && Number.isFinite(probe.y)) {
    const x = toCanvasX(f, probe.x);
    const y = toCanvasY(f, probe.y);
    ctx.beginPath();
    ctx.arc(x, y, 7, 0, 2 * Math.PI);
    ctx.strokeStyle = OUTLINE;
    ctx.lineWidth = 5;
    ctx.stroke();
    ctx.strokeStyle = PATH_COLORS.probe;
    ctx.lineWidth = 2.5;
    ctx.stroke();
  }
  ctx.restore();
}
