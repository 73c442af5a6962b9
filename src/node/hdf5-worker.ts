/**
 * Worker thread of the guarded HDF5 reader (hdf5-guard.ts): reads reference-layout surface files
 * with h5wasm, one request at a time. It runs apart from the caller because the HDF5 library can
 * loop forever on some corrupt files; the caller then terminates this thread.
 *
 * Protocol: receives { id, bytes, source, limits? }; answers { id, ok: true, surface } or
 * { id, ok: false, message }.
 */
import { parentPort } from "node:worker_threads";
import { loadH5wasm } from "../core/export/h5";
import { readHdf5Surface } from "../core/export/hdf5-surface";
import type { ReadLimits } from "../core/snapshot/limits";

const port = parentPort;
if (!port) throw new Error("hdf5-worker.ts must run in a worker thread");

// No top-level await: the guard loads this file with tsx's CommonJS hook (hdf5-guard.ts).
void loadH5wasm().then((lib) => {
  port.on("message", (msg: { id: number; bytes: Uint8Array; source: string; limits?: ReadLimits }) => {
    try {
      const surface = readHdf5Surface(lib, msg.bytes, { source: msg.source, limits: msg.limits });
      port.postMessage({ id: msg.id, ok: true, surface });
    } catch (err) {
      port.postMessage({ id: msg.id, ok: false, message: err instanceof Error ? err.message : String(err) });
    }
  });
  port.postMessage({ ready: true });
});
