import { axisValue, type Grid } from "../core/landscape/grid";

/**
 * Fill a fine grid's values from a coarse grid over the same ranges by bilinear interpolation in
 * the axis coordinates (nearest where a coarse neighbour is non-finite), so a rough picture of
 * the whole surface shows before the fine points arrive. Both grids row-major, x fastest.
 *
 * @example upsampleInto(coarseGrid, coarseValues, fineGrid, fineValues);
 */
export function upsampleInto(coarse: Grid, values: Float32Array, fine: Grid, target: Float32Array): void {
  const cx = coarse.axes[0];
  const fx = fine.axes[0];
  const cy = coarse.axes[1];
  const fy = fine.axes[1];
  const cnx = cx.count;
  const cny = cy ? cy.count : 1;
  const fny = fy ? fy.count : 1;
  const position = (v: number, axis: Grid["axes"][number]) => {
    const t = ((v - axis.min) / (axis.max - axis.min)) * (axis.count - 1);
    return Math.min(axis.count - 1, Math.max(0, t));
  };
  // Each fine column's coarse neighbours and weight, once for all rows (this runs on the main
  // thread, before the optimizing compiler has seen it).
  const columns0 = new Int32Array(fx.count);
  const columns1 = new Int32Array(fx.count);
  const columnWeights = new Float64Array(fx.count);
  for (let i = 0; i < fx.count; i++) {
    const tx = position(axisValue(fx, i), cx);
    columns0[i] = Math.floor(tx);
    columns1[i] = Math.min(cnx - 1, columns0[i] + 1);
    columnWeights[i] = tx - columns0[i];
  }
  for (let j = 0; j < fny; j++) {
    const ty = cy && fy ? position(axisValue(fy, j), cy) : 0;
    const y0 = Math.floor(ty);
    const y1 = Math.min(cny - 1, y0 + 1);
    const wy = ty - y0;
    for (let i = 0; i < fx.count; i++) {
      const x0 = columns0[i];
      const x1 = columns1[i];
      const wx = columnWeights[i];
      // The four corners and their weights, without allocating (this runs on the main thread).
      const v00 = values[y0 * cnx + x0];
      const v01 = values[y0 * cnx + x1];
      const v10 = values[y1 * cnx + x0];
      const v11 = values[y1 * cnx + x1];
      const w00 = (1 - wx) * (1 - wy);
      const w01 = wx * (1 - wy);
      const w10 = (1 - wx) * wy;
      const w11 = wx * wy;
      let sum = 0;
      let weight = 0;
      if (Number.isFinite(v00)) {
        sum += v00 * w00;
        weight += w00;
      }
      if (Number.isFinite(v01)) {
        sum += v01 * w01;
        weight += w01;
      }
      if (Number.isFinite(v10)) {
        sum += v10 * w10;
        weight += w10;
      }
      if (Number.isFinite(v11)) {
        sum += v11 * w11;
        weight += w11;
      }
      let nearest = v00;
      let best = w00;
      if (w01 > best) {
        best = w01;
        nearest = v01;
      }
      if (w10 > best) {
        best = w10;
        nearest = v10;
      }
      if (w11 > best) nearest = v11;
      target[j * fx.count + i] = weight > 0.999 ? sum / weight : nearest;
    }
  }
}

/** A coarse grid over the same ranges with at most `perAxis` points per axis. */
export function coarseGrid(grid: Grid, perAxis: number): Grid {
  return { axes: grid.axes.map((a) => ({ ...a, count: Math.min(a.count, perAxis) })) };
}
