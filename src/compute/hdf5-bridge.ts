/**
 * The main thread's door to HDF5 (workers/hdf5.worker.ts): every call starts a throwaway worker,
 * waits for h5wasm to load there, runs one read or write under a time limit and terminates the
 * worker, whatever happened. The time limit matters for reads: the HDF5 C library loops forever
 * on some corrupt files, and only terminating its thread stops it. Imports only the worker's type,
 * so h5wasm never lands in the main bundle.
 *
 * @example const surface = await readSurfaceInWorker(bytes, "resnet56.h5"); // Error on a bad or hanging file
 */
import { type Remote, releaseProxy, wrap } from "comlink";
import type { Hdf5Api } from "../../workers/hdf5.worker";
import type { DirectionsExportSource } from "../core/export/hdf5-directions";
import type { Hdf5SurfaceOptions, SurfaceExportSource } from "../core/export/hdf5-surface";
import type { ImportedSurface } from "../core/export/imported";
import type { ReadLimits } from "../core/snapshot/limits";

/** Loading h5wasm (4 MB of JavaScript, the wasm compiled) in a fresh worker; it never depends on a file. */
const HDF5_LOAD_TIMEOUT_MS = 30_000;
/** Writing our own surface or directions file (no corrupt input): generous. */
const HDF5_WRITE_TIMEOUT_MS = 60_000;

/**
 * The time limit for reading a file of `bytes` bytes: 5 s, plus 1 s per 8 MB. A good surface
 * file of a 201 x 201 grid (4 surfaces, 1.3 MB) reads in well under a second.
 */
function hdf5ReadTimeoutMs(bytes: number): number {
  return 5_000 + Math.ceil(bytes / (8 * 2 ** 20)) * 1_000;
}

/** Settles with `promise`, or rejects with `message()` after `ms`. */
function timed<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Rejects with the signal's reason (an AbortError) when it is aborted; never resolves otherwise. */
function aborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (!signal) return;
    const fail = () => {
      if (signal.reason instanceof Error) return reject(signal.reason);
      const error = new Error("the read was cancelled");
      error.name = "AbortError";
      reject(error);
    };
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
}

/**
 * Runs `call` in a new HDF5 worker: `ms` is the time limit of the call (after h5wasm has loaded),
 * `timeoutText` the message when it is exceeded, `signal` cancels it. The worker is terminated
 * afterwards in every case.
 */
async function withHdf5Worker<T>(
  call: (api: Remote<Hdf5Api>) => Promise<T>,
  ms: number,
  timeoutText: () => string,
  signal?: AbortSignal,
): Promise<T> {
  const worker = new Worker(new URL("../../workers/hdf5.worker.ts", import.meta.url), {
    type: "module",
    name: "hdf5",
  });
  const api = wrap<Hdf5Api>(worker);
  // A worker that fails to load (or crashes outside a call) would leave Comlink calls pending.
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      reject(new Error(`the HDF5 worker failed: ${event.message || "script error"}`));
    });
    worker.addEventListener("messageerror", () =>
      reject(new Error("the HDF5 worker sent a message that could not be read")),
    );
  });
  failed.catch(() => {});
  const cancelled = aborted(signal);
  cancelled.catch(() => {});
  try {
    await timed(
      Promise.race([api.ready(), failed, cancelled]),
      HDF5_LOAD_TIMEOUT_MS,
      () => `the HDF5 library did not load within ${HDF5_LOAD_TIMEOUT_MS / 1000} s`,
    );
    return await timed(Promise.race([call(api), failed, cancelled]), ms, timeoutText);
  } finally {
    api[releaseProxy]();
    worker.terminate();
  }
}

/**
 * A reference-layout surface file (its bytes, or a File or Blob, which the worker reads itself)
 * read in a throwaway worker with a time limit
 * (hdf5ReadTimeoutMs), within `opts.limits` (default DEFAULT_READ_LIMITS). Rejects with the
 * reader's Error (naming `source` and what is wrong, a dataset too large for the limits
 * included), with "did not finish within N s" when the HDF5 library hangs on a corrupt file, or
 * with an AbortError when `opts.signal` is aborted (the worker is terminated at once).
 */
export function readSurfaceInWorker(
  bytes: Uint8Array | Blob,
  source: string,
  timeoutMs = hdf5ReadTimeoutMs(bytes instanceof Uint8Array ? bytes.length : bytes.size),
  opts: { limits?: ReadLimits; signal?: AbortSignal } = {},
): Promise<ImportedSurface> {
  return withHdf5Worker(
    (api) => api.readSurface(bytes, source, opts.limits),
    timeoutMs,
    () =>
      `${source}: reading the HDF5 file did not finish within ${timeoutMs / 1000} s; the file is probably corrupt`,
    opts.signal,
  );
}

/** A surface file in the reference tool's layout, written in a throwaway worker. */
export function writeSurfaceInWorker(
  view: SurfaceExportSource,
  opts: Hdf5SurfaceOptions = {},
): Promise<Uint8Array> {
  return withHdf5Worker(
    (api) => api.writeSurface(view, opts),
    HDF5_WRITE_TIMEOUT_MS,
    () => `writing the HDF5 surface file did not finish within ${HDF5_WRITE_TIMEOUT_MS / 1000} s`,
  );
}

/** A directions file in the reference tool's layout, written in a throwaway worker. */
export function writeDirectionsInWorker(source: DirectionsExportSource): Promise<Uint8Array> {
  return withHdf5Worker(
    (api) => api.writeDirections(source),
    HDF5_WRITE_TIMEOUT_MS,
    () => `writing the HDF5 directions file did not finish within ${HDF5_WRITE_TIMEOUT_MS / 1000} s`,
  );
}
