import { useEffect, useState } from "react";
import {
  type InitResult,
  type SelfCheckResult,
  startComputeWorker,
  withWorkerGuard,
} from "../compute/bridge";

export type WorkerStatus =
  | { kind: "starting" }
  | { kind: "ready"; init: InitResult; check: SelfCheckResult }
  | { kind: "error"; message: string };

/** Backend init downloads and compiles wasm; generous, since SwiftShader/CI machines are slow. */
const INIT_TIMEOUT_MS = 60_000;

/** Start the compute worker once, initialize its backend and run the self-check. */
export function useComputeWorker(): WorkerStatus {
  const [status, setStatus] = useState<WorkerStatus>({ kind: "starting" });

  useEffect(() => {
    let live = true;
    const worker = startComputeWorker();
    (async () => {
      try {
        const init = await withWorkerGuard(worker, worker.api.init(), INIT_TIMEOUT_MS, "backend init");
        const check = await withWorkerGuard(worker, worker.api.selfCheck(), INIT_TIMEOUT_MS, "self-check");
        if (live) setStatus({ kind: "ready", init, check });
      } catch (err) {
        if (live) setStatus({ kind: "error", message: err instanceof Error ? err.message : String(err) });
      }
    })();
    return () => {
      live = false;
      worker.terminate();
    };
  }, []);

  return status;
}
