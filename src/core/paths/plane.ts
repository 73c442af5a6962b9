import type { Grid } from "../landscape/grid";
import type { LandscapeProblem } from "../landscape/surfaces";
import { modelLayout } from "../model/architecture";
import { assertFiniteNumber, assertInteger } from "./check";
import {
  assertCurve,
  type Curve,
  centredGram,
  centredSquaredNorm,
  curveCoefficients,
  unitTValues,
} from "./curves";
import type { PathModel } from "./evaluate";

/**
 * The plane through theta1, theta2 and one bend of a curve, as Garipov et al. (2018) draw the
 * loss around a trained curve (their plane.py): Gram-Schmidt in parameter space,
 *   u = (theta2 - theta1) / |theta2 - theta1|,
 *   v = r / |r| with r = (bend - theta1) - <bend - theta1, u> u,
 * origin theta1, and a point w has plane coordinates (x, y) = (<w - theta1, u>, <w - theta1, v>).
 * So theta1 is (0, 0), theta2 is (|theta2 - theta1|, 0) and the bend is (<b - theta1, u>, |r|).
 *
 * The directions are orthonormal in the full parameter space and are NOT rescaled per filter or
 * layer: in snapshot terms their normalization is "none", and grid coordinates are distances in
 * parameter space. The point at grid coordinates (x, y) is theta1 + x u + y v, so
 * sampleLandscape(planeLandscapeProblem(model, plane), planeGrid(plane, 51, 51), evaluator)
 * computes the surface on this plane.
 */
export interface CurvePlane {
  /** theta1. */
  origin: Float32Array;
  /** [u, v], unit vectors, orthogonal. */
  directions: [Float32Array, Float32Array];
  normalization: "none";
  /** Which bend (0-based among the bends) spans the plane with the endpoints. */
  bendIndex: number;
  /** Plane coordinates of every curve point [theta1, bends..., theta2]: [K, 2] row-major. */
  points: Float32Array;
  /** Distance of each curve point from the plane (0 for the three that span it). */
  pointsOffPlane: Float32Array;
  /** The curve projected: t values, coordinates [T, 2] and distance from the plane. */
  curve: { t: Float32Array; coords: Float32Array; offPlane: Float32Array };
  /** The straight segment theta1 -> theta2 at the same t values: [T, 2] (on the x axis). */
  segment: Float32Array;
  /** A grid range covering all of the above with a margin on every side. */
  range: { x: [number, number]; y: [number, number] };
}

interface CurvePlaneOptions {
  /** Which bend spans the plane; default the middle one, floor(k / 2) (bend 2 of 3, bend 1 of 1). */
  bendIndex?: number;
  /** Number of t values of the projected curve and segment. Default 61. */
  count?: number;
  /** Margin on each side, as a fraction of the larger extent of the points. Default 0.25. */
  margin?: number;
}

/** Relative size below which the bend counts as lying on the line theta1 theta2. */
const COLLINEAR_TOLERANCE = 1e-6;

/**
 * The plane of a curve with its points and the projected curve in plane coordinates.
 *
 * @example const plane = curvePlane(trained.curve); plane.points // [0, 0, bx, by, |d|, 0]
 */
