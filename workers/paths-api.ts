/**
 * The paths part of the compute worker's API (spread into the api object of compute.worker.ts):
 * thin wiring around src/core/experiment/paths-run.ts, the two calls the page makes. Long
 * calls take a job id first (cancel(jobId) aborts them; pause/resume/step work on endpoint
 * training); every Float32Array in a result is transferred, not copied.
 *
 * @example const m = await worker.trainEndpoints(7, config, 1, undefined, proxy((e) => draw(e)));
 */
import { transfer } from "comlink";
import { resolveConfig } from "../src/core/config/resolve";
import {
  connectTrainedEndpoints,
  type PathsProgress,
  type PathsRunResult,
  pathsProblem,
  pathsSettingsOf,
  type TrainedEndpoint,
  trainEndpoint,
} from "../src/core/experiment/paths-run";
import type { LandscapeEvaluator } from "../src/core/landscape/evaluator";
import type { MlpArchitecture } from "../src/core/model/types";
import { TrainControl } from "../src/core/train/control";
import type { HistoryEntry } from "../src/core/train/history";
import type { TrainResult } from "../src/core/train/train";
import { buffersOf } from "./transfer";

/** What the worker shell lends the paths API: its job table, controls and evaluator choice. */
interface PathsApiContext {
  withJob<T>(jobId: number, run: (signal: AbortSignal) => Promise<T>): Promise<T>;
  controls: Map<number, TrainControl>;
  backendName(): Promise<string>;
  evaluatorFor(backend: string): LandscapeEvaluator;
}

export interface EndpointResult {
  /** 0-based model index and the seed that made it (init and minibatch order). */
  k: number;
  seed: number;
  arch: MlpArchitecture;
  initial: Float32Array;
  parameters: Float32Array;
  status: "completed" | "diverged";
  message?: string;
  diverged?: TrainResult["diverged"];
  epochs: number;
  steps: number;
  history: HistoryEntry[];
  /** What the snapshot's training section records besides the history (runPathsFrom needs it). */
  sharpness?: TrainResult["sharpness"];
  labelNoise?: TrainResult["labelNoise"];
  /** The code that trained it (kernel/training-path.ts). */
  path: TrainResult["path"];
}

const moved = <T>(value: T): T => transfer(value, buffersOf(value));

/** The paths methods, bound to the worker's job table. */
export function createPathsApi(ctx: PathsApiContext) {
  return {
    /**
     * The rest of a paths run from its trained models (experiment/paths-run.ts
     * connectTrainedEndpoints): `endpoints` are trainEndpoints results for k = 0 .. models - 1, in
     * that order, possibly trained in other workers. The same numbers as the CLI's runPaths; progress
     * phases paths, curve, align, landscape; cancel with cancel(jobId).
     */
    async runPathsFrom(
      jobId: number,
      configInput: unknown,
      endpoints: EndpointResult[],
      onProgress?: (p: PathsProgress) => void,
    ): Promise<PathsRunResult> {
      const backend = await ctx.backendName();
      return ctx.withJob(jobId, async (signal) => {
        const config = resolveConfig(configInput);
        const trained = endpoints.map((e, i): TrainedEndpoint => {
          if (e.k !== i) throw new Error(`endpoint ${i} is model k = ${e.k}: pass the models in order of k`);
          const { k: _k, arch: _arch, seed, initial, ...training } = e;
          return { seed, initial, training };
        });
        const result = await connectTrainedEndpoints(config, trained, {
          backend,
          evaluator: ctx.evaluatorFor(backend),
          signal,
          onProgress: (p) => onProgress?.(p),
        });
        return moved(result);
      });
    },

    /**
     * Train model k (0-based) of a config's paths run, streaming every epoch; `seed` overrides the
     * config's paths.seeds[k]. Cancel with cancel(jobId); pause/resume/step apply.
     */
    async trainEndpoints(
      jobId: number,
      configInput: unknown,
      k: number,
      seed?: number,
      onEpoch?: (entry: HistoryEntry, total: number) => void,
    ): Promise<EndpointResult> {
      await ctx.backendName();
      return ctx.withJob(jobId, async (signal) => {
        const config = resolveConfig(configInput);
        const settings = pathsSettingsOf(config);
        if (!Number.isInteger(k) || k < 0 || (seed === undefined && k >= settings.seeds.length)) {
          throw new Error(`model index k must be an integer in [0, ${settings.seeds.length - 1}], got ${k}`);
        }
        const s = seed ?? settings.seeds[k];
        const control = new TrainControl();
        ctx.controls.set(jobId, control);
        const problem = pathsProblem(config);
        const r = await trainEndpoint(config, problem, s, {
          signal,
          control,
          onEpoch: (entry, total) => onEpoch?.(entry, total),
        });
        const t = r.training;
        const result: EndpointResult = {
          k,
          seed: s,
          arch: problem.arch,
          initial: r.initial,
          parameters: t.parameters,
          status: t.status,
          epochs: t.epochs,
          steps: t.steps,
          path: t.path,
          history: t.history,
        };
        if (t.message) result.message = t.message;
        if (t.diverged) result.diverged = t.diverged;
        if (t.sharpness) result.sharpness = t.sharpness;
        if (t.labelNoise) result.labelNoise = t.labelNoise;
        return moved(result);
      });
    },
  };
}
