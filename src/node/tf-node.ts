/**
 * Node-side backend set-up shared by the CLI, the benchmarks and the tests: the wasm backend
 * with its binaries loaded from the installed package's dist/ folder (no download).
 */
import { createRequire } from "node:module";
import path from "node:path";
import { setFlagsFromString } from "node:v8";
import "@tensorflow/tfjs-backend-wasm";
import { type BackendName, initBackend } from "../core/backend";

// Node 20 keeps WebAssembly relaxed SIMD (fused multiply-add, used by the landscape kernel's
// fastest build) behind a flag; Chromium and Node 22+ have it on. Set before any module compiles.
setFlagsFromString("--experimental-wasm-relaxed-simd");

let ready: Promise<BackendName> | null = null;

function wasmDistFolder(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("@tensorflow/tfjs-backend-wasm/package.json");
  return `${path.join(path.dirname(pkg), "dist")}${path.sep}`;
}

/** Initialize tfjs for Node once: wasm (SIMD, single thread), falling back to cpu. */
export function initNodeBackend(preferred: readonly BackendName[] = ["wasm", "cpu"]): Promise<BackendName> {
  ready ??= initBackend(preferred, { wasmPaths: wasmDistFolder() });
  return ready;
}
