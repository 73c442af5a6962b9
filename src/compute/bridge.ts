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
  /** True once `failed` has rejected (the worker crashed or was stopped): it must be replaced. */
  readonly dead: boolean;
  /** Stop the worker; `failed` rejects, so calls raced against it settle at once. */
  terminate(): void;
}

/** Workers started since the page loaded and workers not yet dead (tests count leaks with these). */
export const workerCounts = { started: 0, alive: 0 };

/** @example const { api } = startComputeWorker(); const { backend } = await api.init(); */
export function startComputeWorker(): ComputeWorker {
  const worker = new Worker(new URL("../../workers/compute.worker.ts", import.meta.url), {
    type: "module",
    name: "compute",
  });
  const remote = wrap<Api>(worker);
  workerCounts.started++;
  workerCounts.alive++;
  let dead = false;
  let answered = false;
  let fail: (err: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = (err) => {
      if (dead) return;
      dead = true;
      workerCounts.alive--;
      reject(err);
    };
  });
  worker.addEventListener("message", () => {
    answered = true;
  });
  worker.addEventListener("error", (event) => {
    event.preventDefault();
    const what = event.message || "script error (see the network panel)";
    fail(new Error(answered ? `compute worker crashed: ${what}` : `compute worker failed to start: ${what}`));
    worker.terminate();
  });
  worker.addEventListener("messageerror", () =>
    fail(new Error("compute worker sent a message that could not be read")),
  );
  // Callers may never await `failed`; keep an unobserved rejection from reaching the console.
  failed.catch(() => {});
  // A dead worker's methods reject with the reason it died (a released Comlink proxy would throw
  // "Proxy has been released" synchronously instead, hiding that reason).
  const api = new Proxy(remote, {
    get(target, key, receiver) {
      if (dead && typeof key === "string" && key !== "then") return () => failed;
      return Reflect.get(target, key, receiver);
    },
  });
  return {
    api,
    failed,
    get dead() {
      return dead;
    },
    terminate() {
      fail(new Error("compute worker was stopped"));
      remote[releaseProxy]();
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
