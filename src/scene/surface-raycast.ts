/**
 * Picking on the surface mesh without testing all of its triangles: the grid is regular in x and
 * z, so the cells under a ray are walked in order (a 2-D grid traversal, Amanatides & Woo) and
 * only their two triangles are tested. A 201 x 201 surface has 80,000 triangles; three's own
 * Mesh.raycast tested every one on every pointer move (about 10-30 ms a move here, longer while
 * the machine is busy), a walk tests at most a few hundred. Pure, no three.
 *
 * The triangles are those of updateSurfaceArrays: cell (ix, iy) with corners a = (ix, iy),
 * b = a + 1, c = a + nx, d = c + 1 has (a, b, c) and (b, d, c) when its four heights are finite;
 * both faces count (the surface material is double-sided).
 */

/** Möller-Trumbore, both faces; the ray parameter of the hit, or +Infinity. */
function triangleHit(
  p: ArrayLike<number>,
  o: readonly number[],
  d: readonly number[],
  i0: number,
  i1: number,
  i2: number,
): number {
  const ax = p[i0 * 3];
  const ay = p[i0 * 3 + 1];
  const az = p[i0 * 3 + 2];
  const e1x = p[i1 * 3] - ax;
  const e1y = p[i1 * 3 + 1] - ay;
  const e1z = p[i1 * 3 + 2] - az;
  const e2x = p[i2 * 3] - ax;
  const e2y = p[i2 * 3 + 1] - ay;
  const e2z = p[i2 * 3 + 2] - az;
  const px = d[1] * e2z - d[2] * e2y;
  const py = d[2] * e2x - d[0] * e2z;
  const pz = d[0] * e2y - d[1] * e2x;
  const det = e1x * px + e1y * py + e1z * pz;
  if (Math.abs(det) < 1e-12) return Number.POSITIVE_INFINITY;
  const inv = 1 / det;
  const tx = o[0] - ax;
  const ty = o[1] - ay;
  const tz = o[2] - az;
  const u = (tx * px + ty * py + tz * pz) * inv;
  if (u < 0 || u > 1) return Number.POSITIVE_INFINITY;
  const qx = ty * e1z - tz * e1y;
  const qy = tz * e1x - tx * e1z;
  const qz = tx * e1y - ty * e1x;
  const v = (d[0] * qx + d[1] * qy + d[2] * qz) * inv;
  if (v < 0 || u + v > 1) return Number.POSITIVE_INFINITY;
  const t = (e2x * qx + e2y * qy + e2z * qz) * inv;
  return t >= 0 ? t : Number.POSITIVE_INFINITY;
}

/**
 * The ray parameter t of the first hit of the ray origin + t * direction (t >= 0) with the surface
 * mesh, or null. `positions` [nx * ny, 3] and `heights` [nx * ny] (NaN: hole) as updateSurfaceArrays
 * fills them; the grid spans [-1, 1] in world x and z (x along +x, y along -z).
 *
 * @example const t = raycastSurface(arrays.positions, arrays.heights, 201, 201, [0, 3, 3], [0, -0.7, -0.7]);
 */
export function raycastSurface(
  positions: ArrayLike<number>,
  heights: ArrayLike<number>,
  nx: number,
  ny: number,
  origin: readonly number[],
  direction: readonly number[],
): number | null {
  if (nx < 2 || ny < 2) return null;
  // Grid coordinates along the ray: gx(t) = gx0 + t * gdx, gy(t) = gy0 + t * gdy.
  const sx = (nx - 1) / 2;
  const sy = (ny - 1) / 2;
  const gx0 = (origin[0] + 1) * sx;
  const gy0 = (1 - origin[2]) * sy;
  const gdx = direction[0] * sx;
  const gdy = -direction[2] * sy;
  // The part of the ray over the grid, t in [t0, t1].
  let t0 = 0;
  let t1 = Number.POSITIVE_INFINITY;
  const clip = (g0: number, gd: number, max: number): boolean => {
    if (gd === 0) return g0 >= 0 && g0 <= max;
    let a = (0 - g0) / gd;
    let b = (max - g0) / gd;
    if (a > b) [a, b] = [b, a];
    t0 = Math.max(t0, a);
    t1 = Math.min(t1, b);
    return t0 <= t1;
  };
  if (!clip(gx0, gdx, nx - 1) || !clip(gy0, gdy, ny - 1)) return null;

  const cellAt = (g: number, n: number) => Math.min(n - 2, Math.max(0, Math.floor(g)));
  let ix = cellAt(gx0 + t0 * gdx, nx);
  let iy = cellAt(gy0 + t0 * gdy, ny);
  const stepX = gdx > 0 ? 1 : -1;
  const stepY = gdy > 0 ? 1 : -1;
  // Ray parameter at the next cell boundary in x and in y, and between two boundaries.
  const boundary = (i: number, step: number, g0: number, gd: number) =>
    gd === 0 ? Number.POSITIVE_INFINITY : ((step > 0 ? i + 1 : i) - g0) / gd;
  let tMaxX = boundary(ix, stepX, gx0, gdx);
  let tMaxY = boundary(iy, stepY, gy0, gdy);
  const tDeltaX = gdx === 0 ? Number.POSITIVE_INFINITY : Math.abs(1 / gdx);
  const tDeltaY = gdy === 0 ? Number.POSITIVE_INFINITY : Math.abs(1 / gdy);

  for (let steps = 0; steps < nx + ny + 2; steps++) {
    const a = iy * nx + ix;
    const b = a + 1;
    const c = a + nx;
    const d = c + 1;
    if (
      Number.isFinite(heights[a]) &&
      Number.isFinite(heights[b]) &&
      Number.isFinite(heights[c]) &&
      Number.isFinite(heights[d])
    ) {
      const t = Math.min(
        triangleHit(positions, origin, direction, a, b, c),
        triangleHit(positions, origin, direction, b, d, c),
      );
      if (t !== Number.POSITIVE_INFINITY) return t;
    }
    // The next cell along the ray; stop past the end of the grid.
    if (tMaxX < tMaxY) {
      if (tMaxX > t1) break;
      ix += stepX;
      tMaxX += tDeltaX;
    } else {
      if (tMaxY > t1) break;
      iy += stepY;
      tMaxY += tDeltaY;
    }
    if (ix < 0 || iy < 0 || ix > nx - 2 || iy > ny - 2) break;
  }
  return null;
}
