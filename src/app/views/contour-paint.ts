/**
 * Painting of the contour view: heatmap image (grid resolution, scaled up with one drawImage),
 * contour lines, trajectory, markers and axes. The expensive layers (image, contour segments,
 * extremum) are rebuilt only when the surface, its version, the scale or the options change;
 * a resize only repaints.
 */
import type { GridAxis } from "../../core/landscape/grid";
import { axisValue } from "../../core/landscape/grid";
import type { PlaneOverlay } from "../../scene/path-lines";
import { type ColormapName, colormapLut, type SurfaceScale } from "../../scene/scale";
import type { TrajectoryView } from "../../state/types";
import { drawAxes } from "./canvas-axes";
import { hatchPattern, rgbaCanvas } from "./canvas-image";
import { contourLevels, contourSegments } from "./contour-lines";
import { extremumIndex, higherIsBetter } from "./extremum";
import {
  AXES_MARGINS,
  equalAspect,
  fitPlotRect,
  makeFrame,
  type PlotFrame,
  toCanvasX,
  toCanvasY,
} from "./frame";
import { gridExtent } from "./grid-index";
import { heatmapRgba, normalizedValues } from "./heatmap";
import { paintPaths } from "./path-paint";
import { FONT, THEME } from "./theme";

interface ContourInput {
  surface: Float32Array;
  axes: readonly GridAxis[];
  metric: string;
  scale: SurfaceScale;
  colormap: ColormapName;
  contours: number;
  version: number;
  trajectory?: TrajectoryView;
  /** Axis titles (scene/axis-labels.ts, e.g. "x: top eigenvector, λ = 12.3"); absent: the axis labels. */
  titles?: readonly string[];
  /** Paths between minima on their plane (scene/path-lines.ts), and the paths panel's w(t). */
  paths?: PlaneOverlay | null;
  probe?: { x: number; y: number } | null;
}

export interface ContourLayers {
  from: Omit<ContourInput, "axes" | "metric" | "trajectory" | "titles" | "paths" | "probe">;
  nx: number;
  ny: number;
  rgba: Uint8ClampedArray;
  image: HTMLCanvasElement;
  /** [m, 4] fractional grid indices. */
  segments: Float32Array;
  /** Flat index of the best value (min of a loss, max of an accuracy), -1 if none. */
  best: number;
}

function sameSource(a: ContourLayers["from"], b: ContourInput): boolean {
  return (
    a.surface === b.surface &&
    a.version === b.version &&
    a.scale === b.scale &&
    a.colormap === b.colormap &&
    a.contours === b.contours
  );
}

/** Rebuild the layers if their source changed, else return `previous` (reusing its buffers). */
export function prepareLayers(input: ContourInput, previous: ContourLayers | null): ContourLayers {
  if (previous && sameSource(previous.from, input)) return previous;
  const [ax, ay] = input.axes;
  const nx = ax.count;
  const ny = ay.count;
  const { surface, scale } = input;
  const rgba = heatmapRgba(surface, nx, ny, scale.normalize, colormapLut(input.colormap), previous?.rgba);
  const image = rgbaCanvas(rgba, nx, ny, previous?.image);
  const segments =
    input.contours > 0
      ? contourSegments(normalizedValues(surface, scale.normalize), nx, ny, contourLevels(input.contours))
      : new Float32Array(0);
  const from = { surface, scale, colormap: input.colormap, contours: input.contours, version: input.version };
  return { from, nx, ny, rgba, image, segments, best: extremumIndex(surface, higherIsBetter(input.metric)) };
}

/** The plot frame of the view: equal units on both axes where the box allows it. */
function contourFrame(width: number, height: number, axes: readonly GridAxis[]): PlotFrame {
  const extent = gridExtent(axes);
  return makeFrame(fitPlotRect(width, height, AXES_MARGINS, equalAspect(extent)), extent);
}

