/**
 * Phase 2's types: what a direction method reads (PlaneModel), what it gives (PlaneSetup, with the
 * runs' Trajectory on the plane), and the contract every direction method fulfils
 * (DirectionMethodSpec). The methods themselves: direction-*.ts; their registry:
 * direction-methods.ts; the dispatcher: makePlane in prepare.ts.
 */
import type { ExperimentConfig } from "../config/schema";
import type { Dataset } from "../data/types";
import type { Grid } from "../landscape/grid";
import type { ModelArchitecture } from "../model/architecture";
import type { Layout, LossKind } from "../model/types";
import type { Snapshot } from "../snapshot/schema";
import type { TrainResult } from "../train/train";
import type { ExperimentProgress } from "./progress";
import type { ReplayPlan, ReplayRun, TrajectoryRun } from "./replay";

/** The axes' labels, in grid order. */
export const AXIS_LABELS = ["x", "y"] as const;

/**
 * What a direction method reads of a prepared model: prepare.ts's PreparedModel without what only
 * the snapshot records (recordedConfig, warnings), and with the architecture narrowed to the
 * kinds the method takes. Declared here rather than picked from PreparedModel because prepare.ts
 * imports the registry, so a type import back would be a cycle; makePlane hands its PreparedModel
 * to the makers, so the compiler checks that the two agree.
 */
export interface PlaneModel<A extends ModelArchitecture = ModelArchitecture> {
  arch: A;
  loss: LossKind;
  layout: Layout;
  dataset: Dataset;
  /** The centre of the landscape. */
  theta: Float32Array;
  /** Absent when nothing was trained (a snapshot's model, imported weights). */
  training?: TrainResult;
  /** The trained runs' replay checkpoints (one run, or every run of a race; run 1 ends at theta). */
  runs?: ReplayRun[];
  replay?: { plan: ReplayPlan; storeParameters: boolean };
  /** A race: the initialization every run started from. */
  initial?: Float32Array;
}

/**
 * The trained runs' paths relative to the landscape's plane, as written into the snapshot's
 * trajectory section (snapshot/trajectory-section.ts).
 */
export interface Trajectory {
  /**
   * "pca": the plane is the PCA plane of the checkpoints themselves (orthonormal directions, the
   * coordinates are exact projections); "projection": the plane came from elsewhere (random or
   * Hessian directions) and the checkpoints are projected on it by least squares.
   */
  method: "pca" | "projection";
  /** PCA: the fraction of the checkpoints' variance each axis explains. */
  explained?: [number, number];
  /**
   * PCA, as earlier versions wrote it: run 1's checkpoints among those the plane was computed
   * from (every training.checkpointEvery epochs; a race's PCA takes those of every run), their
   * [n, 2] row-major plane coordinates and true training losses.
   */
  pca?: { epochs: number[]; steps: number[]; coords: Float32Array; loss: Float32Array };
  /** Every run's replay trajectory (replay.ts). */
  runs: TrajectoryRun[];
  /** The replay rule that chose the checkpoints, and whether their parameters are stored. */
  replay: { plan: ReplayPlan; parametersStored: boolean };
  /** A race: the initialization every run started from. */
  initial?: Float32Array;
}

export interface PlaneSetup {
  directions: Snapshot["directions"];
  grid: Grid;
  trajectory?: Trajectory;
}

export interface PlaneOptions {
  /** Aborts the Hessian solvers (the other methods are quick and synchronous). */
  signal?: AbortSignal;
  /** Progress of the Hessian solvers (phase "directions"). */
  onProgress?: (p: ExperimentProgress) => void;
  /**
   * The registry makePlane dispatches through; absent: DIRECTION_METHOD_REGISTRY
   * (direction-methods.ts). A test or an embedding passes `{ ...DIRECTION_METHOD_REGISTRY, name: spec }`.
   */
  methods?: Readonly<Record<string, DirectionMethodSpec>>;
}

/**
 * One direction method: its validity rules, which makePlane checks before it calls the maker, and
 * its maker. `A` is the architectures it takes (their kinds are `models`); the maker sees the
 * model's architecture narrowed to them.
 *
 * @example const spec: DirectionMethodSpec = { models: "any", axes: [1, 2], make: async (c, m, grid) => ... };
 */
export interface DirectionMethodSpec<A extends ModelArchitecture = ModelArchitecture> {
  /** The model kinds it works on ("any": every kind). */
  models: "any" | readonly A["kind"][];
  /** The grids it works on: 1 axis (a line along x), 2 axes (a plane), or both. */
  axes: readonly (1 | 2)[];
  /**
   * The directions (one per grid axis) and the grid, which it may refit (pca fits the ranges
   * around the path; `grid` is makePlane's own copy of the config's); the trained runs'
   * trajectory on the plane when there is one. A method shorthand on purpose: its parameter is
   * then compared bivariantly, so a spec narrowed to some kinds is a DirectionMethodSpec, which
   * is sound because makePlane refuses the other kinds before calling it.
   */
  make(
    config: ExperimentConfig,
    model: PlaneModel<A>,
    grid: Grid,
    options: PlaneOptions,
  ): Promise<PlaneSetup>;
}
