/**
 * npm run bench:browser: the reference landscape in the real app, in headless Chromium.
 *
 * Run `npm run build` first (this script builds nothing; it refuses to run without dist/).
 * Serves dist/ (or BENCH_DIST) with Vite's preview API (vite.config.ts adds the COOP/COEP headers)
 * on 127.0.0.1, opens the system Chromium (/usr/bin/chromium, or CHROMIUM_PATH) through playwright-core.
 *
 * Part 1, the app as a person sees it: the reference workload in the URL hash (spirals, 512
 * training points, no test set, MLP 2-64-64-2, 1 epoch, 51x51 grid); the app runs it on load.
 * Times come from the app's performance-timeline marks (src/state/marks.ts), frame-exact:
 * - sampling start: "landscape:sampling-start" (the job starts sampling);
 * - first picture: the first "landscape:surface-frame" after it, the frame in which the 3D view
 *   drew the coarse surface (its three.js draw call has been issued);
 * - full surface: the first surface frame whose detail.done is every grid point;
 * - done: the progress bar's data-phase becomes "done" (DOM).
 * Run 1 is a fresh browser profile; the first-use calibration of backend and evaluation path runs
 * after its landscape; the later runs reload the page in the same context.
 *
 * Part 2, the table `npm run bench` prints, measured in this browser's compute workers
 * (src/compute/benchmark.ts through the page's `lossLandscapeLab.benchmark` hook): every
 * evaluation path on the reference workload (grid points/s, GFLOP/s, ratios), the pool with 1 and
 * 2 workers, and four problem sizes.
 *
 * Part "cnn": the layers models' paths on the digits-cnn preset (2,000 + 500 samples), measured
 * in a compute worker through the page's `lossLandscapeLab.cnnBenchmark` hook
 * (src/compute/cnn-benchmark.ts; the browser's counterpart of tests/bench/cnn-bench.ts): ms per
 * grid point of naive (5x5 points), tfjs-cnn-batched and wasm-cnn (one CLI tile of the 51x51 grid,
 * 5 rows x 51 points through its centre), BENCH_CNN_ROUNDS
 * rounds (default 5) side by side, and each fast path's ratio to naive per round.
 *
 * Part 3, "runs" (browser-bench-runs.ts): seconds from Run to the finished landscape for the
 * default experiment (no hash), every lesson and every paths preset, each after the page's first
 * automatic run, BENCH_REPEATS times each (default 1 for this part); a table of median and min–max.
 *
 * Options (env): BENCH_PARTS=load,table,cnn,runs (a comma list of the parts to run; default all;
 * "table" or "cnn" alone still loads the page once with the hash) BENCH_BROWSER_RUNS=3 BENCH_REPEATS=3 (part 2; part
 * 3: 1) BENCH_RUN_ITEMS=default,lesson:sam,... (part 3's items; default all) BENCH_DIST=dist (the
 * build to serve, relative to the repository) CHROMIUM_PATH=/usr/bin/chromium
 * BENCH_HASH=<hash without #>
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { preview } from "vite";
import type { BenchmarkReport } from "../../src/compute/benchmark";
import type { CnnBenchmarkReport } from "../../src/compute/cnn-benchmark";
import { measureRuns, printRuns, type RunRow, runItems } from "./browser-bench-runs";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const distDir = resolve(root, process.env.BENCH_DIST || "dist");
const PARTS = ["load", "table", "cnn", "runs"];
const parts = new Set((process.env.BENCH_PARTS || PARTS.join(",")).split(",").map((p) => p.trim()));
for (const p of parts) {
  if (!PARTS.includes(p)) {
    console.error(`BENCH_PARTS: unknown part "${p}" (parts: ${PARTS.join(", ")})`);
    process.exit(1);
  }
}
const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
// "table" or "cnn" without "load" still needs the page loaded once (and its calibration done).
const runs = parts.has("load")
  ? Number(process.env.BENCH_BROWSER_RUNS ?? 3)
  : parts.has("table") || parts.has("cnn")
    ? 1
    : 0;
const hash = process.env.BENCH_HASH ?? "n=512&nt=0&hid=64,64&gx=-1,1,51&gy=-1,1,51&ep=1";
const gridPoints = (() => {
  const axis = (key: string) => Number(new URLSearchParams(hash).get(key)?.split(",")[2] ?? 1);
  return axis("gx") * axis("gy");
})();
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];

if (!existsSync(resolve(distDir, "index.html"))) {
  console.error(`No production build at ${distDir}: run \`npm run build\` first.`);
  process.exit(1);
}
if (!existsSync(chromiumPath)) {
  console.error(`Chromium not found at ${chromiumPath} (set CHROMIUM_PATH).`);
  process.exit(1);
}

/** What the page reports after a run, in performance.now() milliseconds. */
interface Recorded {
  samplingStart: number | null;
  firstFrame: number | null;
  fullFrame: number | null;
  done: number | null;
  doneText: string;
}

