/**
 * The compute worker: a thin Comlink shell around src/core. It only wires: picks the tfjs
 * backend (the wasm binaries come from the bundle as URLs) and answers a quick self-check.
 * The main thread never imports tfjs; it talks to this file through src/compute/bridge.ts.
 */
import "../src/core/zod-jitless"; // first: before any zod schema is built (see the module)
import "@tensorflow/tfjs-backend-webgpu"; // registers the webgpu backend (webgl comes with the umbrella)
import { getThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import wasmPlainUrl from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url";
import wasmSimdUrl from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url";
import wasmThreadedSimdUrl from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url";
import { expose, transfer } from "comlink";
import { type BackendName, initBackend } from "../src/core/backend";
import { resolveConfig } from "../src/core/config/resolve";
import { fetchBytes } from "../src/core/data/shipped";
import { calibrateBackends } from "../src/core/experiment/calibrate";
import { makePlane, prepareModel } from "../src/core/experiment/prepare";
import { buildSnapshot } from "../src/core/experiment/snapshot-parts";
import {
  resolveTrainingPath,
  setTrainingPath,
  type TrainingPathChoice,
} from "../src/core/kernel/training-path";
import { timeTile } from "../src/core/landscape/calibrate";
import { defaultEvaluatorFor, type EvaluatorName, evaluatorByName } from "../src/core/landscape/evaluators";
import type { Grid, Tile } from "../src/core/landscape/grid";
import {
  type LandscapeProblem,
  type PreparedLandscape,
  prepareLandscape,
  type Surfaces,
} from "../src/core/landscape/surfaces";
import { timeEvaluator } from "../src/core/landscape/timing";
import { lessonMetrics } from "../src/core/lessons/metrics";
import type { Lesson, LessonMetrics } from "../src/core/lessons/schema";
import type { ModelArchitecture, ModelKind } from "../src/core/model/architecture";
import { predictOnGrid } from "../src/core/model/predict";
import type { MlpArchitecture } from "../src/core/model/types";
import type { Snapshot } from "../src/core/snapshot/schema";
import { tf } from "../src/core/tf";
import { TrainControl } from "../src/core/train/control";
import type { HistoryEntry } from "../src/core/train/history";
import { createPathsApi } from "./paths-api";
import { softwareGpuSkip } from "./software-gpu";
import { buffersOf } from "./transfer";

/** Used until the backend-measurement step exists: the fastest CPU path first. */
const DEFAULT_ORDER: readonly BackendName[] = ["wasm", "webgl", "cpu"];

export interface InitResult {
  backend: BackendName;
  /** wasm only: XNNPACK threads in use (tfjs caps this at hardwareConcurrency / 2). */
  threads?: number;
  /** wasm only: whether the SIMD binary runs. */
  simd?: boolean;
  /** wasm only: whether the threaded binary runs (needs cross-origin isolation). */
  multithreaded?: boolean;
  crossOriginIsolated: boolean;
  ms: number;
}

export interface SelfCheckResult {
  ok: boolean;
  backend: string;
  /** The 2x2 product, row-major; expected [19, 22, 43, 50]. */
  values: number[];
  /** Tensors alive after the check minus before; 0 unless something leaks. */
  leakedTensors: number;
  ms: number;
  /** Why the check failed, empty when ok. */
  error: string;
}

const EXPECTED = [19, 22, 43, 50];

let initPromise: Promise<InitResult> | undefined;
/** Running jobs by id, so the main thread can cancel them (an AbortSignal cannot cross postMessage). */
const jobs = new Map<number, AbortController>();
/** Pause / step controls of running training jobs, by job id. */
const controls = new Map<number, TrainControl>();
/** Landscape problems prepared on this worker (data uploaded once, then any number of tiles). */
const problems = new Map<number, PreparedLandscape>();
/** The evaluation path chosen by calibration (selectEvaluator); absent: the backend's default. */
let chosenEvaluator: EvaluatorName | null = null;

/**
 * The evaluator this worker samples a model with: the calibrated (or default) fast path for
 * MLPs; the per-point path for other model kinds (imported layers models, CNNs).
 */
function evaluatorFor(backend: string, model: ModelKind | ModelArchitecture = "mlp") {
  if ((typeof model === "string" ? model : model.kind) !== "mlp") return defaultEvaluatorFor(backend, model);
  return chosenEvaluator ? evaluatorByName(chosenEvaluator) : defaultEvaluatorFor(backend);
}

/**
 * The user's picked files as the reader of the paths a config names (data.path, data.labels,
 * model.file and the weight files model.json lists), by name.
 */
function pickedFiles(files: Record<string, Uint8Array>) {
  return async (path: string): Promise<Uint8Array> => {
    const name = path.replace(/^\.\//, "").split(/[\\/]/).pop() ?? path;
    const bytes = files[path] ?? files[name];
    if (!bytes)
      throw new Error(`no file named ${name} was picked (picked: ${Object.keys(files).join(", ")})`);
    return bytes;
  };
}

/** The shipped datasets (iris, digits) come from the app's own public/ folder. */
const dataFiles = { shipped: fetchBytes(new URL(import.meta.env.BASE_URL, self.location.origin).href) };

async function backendName(): Promise<string> {
  if (initPromise === undefined) throw new Error("the worker was used before init");
  return (await initPromise).backend;
}

function withJob<T>(jobId: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  jobs.set(jobId, controller);
  return run(controller.signal).finally(() => {
    jobs.delete(jobId);
    controls.delete(jobId);
  });
}

async function initOnce(preferred: readonly BackendName[]): Promise<InitResult> {
  const t0 = performance.now();
  const backend = await initBackend(preferred, {
    wasmPaths: {
      "tfjs-backend-wasm.wasm": wasmPlainUrl,
      "tfjs-backend-wasm-simd.wasm": wasmSimdUrl,
      "tfjs-backend-wasm-threaded-simd.wasm": wasmThreadedSimdUrl,
    },
  });
  const result: InitResult = {
    backend,
    crossOriginIsolated: self.crossOriginIsolated === true,
    ms: performance.now() - t0,
  };
  if (backend === "wasm") {
    result.threads = getThreadsCount();
    result.simd = Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"));
    result.multithreaded = Boolean(await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT"));
  }
  return result;
}

const api = {
  /** Paths between minima: trainEndpoints, trainCurve, evaluatePath, align, pathPoint (paths-api.ts). */
  ...createPathsApi({ withJob, controls, backendName, evaluatorFor }),

  /**
   * Initialize the first tfjs backend of `preferred` that works. Idempotent: a second call
   * returns the first call's result (tfjs has one global engine per worker).
   *
   * @example const { backend } = await api.init(["wasm", "cpu"]);
   */
  init(preferred: readonly BackendName[] = DEFAULT_ORDER): Promise<InitResult> {
    initPromise ??= initOnce(preferred);
    return initPromise;
  },

  /**
   * Multiply [[1, 2], [3, 4]] by [[5, 6], [7, 8]] on the current backend and compare with
   * [[19, 22], [43, 50]]; also checks that no tensor is left behind.
   */
  async selfCheck(): Promise<SelfCheckResult> {
    if (initPromise === undefined) throw new Error("selfCheck called before init");
    await initPromise;
    const before = tf.memory().numTensors;
    const t0 = performance.now();
    const product = tf.tidy(() =>
      tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])),
    );
    let values: number[];
    try {
      values = Array.from(await product.data());
    } finally {
      product.dispose();
    }
    const ms = performance.now() - t0;
    const leakedTensors = tf.memory().numTensors - before;
    const wrong =
      values.length !== EXPECTED.length || values.some((v, i) => Math.abs(v - EXPECTED[i]) > 1e-4);
    const error = wrong
      ? `matMul gave [${values.join(", ")}], expected [${EXPECTED.join(", ")}]`
      : leakedTensors !== 0
        ? `${leakedTensors} tensor(s) leaked`
        : "";
    return { ok: error === "", backend: tf.getBackend(), values, leakedTensors, ms, error };
  },

  /**
   * Time a small landscape tile on each candidate backend that initializes and keep the fastest
   * (on a CPU-only machine wasm wins; with a real GPU webgl or webgpu may). Call after init.
   */
  async calibrate(candidates: readonly BackendName[] = ["wasm", "webgl", "webgpu"]) {
    await api.init();
    const result = await calibrateBackends(candidates, softwareGpuSkip);
    if (initPromise) {
      const first = await initPromise;
      initPromise = Promise.resolve({ ...first, backend: result.backend });
    }
    return result;
  },

  /**
   * Phase 1 and 2 of an experiment: data, model and training (streaming each epoch through
   * onEpoch), then the directions and grid. Returns the snapshot without surfaces; the pool
   * samples the grid. Cancel with cancel(jobId).
   */
  async train(
    jobId: number,
    configInput: unknown,
    onEpoch?: (entry: HistoryEntry, total: number) => void,
    userFiles?: Record<string, Uint8Array>,
    /** Wait before the first epoch until resume() or step() (the UI's step-by-step training). */
    startPaused = false,
  ): Promise<TrainJobResult> {
    const backend = await backendName();
    return withJob(jobId, async (signal) => {
      const config = resolveConfig(configInput);
      const control = new TrainControl();
      if (startPaused) control.pause();
      controls.set(jobId, control);
      const model = await prepareModel(config, {
        files: userFiles ? { ...dataFiles, user: pickedFiles(userFiles) } : dataFiles,
        signal,
        control,
        onEpoch: (entry) => onEpoch?.(entry, config.training.epochs),
      });
      const plane = await makePlane(config, model, { signal });
      const snapshot = buildSnapshot({
        config: model.recordedConfig,
        backend,
        createdAt: new Date(),
        model,
        plane,
        surfaces: {},
        evaluator: evaluatorFor(backend, model.arch).name,
      });
      const result: TrainJobResult = { snapshot, warnings: model.warnings };
      return transfer(result, buffersOf(result));
    });
  },

  /** Run the calibration tile on the current backend: throws when the backend cannot do real work. */
  async checkBackend(): Promise<number> {
    const backend = await backendName();
    return timeTile(defaultEvaluatorFor(backend)).ms;
  },

  /**
   * Train MLPs (and compute their curvature) on this path from now on (null: "auto", the kernel
   * where it runs); returns the path an MLP trains on. Throws for an unknown path or one this
   * runtime cannot run, and then keeps the previous choice.
   *
   * @example await api.selectTrainingPath("wasm-kernel") // "wasm-kernel"
   */
  async selectTrainingPath(name: string | null): Promise<string> {
    const choice = (name ?? "auto") as TrainingPathChoice;
    const path = resolveTrainingPath("mlp", choice);
    setTrainingPath(choice);
    return path;
  },

  /**
   * Sample landscapes with this evaluation path from now on (null: the backend's default). Throws
   * for an unknown path or one this runtime cannot run, and then keeps the previous choice.
   *
   * @example await api.selectEvaluator("wasm-kernel") // "wasm-kernel"
   */
  async selectEvaluator(name: string | null): Promise<string> {
    const backend = await backendName();
    chosenEvaluator = name === null ? null : (evaluatorByName(name).name as EvaluatorName);
    return evaluatorFor(backend).name;
  },

  /**
   * Benchmark one evaluation path: the whole grid sampled `repeats` times (best time kept), on
   * this worker's backend. Returns the time and the train loss surface (for agreement checks).
   */
  async benchEvaluator(problem: LandscapeProblem, grid: Grid, name: string, repeats: number) {
    await backendName();
    const evaluator = evaluatorByName(name, problem.arch.kind);
    const { ms, trainLoss } = await timeEvaluator(problem, grid, evaluator, repeats);
    return transfer({ ms, trainLoss }, [trainLoss.buffer as ArrayBuffer]);
  },

  cancel(jobId: number): void {
    jobs.get(jobId)?.abort(new Error("cancelled"));
  },

  /** Pause a training job before its next epoch; resume lets it run on; step runs one epoch. */
  pause(jobId: number): void {
    controls.get(jobId)?.pause();
  },
  resume(jobId: number): void {
    controls.get(jobId)?.resume();
  },
  step(jobId: number): void {
    controls.get(jobId)?.step();
  },

  /** Upload a sampling problem once; later computeTile calls reuse it. Returns the evaluator's name. */
  async prepareProblem(problemId: number, problem: LandscapeProblem): Promise<string> {
    const backend = await backendName();
    problems.get(problemId)?.dispose();
    const evaluator = evaluatorFor(backend, problem.arch);
    problems.set(problemId, prepareLandscape(problem, evaluator));
    return evaluator.name;
  },

  /** One tile of a grid, every metric, x fastest within the tile (buffers transferred). */
  computeTile(problemId: number, grid: Grid, tile: Tile): Surfaces {
    const prepared = problems.get(problemId);
    if (!prepared) throw new Error(`problem ${problemId} is not prepared on this worker`);
    const surfaces = prepared.computeTile(grid, tile);
    return transfer(surfaces, buffersOf(surfaces));
  },

  releaseProblem(problemId: number): void {
    problems.get(problemId)?.dispose();
    problems.delete(problemId);
  },

  /** The network's outputs over a grid of inputs (core/model/predict.ts predictOnGrid; transferred). */
  predictGrid(
    arch: MlpArchitecture,
    parameters: Float32Array,
    task: "classification" | "regression",
    bounds: [number, number, number, number],
    resolution: number,
  ): Float32Array {
    const out = predictOnGrid(arch, parameters, task, bounds, resolution);
    return transfer(out, [out.buffer as ArrayBuffer]);
  },

  /** A lesson's numbers for one run's snapshot (curvature with the lesson's settings); cancel with cancel(jobId). */
  async lessonMetrics(jobId: number, snapshot: Snapshot, lesson: Lesson): Promise<LessonMetrics> {
    await backendName();
    return withJob(jobId, (signal) => lessonMetrics(snapshot, lesson, { signal }));
  },

  /**
   * Fault injection for recovery tests: throw an uncaught error outside any call, as a crash
   * would (the page sees the worker's error event and replaces the worker).
   */
  injectFault(): void {
    setTimeout(() => {
      throw new Error("injected fault (a test of crash recovery)");
    }, 0);
  },

  /** Tensors alive in this worker (tests check that long use does not leak). */
  memory(): { numTensors: number; numBytes: number; problems: number; jobs: number } {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes, problems: problems.size, jobs: jobs.size };
  },
};

export interface TrainJobResult {
  /** The snapshot without surfaces: model, data, directions, grid, training, trajectory. */
  snapshot: Snapshot;
  warnings: string[];
}

export type { HistoryEntry } from "../src/core/train/history";

export type Api = typeof api;

expose(api);
