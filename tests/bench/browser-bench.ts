/**
 * npm run bench:browser: the reference landscape in the real app, in headless Chromium.
 *
 * Run `npm run build` first (this script builds nothing; it refuses to run without dist/).
 * Serves dist/ with Vite's preview API (vite.config.ts adds the COOP/COEP headers) on 127.0.0.1,
 * opens the system Chromium (/usr/bin/chromium, or CHROMIUM_PATH) through playwright-core and
 * loads the app with the reference workload in the URL hash: spirals, 512 training points, no
 * test set, MLP 2-64-64-2, 1 epoch, 51x51 grid. The app runs the experiment on load.
 *
 * Measured in the page (performance.now(), by an init script watching the DOM):
 * - sampling start: the progress bar's data-phase becomes "sampling";
 * - first picture: the progress text first reports the coarse pass ("coarse picture", set by
 *   src/compute/experiment-job.ts when the pool's coarse stage has been drawn into the store);
 *   the 3D view's "computing N%" badge is reported too when it shows;
 * - done: data-phase becomes "done".
 * These are DOM-level times: the coarse surface is in the store at that moment, but the WebGL
 * frame that shows it is drawn on a later animation frame (no app hook reports that frame).
 *
 * Run 1 is a fresh browser profile (includes the first-use evaluator calibration); the later runs
 * reload the page in the same context (calibration remembered). Options (env):
 * BENCH_BROWSER_RUNS=3 CHROMIUM_PATH=/usr/bin/chromium BENCH_HASH=<hash without #>
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { preview } from "vite";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const distDir = resolve(root, "dist");
const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const runs = Number(process.env.BENCH_BROWSER_RUNS ?? 3);
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

/** What the init script records on window.__bench, in performance.now() milliseconds. */
interface Recorded {
  phases: { phase: string; t: number }[];
  coarse: number | null;
  badge: number | null;
  doneText: string;
}

// Plain JavaScript, run in the page before its own scripts.
const RECORDER = `(() => {
  const rec = { phases: [], coarse: null, badge: null, doneText: "" };
  window.__bench = rec;
  let watched = null;
  const check = () => {
    const t = performance.now();
    const el = document.querySelector('[data-testid="progress"]');
    if (el) {
      const phase = el.getAttribute("data-phase");
      const last = rec.phases[rec.phases.length - 1];
      if (!last || last.phase !== phase) rec.phases.push({ phase, t });
      const text = el.textContent || "";
      if (rec.coarse === null && phase === "sampling" && text.includes("coarse picture")) rec.coarse = t;
      if (phase === "done") rec.doneText = el.querySelector(".ctl-progress-status")?.textContent || text;
    }
    if (rec.badge === null) {
      const badge = document.querySelector(".scene-badge");
      if (badge && /computing/.test(badge.textContent || "")) rec.badge = t;
    }
  };
  new MutationObserver(check).observe(document, {
    childList: true, subtree: true, attributes: true, characterData: true,
  });
})();`;

const server = await preview({
  root,
  logLevel: "warn",
  preview: { host: "127.0.0.1", port: 0, strictPort: false, open: false },
});
const address = server.httpServer.address();
if (address === null || typeof address === "string") throw new Error("preview server has no TCP address");
const url = `http://127.0.0.1:${address.port}/#${hash}`;

const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
const rows: {
  run: number;
  toSampling: number;
  first: number | null;
  badge: number | null;
  full: number;
  text: string;
}[] = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(RECORDER);
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error(`page error: ${err.message}`));
  for (let run = 1; run <= runs; run++) {
    if (run === 1) await page.goto(url);
    else await page.reload();
    await page.waitForSelector('[data-testid="progress"][data-phase="done"]', { timeout: 120_000 });
    const rec = (await page.evaluate("window.__bench")) as Recorded;
    const sampling = rec.phases.find((p) => p.phase === "sampling");
    const done = rec.phases.find((p) => p.phase === "done");
    if (!sampling || !done) throw new Error(`run ${run}: phases ${JSON.stringify(rec.phases)}`);
    rows.push({
      run,
      toSampling: sampling.t,
      first: rec.coarse === null ? null : rec.coarse - sampling.t,
      badge: rec.badge === null ? null : rec.badge - sampling.t,
      full: done.t - sampling.t,
      text: rec.doneText,
    });
  }
} finally {
  await browser.close();
  await server.close();
}

const ms = (v: number | null) => (v === null ? "-".padStart(11) : `${v.toFixed(0).padStart(8)} ms`);
console.log(
  `browser bench: Chromium ${browser.version()}, #${hash} (${gridPoints} grid points); ` +
    'times from data-phase "sampling"',
);
console.log(
  `${"run".padEnd(10)} ${"load->sampl.".padStart(12)} ${"first pic.".padStart(11)} ${"badge".padStart(11)} ` +
    `${"full".padStart(11)} ${"points/s".padStart(10)}`,
);
for (const r of rows) {
  console.log(
    `${`${r.run}${r.run === 1 ? " (cold)" : ""}`.padEnd(10)} ${ms(r.toSampling).padStart(12)} ${ms(r.first)} ` +
      `${ms(r.badge)} ${ms(r.full)} ${((gridPoints / r.full) * 1000).toFixed(0).padStart(10)}`,
  );
}
for (const r of rows) console.log(`run ${r.run} progress: ${r.text}`);
