/**
 * Painting of the data plot: decision-boundary image (argmax class colour, alpha by confidence),
 * the points (train filled, test hollow) or, for 1-D regression, points and the model's curve.
 */

import { type Box, dataBounds } from "../../core/surface/data-bounds";
import { type PlotData, type PlotSplit, plotPoint } from "../../core/surface/plot-data";
import { drawAxes } from "./canvas-axes";
import { rgbaCanvas } from "./canvas-image";
import {
  AXES_MARGINS,
  type Extent,
  equalAspect,
  fitPlotRect,
  makeFrame,
  type PlotFrame,
  toCanvasX,
  toCanvasY,
} from "./frame";
import { boundaryRgba, classColor } from "./palette";
import { THEME } from "./theme";

/** Class probabilities on a res x res grid over `bounds` (grid nodes on the edges), x fastest, y upwards. */
export interface BoundaryImage {
  /** [xmin, xmax, ymin, ymax], or the store's { x: [min, max], y: [min, max] }. */
  bounds: Box | { x: readonly [number, number]; y: readonly [number, number] };
  /** Grid points per side. */
  resolution: number;
  /** [resolution * resolution, classes] row-major. */
  probabilities: Float32Array;
  /** Defaults to probabilities.length / resolution². */
  classes?: number;
}

export interface RegressionCurve {
  x: Float32Array;
  y: Float32Array;
}

/** Margin around the data, shared with the worker that evaluates the boundary (dataBounds). */
export const DATA_MARGIN = 0.1;

function boxOf(bounds: BoundaryImage["bounds"]): Box {
  return Array.isArray(bounds)
    ? [bounds[0], bounds[1], bounds[2], bounds[3]]
    : [bounds.x[0], bounds.x[1], bounds.y[0], bounds.y[1]];
}

export interface BoundaryLayer {
  probabilities: Float32Array;
  resolution: number;
  classes: number;
  version: number;
  rgba: Uint8ClampedArray;
  image: HTMLCanvasElement;
}

/** The boundary image, rebuilt only when the boundary object or its version changes. */
export function prepareBoundary(
  boundary: BoundaryImage,
  version: number,
  previous: BoundaryLayer | null,
): BoundaryLayer {
  const { resolution, probabilities } = boundary;
  const classes = boundary.classes ?? probabilities.length / (resolution * resolution);
  // Keyed on the arrays, not the wrapper object, which callers may rebuild on every render.
  if (
    previous &&
    previous.probabilities === probabilities &&
    previous.resolution === resolution &&
    previous.classes === classes &&
    previous.version === version
  )
    return previous;
  const rgba = boundaryRgba(probabilities, resolution, classes, 0.55, previous?.rgba);
  const image = rgbaCanvas(rgba, resolution, resolution, previous?.image);
  return { probabilities, resolution, classes, version, rgba, image };
}

function dataFrame(width: number, height: number, data: PlotData): PlotFrame {
  const [xMin, xMax, yMin, yMax] = dataBounds(data, DATA_MARGIN);
  const extent: Extent = { xMin, xMax, yMin, yMax };
  const aspect =
    data.task === "classification" && data.inputSize >= 2 ? equalAspect(extent, 0.6, 1.6) : undefined;
  return makeFrame(fitPlotRect(width, height, AXES_MARGINS, aspect), extent);
}

export function paintData(
  ctx: CanvasRenderingContext2D,
  width: number,
  height: number,
  data: PlotData,
  boundary: BoundaryImage | null,
  layer: BoundaryLayer | null,
  curve: RegressionCurve | undefined,
): void {
  const f = dataFrame(width, height, data);
  if (f.width < 4 || f.height < 4) return;
  ctx.save();
  ctx.beginPath();
  ctx.rect(f.left, f.top, f.width, f.height);
  ctx.clip();
  ctx.fillStyle = "#12161b";
  ctx.fillRect(f.left, f.top, f.width, f.height);
  if (layer && boundary) paintBoundary(ctx, f, boundary, layer);
  if (data.task === "classification") {
    paintClasses(ctx, f, data, data.train, true);
    if (data.test) paintClasses(ctx, f, data, data.test, false);
  } else {
    paintRegressionPoints(ctx, f, data, data.train, true);
    if (data.test) paintRegressionPoints(ctx, f, data, data.test, false);
    if (curve) paintCurve(ctx, f, curve);
  }
  ctx.restore();
  const regression = data.task === "regression" && data.inputSize === 1;
  drawAxes(ctx, f, {
    xLabel: regression ? "x" : "x\u2081",
    yLabel: regression ? "y" : "x\u2082",
    grid: true,
  });
}

