/**
 * "Is my plot right?": plain-language findings about a landscape that is computed correctly but
 * may not show what its reader thinks (the reference tool's users ask exactly this:
 * tomgoldstein/loss-landscape #44, #47, #36, #25, #1). Pure: the one check that needs the model
 * evaluated (the surface at the origin vs the model's own loss) takes that loss as an input
 * (origin-loss.ts computes it).
 *
 * Checks, each with an id the CLI's --json and the app's panel use:
 * - `origin-loss`: the surface at (0, 0) (theta itself) differs from the model's loss at theta on
 *   the training data: the surfaces were computed for another model, other data or other batch
 *   norm statistics (typical of an imported .h5 paired with the wrong base).
 * - `no-origin`: theta lies outside the grid's range, so nothing on the plot is the trained model.
 * - `normalization`: a random direction is not filter- or layer-normalized: the plot's scale is
 *   the weights' scale and plots of two models cannot be compared (Li et al. 2018, section 4).
 *   PCA and Hessian directions are unit vectors in parameter space on purpose (their coordinates
 *   are distances), so they are not flagged.
 * - `bias`: biases are perturbed (the reference tool's default zeroes them: `ignore='biasbn'`).
 * - `wide-range`: with filter (or layer) normalization a coordinate of 1 already moves every
 *   filter by its own norm; beyond |1.5| most of the picture is the blow-up far from the minimum.
 * - `minimum-at-edge`: the lowest train loss is on the grid's border: the basin goes on outside.
 * - `coarse-grid`: a grid step, in parameter space (step x |d|), is wider than 1/sqrt(lambda_max),
 *   the distance over which the loss rises by 1/2 along the sharpest direction: curvature that
 *   sharp cannot show between two grid points.
 * - `holes`: NaN or Infinity values, drawn as holes.
 * - `accuracy-units`: an accuracy surface over 1: percent where fractions are expected (the
 *   reference .h5 stores percent; our import converts it, a hand-made file may not).
 * - `off-plane`: a PCA plane explains under half of the checkpoints' variance, or, on a plane that
 *   is not random (Hessian, imported), the trajectory lies mostly off it (its checkpoints' distance
 *   from the plane exceeds their distance within it), so the drawn path is a shadow. On a random
 *   plane it always does (Li et al. 2018, section 7: random directions are nearly orthogonal to
 *   the low-dimensional path), so saying it would be noise: the path there is a projection by
 *   construction.
 *
 * @example reviewLandscape(snapshot, { originLoss: 0.231 }); // [] when nothing is suspicious
 */
import type { SurfaceView } from "../export/surface-view";
import { axisCoordinate, surfaceStats } from "../snapshot/summary";

export const REVIEW_CHECKS = [
  "origin-loss",
  "no-origin",
  "normalization",
  "bias",
  "wide-range",
  "minimum-at-edge",
  "coarse-grid",
  "holes",
  "accuracy-units",
  "off-plane",
] as const;
export type ReviewCheck = (typeof REVIEW_CHECKS)[number];

export interface Finding {
  check: ReviewCheck;
  /** One or two sentences: what is suspicious, the figures, and what to do. */
  message: string;
}

/** What the review reads of a direction (a snapshot's, or nothing for a bare surface file). */
interface ReviewDirection {
  label: string;
  method: string;
  normalization: string;
  bias: string;
  values?: Float32Array;
}

/** A snapshot, or any surface view (an imported .h5) with what is known of its directions. */
interface ReviewInput extends SurfaceView {
  directions?: readonly ReviewDirection[];
  /** The snapshot's curvature section (only `top.values` is read). */
  curvature?: { top?: { values?: readonly number[] } } | null;
  /** The training section (only the last `sharpness.lambdaMax` is read). */
  training?: unknown;
  /** The trajectory section, any version (see offPlaneFinding). */
  trajectory?: unknown;
}

interface ReviewOptions {
  /** The model's own loss at theta on the training data (origin-loss.ts); skipped when absent. */
  originLoss?: number;
  /** Relative tolerance of origin-loss (default 1e-3: float32 sums in another order differ by ~1e-6). */
  originTolerance?: number;
}

