/**
 * Plans of sharded landscapes. A plan is a snapshot with no surfaces and a `plan` section
 * (snapshot/plan-section.ts): the trained model, the data, the directions and the grid, plus the
 * tiling, the evaluation path and checksums. Training, direction drawing and the curvature report
 * happen once, here; every worker then computes tiles from the plan alone, so no shard ever
 * retrains or redraws, and the merged snapshot is the one a single `compute` writes.
 *
 * `compute` itself runs the same way on one machine: plan, every tile, merge
 * (src/node/journal.ts), which is what makes `--resume` and `--workers` give the same bits.
 *
 * @example const { snapshot } = await planExperiment(resolveConfig({}), { backend: "wasm", shards: 4 });
 */
import { canonicalJson } from "../canonical-json";
import type { ExperimentConfig } from "../config/schema";
import { configCurvature } from "../experiment/config-curvature";
import {
  type ExperimentProgress,
  landscapeProblem,
  makePlane,
  type PrepareOptions,
  prepareModel,
} from "../experiment/prepare";
import { buildSnapshot } from "../experiment/snapshot-parts";
import { type KernelVariant, resolveKernelVariant } from "../kernel/kernel-module";
import type { LandscapeEvaluator } from "../landscape/evaluator";
import { checkEvaluatorFor, defaultEvaluatorFor, evaluatorByName } from "../landscape/evaluators";
import { assertGrid, type Grid, gridPointCount, splitTiles, type Tile } from "../landscape/grid";
import { prepareLandscape, type Surfaces } from "../landscape/surfaces";
import { PLAN_FORMAT, PLAN_VERSION, type PlanSection, planSectionSchema } from "../snapshot/plan-section";
import { dataChecksum, reproducibilityRecord } from "../snapshot/reproducibility";
import type { Snapshot } from "../snapshot/schema";
import { crc32Of, planId, sha256 } from "./checksum";
import { MAX_SHARDS } from "./tiling";

/** Points per tile of `compute` (as sampleLandscape's default): the plan default too. */
export const DEFAULT_TILE_POINTS = 256;

interface PlanSettings {
  /** Points per tile (default 256, as `compute`). */
  tilePoints?: number;
  /** Default shard count (default 1). */
  shards?: number;
  /** The evaluation path (default: the fastest for the backend and model kind). */
  evaluator?: LandscapeEvaluator;
  /** wasm-kernel only: the kernel build (default: the best this runtime has). */
  kernel?: KernelVariant;
  /** The tfjs backend that runs (recorded; tfjs paths must run on it everywhere). */
  backend: string;
  /** `compute`'s journal: the fingerprint of what it was asked (requestId). */
  request?: string;
}

export interface PlanOptions extends PlanSettings, Omit<PrepareOptions, "onProgress"> {
  onProgress?: (p: ExperimentProgress) => void;
  /** Clock for createdAt (tests pin it). */
  now?: () => Date;
}

/** The surfaces every tile of a snapshot's landscape gives: loss, accuracy for classification, test ones when there is a test split. */
function expectedSurfaces(s: Pick<Snapshot, "data">): string[] {
  const names: string[] = [];
  const classification = s.data.task === "classification";
  for (const split of ["train", "test"] as const) {
    const d = s.data[split];
    if (!d || d.count === 0) continue;
    names.push(`${split}_loss`);
    if (classification) names.push(`${split}_accuracy`);
  }
  return names;
}

/**
 * The plan section of a snapshot (its surfaces are ignored) for these settings.
 *
 * @example s.plan = await makePlanSection(s, { backend: "wasm", tilePoints: 256, shards: 4 });
 */
