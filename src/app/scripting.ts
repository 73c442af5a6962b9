/**
 * The page's scripting hook, `globalThis.lossLandscapeLab`, for the browser console, the browser
 * benchmark and the end-to-end tests: the running lab (jobs, the pool, fault injection), the
 * store, the worker counters and the benchmark (whose module loads only when called).
 */

import type { StoreApi } from "zustand";
import type { BenchmarkOptions, BenchmarkReport } from "../compute/benchmark";
import type { CnnBenchmarkOptions, CnnBenchmarkReport } from "../compute/cnn-benchmark";
import { type Lab, workerCounts } from "../compute/lab";
import { type AppState, appStore } from "../state/store";

interface ScriptingHook {
  benchmark(options: BenchmarkOptions): Promise<BenchmarkReport>;
  /** The layers models' paths on a CNN config (bench:browser's "cnn" part). */
  cnnBenchmark(options: CnnBenchmarkOptions): Promise<CnnBenchmarkReport>;
  /** The running lab, once started. */
  lab: Lab | null;
  /** Workers started since load and workers alive (leak checks). */
  workers: typeof workerCounts;
  /** The app's state (read it; change it through the lab and the controls). */
  store: StoreApi<AppState>;
}

declare global {
  var lossLandscapeLab: ScriptingHook | undefined;
}

export function installScriptingHook(): ScriptingHook {
  globalThis.lossLandscapeLab ??= {
    benchmark: (options) => import("../compute/benchmark").then((m) => m.runBenchmark(options)),
    cnnBenchmark: (options) => import("../compute/cnn-benchmark").then((m) => m.runCnnBenchmark(options)),
    lab: null,
    workers: workerCounts,
    store: appStore,
  };
  return globalThis.lossLandscapeLab;
}
