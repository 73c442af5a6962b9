import { beforeAll } from "vitest";
import { initNodeBackend } from "../../../src/node/tf-node";

/** Every test file that touches tensors runs on the same backend as the CLI: tfjs wasm. */
export function withWasmBackend(): void {
  beforeAll(async () => {
    await initNodeBackend();
  });
}
