import "../core/zod-jitless"; // first: before any zod schema is built (see the module)
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import "./app.css";
import type { BenchmarkOptions, BenchmarkReport } from "../compute/benchmark";

declare global {
  var lossLandscapeLab: { benchmark(options: BenchmarkOptions): Promise<BenchmarkReport> } | undefined;
}

// A scripting hook (browser console, `npm run bench:browser`): the evaluation paths, the pool and
// the problem sizes timed in this browser's workers. Its module loads only when called.
globalThis.lossLandscapeLab = {
  benchmark: (options) => import("../compute/benchmark").then((m) => m.runBenchmark(options)),
};

const root = document.getElementById("root");
if (root === null) throw new Error('index.html has no element with id "root"');

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
