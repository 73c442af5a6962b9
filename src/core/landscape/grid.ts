/**
 * Grids of a landscape. Axis coordinate k: min + k (max - min) / (count - 1).
 * A 2-D grid is stored row-major with x fastest: index = iy * nx + ix.
 */
export interface GridAxis {
  label: string;
  min: number;
  max: number;
  count: number;
}

export interface Grid {
  axes: GridAxis[];
}

/** Largest number of grid points accepted (about 1000 x 1000). */
const MAX_GRID_POINTS = 1_002_001;
export const MAX_AXIS_COUNT = 2001;
/** Coordinates are float32 in the evaluators: larger magnitudes would become infinite. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** Throws a message naming the field when an axis or grid is unusable. */
export function assertGrid(grid: Grid, path = "grid"): void {
  if (!Array.isArray(grid.axes) || grid.axes.length < 1 || grid.axes.length > 2) {
    throw new Error(`${path}.axes: a landscape has 1 or 2 axes, got ${grid.axes?.length ?? "none"}`);
  }
  grid.axes.forEach((a, i) => {
    const p = `${path}.axes[${i}]`;
    if (!Number.isFinite(a.min) || !Number.isFinite(a.max))
      throw new Error(`${p}: min and max must be finite numbers`);
    if (!(a.min < a.max)) throw new Error(`${p}: min (${a.min}) must be less than max (${a.max})`);
    if (!Number.isInteger(a.count) || a.count < 2)
      throw new Error(`${p}.count: must be an integer >= 2, got ${a.count}`);
    if (a.count > MAX_AXIS_COUNT) throw new Error(`${p}.count: at most ${MAX_AXIS_COUNT}, got ${a.count}`);
  });
  const points = gridPointCount(grid);
  if (points > MAX_GRID_POINTS) {
    const mb = (points * 4 * 4) / 2 ** 20;
    throw new Error(
      `${path}: ${points} points is too large (limit ${MAX_GRID_POINTS}; the surfaces alone would take ${mb.toFixed(0)} MB)`,
    );
  }
}

export function gridPointCount(grid: Grid): number {
  return grid.axes.reduce((n, a) => n * a.count, 1);
}

/** Coordinate of index k on an axis. */
export function axisValue(axis: GridAxis, k: number): number {
  return axis.min + (k * (axis.max - axis.min)) / (axis.count - 1);
}

export function axisValues(axis: GridAxis): Float64Array {
  const v = new Float64Array(axis.count);
  for (let k = 0; k < axis.count; k++) v[k] = axisValue(axis, k);
  return v;
}

/** A rectangle of grid indices, half-open: ix in [ix0, ix1), iy in [iy0, iy1). 1-D grids use iy0 = 0, iy1 = 1. */
export interface Tile {
  ix0: number;
  ix1: number;
  iy0: number;
  iy1: number;
}

export function tilePointCount(t: Tile): number {
  return (t.ix1 - t.ix0) * (t.iy1 - t.iy0);
}

/**
 * Split a grid into tiles of at most `maxPoints` points: whole rows when a row fits, else
 * row pieces. Tiles cover every point exactly once, in row-major order.
 *
 * @example splitTiles({ axes: [x, y] }, 256) // 51x51 -> 11 tiles of 5 rows (255 points) ...
 */
export function splitTiles(grid: Grid, maxPoints: number): Tile[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 1)
    throw new Error(`maxPoints must be a positive integer, got ${maxPoints}`);
  const nx = grid.axes[0].count;
  const ny = grid.axes.length > 1 ? grid.axes[1].count : 1;
  const tiles: Tile[] = [];
  if (nx <= maxPoints) {
    const rows = Math.floor(maxPoints / nx);
    for (let iy = 0; iy < ny; iy += rows)
      tiles.push({ ix0: 0, ix1: nx, iy0: iy, iy1: Math.min(ny, iy + rows) });
  } else {
    for (let iy = 0; iy < ny; iy++) {
      for (let ix = 0; ix < nx; ix += maxPoints)
        tiles.push({ ix0: ix, ix1: Math.min(nx, ix + maxPoints), iy0: iy, iy1: iy + 1 });
    }
  }
  return tiles;
}

/**
 * Split a 2-D grid into near-square tiles of at most `maxPoints` points (side floor(sqrt(max)),
 * as wide as the rest allows), row-major by tile: what the app's compute pool hands its workers,
 * since wasm-cnn's block mode runs faster on 2-D blocks of points than on strips (1-D grids: as
 * splitTiles). Tiles cover every point exactly once.
 *
 * @example splitBlocks({ axes: [x, y] }, 128) // 51x51 -> 25 tiles of 11 x 11 (the last row and column 7 wide)
 */
export function splitBlocks(grid: Grid, maxPoints: number): Tile[] {
  if (grid.axes.length < 2) return splitTiles(grid, maxPoints);
  if (!Number.isInteger(maxPoints) || maxPoints < 1)
    throw new Error(`maxPoints must be a positive integer, got ${maxPoints}`);
  const nx = grid.axes[0].count;
  const ny = grid.axes[1].count;
  const th = Math.min(ny, Math.max(1, Math.floor(Math.sqrt(maxPoints))));
  const tw = Math.min(nx, Math.max(1, Math.floor(maxPoints / th)));
  const tiles: Tile[] = [];
  for (let iy = 0; iy < ny; iy += th) {
    for (let ix = 0; ix < nx; ix += tw)
      tiles.push({ ix0: ix, ix1: Math.min(nx, ix + tw), iy0: iy, iy1: Math.min(ny, iy + th) });
  }
  return tiles;
}

/** Coordinates of a tile's points, [P, K] row-major (K = number of axes), x fastest. */
export function tileCoordinates(grid: Grid, tile: Tile): Float32Array {
  const k = grid.axes.length;
  const coords = new Float32Array(tilePointCount(tile) * k);
  let p = 0;
  for (let iy = tile.iy0; iy < tile.iy1; iy++) {
    for (let ix = tile.ix0; ix < tile.ix1; ix++) {
      coords[p * k] = axisValue(grid.axes[0], ix);
      if (k > 1) coords[p * k + 1] = axisValue(grid.axes[1], iy);
      p++;
    }
  }
  return coords;
}

/** Copy a tile's values (x fastest within the tile) into the full grid array. */
export function writeTile(grid: Grid, tile: Tile, tileValues: Float32Array, target: Float32Array): void {
  const nx = grid.axes[0].count;
  const w = tile.ix1 - tile.ix0;
  for (let iy = tile.iy0; iy < tile.iy1; iy++) {
    const row = tileValues.subarray((iy - tile.iy0) * w, (iy - tile.iy0 + 1) * w);
    target.set(row, iy * nx + tile.ix0);
  }
}