// Plain JavaScript run in the page: the app's marks, and when the progress bar said "done".
const RECORDER = `(() => {
  const rec = { done: null, doneText: "" };
  window.__bench = rec;
  new MutationObserver(() => {
    const el = document.querySelector('[data-testid="progress"]');
    if (rec.done === null && el && el.getAttribute("data-phase") === "done") {
      rec.done = performance.now();
      rec.doneText = el.querySelector(".ctl-progress-status")?.textContent || el.textContent || "";
    }
  }).observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
})();`;

const READ_MARKS = `((total) => {
  const start = performance.getEntriesByName("landscape:sampling-start").at(-1);
  const frames = performance.getEntriesByName("landscape:surface-frame")
    .filter((m) => start && m.startTime >= start.startTime);
  const full = frames.find((m) => m.detail && m.detail.done >= total);
  return {
    samplingStart: start ? start.startTime : null,
    firstFrame: frames.length > 0 ? frames[0].startTime : null,
    fullFrame: full ? full.startTime : null,
    done: window.__bench.done,
    doneText: window.__bench.doneText,
  };
})`;

// The table's workload: the Node bench's reference (spirals, MLP 2-64-64-2 ReLU, 51x51, 512
// samples); 1024 are generated so the scaling rows can take 1024 (the table uses the first 512).
const BENCH_CONFIG = {
  seed: 0,
  data: { name: "spirals", trainCount: 1024, testCount: 0 },
  model: { hiddenSizes: [64, 64], activation: "relu" },
  training: { epochs: 1 },
  grid: { x: { count: 51 }, y: { count: 51 } },
};
const TABLE_SAMPLES = 512;
const SIZES: [number, number][] = [
  [21, 512],
  [41, 512],
  [51, 256],
  [51, 1024],
];
/** Multiply-adds of one forward pass of MLP 2-64-64-2 per sample: 2*64 + 64*64 + 64*2. */
const MACS_PER_SAMPLE = 2 * 64 + 64 * 64 + 64 * 2;
const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const runRepeats = Number(process.env.BENCH_REPEATS ?? 1);
const items = parts.has("runs") ? runItems(distDir) : [];

const server = await preview({
  root,
  logLevel: "warn",
  build: { outDir: distDir },
  preview: { host: "127.0.0.1", port: 0, strictPort: false, open: false },
});
const address = server.httpServer.address();
if (address === null || typeof address === "string") throw new Error("preview server has no TCP address");
const baseUrl = `http://127.0.0.1:${address.port}/`;
const url = `${baseUrl}#${hash}`;

