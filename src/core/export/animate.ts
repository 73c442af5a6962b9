/**
 * The replay of a snapshot's trajectory section as an animation, drawn headless (no canvas, no
 * DOM): a heatmap of a surface (viridis over its finite range, bilinear between grid points,
 * holes dark grey, y up) with every chosen run's marker moving along its projected path and
 * leaving a growing trail, a colour bar with tick labels, axis ticks and labels, a title with the
 * step and epoch, and a legend naming each run with its loss (and accuracy) at that moment and,
 * for a race, its final lambda_max. A 1-D landscape is drawn as the curve of the metric over x
 * with the markers on it. Text uses a 5 x 7 bitmap font (bitmap-font.ts), doubled from 800
 * pixels wide. Frames are indexed colour (one fixed palette: no quantization, no flicker) and
 * go to gif.ts.
 *
 * Time runs over optimizer steps: frame f of F shows every run at step T f / (F - 1) (T the
 * largest last step of the chosen runs), its position and loss interpolated linearly between the
 * two checkpoints around that step, so runs of different lengths and checkpoint spacings stay in
 * step with each other. The last frame is held for at least 1.5 s before the loop restarts.
 *
 * @example const gif = await animationToGif(snapshot, { frames: 120, width: 640, height: 480, fps: 15 });
 */
import type { GifPalette } from "gifenc";
import type { Snapshot } from "../snapshot/schema";
import { type DrawnTrajectoryRun, lerp, runStateAt, trajectoryRunsOf } from "../snapshot/trajectory-section";
import { drawText, GLYPH_HEIGHT, type IndexedImage, textWidth } from "./bitmap-font";
import { encodeGif } from "./gif";
import { referenceLog } from "./numbers";
import { viridis } from "./obj";
import { axisValues, checkSurfaceView, pickSurface } from "./surface-view";

export interface AnimateOptions {
  /** Frames of the animation (default: the checkpoints of the longest chosen run, at most 240). */
  frames?: number;
  /** Pixels (default 480 x 400). */
  width?: number;
  height?: number;
  /** Frames per second (default 12); GIF delays are whole hundredths of a second. */
  fps?: number;
  /** The surface drawn (default train_loss). */
  metric?: string;
  /** Plot ln(value + 0.1), as the other exports' --log. */
  log?: boolean;
  /**
   * Colours saturate above this quantile of the finite plotted values (default 0.98, the app's
   * "Clip quantile"; 1: the whole range), so that a few huge losses at the edge of the grid do not
   * leave the region the runs cross in one colour.
   */
  clip?: number;
  /** Which runs: "all" (default), a run's label, or its number counted from 1. */
  trajectory?: string;
  signal?: AbortSignal;
  /** Frames encoded so far. */
  onProgress?: (done: number, total: number) => void;
}

/** Bounds of the options (the CLI's error messages quote them). */
export const ANIMATE_LIMITS = {
  minSize: 64,
  maxSize: 2048,
  minFrames: 2,
  maxFrames: 2000,
  minFps: 1,
  maxFps: 50,
  /** frames x width x height: about a minute of encoding on this project's machine. */
  maxPixels: 250_000_000,
  defaultFrameCap: 240,
} as const;

/** How long the last frame stays before the loop restarts. */
const HOLD_LAST_MS = 1500;

/** Palette indices (see PALETTE). */
const BG = 0;
const TEXT = 1;
const AXIS = 2;
const HOLE = 3;
const OUTLINE = 4;
const RUN0 = 5;
const RUN_COLORS = [
  [255, 255, 255],
  [255, 69, 58],
  [90, 220, 255],
  [170, 255, 60],
  [255, 55, 200],
  [255, 159, 10],
  [255, 150, 180],
  [130, 150, 255],
];
/** Never drawn: marks the pixels a frame leaves as they were (gif.ts). */
const UNCHANGED = 15;
const RAMP0 = 16;
const RAMP_LEVELS = 240;