function paintBoundary(
  ctx: CanvasRenderingContext2D,
  f: PlotFrame,
  boundary: BoundaryImage,
  layer: BoundaryLayer,
): void {
  const [x0, x1, y0, y1] = boxOf(boundary.bounds);
  const res = layer.resolution;
  // Grid nodes sit on the box edges: each pixel of the image is centred on one node.
  const hx = res > 1 ? (x1 - x0) / (res - 1) / 2 : (x1 - x0) / 2;
  const hy = res > 1 ? (y1 - y0) / (res - 1) / 2 : (y1 - y0) / 2;
  const left = toCanvasX(f, x0 - hx);
  const right = toCanvasX(f, x1 + hx);
  const top = toCanvasY(f, y1 + hy);
  const bottom = toCanvasY(f, y0 - hy);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(layer.image, left, top, right - left, bottom - top);
}

function paintClasses(
  ctx: CanvasRenderingContext2D,
  f: PlotFrame,
  data: PlotData,
  split: PlotSplit,
  train: boolean,
) {
  // One path per class: a few fill/stroke calls instead of one per point.
  const paths = new Map<number, Path2D>();
  const r = train ? 3.2 : 3.6;
  for (let i = 0; i < split.count; i++) {
    const [x, y] = plotPoint(data, split, i);
    const k = Math.round(split.y[i]);
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(k)) continue;
    const cx = toCanvasX(f, x);
    const cy = toCanvasY(f, y);
    let path = paths.get(k);
    if (!path) {
      path = new Path2D();
      paths.set(k, path);
    }
    path.moveTo(cx + r, cy);
    path.arc(cx, cy, r, 0, 2 * Math.PI);
  }
  for (const [k, path] of [...paths].sort((a, b) => a[0] - b[0])) {
    const color = classColor(k);
    if (train) {
      ctx.fillStyle = color;
      ctx.fill(path);
      ctx.strokeStyle = "rgba(0, 0, 0, 0.55)";
      ctx.lineWidth = 0.8;
      ctx.stroke(path);
    } else {
      ctx.strokeStyle = "rgba(0, 0, 0, 0.6)";
      ctx.lineWidth = 3;
      ctx.stroke(path);
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5;
      ctx.stroke(path);
    }
  }
}

function paintRegressionPoints(
  ctx: CanvasRenderingContext2D,
  f: PlotFrame,
  data: PlotData,
  split: PlotSplit,
  train: boolean,
) {
  const path = new Path2D();
  const r = train ? 2.6 : 3.2;
  for (let i = 0; i < split.count; i++) {
    const [x, y] = plotPoint(data, split, i);
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const cx = toCanvasX(f, x);
    const cy = toCanvasY(f, y);
    path.moveTo(cx + r, cy);
    path.arc(cx, cy, r, 0, 2 * Math.PI);
  }
  if (train) {
    ctx.fillStyle = "rgba(200, 209, 220, 0.75)";
    ctx.fill(path);
  } else {
    ctx.strokeStyle = "#f28e2b";
    ctx.lineWidth = 1.3;
    ctx.stroke(path);
  }
}

function paintCurve(ctx: CanvasRenderingContext2D, f: PlotFrame, curve: RegressionCurve) {
  const n = Math.min(curve.x.length, curve.y.length);
  ctx.beginPath();
  let open = false;
  for (let i = 0; i < n; i++) {
    const x = curve.x[i];
    const y = curve.y[i];
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      open = false;
      continue;
    }
    if (open) ctx.lineTo(toCanvasX(f, x), toCanvasY(f, y));
    else ctx.moveTo(toCanvasX(f, x), toCanvasY(f, y));
    open = true;
  }
  ctx.lineJoin = "round";
  ctx.strokeStyle = "rgba(0, 0, 0, 0.6)";
  ctx.lineWidth = 4.5;
  ctx.stroke();
  ctx.strokeStyle = THEME.accent;
  ctx.lineWidth = 2.25;
  ctx.stroke();
}