const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
const rows: (Recorded & { run: number })[] = [];
let report: BenchmarkReport | null = null;
let cnnReport: CnnBenchmarkReport | null = null;
let calibration = "";
let runRows: RunRow[] = [];
try {
  // bypassCSP: the script's own string predicates (waitForFunction) are evaluated in the page.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  await context.addInitScript(RECORDER);
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error(`page error: ${err.message}`));
  for (let run = 1; run <= runs; run++) {
    if (run === 1) await page.goto(url);
    else {
      // Without its last result the reloaded app computes the landscape again (it would show it).
      await page.evaluate(
        () =>
          new Promise((resolve) => {
            const request = indexedDB.deleteDatabase("loss-landscape-lab");
            request.onsuccess = request.onerror = request.onblocked = () => resolve(null);
          }),
      );
      await page.reload();
    }
    await page.waitForSelector('[data-testid="progress"][data-phase="done"]', { timeout: 120_000 });
    // The frame that shows the finished surface follows the "done" text by a frame or two.
    await page.waitForFunction(`${READ_MARKS}(${gridPoints}).fullFrame !== null`, undefined, {
      timeout: 10_000,
    });
    rows.push({ run, ...((await page.evaluate(`${READ_MARKS}(${gridPoints})`)) as Recorded) });
    if (run === 1) {
      // Let the first-use calibration finish before the next run (it shares the two cores).
      await page.waitForFunction('localStorage.getItem("loss-landscape-lab.evaluator") !== null', undefined, {
        timeout: 120_000,
      });
      calibration = (await page.evaluate('localStorage.getItem("loss-landscape-lab.evaluator")')) as string;
    }
  }
  if (parts.has("table")) {
    await page.evaluate("(async () => { await new Promise((r) => setTimeout(r, 500)); })()");
    report = (await page.evaluate(
      `lossLandscapeLab.benchmark(${JSON.stringify({
        config: BENCH_CONFIG,
        samples: TABLE_SAMPLES,
        repeats,
        sizes: SIZES,
        workers: [1, 2],
      })})`,
    )) as BenchmarkReport;
  }
  if (parts.has("cnn")) {
    // The preset as the app serves it (its digits are fetched from public/data in the worker).
    cnnReport = (await page.evaluate(`(async () => {
      const config = await (await fetch("presets/digits-cnn.json")).json();
      return lossLandscapeLab.cnnBenchmark({ config, rounds: ${Number(process.env.BENCH_CNN_ROUNDS ?? 5)} });
    })()`)) as CnnBenchmarkReport;
  }
  await context.close();
  if (parts.has("runs")) runRows = await measureRuns(browser, baseUrl, items, runRepeats);
} finally {
  await browser.close();
  await server.close();
}

const ms = (v: number | null) => (v === null ? "-".padStart(11) : `${v.toFixed(0).padStart(8)} ms`);
const since = (r: Recorded, t: number | null) =>
  t === null || r.samplingStart === null ? null : t - r.samplingStart;
console.log(
  `browser bench: Chromium ${browser.version()}, ${distDir}${runs > 0 ? `, #${hash} (${gridPoints} grid points)` : ""}`,
);
if (runs > 0) console.log(`first-use calibration remembered: ${calibration}`);
if (parts.has("load")) printLoad();
if (report !== null) printTable(report);
if (cnnReport !== null) printCnn(cnnReport);
if (parts.has("runs")) printRuns(runRows, runRepeats);

function printLoad(): void {
  console.log(
    'times from the mark "landscape:sampling-start"; picture times are frames drawn by the 3D view',
  );
  console.log(
    `${"run".padEnd(10)} ${"load->sampl.".padStart(12)} ${"first pic.".padStart(11)} ` +
      `${"full frame".padStart(11)} ${"done (DOM)".padStart(11)} ${"points/s".padStart(10)}`,
  );
  for (const r of rows) {
    const full = since(r, r.fullFrame);
    console.log(
      `${`${r.run}${r.run === 1 ? " (cold)" : ""}`.padEnd(10)} ${ms(r.samplingStart).padStart(12)} ` +
        `${ms(since(r, r.firstFrame))} ${ms(full)} ${ms(since(r, r.done))} ` +
        `${full === null ? "-".padStart(10) : ((gridPoints / full) * 1000).toFixed(0).padStart(10)}`,
    );
  }
  for (const r of rows) console.log(`run ${r.run} progress: ${r.doneText}`);
}

