/**
 * Reading HDF5 files that may be corrupt, with a time limit. The HDF5 C library (h5wasm) can loop
 * forever on some damaged files (found by `npm run fuzz`), and a synchronous wasm loop cannot be
 * interrupted from its own thread; so the reading runs in a worker thread, which is terminated
 * and replaced when a file takes longer than the limit. The caller gets a clear Error either way.
 *
 * @example const reader = createGuardedHdf5Reader(); const surface = await reader.read(bytes, "run.h5"); await reader.close();
 */
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ImportedSurface } from "../core/export/imported";
import type { ReadLimits } from "../core/snapshot/limits";

interface GuardedHdf5Reader {
  /** Reads a surface file; `limits` (default DEFAULT_READ_LIMITS) bound what its datasets may take. */
  read(bytes: Uint8Array, source: string, limits?: ReadLimits): Promise<ImportedSurface>;
  close(): Promise<void>;
}

// The worker's entry is TypeScript: register tsx's require hook first (Node 20 cannot start a
// worker from a .ts file by itself), then require it. The CommonJS hook transpiles in the worker's
// own thread; tsx's ESM loader would start one more thread for its hooks, about 30 MB more, which
// matters when a hostile file must be refused in little memory.
const bootstrap = (file: string) => `require("tsx/cjs/api").register(); require(${JSON.stringify(file)});`;

export function createGuardedHdf5Reader(options: { timeoutMs?: number } = {}): GuardedHdf5Reader {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const entry = fileURLToPath(new URL("./hdf5-worker.ts", import.meta.url));
  let worker: Worker | null = null;
  let ready: Promise<void> | null = null;
  let nextId = 1;

  const start = () => {
    const w = new Worker(bootstrap(entry), { eval: true });
    worker = w;
    ready = new Promise<void>((resolve, reject) => {
      const onMessage = (m: { ready?: boolean }) => {
        if (m.ready) {
          w.off("message", onMessage);
          resolve();
        }
      };
      w.on("message", onMessage);
      w.once("error", reject);
    });
    return ready;
  };

  const stop = async () => {
    const w = worker;
    worker = null;
    ready = null;
    if (w) await w.terminate();
  };

  return {
    async read(bytes, source, limits) {
      if (!worker) await start();
      else await ready;
      const w = worker as unknown as Worker;
      const id = nextId++;
      return new Promise<ImportedSurface>((resolve, reject) => {
        const timer = setTimeout(() => {
          cleanup();
          void stop();
          reject(
            new Error(
              `${source}: reading the HDF5 file did not finish within ${timeoutMs / 1000} s; the file is probably corrupt`,
            ),
          );
        }, timeoutMs);
        const onMessage = (m: { id?: number; ok?: boolean; surface?: ImportedSurface; message?: string }) => {
          if (m.id !== id) return;
          cleanup();
          if (m.ok && m.surface) resolve(m.surface);
          else reject(new Error(m.message ?? `${source}: unreadable HDF5 file`));
        };
        const onError = (err: Error) => {
          cleanup();
          void stop();
          reject(new Error(`${source}: the HDF5 reader failed: ${err.message}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          w.off("message", onMessage);
          w.off("error", onError);
        };
        w.on("message", onMessage);
        w.once("error", onError);
        w.postMessage({ id, bytes, source, limits });
      });
    },
    close: stop,
  };
}