export function curvePlane(curve: Curve, options: CurvePlaneOptions = {}): CurvePlane {
  assertCurve(curve);
  const k = curve.points.length - 2;
  const bendIndex = options.bendIndex ?? Math.floor(k / 2);
  if (!Number.isInteger(bendIndex) || bendIndex < 0 || bendIndex >= k) {
    throw new Error(
      `bendIndex must be an integer in [0, ${k - 1}] for a curve with ${k} bends, got ${bendIndex}`,
    );
  }
  const count = options.count ?? 61;
  assertInteger(count, 2, "count of t values");
  const margin = options.margin ?? 0.25;
  assertFiniteNumber(margin, "margin");
  if (margin < 0) throw new Error(`margin must be >= 0, got ${margin}`);

  const theta1 = curve.points[0];
  const theta2 = curve.points[k + 1];
  const bend = curve.points[bendIndex + 1];
  const d = theta1.length;
  const u = new Float64Array(d);
  let du = 0;
  for (let i = 0; i < d; i++) {
    u[i] = theta2[i] - theta1[i];
    du += u[i] * u[i];
  }
  const dist = Math.sqrt(du);
  if (!(dist > 0)) throw new Error("theta1 and theta2 coincide: the plane of the curve is undefined");
  for (let i = 0; i < d; i++) u[i] /= dist;
  const v = new Float64Array(d);
  let bu = 0;
  let bb = 0;
  for (let i = 0; i < d; i++) {
    const r = bend[i] - theta1[i];
    bu += r * u[i];
    bb += r * r;
  }
  let rr = 0;
  for (let i = 0; i < d; i++) {
    v[i] = bend[i] - theta1[i] - bu * u[i];
    rr += v[i] * v[i];
  }
  const rn = Math.sqrt(rr);
  if (!(rn > COLLINEAR_TOLERANCE * Math.max(dist, Math.sqrt(bb)))) {
    throw new Error(
      `bend ${bendIndex + 1} lies on the line through theta1 and theta2 (distance ${rn.toPrecision(3)}): ` +
        "the plane is undefined; train the curve first or choose another bend",
    );
  }
  for (let i = 0; i < d; i++) v[i] /= rn;

  // Coordinates of every curve point, in float64.
  const kk = k + 2;
  const px = new Float64Array(kk);
  const py = new Float64Array(kk);
  curve.points.forEach((p, j) => {
    let x = 0;
    let y = 0;
    for (let i = 0; i < d; i++) {
      const r = p[i] - theta1[i];
      x += r * u[i];
      y += r * v[i];
    }
    px[j] = x;
    py[j] = y;
  });
  const gram = centredGram(curve.points);
  const points = new Float32Array(kk * 2);
  const pointsOffPlane = new Float32Array(kk);
  const oneHot = new Float64Array(kk);
  for (let j = 0; j < kk; j++) {
    points[2 * j] = px[j];
    points[2 * j + 1] = py[j];
    oneHot.fill(0);
    oneHot[j] = 1;
    pointsOffPlane[j] = offPlane(centredSquaredNorm(gram, oneHot), px[j], py[j]);
  }
  // Spanning points are in the plane by construction; clear their rounding noise.
  pointsOffPlane[0] = 0;
  pointsOffPlane[bendIndex + 1] = 0;
  pointsOffPlane[kk - 1] = 0;

  const t = unitTValues(count);
  const coords = new Float32Array(count * 2);
  const curveOff = new Float32Array(count);
  const segment = new Float32Array(count * 2);
  const c = new Float64Array(kk);
  for (let i = 0; i < count; i++) {
    curveCoefficients(curve.kind, k, t[i], c);
    let x = 0;
    let y = 0;
    for (let j = 0; j < kk; j++) {
      x += c[j] * px[j];
      y += c[j] * py[j];
    }
    coords[2 * i] = x;
    coords[2 * i + 1] = y;
    curveOff[i] = offPlane(centredSquaredNorm(gram, c), x, y);
    segment[2 * i] = t[i] * dist;
  }

  let xMin = 0;
  let xMax = dist;
  let yMin = 0;
  let yMax = 0;
  const extend = (x: number, y: number) => {
    xMin = Math.min(xMin, x);
    xMax = Math.max(xMax, x);
    yMin = Math.min(yMin, y);
    yMax = Math.max(yMax, y);
  };
  for (let j = 0; j < kk; j++) extend(px[j], py[j]);
  for (let i = 0; i < count; i++) extend(coords[2 * i], coords[2 * i + 1]);
  const pad = margin * Math.max(xMax - xMin, yMax - yMin);

  return {
    origin: theta1.slice(),
    directions: [Float32Array.from(u), Float32Array.from(v)],
    normalization: "none",
    bendIndex,
    points,
    pointsOffPlane,
    curve: { t, coords, offPlane: curveOff },
    segment,
    range: { x: [xMin - pad, xMax + pad], y: [yMin - pad, yMax + pad] },
  };
}

/** sqrt(max(0, |w - theta1|^2 - x^2 - y^2)). */
function offPlane(squaredNorm: number, x: number, y: number): number {
  return Math.sqrt(Math.max(0, squaredNorm - x * x - y * y));
}

/**
 * A landscape grid over the plane's suggested range.
 *
 * @example const grid = planeGrid(plane, 41, 41);
 */
export function planeGrid(plane: CurvePlane, countX: number, countY = countX): Grid {
  assertInteger(countX, 2, "countX");
  assertInteger(countY, 2, "countY");
  return {
    axes: [
      { label: "x", min: plane.range.x[0], max: plane.range.x[1], count: countX },
      { label: "y", min: plane.range.y[0], max: plane.range.y[1], count: countY },
    ],
  };
}

/**
 * The landscape sampling problem of the plane: centre theta1, directions [u, v].
 *
 * @example const s = await sampleLandscape(planeLandscapeProblem(model, plane), planeGrid(plane, 41), evaluator);
 */
export function planeLandscapeProblem(model: PathModel, plane: CurvePlane): LandscapeProblem {
  return {
    arch: model.arch,
    loss: model.loss,
    layout: modelLayout(model.arch),
    theta: plane.origin,
    directions: plane.directions,
    dataset: model.dataset,
    train: model.dataset.train,
    test: model.dataset.test,
  };
}
