/**
 * The main thread's door to the compute worker. Imports only the worker's *type*, so no tfjs
 * code lands in the main bundle. One worker for now; a pool comes later.
 */
import { type Remote, releaseProxy, wrap } from "comlink";
import type { Api } from "../../workers/compute.worker";

export type { InitResult, SelfCheckResult } from "../../workers/compute.worker";

export interface ComputeWorker {
  /** The worker's api; every call returns a Promise. */
  api: Remote<Api>;
  /**
   * Rejects when the worker cannot start or throws outside a call (a failed script load or a
   * syntax error would otherwise leave every Comlink call pending forever). Never resolves.
   */
  failed: Promise<never>;
  /** Stop the worker; pending calls never settle afterwards. */
  terminate(): void;
}

/** @example const { api } = startComputeWorker(); const { backend } = await api.init(); */
export function startComputeWorker(): ComputeWorker {
  const worker = new Worker(new URL("../../workers/compute.worker.ts", import.meta.url), {
    type: "module",
    name: "compute",
  });
  const api = wrap<Api>(worker);
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      reject(
        new Error(
          `compute worker failed to start: ${event.message || "script error (see the network panel)"}`,
        ),
      );
    });
    worker.addEventListener("messageerror", () =>
      reject(new Error("compute worker sent a message that could not be read")),
    );
  });
  // Callers may never await `failed`; keep an unobserved rejection from reaching the console.
  failed.catch(() => {});
  return {
    api,
    failed,
    terminate() {
      api[releaseProxy]();
      worker.terminate();
    },
  };
}

/** Settle with `promise`, or reject as soon as the worker fails or `ms` elapse. */
export function withWorkerGuard<T>(
  worker: ComputeWorker,
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${Math.round(ms / 1000)} s`)),
      ms,
    );
  });
  return Promise.race([promise, worker.failed, timeout]).finally(() => clearTimeout(timer));
}