function printTable(report: BenchmarkReport): void {
  const points = report.gridPoints;
  const flops = 2 * MACS_PER_SAMPLE * report.samples * points;
  console.log(
    `\nevaluation paths in a Chromium worker: ${report.backend} backend, MLP 2-64-64-2 relu, ${report.samples} samples, ` +
      `${Math.sqrt(points)}x${Math.sqrt(points)} grid (${points} points), ${(flops / 1e9).toFixed(2)} GFLOP per surface, best of at least ${repeats} passes (fast paths: about 1.5 s of passes, at most 10)`,
  );
  const naive = report.paths.find((p) => p.name === "naive" && p.ms !== null)?.ms ?? null;
  for (const p of report.paths) {
    if (p.ms === null) {
      console.log(`${p.name.padEnd(14)} not run: ${p.error}`);
      continue;
    }
    console.log(
      `${p.name.padEnd(14)} ${p.ms.toFixed(0).padStart(8)} ms ${((points / p.ms) * 1000).toFixed(0).padStart(10)} points/s ` +
        `${(flops / p.ms / 1e6).toFixed(2).padStart(8)} GFLOP/s ` +
        `${naive === null ? "" : `${(naive / p.ms).toFixed(2).padStart(7)}x naive`}   max rel. diff ${(p.maxRelDiff ?? Number.NaN).toExponential(1)}   best of ${p.passes ?? repeats}`,
    );
  }
  const byName = (n: string) => report.paths.find((p) => p.name === n)?.ms ?? Number.NaN;
  const kernel = byName("wasm-kernel");
  console.log(
    `wasm-kernel: ${(byName("tfjs-batched") / kernel).toFixed(2)}x tfjs-batched, ${(byName("tfjs-gemm") / kernel).toFixed(2)}x tfjs-gemm; ` +
      `default path here: ${report.defaultPath}`,
  );
  console.log(
    `\nworker pool in Chromium (${report.defaultPath}), tiles of 128 points, ${report.poolRounds.length} rounds of one pass each, side by side:`,
  );
  for (const p of report.pool) {
    console.log(
      `${String(p.workers).padStart(2)} worker${p.workers > 1 ? "s" : " "} ${p.ms.toFixed(0).padStart(8)} ms ` +
        `${((points / p.ms) * 1000).toFixed(0).padStart(10)} points/s`,
    );
  }
  if (report.pool.length >= 2) {
    const ratios = report.poolRounds.map((round) => round[0] / round[1]);
    const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)];
    console.log(
      `pool speedup, ${report.pool[1].workers} workers over 1: ${(report.pool[0].ms / report.pool[1].ms).toFixed(2)}x (best passes); ` +
        `median of the rounds ${median.toFixed(2)}x (rounds: ${ratios.map((r) => r.toFixed(2)).join(", ")})`,
    );
  }
  console.log(`\nscaling in a Chromium worker (${report.defaultPath}, best of ${repeats}):`);
  console.log(
    `${"grid".padEnd(7)} ${"samples".padStart(7)} ${"points".padStart(7)} ${"time".padStart(11)} ${"per point x sample".padStart(20)}`,
  );
  for (const r of report.scaling) {
    const n = r.perAxis * r.perAxis;
    console.log(
      `${`${r.perAxis}x${r.perAxis}`.padEnd(7)} ${String(r.samples).padStart(7)} ${String(n).padStart(7)} ` +
        `${r.ms.toFixed(1).padStart(8)} ms ${((r.ms * 1e6) / (n * r.samples)).toFixed(2).padStart(14)} ns`,
    );
  }
}

function printCnn(r: CnnBenchmarkReport): void {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    `\nlayers models' paths in a Chromium worker: digits-cnn preset, ${r.backend} backend, ` +
      `${r.samples.train} train + ${r.samples.test} test samples, ${r.paths[0]?.msPerPoint.length ?? 0} rounds side by side:`,
  );
  console.log(`${"path".padEnd(18)} ${"points".padStart(7)} ${"ms/point".padStart(9)}  51x51 (projected)`);
  for (const p of r.paths) {
    if (p.error) {
      console.log(`${p.name.padEnd(18)} not run: ${p.error}`);
      continue;
    }
    const ms = median(p.msPerPoint);
    console.log(
      `${p.name.padEnd(18)} ${String(p.points).padStart(7)} ${ms.toFixed(2).padStart(9)}  ${((ms * 2601) / 1000).toFixed(1)} s`,
    );
  }
  for (const q of r.ratios) {
    const diff = r.agreement.find((a) => a.name === q.name)?.maxRelDiff ?? Number.NaN;
    console.log(
      `${r.paths[0].name} / ${q.name}: ${median(q.rounds).toFixed(2)}x (rounds ${q.rounds.map((x) => x.toFixed(2)).join(", ")}); ` +
        `train loss within ${diff.toExponential(1)} of ${r.paths[0].name}`,
    );
  }
}
