/**
 * The main thread's door to the snapshot worker (workers/snapshot-io.worker.ts): the codec the
 * app uses for the library, the last result, export and import, so that writing and reading
 * snapshot bytes (60-130 ms for a 51 x 51 landscape; seconds for a big imported file) never blocks
 * the page. One worker, started on the first call and kept for the next ones (a worker per call
 * would load the module each time); when it fails to start or crashes, its pending calls reject
 * with the reason and the next call starts a new one. A read whose signal is aborted stops the
 * worker (a synchronous read cannot be interrupted otherwise): it rejects with an AbortError, and
 * the next call starts a new worker. The bytes to read are moved to the worker, not copied.
 * Imports only the worker's type.
 *
 * @example const bytes = await workerSnapshotCodec.serialize(snapshot, { gzip: true });
 */
import { proxy, type Remote, releaseProxy, transfer, wrap } from "comlink";
import type { SnapshotIoApi } from "../../workers/snapshot-io.worker";
import { type SnapshotOutcome, unwrapSnapshotOutcome } from "../core/snapshot/outcome";
import type { Snapshot } from "../core/snapshot/schema";
import type { CodecParseOptions, SnapshotCodec } from "../library/snapshot-codec";
import { movableCopy } from "./movable-copy";

interface SnapshotWorker {
  api: Remote<SnapshotIoApi>;
  /** Rejects when the worker fails to load or crashes (its Comlink calls would stay pending). Never resolves. */
  failed: Promise<never>;
  /** Stops the worker; its pending calls reject with `reason`. */
  stop(reason: Error): void;
}

let running: SnapshotWorker | null = null;

function startSnapshotWorker(): SnapshotWorker {
  const worker = new Worker(new URL("../../workers/snapshot-io.worker.ts", import.meta.url), {
    type: "module",
    name: "snapshot-io",
  });
  const api = wrap<SnapshotIoApi>(worker);
  let answered = false;
  let dead = false;
  let started: SnapshotWorker | null = null;
  let stop: (reason: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    const fail = (reason: string | Error) => {
      if (dead) return;
      dead = true;
      if (running === started) running = null;
      api[releaseProxy]();
      worker.terminate();
      reject(typeof reason === "string" ? new Error(reason) : reason);
    };
    stop = fail;
    worker.addEventListener("message", () => {
      answered = true;
    });
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      const what = event.message || "script error (see the network panel)";
      fail(
        answered ? `the snapshot worker crashed: ${what}` : `the snapshot worker failed to start: ${what}`,
      );
    });
    worker.addEventListener("messageerror", () =>
      fail("the snapshot worker sent a message that could not be read"),
    );
  });
  // Between calls nobody awaits `failed`; keep its rejection from reaching the console.
  failed.catch(() => {});
  started = { api, failed, stop };
  return started;
}

function abortReason(signal: AbortSignal): Error {
  if (signal.reason instanceof Error) return signal.reason;
  const error = new Error("the read was cancelled");
  error.name = "AbortError";
  return error;
}

/**
 * Runs `call` on the running worker (started if there is none); rejects when the worker fails,
 * or with the signal's reason when `signal` is aborted (the worker is then stopped).
 */
async function inWorker<T>(
  call: (api: Remote<SnapshotIoApi>) => Promise<SnapshotOutcome<T>>,
  signal?: AbortSignal,
): Promise<T> {
  if (signal?.aborted) throw abortReason(signal);
  running ??= startSnapshotWorker();
  const worker = running;
  const onAbort = () => worker.stop(abortReason(signal as AbortSignal));
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return unwrapSnapshotOutcome(await Promise.race([call(worker.api), worker.failed]));
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * The snapshot codec of the app: the core's serializeSnapshot and parseSnapshot in the snapshot
 * worker, with the same bytes, snapshots and SnapshotErrors (rebuilt here, message and all). The
 * snapshot sent is copied (it stays on screen), its arrays a few ms at a time; the bytes and
 * arrays that come back are moved.
 */
/**
 * A snapshot file (a File or Blob) read, inflated, measured, parsed and validated in the snapshot
 * worker: only the Blob's handle crosses, so the page never reads or copies its bytes. Options as
 * workerSnapshotCodec.parse (limits, signal, progress).
 *
 * @example const snapshot = await parseSnapshotBlob(file, { source: file.name, limits, signal });
 */
export function parseSnapshotBlob(
  blob: Blob,
  { signal, onProgress, ...opts }: CodecParseOptions,
): Promise<Snapshot> {
  return inWorker((api) => api.parseBlob(blob, opts, onProgress ? proxy(onProgress) : undefined), signal);
}

export const workerSnapshotCodec: SnapshotCodec = {
  // The snapshot stays on screen: its arrays are copied a few ms at a time and the copies moved,
  // rather than cloned in one task by the post (movable-copy.ts).
  serialize: async (snapshot, opts) => {
    const { copy, buffers } = await movableCopy(snapshot);
    return inWorker((api) => api.serialize(transfer(copy, buffers), opts));
  },
  parse: (bytes, { signal, onProgress, ...opts }) =>
    inWorker(
      (api) =>
        api.parse(
          transfer(bytes, [bytes.buffer as ArrayBuffer]),
          opts,
          onProgress ? proxy(onProgress) : undefined,
        ),
      signal,
    ),
};
