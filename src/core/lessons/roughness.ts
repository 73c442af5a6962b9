/**
 * Texture of a sampled surface, for telling a kinked (ReLU) loss surface from a smooth (tanh) one.
 *
 * roughness = mean |Delta^3 f| / mean |Delta^1 f|, where Delta^k is the k-th forward difference
 * along a grid axis (Delta^1 f_i = f_{i+1} - f_i, Delta^3 f_i = f_{i+3} - 3 f_{i+2} + 3 f_{i+1} - f_i),
 * taken along every row (x) and every column (y) of the grid, means over all those differences.
 *
 * Why third differences: on a grid of spacing h, a smooth surface has Delta^k f ~ h^k f^(k), so
 * its third differences are a factor ~h^2 below its first ones; a kink (a jump s in the slope,
 * which a ReLU unit switching on or off makes) puts ~h s into each of the k + 1 differences that
 * straddle it, whatever k. So the ratio stays near h^2 for a smooth surface and is lifted by
 * every kink, more strongly than a second-difference ratio (~h for a smooth surface) would be.
 * It is invariant to adding a constant to the surface and to scaling it, so a deeper or
 * higher-loss bowl is not "rougher". Non-finite points are skipped (every difference touching
 * one is left out). 0 for a constant surface; null when fewer than 4 points per axis.
 *
 * @example surfaceRoughness(snapshot.surfaces.train_loss, 31, 31) // ~1e-3 smooth, larger when kinked
 */
export function surfaceRoughness(values: ArrayLike<number>, nx: number, ny = 1): number | null {
  if (values.length !== nx * ny)
    throw new Error(`surfaceRoughness: ${values.length} values for a ${nx} x ${ny} grid`);
  let first = 0;
  let firstCount = 0;
  let third = 0;
  let thirdCount = 0;
  const line = (start: number, stride: number, n: number) => {
    for (let i = 0; i + 1 < n; i++) {
      const a = values[start + i * stride];
      const b = values[start + (i + 1) * stride];
      if (Number.isFinite(a) && Number.isFinite(b)) {
        first += Math.abs(b - a);
        firstCount++;
      }
      if (i + 3 < n) {
        const c = values[start + (i + 2) * stride];
        const d = values[start + (i + 3) * stride];
        const t = d - 3 * c + 3 * b - a;
        if (Number.isFinite(t)) {
          third += Math.abs(t);
          thirdCount++;
        }
      }
    }
  };
  if (nx >= 4) for (let y = 0; y < ny; y++) line(y * nx, 1, nx);
  if (ny >= 4) for (let x = 0; x < nx; x++) line(x, nx, ny);
  if (firstCount === 0 || thirdCount === 0) return null;
  if (first === 0) return 0;
  return third / thirdCount / (first / firstCount);
}