/** The palette index of the run at `index` in the trajectory section. */
const runColor = (index: number) => RUN0 + (index % RUN_COLORS.length);

/** The fixed palette of every frame: background, text, axes, holes, outline, run colours, viridis ramp. */
export function animationPalette(): GifPalette {
  const palette: number[][] = Array.from({ length: 256 }, () => [0, 0, 0]);
  palette[BG] = [24, 26, 32];
  palette[TEXT] = [232, 232, 236];
  palette[AXIS] = [140, 140, 150];
  palette[HOLE] = [64, 64, 72];
  palette[OUTLINE] = [0, 0, 0];
  RUN_COLORS.forEach((c, i) => {
    palette[RUN0 + i] = c;
  });
  for (let i = 0; i < RAMP_LEVELS; i++) {
    palette[RAMP0 + i] = viridis(i / (RAMP_LEVELS - 1)).map((v) => Math.round(v * 255));
  }
  return palette;
}

/** What an animation will draw, checked: every problem with the snapshot or the options throws before any drawing. */
interface AnimationPlan {
  width: number;
  height: number;
  frames: number;
  delayMs: number;
  metric: string;
  log: boolean;
  clip: number;
  runs: DrawnTrajectoryRun[];
  /** Each chosen run's place in the section (its colour follows it, whichever runs are drawn). */
  indices: number[];
  /** The step of the last frame. */
  totalSteps: number;
}

const isInt = (v: number) => Number.isInteger(v);

function checkRange(name: string, v: number, lo: number, hi: number, integer: boolean): void {
  if (!Number.isFinite(v) || (integer && !isInt(v)) || v < lo || v > hi) {
    throw new Error(`${name} must be ${integer ? "an integer" : "a number"} in [${lo}, ${hi}], got ${v}`);
  }
}

/** The indices of the chosen runs: all, one by label, or one by number (from 1). */
function chooseRuns(runs: DrawnTrajectoryRun[], which: string): number[] {
  if (which === "all") return runs.map((_, i) => i);
  const byLabel = runs.findIndex((r) => r.label === which);
  if (byLabel >= 0) return [byLabel];
  if (/^\d+$/.test(which)) {
    const k = Number(which);
    if (k >= 1 && k <= runs.length) return [k - 1];
  }
  const labels = runs.map((r) => `"${r.label}"`).join(", ");
  throw new Error(
    `trajectory "${which}": the snapshot's trajectories are ${labels}; give one of them, its number (1 to ${runs.length}) or all`,
  );
}

/**
 * Checks the snapshot and the options and resolves the defaults (see AnimateOptions). Throws an
 * Error naming the first problem: no trajectory to replay, a missing metric or run, an option out
 * of range, a size too small for the legend, or too many pixels in all.
 *
 * @example const plan = planAnimation(snapshot, { trajectory: "Adam" });
 */
