/**
 * The main thread's door to the snapshot worker (workers/snapshot-io.worker.ts): the codec the
 * app uses for the library, the last result, export and import, so that writing and reading
 * snapshot bytes (60-130 ms for a 51 x 51 landscape) never blocks the page. One worker, started on
 * the first call and kept for the next ones (a worker per call would load the module each time);
 * when it fails to start or crashes, its pending calls reject with the reason and the next call
 * starts a new one. Imports only the worker's type.
 *
 * @example const bytes = await workerSnapshotCodec.serialize(snapshot, { gzip: true });
 */
import { type Remote, releaseProxy, wrap } from "comlink";
import type { SnapshotIoApi } from "../../workers/snapshot-io.worker";
import { type SnapshotOutcome, unwrapSnapshotOutcome } from "../core/snapshot/outcome";
import type { SnapshotCodec } from "../library/snapshot-codec";

interface SnapshotWorker {
  api: Remote<SnapshotIoApi>;
  /** Rejects when the worker fails to load or crashes (its Comlink calls would stay pending). Never resolves. */
  failed: Promise<never>;
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
  started = { api, failed };
  return started;
}

/** Runs `call` on the running worker (started if there is none); rejects when the worker fails. */
async function inWorker<T>(call: (api: Remote<SnapshotIoApi>) => Promise<SnapshotOutcome<T>>): Promise<T> {
  running ??= startSnapshotWorker();
  const { api, failed } = running;
  return unwrapSnapshotOutcome(await Promise.race([call(api), failed]));
}

/**
 * The snapshot codec of the app: the core's serializeSnapshot and parseSnapshot in the snapshot
 * worker, with the same bytes, snapshots and SnapshotErrors (rebuilt here, message and all). The
 * snapshot sent is copied (it stays on screen); the bytes and arrays that come back are moved.
 */
export const workerSnapshotCodec: SnapshotCodec = {
  serialize: (snapshot, opts) => inWorker((api) => api.serialize(snapshot, opts)),
  parse: (bytes, opts) => inWorker((api) => api.parse(bytes, opts)),
};
