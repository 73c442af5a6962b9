/**
 * Choosing and initializing a tfjs backend. Core stays environment-agnostic: the caller
 * says where the wasm binaries are (a folder path in Node, three URLs in a browser bundle).
 */
import { setThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { tf } from "./tf";

const BACKEND_NAMES = ["wasm", "webgpu", "webgl", "cpu"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Where the tfjs wasm binaries are: a folder prefix ending in "/" or one URL per file. */
type WasmPaths =
  | string
  | {
      "tfjs-backend-wasm.wasm": string;
      "tfjs-backend-wasm-simd.wasm": string;
      "tfjs-backend-wasm-threaded-simd.wasm": string;
    };

interface BackendOptions {
  wasmPaths?: WasmPaths;
  /** wasm threads; tfjs ignores this in Node (single-threaded there). */
  wasmThreads?: number;
}

let wasmConfigured = false;

/**
 * Initialize the first backend of `preferred` that works and make it current.
 * GPU backends must be registered (imported) by the caller beforehand.
 *
 * @example const name = await initBackend(["wasm", "cpu"], { wasmPaths: "/abs/dist/" });
 * @returns the name of the backend that runs
 */
export async function initBackend(
  preferred: readonly BackendName[],
  options: BackendOptions = {},
): Promise<BackendName> {
  if (preferred.length === 0) throw new Error("initBackend needs at least one backend name");
  const failures: string[] = [];
  for (const name of preferred) {
    if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
      throw new Error(`unknown backend "${name}"; expected one of ${BACKEND_NAMES.join(", ")}`);
    }
    if (name === "wasm" && !wasmConfigured) {
      if (options.wasmPaths === undefined) {
        failures.push("wasm: no wasmPaths given");
        continue;
      }
      setWasmPaths(options.wasmPaths as Parameters<typeof setWasmPaths>[0]);
      if (options.wasmThreads !== undefined) setThreadsCount(options.wasmThreads);
      wasmConfigured = true;
    }
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
      failures.push(`${name}: setBackend returned false`);
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message}`);
    }
  }
  throw new Error(`no tfjs backend could be initialized (${failures.join("; ")})`);
}

export function currentBackend(): string {
  return tf.getBackend();
}
