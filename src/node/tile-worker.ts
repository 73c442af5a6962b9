/**
 * Worker thread of the tile pool (tile-pool.ts): prepares the plan's landscape problem once with
 * the plan's evaluator, then computes the tiles it is sent, one message per tile.
 *
 * Protocol: workerData TileWorkerData; posts { type: "ready", backend } or { type: "failed",
 * message }; receives { type: "tile", index } and answers { type: "done", index, values, ms } or
 * { type: "error", index, message }; receives { type: "exit" } to dispose and leave.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Grid, Tile } from "../core/landscape/grid";
import { type LandscapeProblem, type PreparedLandscape, prepareLandscape } from "../core/landscape/surfaces";
import type { ModelKind } from "../core/model/architecture";
import { planEvaluator } from "../core/shards/plan-evaluator";
import type { PlanSection } from "../core/snapshot/plan-section";
import { initNodeBackend } from "./tf-node";

export interface TileWorkerData {
  problem: LandscapeProblem;
  grid: Grid;
  tiles: Tile[];
  plan: PlanSection;
  kind: ModelKind;
  /** Extra milliseconds per tile (fault-injection tests). */
  slowMs: number;
}
export type TileWorkerRequest = { type: "tile"; index: number } | { type: "exit" };
export type TileWorkerReply =
  | { type: "ready"; backend: string }
  | { type: "failed"; message: string }
  | { type: "done"; index: number; values: Record<string, Float32Array>; ms: number }
  | { type: "error"; index: number; message: string };

const port = parentPort;
if (!port) throw new Error("tile-worker.ts must run in a worker thread");
const data = workerData as TileWorkerData;
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

let prepared: PreparedLandscape | null = null;
try {
  const backend = await initNodeBackend();
  prepared = prepareLandscape(data.problem, planEvaluator(data.kind, data.plan, backend));
  port.postMessage({ type: "ready", backend } satisfies TileWorkerReply);
} catch (err) {
  port.postMessage({ type: "failed", message: message(err) } satisfies TileWorkerReply);
}

port.on("message", async (msg: TileWorkerRequest) => {
  if (msg.type === "exit" || !prepared) {
    prepared?.dispose();
    port.close();
    return;
  }
  try {
    const t0 = performance.now();
    const surfaces = prepared.computeTile(data.grid, data.tiles[msg.index]);
    const ms = performance.now() - t0;
    if (data.slowMs > 0) await new Promise((resolve) => setTimeout(resolve, data.slowMs));
    // Copies: an evaluator may return views of its own memory, which must not be transferred.
    const values: Record<string, Float32Array> = {};
    for (const [name, v] of Object.entries(surfaces)) if (v) values[name] = v.slice();
    const reply: TileWorkerReply = { type: "done", index: msg.index, values, ms };
    port.postMessage(
      reply,
      Object.values(values).map((v) => v.buffer as ArrayBuffer),
    );
  } catch (err) {
    port.postMessage({ type: "error", index: msg.index, message: message(err) } satisfies TileWorkerReply);
  }
});
