/**
 * The compute worker: a thin Comlink shell around src/core. It only wires: picks the tfjs
 * backend (the wasm binaries come from the bundle as URLs) and answers a quick self-check.
 * The main thread never imports tfjs; it talks to this file through src/compute/bridge.ts.
 */
import "@tensorflow/tfjs-backend-webgpu"; // registers the webgpu backend (webgl comes with the umbrella)
import { getThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import wasmPlainUrl from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url";
import wasmSimdUrl from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url";
import wasmThreadedSimdUrl from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url";
import { expose } from "comlink";
import { type BackendName, initBackend } from "../src/core/backend";
import { tf } from "../src/core/tf";

/** Used until the backend-measurement step exists: the fastest CPU path first. */
const DEFAULT_ORDER: readonly BackendName[] = ["wasm", "webgl", "cpu"];

export interface InitResult {
  backend: BackendName;
  /** wasm only: XNNPACK threads in use (tfjs caps this at hardwareConcurrency / 2). */
  threads?: number;
  /** wasm only: whether the SIMD binary runs. */
  simd?: boolean;
  /** wasm only: whether the threaded binary runs (needs cross-origin isolation). */
  multithreaded?: boolean;
  crossOriginIsolated: boolean;
  ms: number;
}

export interface SelfCheckResult {
  ok: boolean;
  backend: string;
  /** The 2x2 product, row-major; expected [19, 22, 43, 50]. */
  values: number[];
  /** Tensors alive after the check minus before; 0 unless something leaks. */
  leakedTensors: number;
  ms: number;
  /** Why the check failed, empty when ok. */
  error: string;
}

const EXPECTED = [19, 22, 43, 50];

let initPromise: Promise<InitResult> | undefined;

async function initOnce(preferred: readonly BackendName[]): Promise<InitResult> {
  const t0 = performance.now();
  const backend = await initBackend(preferred, {
    wasmPaths: {
      "tfjs-backend-wasm.wasm": wasmPlainUrl,
      "tfjs-backend-wasm-simd.wasm": wasmSimdUrl,
      "tfjs-backend-wasm-threaded-simd.wasm": wasmThreadedSimdUrl,
    },
  });
  const result: InitResult = {
    backend,
    crossOriginIsolated: self.crossOriginIsolated === true,
    ms: performance.now() - t0,
  };
  if (backend === "wasm") {
    result.threads = getThreadsCount();
    result.simd = Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"));
    result.multithreaded = Boolean(await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT"));
  }
  return result;
}

const api = {
  /**
   * Initialize the first tfjs backend of `preferred` that works. Idempotent: a second call
   * returns the first call's result (tfjs has one global engine per worker).
   *
   * @example const { backend } = await api.init(["wasm", "cpu"]);
   */
  init(preferred: readonly BackendName[] = DEFAULT_ORDER): Promise<InitResult> {
    initPromise ??= initOnce(preferred);
    return initPromise;
  },

  /**
   * Multiply [[1, 2], [3, 4]] by [[5, 6], [7, 8]] on the current backend and compare with
   * [[19, 22], [43, 50]]; also checks that no tensor is left behind.
   */
  async selfCheck(): Promise<SelfCheckResult> {
    if (initPromise === undefined) throw new Error("selfCheck called before init");
    await initPromise;
    const before = tf.memory().numTensors;
    const t0 = performance.now();
    const product = tf.tidy(() =>
      tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])),
    );
    let values: number[];
    try {
      values = Array.from(await product.data());
    } finally {
      product.dispose();
    }
    const ms = performance.now() - t0;
    const leakedTensors = tf.memory().numTensors - before;
    const wrong =
      values.length !== EXPECTED.length || values.some((v, i) => Math.abs(v - EXPECTED[i]) > 1e-4);
    const error = wrong
      ? `matMul gave [${values.join(", ")}], expected [${EXPECTED.join(", ")}]`
      : leakedTensors !== 0
        ? `${leakedTensors} tensor(s) leaked`
        : "";
    return { ok: error === "", backend: tf.getBackend(), values, leakedTensors, ms, error };
  },
};

export type Api = typeof api;

expose(api);