export async function makePlanSection(s: Snapshot, settings: PlanSettings): Promise<PlanSection> {
  const grid = s.grid as Grid;
  assertGrid(grid);
  const tilePoints = settings.tilePoints ?? DEFAULT_TILE_POINTS;
  if (!Number.isInteger(tilePoints) || tilePoints < 1) {
    throw new Error(`tile points must be a positive integer, got ${tilePoints}`);
  }
  const tiles = splitTiles(grid, tilePoints).length;
  const shards = settings.shards ?? 1;
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_SHARDS) {
    throw new Error(`the shard count must be an integer in [1, ${MAX_SHARDS}], got ${shards}`);
  }
  if (shards > tiles) {
    throw new Error(
      `${shards} shards but the grid has only ${tiles} tiles of at most ${tilePoints} points: use at most ${tiles} shards, or smaller tiles (--tile-points)`,
    );
  }
  const evaluator = (settings.evaluator ?? defaultEvaluatorFor(settings.backend, s.model.architecture)).name;
  checkEvaluatorFor(
    settings.evaluator ?? evaluatorByName(evaluator, s.model.architecture.kind),
    s.model.architecture.kind,
  );
  // The WebAssembly paths' bits depend on the kernel build (fused multiply-add or not).
  const usesKernel = evaluator === "wasm-kernel" || evaluator === "wasm-cnn";
  const kernel = usesKernel ? resolveKernelVariant(settings.kernel ?? "auto") : undefined;
  if (settings.kernel !== undefined && !usesKernel) {
    throw new Error(
      `a kernel build (${settings.kernel}) applies to the wasm-kernel and wasm-cnn evaluators only, not ${evaluator}`,
    );
  }
  const section: PlanSection = {
    format: PLAN_FORMAT,
    version: PLAN_VERSION,
    id: await planId(s, { tilePoints, evaluator, kernel }),
    tilePoints,
    tiles,
    points: gridPointCount(grid),
    shards,
    evaluator,
    ...(kernel ? { kernel } : {}),
    backend: settings.backend,
    surfaces: expectedSurfaces(s),
    checksums: {
      parameters: crc32Of(s.model.parameters),
      directions: s.directions.map((d) => crc32Of(d.values)),
      data: dataChecksum(s.data),
    },
    ...(settings.request ? { request: settings.request } : {}),
  };
  return planSectionSchema.parse(section);
}

/**
 * Phase 1 of a sharded landscape, in one process: data, model, training (or the model of `from`),
 * directions, the curvature report when the config asks for one, then the plan. The numbers are
 * those of runExperiment (the same phases with the same seeds); only the landscape is left to the
 * workers.
 */
export async function planExperiment(
  config: ExperimentConfig,
  options: PlanOptions,
): Promise<{ snapshot: Snapshot; warnings: string[] }> {
  const kind =
    options.from?.model.architecture.kind ??
    (config.model.kind === undefined || config.model.kind === "mlp"
      ? "mlp"
      : config.model.kind === "gcn"
        ? "gcn"
        : "layers");
  if (options.evaluator) checkEvaluatorFor(options.evaluator, kind);
  const model = await prepareModel(config, options);
  const plane = await makePlane(config, model, options);
  options.signal?.throwIfAborted();
  const evaluator = options.evaluator ?? defaultEvaluatorFor(options.backend, model.arch);
  const curvature = await configCurvature(config, model, options);
  // A problem every worker would meet (data the path cannot take) fails here, before any plan is written.
  prepareLandscape(landscapeProblem(model, plane), evaluator).dispose();
  const snapshot = buildSnapshot({
    config: model.recordedConfig,
    backend: options.backend,
    createdAt: (options.now ?? (() => new Date()))(),
    model,
    plane,
    surfaces: {},
    evaluator: evaluator.name,
    curvature,
  });
  snapshot.plan = await makePlanSection(snapshot, { ...options, evaluator });
  if (snapshot.reproducibility && snapshot.plan.kernel) {
    (snapshot.reproducibility as Record<string, unknown>).kernel = snapshot.plan.kernel;
  }
  return { snapshot, warnings: model.warnings };
}

/** A plan read back: its section, checked against its content, and its tiles. */
export interface CheckedPlan {
  snapshot: Snapshot;
  plan: PlanSection;
  grid: Grid;
  tiles: Tile[];
}

