/**
 * The plot frame of a canvas view: where the plot area sits in CSS pixels and which data extent
 * it shows. Data y grows upwards (canvas y grows downwards). Pure, no DOM.
 */

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Extent {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

interface Margins {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** A plot area and the data extent it maps onto. */
export interface PlotFrame extends Rect, Extent {}

/** Room for y tick labels on the left and x tick labels plus the axis title below. */
export const AXES_MARGINS: Margins = { left: 56, right: 14, top: 12, bottom: 44 };

/**
 * The plot area inside a `width` x `height` box after the margins. With `aspect` (plot height /
 * width), the largest rectangle of that shape, centred, so square grids stay square.
 *
 * @example fitPlotRect(400, 300, AXES_MARGINS, 1) // a centred square
 */
export function fitPlotRect(width: number, height: number, margins: Margins, aspect?: number): Rect {
  const availW = Math.max(0, width - margins.left - margins.right);
  const availH = Math.max(0, height - margins.top - margins.bottom);
  if (aspect === undefined || !(aspect > 0) || !Number.isFinite(aspect))
    return { left: margins.left, top: margins.top, width: availW, height: availH };
  let w = availW;
  let h = w * aspect;
  if (h > availH) {
    h = availH;
    w = h / aspect;
  }
  return {
    left: margins.left + (availW - w) / 2,
    top: margins.top + (availH - h) / 2,
    width: w,
    height: h,
  };
}

/** Aspect (height / width) that keeps data units equal on both axes, clamped so neither side gets too thin. */
export function equalAspect(extent: Extent, min = 0.5, max = 2): number {
  const a = (extent.yMax - extent.yMin) / (extent.xMax - extent.xMin);
  return Number.isFinite(a) && a > 0 ? Math.min(max, Math.max(min, a)) : 1;
}

export function makeFrame(rect: Rect, extent: Extent): PlotFrame {
  if (!(extent.xMax > extent.xMin) || !(extent.yMax > extent.yMin))
    throw new Error(
      `plot extent must have min < max on both axes, got x [${extent.xMin}, ${extent.xMax}], y [${extent.yMin}, ${extent.yMax}]`,
    );
  return { ...rect, ...extent };
}

export function toCanvasX(f: PlotFrame, x: number): number {
  return f.left + ((x - f.xMin) / (f.xMax - f.xMin)) * f.width;
}

/** Data y -> canvas y: the top of the plot area is yMax. */
export function toCanvasY(f: PlotFrame, y: number): number {
  return f.top + ((f.yMax - y) / (f.yMax - f.yMin)) * f.height;
}

export function fromCanvasX(f: PlotFrame, cx: number): number {
  return f.xMin + ((cx - f.left) / f.width) * (f.xMax - f.xMin);
}

export function fromCanvasY(f: PlotFrame, cy: number): number {
  return f.yMax - ((cy - f.top) / f.height) * (f.yMax - f.yMin);
}

export function insideRect(r: Rect, cx: number, cy: number): boolean {
  return cx >= r.left && cx <= r.left + r.width && cy >= r.top && cy <= r.top + r.height;
}
