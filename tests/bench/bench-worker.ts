/**
 * Worker thread of `npm run bench`'s pool measurement: builds the reference problem (the same
 * one as the main thread, from bench-problem.ts), prepares it once for the default evaluator,
 * then computes the tiles it is sent, one message per tile, and posts each tile's train loss back.
 *
 * Protocol: workerData { samples, gridSize, tilePoints }; posts { type: "ready" } once prepared
 * (and warmed up on one tile); receives { type: "tile", index } and answers
 * { type: "done", index, loss }; receives { type: "exit" } to dispose and leave.
 */
import { parentPort, workerData } from "node:worker_threads";
import { defaultEvaluatorFor } from "../../src/core/landscape/evaluators";
import { splitTiles } from "../../src/core/landscape/grid";
import { prepareLandscape } from "../../src/core/landscape/surfaces";
import { initNodeBackend } from "../../src/node/tf-node";
import { makeBenchProblem, squareGrid } from "./bench-problem";

export interface BenchWorkerData {
  samples: number;
  gridSize: number;
  tilePoints: number;
}
export type BenchWorkerRequest = { type: "tile"; index: number } | { type: "exit" };
export type BenchWorkerReply =
  | { type: "ready"; evaluator: string }
  | { type: "done"; index: number; loss: Float32Array };

const port = parentPort;
if (!port) throw new Error("bench-worker.ts must run in a worker thread");
const { samples, gridSize, tilePoints } = workerData as BenchWorkerData;

const backend = await initNodeBackend();
const evaluator = defaultEvaluatorFor(backend);
const grid = squareGrid(gridSize);
const tiles = splitTiles(grid, tilePoints);
const prepared = prepareLandscape(makeBenchProblem(samples), evaluator);
prepared.computeTile(grid, tiles[0]); // warm-up: compile and first-touch outside the timing

port.on("message", (msg: BenchWorkerRequest) => {
  if (msg.type === "exit") {
    prepared.dispose();
    port.close();
    return;
  }
  // A copy: the evaluator may return a view of its own (wasm) memory, which must not be transferred.
  const loss = (prepared.computeTile(grid, tiles[msg.index]).train_loss as Float32Array).slice();
  const reply: BenchWorkerReply = { type: "done", index: msg.index, loss };
  port.postMessage(reply, [loss.buffer]);
});
port.postMessage({ type: "ready", evaluator: evaluator.name } satisfies BenchWorkerReply);