/**
 * Checks that a snapshot is a plan whose content matches its checksums (nothing edited or damaged
 * since it was made); throws an Error naming what differs.
 *
 * @example const { plan, tiles } = await checkPlan(await readSnapshotFile(path), path);
 */
export async function checkPlan(s: Snapshot, source: string): Promise<CheckedPlan> {
  const plan = s.plan;
  if (!plan) {
    throw new Error(
      `${source} is a snapshot, not a plan (it has no plan section); make one with \`landscape plan\``,
    );
  }
  const grid = s.grid as Grid;
  const tiles = splitTiles(grid, plan.tilePoints);
  const problems: string[] = [];
  if (tiles.length !== plan.tiles) {
    problems.push(
      `plan.tiles is ${plan.tiles}, but the grid in tiles of ${plan.tilePoints} points has ${tiles.length}`,
    );
  }
  if (gridPointCount(grid) !== plan.points) {
    problems.push(`plan.points is ${plan.points}, but the grid has ${gridPointCount(grid)}`);
  }
  if (plan.shards > tiles.length)
    problems.push(`plan.shards ${plan.shards} is more than its ${tiles.length} tiles`);
  if (crc32Of(s.model.parameters) !== plan.checksums.parameters) {
    problems.push("model.parameters do not match their checksum");
  }
  s.directions.forEach((d, i) => {
    if (crc32Of(d.values) !== plan.checksums.directions[i])
      problems.push(`directions[${i}].values do not match their checksum`);
  });
  if (s.directions.length !== plan.checksums.directions.length) {
    problems.push(
      `${s.directions.length} directions, the plan's checksums are for ${plan.checksums.directions.length}`,
    );
  }
  if (dataChecksum(s.data) !== plan.checksums.data) problems.push("the data do not match their checksum");
  if (expectedSurfaces(s).join() !== plan.surfaces.join()) {
    problems.push(
      `plan.surfaces ${plan.surfaces.join(", ")} do not match the data (${expectedSurfaces(s).join(", ")})`,
    );
  }
  if (problems.length === 0) {
    const id = await planId(s, {
      tilePoints: plan.tilePoints,
      evaluator: plan.evaluator,
      kernel: plan.kernel,
    });
    if (id !== plan.id)
      problems.push(
        `its content gives the id ${id}, not the recorded ${plan.id} (config, model, data, directions or grid changed)`,
      );
  }
  if (problems.length > 0) {
    throw new Error(`${source}: the plan is damaged or was edited: ${problems.join("; ")}`);
  }
  return { snapshot: s, plan, grid, tiles };
}

/**
 * The snapshot of a finished plan: the plan's content with the merged surfaces, its creation time,
 * no plan section, and its reproducibility record made afresh. Equal to what `compute` writes for
 * the same config, up to createdAt.
 */
export function snapshotFromPlan(s: Snapshot, surfaces: Surfaces, createdAt: Date): Snapshot {
  const { plan, reproducibility: _old, ...rest } = s;
  const filled: Record<string, Float32Array> = {};
  for (const [name, values] of Object.entries(surfaces)) if (values) filled[name] = values;
  const out: Snapshot = { ...rest, createdAt: createdAt.toISOString(), surfaces: filled };
  const record = { ...reproducibilityRecord(out) } as Record<string, unknown>;
  if (plan?.kernel) record.kernel = plan.kernel;
  out.reproducibility = record;
  return out;
}

/** What identifies a `compute` request for its resume journal: the resolved config, the source snapshot, the evaluator asked for. */
export async function requestId(
  config: ExperimentConfig,
  from: Snapshot | undefined,
  evaluator: string | undefined,
): Promise<string> {
  const source = from
    ? { createdAt: from.createdAt, parameters: crc32Of(from.model.parameters), data: dataChecksum(from.data) }
    : null;
  return sha256(canonicalJson({ config, from: source, evaluator: evaluator ?? null }));
}
