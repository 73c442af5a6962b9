import type { DataSplit, Dataset } from "../data/types";
import type { ModelArchitecture } from "../model/architecture";
import type { Layout, LossKind } from "../model/types";
import type { LandscapeEvaluator, PreparedEvaluation } from "./evaluator";
import {
  assertGrid,
  type Grid,
  gridPointCount,
  splitTiles,
  type Tile,
  tileCoordinates,
  tilePointCount,
  writeTile,
} from "./grid";

const SURFACE_NAMES = ["train_loss", "train_accuracy", "test_loss", "test_accuracy"] as const;
type SurfaceName = (typeof SURFACE_NAMES)[number];
export type Surfaces = Partial<Record<SurfaceName, Float32Array>>;

/** Everything needed to sample a landscape: the model at theta, the directions, the data. */
export interface LandscapeProblem {
  arch: ModelArchitecture;
  loss: LossKind;
  layout: Layout;
  theta: Float32Array;
  directions: readonly Float32Array[];
  dataset: Pick<Dataset, "task" | "inputSize" | "outputSize">;
  train: DataSplit;
  /** Absent or empty: no test surfaces. */
  test?: DataSplit;
}

/** A landscape problem prepared for one evaluator: per-split tensors uploaded once. */
export interface PreparedLandscape {
  /** Metrics of one tile, each [tile points] with x fastest. */
  computeTile(grid: Grid, tile: Tile): Surfaces;
  dispose(): void;
}

export function prepareLandscape(
  problem: LandscapeProblem,
  evaluator: LandscapeEvaluator,
): PreparedLandscape {
  if (problem.directions.length < 1 || problem.directions.length > 2) {
    throw new Error(`a landscape needs 1 or 2 directions, got ${problem.directions.length}`);
  }
  const splits: [prefix: "train" | "test", PreparedEvaluation][] = [];
  try {
    for (const name of ["train", "test"] as const) {
      const split = problem[name];
      if (!split || split.count === 0) continue;
      splits.push([
        name,
        evaluator.prepare({
          arch: problem.arch,
          loss: problem.loss,
          layout: problem.layout,
          origin: problem.theta,
          directions: problem.directions,
          split,
          dataset: problem.dataset,
          statistics: problem.train,
        }),
      ]);
    }
  } catch (err) {
    for (const [, s] of splits) s.dispose();
    throw err;
  }
  return {
    computeTile(grid, tile) {
      if (grid.axes.length !== problem.directions.length) {
        throw new Error(
          `grid has ${grid.axes.length} axes but there are ${problem.directions.length} directions`,
        );
      }
      const coords = tileCoordinates(grid, tile);
      const out: Surfaces = {};
      for (const [prefix, prepared] of splits) {
        const m = prepared.evaluate(coords);
        out[`${prefix}_loss`] = m.loss;
        if (m.accuracy) out[`${prefix}_accuracy`] = m.accuracy;
      }
      return out;
    },
    dispose() {
      for (const [, s] of splits) s.dispose();
    },
  };
}

export interface SampleOptions {
  /** Points per tile (the unit of progress, cancellation and of work for workers). */
  tilePoints?: number;
  signal?: AbortSignal;
  onTile?: (tile: Tile, done: number, total: number) => void;
}

/** Yield to the event loop so progress can be drawn and an abort can arrive. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Sample every metric over the whole grid, tile by tile.
 * Returns flat row-major arrays (index = iy * nx + ix). Non-finite values are kept.
 *
 * @example const s = await sampleLandscape(problem, { axes: [x, y] }, tfjsBatchedEvaluator);
 */
export async function sampleLandscape(
  problem: LandscapeProblem,
  grid: Grid,
  evaluator: LandscapeEvaluator,
  options: SampleOptions = {},
): Promise<Surfaces> {
  assertGrid(grid);
  const tiles = splitTiles(grid, options.tilePoints ?? 256);
  const total = gridPointCount(grid);
  const prepared = prepareLandscape(problem, evaluator);
  const surfaces: Surfaces = {};
  try {
    let done = 0;
    for (const tile of tiles) {
      options.signal?.throwIfAborted();
      const part = prepared.computeTile(grid, tile);
      for (const [name, values] of Object.entries(part) as [SurfaceName, Float32Array][]) {
        surfaces[name] ??= new Float32Array(total);
        writeTile(grid, tile, values, surfaces[name]);
      }
      done += tilePointCount(tile);
      options.onTile?.(tile, done, total);
      await yieldToEventLoop();
    }
  } finally {
    prepared.dispose();
  }
  return surfaces;
}