export function planAnimation(snapshot: Snapshot, options: AnimateOptions = {}): AnimationPlan {
  const width = options.width ?? 480;
  const height = options.height ?? 400;
  const fps = options.fps ?? 12;
  const L = ANIMATE_LIMITS;
  checkRange("width", width, L.minSize, L.maxSize, true);
  checkRange("height", height, L.minSize, L.maxSize, true);
  checkRange("fps", fps, L.minFps, L.maxFps, false);
  if (options.frames !== undefined) checkRange("frames", options.frames, L.minFrames, L.maxFrames, true);
  const clip = options.clip ?? 0.98;
  if (!(Number.isFinite(clip) && clip > 0 && clip <= 1))
    throw new Error(`clip must be a number in (0, 1], got ${clip}`);
  checkSurfaceView(snapshot);
  const { name: metric } = pickSurface(snapshot, options.metric);
  const all = trajectoryRunsOf(snapshot.trajectory).filter((r) => r.x.length > 0);
  if (all.length === 0) {
    throw new Error(
      "the snapshot has no trajectory to replay (no trajectory section with checkpoints: its model was not trained by the lab, or an earlier version wrote it)",
    );
  }
  const indices = chooseRuns(all, options.trajectory ?? "all");
  const runs = indices.map((i) => all[i]);
  const axes = snapshot.grid.axes.length;
  for (const r of runs) {
    if (axes === 2 && !r.y)
      throw new Error(`trajectory "${r.label}" has no y coordinates for this 2-D landscape`);
    if (!r.x.some(Number.isFinite)) throw new Error(`trajectory "${r.label}" has no finite coordinates`);
  }
  const longest = Math.max(...runs.map((r) => r.x.length));
  const frames = options.frames ?? Math.min(L.defaultFrameCap, Math.max(L.minFrames, longest));
  if (frames * width * height > L.maxPixels) {
    throw new Error(
      `${frames} frames of ${width} x ${height} pixels are ${(frames * width * height).toLocaleString("en-US")} pixels, more than ${L.maxPixels.toLocaleString("en-US")}; use fewer frames or a smaller size`,
    );
  }
  const plan: AnimationPlan = {
    width,
    height,
    frames,
    delayMs: Math.max(20, Math.round(1000 / fps / 10) * 10),
    metric,
    log: options.log === true,
    clip,
    runs,
    indices,
    totalSteps: Math.max(0, ...runs.map((r) => r.steps.at(-1) ?? 0)),
  };
  frameLayout(snapshot, plan, plottedValues(snapshot, plan)); // throws when the size cannot hold the legend and axes
  return plan;
}

/** The plotted values of the metric (ln(v + 0.1) with log). */
function plottedValues(snapshot: Snapshot, plan: AnimationPlan): Float64Array {
  const { values } = pickSurface(snapshot, plan.metric);
  return Float64Array.from(values, (v) => (plan.log ? referenceLog(v) : v));
}

/** Where everything goes in a frame, and the scales drawn. */
interface Layout {
  scale: number;
  line: number;
  plot: { x0: number; y0: number; x1: number; y1: number };
  bar?: { x0: number; x1: number; labelX: number };
  titleY: number;
  yLabelY: number;
  xTicksY: number;
  xLabelY: number;
  legendY: number;
  /** The plotted values' range: the colours' (2-D) or the y axis' (1-D). */
  lo: number;
  hi: number;
  /** [plotted position, label] of the y axis and of the colour bar. */
  yTicks: [number, string][];
  barTicks: [number, string][];
}

function frameLayout(snapshot: Snapshot, plan: AnimationPlan, plotted: Float64Array): Layout {
  const scale = plan.width >= 800 ? 2 : 1;
  const line = (GLYPH_HEIGHT + 3) * scale;
  const pad = 4 * scale;
  const axes = snapshot.grid.axes;
  const twoD = axes.length === 2;
  let [lo, hi] = twoD ? colourRange(plotted, plan.clip) : paddedRange(plotted);
  if (!(hi > lo)) hi = lo + 1;
  const yTicks: [number, string][] = twoD
    ? niceTicks(axes[1].min, axes[1].max, 5).map((v) => [v, shortNumber(v)])
    : valueTicks(lo, hi, plan.log);
  const barTicks = twoD ? valueTicks(lo, hi, plan.log) : [];
  const widest = (ticks: [number, string][]) =>
    Math.max(0, ...ticks.map(([, label]) => textWidth(label, scale)));
  const titleY = pad;
  const yLabelY = titleY + line;
  const plotTop = yLabelY + line + 4 * scale;
  const legendRows = plan.runs.length;
  const bottom = plan.height - pad - legendRows * line;
  const xLabelY = bottom - line;
  const xTicksY = xLabelY - line;
  const plotBottom = xTicksY - 2 * scale;
  // Room for the first x tick label, centred on the plot's left edge, too.
  const plotLeft = pad + Math.max(widest(yTicks) + 4 * scale, 3 * textWidth("0", scale));
  const barWidth = twoD ? 10 * scale : 0;
  const right = plan.width - pad - (twoD ? widest(barTicks) + 4 * scale + barWidth + 6 * scale : 3 * scale);
  const layout: Layout = {
    scale,
    line,
    plot: { x0: plotLeft, y0: plotTop, x1: right, y1: plotBottom },
    titleY,
    yLabelY,
    xTicksY,
    xLabelY,
    legendY: bottom,
    lo,
    hi,
    yTicks,
    barTicks,
  };
  if (twoD) {
    const x0 = right + 6 * scale;
    layout.bar = { x0, x1: x0 + barWidth, labelX: x0 + barWidth + 4 * scale };
  }
  const w = layout.plot.x1 - layout.plot.x0;
  const h = layout.plot.y1 - layout.plot.y0;
  if (w < 32 || h < 32) {
    throw new Error(
      `${plan.width} x ${plan.height} pixels leave a plot of ${Math.max(0, w)} x ${Math.max(0, h)} beside the axes, colour bar and a legend of ${legendRows} run(s); use a larger size (at least 32 x 32 of plot)`,
    );
  }
  return layout;
}

