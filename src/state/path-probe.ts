/**
 * A point w(t) on a path of a snapshot's `paths` section, for the paths panel's t slider: its
 * parameters (a weighted sum of the path's stored points, so the main thread computes it without
 * tfjs), its plane coordinates (where to mark it on the plane's surface) and the stored metrics
 * interpolated at t (the readout). Pure functions on typed arrays.
 *
 * @example const w = pathPointAt(section.paths[2], 0.5); // core/paths/point.ts const p = planeCoordinates(section.plane, w);
 */
import type { SectionPath, SectionPathKind, SectionPathPlane } from "../core/snapshot/paths-section";

/** The t range the slider covers for a path: its stored t values (a line's alpha may leave [0, 1]). */
export function pathTRange(path: Pick<SectionPath, "t">): [number, number] {
  const t = path.t;
  if (t.length === 0) return [0, 1];
  return [Math.min(0, t[0]), Math.max(1, t[t.length - 1])];
}

/** A point in the plane's coordinates and its distance from the plane (all in parameter units). */
interface PlanePoint {
  x: number;
  y: number;
  offPlane: number;
}

/**
 * Plane coordinates of a parameter vector: x = <w - origin, u>, y = <w - origin, v>, and the
 * distance from the plane sqrt(|w - origin|^2 - x^2 - y^2) (float64 sums).
 *
 * @example planeCoordinates(section.plane, section.models[1].parameters) // { x: |theta2 - theta1|, y: 0, offPlane: 0 }
 */
export function planeCoordinates(
  plane: Pick<SectionPathPlane, "origin" | "directions">,
  w: Float32Array,
): PlanePoint {
  const { origin } = plane;
  const [u, v] = plane.directions;
  if (w.length !== origin.length || u.length !== origin.length || v.length !== origin.length) {
    throw new Error(
      `plane coordinates: the point has ${w.length} values, the plane's origin ${origin.length} and directions ${u.length}, ${v.length}`,
    );
  }
  let x = 0;
  let y = 0;
  let rr = 0;
  for (let i = 0; i < w.length; i++) {
    const r = w[i] - origin[i];
    x += r * u[i];
    y += r * v[i];
    rr += r * r;
  }
  return { x, y, offPlane: Math.sqrt(Math.max(0, rr - x * x - y * y)) };
}

/**
 * A stored metric of a path at t, linearly interpolated between its t values (NaN outside them or
 * when the metric is missing).
 *
 * @example metricAt(path, "train_loss", 0.5)
 */
export function metricAt(path: Pick<SectionPath, "t" | "values">, metric: string, t: number): number {
  const values = (path.values as Record<string, Float32Array | undefined>)[metric];
  const ts = path.t;
  if (!values || values.length !== ts.length || ts.length === 0) return Number.NaN;
  if (!(t >= ts[0] && t <= ts[ts.length - 1])) return Number.NaN;
  let hi = 1;
  while (hi < ts.length - 1 && ts[hi] < t) hi++;
  const lo = Math.max(0, hi - 1);
  const span = ts[hi] - ts[lo];
  const a = span > 0 ? (t - ts[lo]) / span : 0;
  return values[lo] + a * (values[hi] - values[lo]);
}

/** The paths the t slider offers: the straight line, the curve and the aligned line, by index. */
interface ProbeChoice {
  index: number;
  kind: SectionPathKind;
  label: string;
}

const CHOICE_LABELS: Partial<Record<SectionPathKind, string>> = {
  linear: "straight line",
  bezier: "curve (Bezier)",
  polychain: "curve (polychain)",
  "linear-aligned": "aligned straight line",
  "init-to-solution": "init \u2192 solution",
};

/**
 * The first straight line between models 1 and 2, the curve and the aligned line of a section, in
 * that order (the paths whose w(t) the slider walks).
 */
export function probeChoices(paths: readonly Pick<SectionPath, "kind" | "between">[]): ProbeChoice[] {
  const out: ProbeChoice[] = [];
  const first = (pred: (p: Pick<SectionPath, "kind" | "between">) => boolean) => {
    const index = paths.findIndex(pred);
    if (index >= 0) {
      const kind = paths[index].kind;
      out.push({ index, kind, label: CHOICE_LABELS[kind] ?? kind });
    }
  };
  first((p) => p.kind === "linear" && (!p.between || (p.between[0] === 0 && p.between[1] === 1)));
  first((p) => p.kind === "bezier" || p.kind === "polychain");
  first((p) => p.kind === "linear-aligned");
  return out;
}
