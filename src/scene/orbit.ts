/**
 * Keyboard orbiting: a camera pose turned, tilted and zoomed around its target, the way
 * OrbitControls moves it (spherical coordinates around the target, y up). Pure, no three.
 */
import type { SharedCamera, Vec3 } from "./camera";
import type { OrbitMove } from "./view-keys";

export interface OrbitLimits {
  minDistance: number;
  maxDistance: number;
  /** Polar angle range in radians (0 = straight above, pi = straight below). */
  minPolar: number;
  maxPolar: number;
}

/** Never exactly above or below: the view direction would be parallel to "up". */
const POLAR_MARGIN = 1e-3;

/** The camera's angle around the vertical axis through the target: atan2(offset x, offset z). */
export function azimuthOf(pose: SharedCamera): number {
  return Math.atan2(pose.position[0] - pose.target[0], pose.position[2] - pose.target[2]);
}

/**
 * The pose after a keyboard move: azimuth + turn, polar angle + tilt (clamped to the limits),
 * distance x zoom (clamped); the target stays.
 *
 * @example orbitPose({ position: [0, 0, 2], target: [0, 0, 0] }, { turn: Math.PI / 2, tilt: 0, zoom: 1 }, limits).position // about [2, 0, 0]
 */
export function orbitPose(pose: SharedCamera, move: OrbitMove, limits: OrbitLimits): SharedCamera {
  const [tx, ty, tz] = pose.target;
  const ox = pose.position[0] - tx;
  const oy = pose.position[1] - ty;
  const oz = pose.position[2] - tz;
  const radius = Math.hypot(ox, oy, oz);
  if (!(radius > 0) || !Number.isFinite(radius))
    return { position: [...pose.position], target: [...pose.target] };
  const theta = Math.atan2(ox, oz) + (Number.isFinite(move.turn) ? move.turn : 0);
  const lo = Math.max(POLAR_MARGIN, limits.minPolar);
  const hi = Math.min(Math.PI - POLAR_MARGIN, limits.maxPolar);
  const phi0 = Math.acos(Math.min(1, Math.max(-1, oy / radius)));
  const phi = Math.min(hi, Math.max(lo, phi0 + (Number.isFinite(move.tilt) ? move.tilt : 0)));
  const zoom = Number.isFinite(move.zoom) && move.zoom > 0 ? move.zoom : 1;
  const r = Math.min(limits.maxDistance, Math.max(limits.minDistance, radius * zoom));
  const position: Vec3 = [
    tx + r * Math.sin(phi) * Math.sin(theta),
    ty + r * Math.cos(phi),
    tz + r * Math.sin(phi) * Math.cos(theta),
  ];
  return { position, target: [tx, ty, tz] };
}