/** About `count` round tick values over [lo, hi] (steps of 1, 2 or 5 times a power of ten). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi)) || hi <= lo) return Number.isFinite(lo) ? [lo] : [];
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  // The round step whose tick count is nearest to `count`.
  const step = [1, 2, 5, 10]
    .map((m) => m * power)
    .reduce((best, s) => (Math.abs((hi - lo) / s - count) < Math.abs((hi - lo) / best - count) ? s : best));
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

/**
 * Ticks of a metric's scale as [plotted position, label]: round values of the plotted range, or
 * with log (plotted ln(v + 0.1)) round values v of the metric itself (1, 2, 5 or 1, 3 or 1 times
 * powers of ten, 0 included) at ln(v + 0.1).
 */
export function valueTicks(lo: number, hi: number, log: boolean): [number, string][] {
  if (!log) return niceTicks(lo, hi, 4).map((v) => [v, shortNumber(v)]);
  const v0 = Math.exp(lo) - 0.1;
  const v1 = Math.exp(hi) - 0.1;
  const top = Math.ceil(Math.log10(Math.max(v1, 1e-300)));
  const bottom = Math.max(top - 12, Math.floor(Math.log10(Math.max(v0, 1e-300))));
  for (const mantissas of [[1, 2, 5], [1, 3], [1]]) {
    const values: number[] = v0 <= 0 && v1 >= 0 ? [0] : [];
    for (let k = bottom; k <= top; k++)
      for (const m of mantissas) {
        const v = Number((m * 10 ** k).toPrecision(12));
        if (v >= v0 && v <= v1 && v > 0) values.push(v);
      }
    if (values.length <= 6 && values.length >= 2)
      return values.map((v) => [Math.log(v + 0.1), shortNumber(v)]);
    if (values.length < 2) break;
  }
  return niceTicks(lo, hi, 4).map((v) => [v, shortNumber(Math.exp(v) - 0.1)]);
}

/** Short text of a number for labels: 3 significant digits, exponent form when very large or small. */
function shortNumber(v: number): string {
  if (!Number.isFinite(v)) return "n/a";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1).replace("e+", "e");
  return String(Number(v.toPrecision(3)));
}

/** Indexed-colour drawing with a clip rectangle. */
class Painter {
  clip: { x0: number; y0: number; x1: number; y1: number };

  constructor(readonly image: IndexedImage) {
    this.clip = { x0: 0, y0: 0, x1: image.width, y1: image.height };
  }

  set(x: number, y: number, c: number): void {
    const { clip } = this;
    if (x < clip.x0 || y < clip.y0 || x >= clip.x1 || y >= clip.y1) return;
    this.image.pixels[y * this.image.width + x] = c;
  }

  rect(x0: number, y0: number, x1: number, y1: number, c: number): void {
    for (let y = Math.round(y0); y < Math.round(y1); y++)
      for (let x = Math.round(x0); x < Math.round(x1); x++) this.set(x, y, c);
  }