/** Up to 4 significant digits. */
function num(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

/**
 * Index of the grid point at the origin (every coordinate 0 within 1e-9 of the axis span), -1
 * when 0 is inside every axis's range but not a grid point, -2 when it is outside one.
 */
function originIndex(view: SurfaceView): number {
  if (view.grid.axes.some((a) => a.min > 0 || a.max < 0)) return -2;
  let flat = 0;
  let stride = 1;
  for (const axis of view.grid.axes) {
    const span = axis.max - axis.min;
    let hit = -1;
    for (let k = 0; k < axis.count; k++) if (Math.abs(axisCoordinate(axis, k)) <= 1e-9 * span) hit = k;
    if (hit < 0) return -1;
    flat += hit * stride;
    stride *= axis.count;
  }
  return flat;
}

function norm(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/** The largest Hessian eigenvalue the snapshot records: the curvature report's, else the last tracked. */
function lambdaMaxOf(input: ReviewInput): number | null {
  const top = input.curvature?.top?.values?.[0];
  if (typeof top === "number" && Number.isFinite(top)) return top;
  const sharpness = (input.training as { sharpness?: { lambdaMax?: unknown } } | undefined)?.sharpness;
  const series = sharpness?.lambdaMax;
  if (Array.isArray(series)) {
    const last = series.at(-1);
    if (typeof last === "number" && Number.isFinite(last)) return last;
  }
  return null;
}

function originFindings(input: ReviewInput, opts: ReviewOptions): Finding[] {
  const at = originIndex(input);
  if (at === -1) return [];
  if (at < 0) {
    return [
      {
        check: "no-origin",
        message:
          `the grid's range (${input.grid.axes.map((a) => `${a.label} in [${num(a.min)}, ${num(a.max)}]`).join(", ")}) does not ` +
          "reach the origin (theta, the trained model): nothing on the plot is the model itself; use a range around 0",
      },
    ];
  }
  const surface = input.surfaces.train_loss;
  if (opts.originLoss === undefined || !surface) return [];
  const drawn = surface[at];
  const own = opts.originLoss;
  const tolerance = opts.originTolerance ?? 1e-3;
  if (Number.isFinite(drawn) && Math.abs(drawn - own) <= tolerance * Math.max(Math.abs(own), 1e-6)) return [];
  return [
    {
      check: "origin-loss",
      message:
        `the surface at the origin is ${num(drawn)} but the model's own train loss at theta is ${num(own)}: ` +
        "these surfaces were not computed for this model and data (another checkpoint, other data, or other batch norm statistics)",
    },
  ];
}

function directionFindings(input: ReviewInput): Finding[] {
  const out: Finding[] = [];
  for (const d of input.directions ?? []) {
    if (d.method === "random" && (d.normalization === "none" || d.normalization === "model")) {
      const how =
        d.normalization === "none" ? "not normalized" : "normalized as a whole (model), not per filter";
      out.push({
        check: "normalization",
        message:
          `direction ${d.label} (${d.method}) is ${how}: the plot's scale is the weights' scale, so plots of two ` +
          "models cannot be compared; filter normalization (Li et al. 2018) makes them comparable",
      });
    }
    if (d.bias !== "zero" && d.method === "random") {
      out.push({
        check: "bias",
        message:
          `direction ${d.label} perturbs the biases (bias ${d.bias}); the reference tool zeroes them by default ` +
          "(ignore='biasbn'), so its plots of the same model differ",
      });
    }
  }
  return out;
}

function rangeFindings(input: ReviewInput): Finding[] {
  const out: Finding[] = [];
  const normalized = (input.directions ?? []).filter(
    (d) => d.normalization === "filter" || d.normalization === "layer",
  );
  const { axes } = input.grid;
  if (normalized.length > 0) {
    const reach = Math.max(...axes.map((a) => Math.max(Math.abs(a.min), Math.abs(a.max))));
    if (reach > 1.5)
      out.push({
        check: "wide-range",
        message:
          `the grid reaches +-${num(reach)} along ${normalized[0].normalization}-normalized directions: a coordinate of 1 ` +
          "already moves every filter by its own norm, so most of this plot is the blow-up far from the minimum; " +
          "Li et al. plot [-1, 1]",
      });
  }
  const loss = input.surfaces.train_loss;
  if (loss) {
    const st = surfaceStats(loss, axes);
    const onEdge = st.argminIndex.some((k, a) => k === 0 || k === axes[a].count - 1);
    if (st.argmin >= 0 && onEdge) {
      const at = st.argminCoords.map((c, a) => `${axes[a].label}=${num(c)}`).join(", ");
      out.push({
        check: "minimum-at-edge",
        message: `the lowest train loss (${num(st.min)}) is on the grid's edge at ${at}: the basin goes on outside the plot; widen the range or centre it there`,
      });
    }
  }
  return out;
}

function coarseGridFindings(input: ReviewInput): Finding[] {
  const lambda = lambdaMaxOf(input);
  const dirs = input.directions ?? [];
  if (lambda === null || lambda <= 0 || dirs.length !== input.grid.axes.length) return [];
  const width = 1 / Math.sqrt(lambda);
  const out: Finding[] = [];
  input.grid.axes.forEach((axis, a) => {
    const values = dirs[a].values;
    if (!values) return;
    const step = ((axis.max - axis.min) / (axis.count - 1)) * norm(values);
    if (step > width)
      out.push({
        check: "coarse-grid",
        message:
          `a grid step along ${axis.label} moves the weights by ${num(step)} (step x |d|), more than 1/sqrt(lambda_max) = ` +
          `${num(width)} (lambda_max ${num(lambda)}): curvature that sharp cannot show between two grid points; ` +
          `use at least ${Math.ceil(((axis.max - axis.min) * norm(values)) / width) + 1} points or a narrower range`,
      });
  });
  return out;
}

function surfaceFindings(input: ReviewInput): Finding[] {
  const out: Finding[] = [];
  for (const [name, values] of Object.entries(input.surfaces)) {
    let holes = 0;
    let max = Number.NEGATIVE_INFINITY;
    for (const v of values) {
      if (!Number.isFinite(v)) holes++;
      else if (v > max) max = v;
    }
    if (holes > 0)
      out.push({
        check: "holes",
        message: `${name}: ${holes} of ${values.length} grid points are NaN or Infinity (drawn as holes): the loss overflowed there, or they were never computed`,
      });
    if (name.endsWith("accuracy") && max > 1)
      out.push({
        check: "accuracy-units",
        message: `${name} reaches ${num(max)}: accuracies are fractions in [0, 1] here, so these look like percent (the reference tool's .h5 stores percent; divide by 100)`,
      });
  }
  return out;
}

/** Numbers of a column that may hold nulls. */
function column(v: unknown): number[] | null {
  if (!Array.isArray(v)) return null;
  return v.map((x) => (typeof x === "number" ? x : Number.NaN));
}

function median(values: number[]): number {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The trajectory off its plane. Runs (the `runs` of the current section, or the top-level
 * columns of older ones) with `offPlane` are compared with their in-plane distance
 * sqrt(c^T G c), G the directions' Gram matrix: the median of offPlane / in-plane over the
 * checkpoints after the first (which is theta's own start, usually off the plane as well). A PCA
 * plane is judged by `explained`.
 */
function offPlaneFindings(input: ReviewInput): Finding[] {
  const t = input.trajectory as
    | { method?: unknown; explained?: unknown; runs?: unknown; x?: unknown; y?: unknown; offPlane?: unknown }
    | undefined;
  if (!t || typeof t !== "object") return [];
  const out: Finding[] = [];
  const explained = column(t.explained);
  if (t.method === "pca" && explained && explained.length > 0) {
    const total = explained.reduce((s, v) => s + (Number.isFinite(v) ? v : 0), 0);
    if (total < 0.5)
      out.push({
        check: "off-plane",
        message: `the PCA plane explains ${num(total * 100)}% of the checkpoints' variance: most of the training path is off the plot, so the drawn path is a rough shadow`,
      });
    return out;
  }
  const directions = input.directions ?? [];
  if (directions.every((d) => d.method === "random")) return out;
  const dirs = directions.map((d) => d.values);
  if (dirs.length === 0 || dirs.some((d) => !d)) return out;
  const gram = dirs.map((a) => dirs.map((b) => dot(a as Float32Array, b as Float32Array)));
  const runs = Array.isArray(t.runs) ? (t.runs as Record<string, unknown>[]) : [t as Record<string, unknown>];
  for (const run of runs) {
    const off = column(run.offPlane);
    const xs = column(run.x);
    if (!off || !xs) continue;
    const ys = column(run.y);
    const ratios: number[] = [];
    for (let k = 1; k < off.length; k++) {
      const c = ys ? [xs[k], ys[k]] : [xs[k]];
      let q = 0;
      for (let i = 0; i < c.length; i++) for (let j = 0; j < c.length; j++) q += c[i] * gram[i][j] * c[j];
      const inPlane = Math.sqrt(Math.max(q, 0));
      if (Number.isFinite(off[k]) && inPlane > 0) ratios.push(off[k] / inPlane);
    }
    const m = median(ratios);
    if (m > 1) {
      const label = typeof run.label === "string" ? `run ${run.label}` : "the training trajectory";
      out.push({
        check: "off-plane",
        message:
          `${label} lies mostly off the plane: its checkpoints are a median ${num(m)} times farther from the plane than ` +
          "their drawn position is from theta, so the drawn path is a shadow of the real one (a PCA plane of the checkpoints holds it)",
      });
    }
  }
  return out;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Every finding about `input`, in REVIEW_CHECKS order; empty when nothing is suspicious. */
export function reviewLandscape(input: ReviewInput, opts: ReviewOptions = {}): Finding[] {
  const findings = [
    ...originFindings(input, opts),
    ...directionFindings(input),
    ...rangeFindings(input),
    ...coarseGridFindings(input),
    ...surfaceFindings(input),
    ...offPlaneFindings(input),
  ];
  return findings.sort((a, b) => REVIEW_CHECKS.indexOf(a.check) - REVIEW_CHECKS.indexOf(b.check));
}
