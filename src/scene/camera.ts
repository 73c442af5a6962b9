/**
 * Camera state shared between canvases (two compared landscapes orbit together). Pure data:
 * world position of the camera and the point it orbits around.
 */

export type Vec3 = [number, number, number];

/** Camera pose in world units: where the camera is and what it looks at (the orbit centre). */
export interface SharedCamera {
  position: Vec3;
  target: Vec3;
}

/**
 * Synchronisation of one canvas with shared state: the canvas applies `state` whenever it changes
 * and calls `onChange` while the user orbits, pans or zooms (never for changes it applied itself).
 */
export interface CameraSync {
  state: SharedCamera | null;
  onChange(state: SharedCamera): void;
}

/** A home pose and the canvas aspect ratio (width / height) it was composed for. */
export interface HomeCamera extends SharedCamera {
  aspect: number;
}

/** Front-right, above: the 2-D surface box [-1, 1]^2 with its height fills a 4:3 view. */
export const HOME_CAMERA_2D: HomeCamera = {
  position: [1.86, 1.8, 2.92],
  target: [0, 0.12, 0],
  aspect: 4 / 3,
};
/**
 * Straight in front of a 1-D curve (plane z = 0) whose top is at world height `top`, slightly
 * above, for a 2:1 view; farther back when the curve is taller than the width allows.
 */
export function homeCamera1D(top: number): HomeCamera {
  const halfHeight = top / 2 + 0.3;
  const distance = Math.max(2.05, halfHeight / Math.tan((20 * Math.PI) / 180));
  return { position: [0, top / 2 + 0.2, distance], target: [0, top / 2, 0], aspect: 2 };
}

/**
 * The home pose for a canvas of another aspect ratio: the same direction, moved back on
 * narrower canvases so that the width still fits (never closer on wider ones).
 *
 * @example fitCamera(HOME_CAMERA_2D, 0.8) // farther away than HOME_CAMERA_2D
 */
export function fitCamera(home: HomeCamera, aspect: number): SharedCamera {
  const k = Number.isFinite(aspect) && aspect > 0 ? Math.max(1, home.aspect / aspect) : 1;
  if (k === 1) return { position: [...home.position], target: [...home.target] };
  const position = home.position.map((p, i) => home.target[i] + (p - home.target[i]) * k) as Vec3;
  return { position, target: [...home.target] };
}

/** True when two poses agree to within `eps` in every coordinate. */
export function sameCamera(a: SharedCamera, b: SharedCamera, eps = 1e-6): boolean {
  for (let i = 0; i < 3; i++) {
    if (Math.abs(a.position[i] - b.position[i]) > eps) return false;
    if (Math.abs(a.target[i] - b.target[i]) > eps) return false;
  }
  return true;
}