  disc(cx: number, cy: number, r: number, c: number): void {
    const x = Math.round(cx);
    const y = Math.round(cy);
    const rr = r * r + r * 0.8;
    for (let dy = -Math.ceil(r); dy <= Math.ceil(r); dy++)
      for (let dx = -Math.ceil(r); dx <= Math.ceil(r); dx++)
        if (dx * dx + dy * dy <= rr) this.set(x + dx, y + dy, c);
  }

  ring(cx: number, cy: number, r: number, width: number, c: number): void {
    const x = Math.round(cx);
    const y = Math.round(cy);
    const outer = (r + 0.5) ** 2;
    const inner = Math.max(0, r - width + 0.5) ** 2;
    for (let dy = -r - 1; dy <= r + 1; dy++)
      for (let dx = -r - 1; dx <= r + 1; dx++) {
        const d = dx * dx + dy * dy;
        if (d <= outer && d >= inner) this.set(x + dx, y + dy, c);
      }
  }

  /** A line of the given thickness (square pen), by steps of at most half a pixel. */
  line(xa: number, ya: number, xb: number, yb: number, thickness: number, c: number): void {
    const n = Math.max(1, Math.ceil(2 * Math.max(Math.abs(xb - xa), Math.abs(yb - ya))));
    const half = Math.floor((thickness - 1) / 2);
    for (let i = 0; i <= n; i++) {
      const x = Math.round(xa + ((xb - xa) * i) / n) - half;
      const y = Math.round(ya + ((yb - ya) * i) / n) - half;
      for (let dy = 0; dy < thickness; dy++)
        for (let dx = 0; dx < thickness; dx++) this.set(x + dx, y + dy, c);
    }
  }

  text(x: number, y: number, s: string, c: number, scale: number): void {
    drawText(this.image, x, y, s, c, scale);
  }
}

/** Axis title: the direction's label and how it was made (PCA axes with their explained variance). */
function axisTitle(snapshot: Snapshot, i: number): string {
  const d = snapshot.directions[i];
  const axis = snapshot.grid.axes[i];
  const label = axis?.label ?? d?.label ?? (i === 0 ? "x" : "y");
  if (!d) return label;
  const explained = snapshot.trajectory?.explained?.[i];
  if (d.method === "pca" && explained !== undefined)
    return `${label}: PC${i + 1} (${(100 * explained).toFixed(1)}%)`;
  if (d.method === "random") return `${label}: random, ${d.normalization}`;
  return `${label}: ${d.method}${d.which ? ` ${d.which}` : ""}`;
}

/**
 * Draws the frames of a plan. The static part (heatmap or curve, axes, colour bar, labels) is
 * drawn once; each frame copies it and adds the trails, markers, title and legend.
 */
class AnimationRenderer {
  readonly palette = animationPalette();
  private readonly base: Uint8Array;
  private readonly frame: Uint8Array;
  private readonly layout: Layout;
  private readonly toPx: (x: number) => number;
  private readonly toPy: (x: number, y: number) => number;

  constructor(
    private readonly snapshot: Snapshot,
    readonly plan: AnimationPlan,
  ) {
    const values = plottedValues(snapshot, plan);
    this.layout = frameLayout(snapshot, plan, values);
    this.base = new Uint8Array(plan.width * plan.height);
    this.frame = new Uint8Array(plan.width * plan.height);
    const { plot } = this.layout;
    const axes = snapshot.grid.axes;
    const ax = axes[0];
    const w = plot.x1 - plot.x0 - 1;
    const h = plot.y1 - plot.y0 - 1;
    this.toPx = (x) => plot.x0 + ((x - ax.min) / (ax.max - ax.min)) * w;
    if (axes.length === 2) {
      const ay = axes[1];
      this.toPy = (_x, y) => plot.y1 - 1 - ((y - ay.min) / (ay.max - ay.min)) * h;
      this.drawHeatmap(values);
    } else {
      const { lo, hi } = this.layout;
      const xs = axisValues(ax);
      const at = (x: number) => interpolate1d(xs, values, x);
      this.toPy = (x) => plot.y1 - 1 - ((at(x) - lo) / (hi - lo)) * h;
      this.drawCurve(values, lo, hi);
    }
  }

