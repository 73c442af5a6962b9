/**
 * The page's scripting hook, `globalThis.lossLandscapeLab`, for the browser console, the browser
 * benchmark and the end-to-end tests: the running lab (jobs, the pool, fault injection), the
 * worker counters and the benchmark (whose module loads only when called).
 */
import type { BenchmarkOptions, BenchmarkReport } from "../compute/benchmark";
import { workerCounts } from "../compute/bridge";
import type { Lab } from "../compute/lab";

export interface ScriptingHook {
  benchmark(options: BenchmarkOptions): Promise<BenchmarkReport>;
  /** The running lab, once started. */
  lab: Lab | null;
  /** Workers started since load and workers alive (leak checks). */
  workers: typeof workerCounts;
}

declare global {
  var lossLandscapeLab: ScriptingHook | undefined;
}

export function installScriptingHook(): ScriptingHook {
  globalThis.lossLandscapeLab ??= {
    benchmark: (options) => import("../compute/benchmark").then((m) => m.runBenchmark(options)),
    lab: null,
    workers: workerCounts,
  };
  return globalThis.lossLandscapeLab;
}
