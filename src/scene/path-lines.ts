/**
 * What the 3D and contour views draw of a snapshot's `paths` section on its plane: the straight
 * segment theta1 -> theta2, the trained curve (both projected, plane coordinates from
 * paths.plane), the endpoints and bends, with the colours and legend both views share. Pure
 * functions (no React, no three).
 */
import type { SectionPathPlane } from "../core/snapshot/paths-section";

/** Colours of the path overlay: distinct from the colormaps' ends and from the other markers. */
export const PATH_COLORS = {
  straight: "#00e5ff",
  curve: "#ff9100",
  theta1: "#ffffff",
  theta2: "#ffea00",
  bend: "#69f0ae",
  probe: "#ff1744",
} as const;

type PathLegendKey = keyof typeof PATH_COLORS;

/** The legend of the overlay, in drawing order: lines first, then points. */
export const PATH_LEGEND: readonly { key: PathLegendKey; label: string; shape: "line" | "dot" }[] = [
  { key: "straight", label: "straight line", shape: "line" },
  { key: "curve", label: "curve", shape: "line" },
  { key: "theta1", label: "\u03b81", shape: "dot" },
  { key: "theta2", label: "\u03b82", shape: "dot" },
  { key: "bend", label: "bend", shape: "dot" },
  { key: "probe", label: "w(t)", shape: "dot" },
];

interface PathPoint {
  role: "theta1" | "theta2" | "bend";
  /** The section's label ("theta1", "bend1", ...). */
  label: string;
  x: number;
  y: number;
}

/** The overlay in the landscape's grid coordinates. */
export interface PlaneOverlay {
  /** [T, 2] row-major: theta1 -> theta2. */
  segment: Float32Array;
  /** [T, 2] row-major: the curve projected on the plane. */
  curve: Float32Array;
  /** theta1, the bends, theta2. */
  points: PathPoint[];
  /** Largest distance of a curve point from the plane (0 when the curve lies in it: one bend). */
  offPlane: number;
}

/** The snapshot fields the overlay needs (a Snapshot fits; so does anything with a grid). */
interface OverlaySource {
  grid: { axes: readonly unknown[] };
  paths?: { plane?: SectionPathPlane };
}

/**
 * The overlay of a snapshot whose landscape is its paths plane (plane.landscape and a 2-D grid),
 * else null: on another landscape the plane coordinates would not be grid coordinates.
 *
 * @example const overlay = planeOverlay(snapshot); overlay?.points[0] // { role: "theta1", x: 0, y: 0, ... }
 */
export function planeOverlay(snapshot: OverlaySource | null | undefined): PlaneOverlay | null {
  const plane = snapshot?.paths?.plane;
  if (!snapshot || !plane?.landscape || snapshot.grid.axes.length !== 2) return null;
  const k = Math.floor(plane.points.length / 2);
  if (k < 2 || plane.curve.coords.length < 4 || plane.segment.length < 4) return null;
  const points: PathPoint[] = [];
  for (let j = 0; j < k; j++) {
    points.push({
      role: j === 0 ? "theta1" : j === k - 1 ? "theta2" : "bend",
      label: plane.labels[j] ?? (j === 0 ? "theta1" : j === k - 1 ? "theta2" : `bend${j}`),
      x: plane.points[2 * j],
      y: plane.points[2 * j + 1],
    });
  }
  let offPlane = 0;
  for (const d of plane.curve.offPlane) if (Number.isFinite(d)) offPlane = Math.max(offPlane, d);
  return {
    segment: finitePairs(plane.segment),
    curve: finitePairs(plane.curve.coords),
    points,
    offPlane,
  };
}

/** The [n, 2] pairs of `coords` whose two values are finite (a bad point is left out, not drawn at 0). */
function finitePairs(coords: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i + 1 < coords.length; i += 2) if (Number.isFinite(coords[i] + coords[i + 1])) n++;
  if (2 * n === coords.length) return coords;
  const out = new Float32Array(2 * n);
  let m = 0;
  for (let i = 0; i + 1 < coords.length; i += 2) {
    if (!Number.isFinite(coords[i] + coords[i + 1])) continue;
    out[m++] = coords[i];
    out[m++] = coords[i + 1];
  }
  return out;
}