  private painter(pixels: Uint8Array): Painter {
    return new Painter({ width: this.plan.width, height: this.plan.height, pixels });
  }

  private drawFrameAndXAxis(p: Painter): void {
    const { plot, scale, xTicksY, xLabelY } = this.layout;
    const ax = this.snapshot.grid.axes[0];
    p.rect(plot.x0 - scale, plot.y0 - scale, plot.x1 + scale, plot.y0, AXIS);
    p.rect(plot.x0 - scale, plot.y1, plot.x1 + scale, plot.y1 + scale, AXIS);
    p.rect(plot.x0 - scale, plot.y0, plot.x0, plot.y1, AXIS);
    p.rect(plot.x1, plot.y0, plot.x1 + scale, plot.y1, AXIS);
    for (const v of niceTicks(ax.min, ax.max, 5)) {
      const x = Math.round(this.toPx(v));
      p.rect(x, plot.y1 + scale, x + scale, plot.y1 + 3 * scale, AXIS);
      const s = shortNumber(v);
      p.text(x - textWidth(s, scale) / 2, xTicksY + scale, s, TEXT, scale);
    }
    const title = axisTitle(this.snapshot, 0);
    p.text((plot.x0 + plot.x1 - textWidth(title, scale)) / 2, xLabelY + scale, title, TEXT, scale);
  }

  private yTicks(p: Painter, lo: number, hi: number, ticks: [number, string][]): void {
    const { plot, scale } = this.layout;
    const h = plot.y1 - plot.y0 - 1;
    for (const [v, s] of ticks) {
      const y = Math.round(plot.y1 - 1 - ((v - lo) / (hi - lo)) * h);
      p.rect(plot.x0 - 3 * scale, y, plot.x0 - scale, y + scale, AXIS);
      p.text(plot.x0 - 4 * scale - textWidth(s, scale), y - (GLYPH_HEIGHT * scale) / 2, s, TEXT, scale);
    }
  }

