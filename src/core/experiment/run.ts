import type { ExperimentConfig } from "../config/schema";
import type { DataReaders } from "../data/files";
import type { LandscapeEvaluator } from "../landscape/evaluator";
import { checkEvaluatorFor, defaultEvaluatorFor } from "../landscape/evaluators";
import { sampleLandscape } from "../landscape/surfaces";
import type { ImportedLayersModel } from "../model/layers-import";
import type { Snapshot } from "../snapshot/schema";
import type { TrainResult } from "../train/train";
import { configCurvature } from "./config-curvature";
import { type ExperimentProgress, landscapeProblem, makePlane, prepareModel } from "./prepare";
import { buildSnapshot } from "./snapshot-parts";

export type { ExperimentProgress } from "./prepare";

interface RunOptions {
  /** Take the model, its parameters and the data from this snapshot; skip training. */
  from?: Snapshot;
  /** Absent: the fastest path for the backend (defaultEvaluatorFor). */
  evaluator?: LandscapeEvaluator;
  /** Name of the tfjs backend that runs, recorded in the snapshot. */
  backend: string;
  onProgress?: (p: ExperimentProgress) => void;
  signal?: AbortSignal;
  /** Clock for createdAt (tests pin it). */
  now?: () => Date;
  /** Reads shipped data and the files a config names (PrepareOptions.files). */
  files?: DataReaders;
  /** model.kind "layers": the imported model, when the caller has it already. */
  imported?: ImportedLayersModel;
}

interface ExperimentResult {
  snapshot: Snapshot;
  training?: TrainResult;
  /** Things the user should know that did not stop the run (e.g. divergence). */
  warnings: string[];
}

/**
 * The whole experiment in one process: data, model, training (or the model of `from`),
 * directions, landscape, the curvature report when the config has a `curvature` section, snapshot. The CLI calls this; the browser runs the same phases
 * (prepareModel, makePlane, then tiles over a worker pool, then buildSnapshot).
 * The same config gives the same numbers (every random draw comes from a seed in the config).
 *
 * @example const { snapshot } = await runExperiment(resolveConfig({}), { backend: "wasm" });
 */
export async function runExperiment(
  config: ExperimentConfig,
  options: RunOptions,
): Promise<ExperimentResult> {
  // Refused before any training: a fast path cannot run a model that is not an MLP.
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
  const evaluator = options.evaluator ?? defaultEvaluatorFor(options.backend, model.arch);
  const surfaces = await sampleLandscape(landscapeProblem(model, plane), plane.grid, evaluator, {
    signal: options.signal,
    onTile: (_tile, done, total) =>
      options.onProgress?.({ phase: "landscape", done, total, detail: `${done}/${total} grid points` }),
  });
  // A cancel that arrives with the last tile still cancels: the caller asked for no result.
  options.signal?.throwIfAborted();
  const curvature = await configCurvature(config, model, options);
  const snapshot = buildSnapshot({
    config: model.recordedConfig,
    backend: options.backend,
    createdAt: (options.now ?? (() => new Date()))(),
    model,
    plane,
    surfaces,
    evaluator: evaluator.name,
    curvature,
  });
  return { snapshot, training: model.training, warnings: model.warnings };
}