/** Paint everything; returns the frame (for picking). */
export function paintContour(
  ctx: CanvasRenderingContext2D,
  width: number,
  height: number,
  input: ContourInput,
  layers: ContourLayers,
): PlotFrame | null {
  const f = contourFrame(width, height, input.axes);
  if (f.width < 4 || f.height < 4) return null;
  const [ax, ay] = input.axes;

  ctx.save();
  ctx.beginPath();
  ctx.rect(f.left, f.top, f.width, f.height);
  ctx.clip();
  ctx.fillStyle = hatchPattern(ctx) ?? THEME.panel;
  ctx.fillRect(f.left, f.top, f.width, f.height);
  // Cells stay crisp squares: the grid's resolution is part of the picture.
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(layers.image, f.left, f.top, f.width, f.height);

  const px = (fx: number) => toCanvasX(f, ax.min + (fx * (ax.max - ax.min)) / (ax.count - 1));
  const py = (fy: number) => toCanvasY(f, ay.min + (fy * (ay.max - ay.min)) / (ay.count - 1));
  const s = layers.segments;
  if (s.length > 0) {
    ctx.strokeStyle = "rgba(255, 255, 255, 0.5)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let k = 0; k < s.length; k += 4) {
      ctx.moveTo(px(s[k]), py(s[k + 1]));
      ctx.lineTo(px(s[k + 2]), py(s[k + 3]));
    }
    ctx.stroke();
  }

  if (input.trajectory) paintTrajectory(ctx, f, input.trajectory);
  if (input.paths) paintPaths(ctx, f, input.paths, input.probe);
  paintMarkers(ctx, f, input, layers);
  ctx.restore();

  drawAxes(ctx, f, { xLabel: input.titles?.[0] ?? ax.label, yLabel: input.titles?.[1] ?? ay.label });
  return f;
}

function paintTrajectory(ctx: CanvasRenderingContext2D, f: PlotFrame, t: TrajectoryView): void {
  const n = Math.floor(t.coords.length / 2);
  if (n === 0) return;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    xs.push(toCanvasX(f, t.coords[2 * i]));
    ys.push(toCanvasY(f, t.coords[2 * i + 1]));
  }
  const path = () => {
    ctx.beginPath();
    let open = false;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) {
        open = false;
        continue;
      }
      if (open) ctx.lineTo(xs[i], ys[i]);
      else ctx.moveTo(xs[i], ys[i]);
      open = true;
    }
  };
  ctx.lineJoin = "round";
  path();
  ctx.strokeStyle = "rgba(0, 0, 0, 0.6)";
  ctx.lineWidth = 4;
  ctx.stroke();
  path();
  ctx.strokeStyle = "#ffffff";
  ctx.lineWidth = 1.75;
  ctx.stroke();
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) continue;
    const last = i === n - 1;
    ctx.beginPath();
    ctx.arc(xs[i], ys[i], last ? 4.5 : i === 0 ? 4 : 2.5, 0, 2 * Math.PI);
    ctx.fillStyle = last ? THEME.accent : i === 0 ? THEME.panel : "#ffffff";
    ctx.fill();
    ctx.strokeStyle = i === 0 ? "#ffffff" : "rgba(0, 0, 0, 0.7)";
    ctx.lineWidth = i === 0 ? 1.5 : 1;
    ctx.stroke();
  }
}

function paintMarkers(
  ctx: CanvasRenderingContext2D,
  f: PlotFrame,
  input: ContourInput,
  layers: ContourLayers,
): void {
  const [ax, ay] = input.axes;
  // Centre: the trained parameters theta at (0, 0).
  if (0 >= f.xMin && 0 <= f.xMax && 0 >= f.yMin && 0 <= f.yMax) {
    const cx = toCanvasX(f, 0);
    const cy = toCanvasY(f, 0);
    for (const [color, width] of [
      ["rgba(0, 0, 0, 0.75)", 4],
      ["#ffffff", 1.75],
    ] as const) {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.beginPath();
      ctx.moveTo(cx - 7, cy);
      ctx.lineTo(cx + 7, cy);
      ctx.moveTo(cx, cy - 7);
      ctx.lineTo(cx, cy + 7);
      ctx.stroke();
    }
  }
  if (layers.best >= 0) {
    const bx = toCanvasX(f, axisValue(ax, layers.best % layers.nx));
    const by = toCanvasY(f, axisValue(ay, Math.floor(layers.best / layers.nx)));
    ctx.beginPath();
    ctx.arc(bx, by, 6, 0, 2 * Math.PI);
    ctx.strokeStyle = "rgba(0, 0, 0, 0.75)";
    ctx.lineWidth = 4;
    ctx.stroke();
    ctx.strokeStyle = THEME.warn;
    ctx.lineWidth = 2;
    ctx.stroke();
    ctx.font = FONT;
    ctx.textBaseline = "middle";
    const label = higherIsBetter(input.metric) ? "max" : "min";
    const right = bx + 40 < f.left + f.width;
    ctx.textAlign = right ? "left" : "right";
    const lx = right ? bx + 10 : bx - 10;
    ctx.lineWidth = 3;
    ctx.strokeStyle = "rgba(0, 0, 0, 0.8)";
    ctx.strokeText(label, lx, by);
    ctx.fillStyle = THEME.warn;
    ctx.fillText(label, lx, by);
  }
}