  private drawHeatmap(values: Float64Array): void {
    const p = this.painter(this.base);
    const { plot, bar, scale, yLabelY } = this.layout;
    const [ax, ay] = this.snapshot.grid.axes;
    const nx = ax.count;
    const ny = ay.count;
    const { lo, hi } = this.layout;
    const span = hi - lo;
    const color = (v: number) =>
      Number.isFinite(v)
        ? RAMP0 + Math.round(Math.min(1, Math.max(0, (v - lo) / span)) * (RAMP_LEVELS - 1))
        : HOLE;
    const w = plot.x1 - plot.x0;
    const h = plot.y1 - plot.y0;
    for (let py = 0; py < h; py++) {
      const gy = (1 - py / Math.max(1, h - 1)) * (ny - 1);
      const iy = Math.min(ny - 2, Math.floor(gy));
      const fy = gy - iy;
      for (let px = 0; px < w; px++) {
        const gx = (px / Math.max(1, w - 1)) * (nx - 1);
        const ix = Math.min(nx - 2, Math.floor(gx));
        const fx = gx - ix;
        const a = values[iy * nx + ix];
        const b = values[iy * nx + ix + 1];
        const c = values[(iy + 1) * nx + ix];
        const d = values[(iy + 1) * nx + ix + 1];
        let v: number;
        if (Number.isFinite(a) && Number.isFinite(b) && Number.isFinite(c) && Number.isFinite(d)) {
          v = (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
        } else {
          v = values[(fy < 0.5 ? iy : iy + 1) * nx + (fx < 0.5 ? ix : ix + 1)];
        }
        p.set(plot.x0 + px, plot.y0 + py, color(v));
      }
    }
    this.drawFrameAndXAxis(p);
    this.yTicks(p, ay.min, ay.max, this.layout.yTicks);
    p.text(
      plot.x0 - 4 * scale - textWidth("0", scale),
      yLabelY + scale,
      axisTitle(this.snapshot, 1),
      TEXT,
      scale,
    );
    if (!bar) return;
    // The colour bar: the ramp bottom (low) to top (high), ticks labelled in the metric's own units.
    for (let py = 0; py < h; py++) {
      const t = 1 - py / Math.max(1, h - 1);
      p.rect(bar.x0, plot.y0 + py, bar.x1, plot.y0 + py + 1, RAMP0 + Math.round(t * (RAMP_LEVELS - 1)));
    }
    p.rect(bar.x0 - scale, plot.y0 - scale, bar.x1 + scale, plot.y0, AXIS);
    p.rect(bar.x0 - scale, plot.y1, bar.x1 + scale, plot.y1 + scale, AXIS);
    for (const [v, s] of this.layout.barTicks) {
      const y = Math.round(plot.y1 - 1 - ((v - lo) / span) * (h - 1));
      p.rect(bar.x1, y, bar.x1 + 2 * scale, y + scale, AXIS);
      p.text(bar.labelX, y - (GLYPH_HEIGHT * scale) / 2, s, TEXT, scale);
    }
  }

  private drawCurve(values: Float64Array, lo: number, hi: number): void {
    const p = this.painter(this.base);
    const { plot, scale, yLabelY } = this.layout;
    const xs = axisValues(this.snapshot.grid.axes[0]);
    const h = plot.y1 - plot.y0 - 1;
    const py = (v: number) => plot.y1 - 1 - ((v - lo) / (hi - lo)) * h;
    p.clip = plot;
    for (let i = 0; i + 1 < xs.length; i++) {
      if (!Number.isFinite(values[i]) || !Number.isFinite(values[i + 1])) continue;
      p.line(this.toPx(xs[i]), py(values[i]), this.toPx(xs[i + 1]), py(values[i + 1]), scale, RAMP0 + 120);
    }
    p.clip = { x0: 0, y0: 0, x1: this.plan.width, y1: this.plan.height };
    this.drawFrameAndXAxis(p);
    this.yTicks(p, lo, hi, this.layout.yTicks);
    p.text(plot.x0 - 4 * scale - textWidth("0", scale), yLabelY + scale, this.plan.metric, TEXT, scale);
  }

  /** Frame i's palette indices (the same buffer every call: copy it to keep it). */
  render(i: number): Uint8Array {
    const { plan, layout } = this;
    const { plot, scale, line } = layout;
    this.frame.set(this.base);
    const p = this.painter(this.frame);
    const t = plan.frames > 1 ? (plan.totalSteps * i) / (plan.frames - 1) : plan.totalSteps;
    const states = plan.runs.map((r) => runStateAt(r, t));
    const pen = Math.max(1, scale);
    const radius = 2 + 2 * scale;
    p.clip = plot;
    plan.runs.forEach((run) => {
      const first = run.x.findIndex(Number.isFinite);
      if (first >= 0)
        p.ring(
          this.toPx(run.x[first]),
          this.toPy(run.x[first], run.y?.[first] ?? 0),
          radius + 1,
          scale,
          TEXT,
        );
    });
    plan.runs.forEach((run, r) => {
      const color = runColor(plan.indices[r]);
      const st = states[r];
      let prev: [number, number] | null = null;
      for (let k = 0; k <= st.k; k++) {
        if (!Number.isFinite(run.x[k]) || (run.y && !Number.isFinite(run.y[k]))) continue;
        const pt: [number, number] = [this.toPx(run.x[k]), this.toPy(run.x[k], run.y?.[k] ?? 0)];
        if (prev) p.line(prev[0], prev[1], pt[0], pt[1], pen, color);
        prev = pt;
      }
      if (Number.isFinite(st.x) && (!run.y || Number.isFinite(st.y))) {
        const cur: [number, number] = [this.toPx(st.x), this.toPy(st.x, st.y)];
        if (prev) p.line(prev[0], prev[1], cur[0], cur[1], pen, color);
      }
    });
    plan.runs.forEach((run, r) => {
      const st = states[r];
      if (!Number.isFinite(st.x) || (run.y && !Number.isFinite(st.y))) return;
      const cx = this.toPx(st.x);
      const cy = this.toPy(st.x, st.y);
      p.disc(cx, cy, radius, OUTLINE);
      p.disc(cx, cy, radius - Math.max(1, scale), runColor(plan.indices[r]));
    });
    p.clip = { x0: 0, y0: 0, x1: plan.width, y1: plan.height };
    const lead = states[0];
    const epoch = Number.isFinite(lead.epoch) ? Math.floor(lead.epoch + 1e-9) : 0;
    const title = `${plan.metric}${plan.log ? " (log)" : ""}   step ${Math.floor(t + 1e-9)}/${plan.totalSteps}   epoch ${epoch}`;
    p.text(plot.x0, layout.titleY + scale, title, TEXT, scale);
    plan.runs.forEach((run, r) => {
      const y = layout.legendY + r * line + scale;
      const color = runColor(plan.indices[r]);
      const x = plot.x0;
      p.rect(x, y, x + 7 * scale, y + 7 * scale, OUTLINE);
      p.rect(x + scale, y + scale, x + 6 * scale, y + 6 * scale, color);
      const st = states[r];
      let text = `${run.label}  loss ${shortNumber(st.loss)}`;
      if (Number.isFinite(st.accuracy)) text += `  acc ${(100 * st.accuracy).toFixed(1)}%`;
      const lambda = run.final?.lambdaMax;
      if (lambda !== undefined && lambda !== null) text += `  end λmax ${shortNumber(lambda)}`;
      p.text(x + 10 * scale, y, text, TEXT, scale);
    });
    return this.frame;
  }
}

/** The colour range: the smallest finite value to the `clip` quantile of the finite values. */
function colourRange(values: ArrayLike<number>, clip: number): [number, number] {
  const finite = Float64Array.from(Array.prototype.filter.call(values, Number.isFinite) as number[]);
  if (finite.length === 0) return [0, 1];
  finite.sort();
  const hi = finite[Math.min(finite.length - 1, Math.floor(clip * (finite.length - 1)))];
  return [finite[0], hi];
}

/** [lo, hi] of the finite values with 5% room on each side (a flat curve gets +-1). */
function paddedRange(values: Float64Array): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!Number.isFinite(lo)) return [0, 1];
  if (hi <= lo) return [lo - 1, hi + 1];
  const pad = 0.05 * (hi - lo);
  return [lo - pad, hi + pad];
}

