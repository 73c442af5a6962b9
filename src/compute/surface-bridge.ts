/**
 * The main thread's door to the surface worker (workers/surface.worker.ts): builds a surface's
 * drawing arrays off the main thread. One worker, started on the first call and kept for the next
 * ones; when it fails to start or crashes, its pending calls reject with the reason and the next
 * call starts a new one. Imports only the worker's type.
 *
 * @example const built = await buildSurfaceInWorker(request); // request.values is copied
 */
import { type Remote, releaseProxy, wrap } from "comlink";
import type { SurfaceApi } from "../../workers/surface.worker";
import type { SurfaceBuild, SurfaceRequest } from "../core/surface/build";

interface SurfaceWorker {
  api: Remote<SurfaceApi>;
  /** Rejects when the worker fails to load or crashes (its Comlink calls would stay pending). Never resolves. */
  failed: Promise<never>;
}

let running: SurfaceWorker | null = null;

function startSurfaceWorker(): SurfaceWorker {
  const worker = new Worker(new URL("../../workers/surface.worker.ts", import.meta.url), {
    type: "module",
    name: "surface",
  });
  const api = wrap<SurfaceApi>(worker);
  let answered = false;
  let dead = false;
  let started: SurfaceWorker | null = null;
  const failed = new Promise<never>((_, reject) => {
    const fail = (reason: string) => {
      if (dead) return;
      dead = true;
      if (running === started) running = null;
      api[releaseProxy]();
      worker.terminate();
      reject(new Error(reason));
    };
    worker.addEventListener("message", () => {
      answered = true;
    });
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      const what = event.message || "script error (see the network panel)";
      fail(answered ? `the surface worker crashed: ${what}` : `the surface worker failed to start: ${what}`);
    });
    worker.addEventListener("messageerror", () =>
      fail("the surface worker sent a message that could not be read"),
    );
  });
  // Between calls nobody awaits `failed`; keep its rejection from reaching the console.
  failed.catch(() => {});
  started = { api, failed };
  return started;
}

/** Whether this page can run the surface worker at all (not in Node, not without Worker). */
export function surfaceWorkerAvailable(): boolean {
  return typeof Worker !== "undefined";
}

/**
 * Start the surface worker before its first build: its script then loads while nothing waits for
 * it, instead of in the middle of a landscape's first picture (the start is main-thread work too).
 */
export function prestartSurfaceWorker(): void {
  if (surfaceWorkerAvailable()) running ??= startSurfaceWorker();
}

/**
 * buildSurface (src/core/surface/build.ts) in the surface worker. The request is copied (its
 * values may keep changing in place on this side); the arrays that come back are moved here.
 * Rejects with the build's own error (bad sizes) or when the worker fails.
 */
export async function buildSurfaceInWorker(request: SurfaceRequest): Promise<SurfaceBuild> {
  running ??= startSurfaceWorker();
  const { api, failed } = running;
  return Promise.race([api.build(request), failed]);
}