/** Linear interpolation of (xs, values) at x, clamped to the ends. */
function interpolate1d(xs: Float64Array, values: Float64Array, x: number): number {
  const n = xs.length;
  if (x <= xs[0]) return values[0];
  if (x >= xs[n - 1]) return values[n - 1];
  const f = ((x - xs[0]) / (xs[n - 1] - xs[0])) * (n - 1);
  const i = Math.min(n - 2, Math.floor(f));
  return lerp(values[i], values[i + 1], f - i);
}

/**
 * The replay as an animated GIF (see the module comment). Throws before drawing anything when the
 * snapshot or the options are unusable (planAnimation); rejects with the signal's reason on cancel.
 *
 * @example const bytes = await animationToGif(snapshot, { trajectory: "all", fps: 15 });
 */
export async function animationToGif(snapshot: Snapshot, options: AnimateOptions = {}): Promise<Uint8Array> {
  const plan = planAnimation(snapshot, options);
  const renderer = new AnimationRenderer(snapshot, plan);
  return encodeGif({
    width: plan.width,
    height: plan.height,
    palette: renderer.palette,
    count: plan.frames,
    frame: (i) => renderer.render(i),
    delay: (i) => (i === plan.frames - 1 ? Math.max(plan.delayMs, HOLD_LAST_MS) : plan.delayMs),
    unchanged: UNCHANGED,
    signal: options.signal,
    onProgress: options.onProgress,
  });
}
