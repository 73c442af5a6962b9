/**
 * Part "runs" of npm run bench:browser (browser-bench.ts): how long a person waits, in the
 * production build, from starting a run to its finished landscape, for the default experiment,
 * every lesson of the catalog (src/core/lessons/catalog.ts) and every paths preset (the presets
 * whose config has a `paths` section: mode connectivity, permutation symmetry).
 *
 * Each measurement is a fresh browser context (no stored results, no library): WebGPU hidden and
 * a calibration remembered up front as the e2e tests do (so none runs in the middle), the
 * explainer marked seen; the page opens without a hash, its first automatic run (the default
 * experiment) ends with data-phase="done", a second later the measured action starts:
 * - default: Run is clicked (and "Run anyway" if the long-run dialog opens); ends when the
 *   progress bar's data-phase becomes "done" again, after "training";
 * - lesson: the lesson is picked from the Lesson menu; ends when its card's data-status is "done";
 * - paths preset: the preset is picked from the Preset menu; ends when the paths job's data-phase
 *   becomes "done", after "training".
 * Times are taken in the page (performance.now()): from the event that started the run (the click
 * on Run or "Run anyway", the menu's change event) to the DOM change that shows the end.
 *
 * Options (env): BENCH_REPEATS (runs of each item, default 1 here), BENCH_RUN_ITEMS (comma list
 * of item keys to keep, e.g. "default,lesson:sam,preset:mode-connectivity"; default all).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { hasPaths, PRESETS } from "../../src/app/presets";
import { LESSONS } from "../../src/core/lessons/catalog";
import { EXPLAINER_SEEN_SCRIPT } from "../e2e/browser";
import { clickRun, HIDE_WEBGPU_SCRIPT, waitForDone } from "../e2e/lab-page";

/** What is measured: a key (for BENCH_RUN_ITEMS), what the table calls it, and how it starts. */
export interface RunItem {
  key: string;
  label: string;
  kind: "run" | "lesson" | "preset";
  /** The lesson id or preset name to pick (empty for "run"). */
  name: string;
}

export interface RunRow {
  item: RunItem;
  /** Seconds of each successful repeat. */
  seconds: number[];
  /** Why a repeat failed. */
  errors: string[];
  /** How many repeats went through Run's "long or large" dialog ("Run anyway"). */
  confirmed: number;
}

/** A calibration remembered already, as in tests/e2e/faults.test.ts: none runs beside the runs. */
const REMEMBERED_EVALUATOR = `localStorage.setItem("loss-landscape-lab.evaluator", JSON.stringify({ backend: "wasm", evaluator: "wasm-kernel", pointsPerSecond: 1 }));`;
const LOAD_TIMEOUT_MS = 180_000;
const RUN_TIMEOUT_MS = 600_000;
/** A pause between the first run's end and the measured action (a person does not click at once). */
const SETTLE_MS = 1_000;

/**
 * Runs in the page before its scripts (plain JavaScript): on `window.__benchRuns`, every value
 * the progress bar's data-phase took (as tests/e2e/lab-page.ts RECORDERS_SCRIPT), every change
 * of the lesson card (id, data-status) and the user actions that start a run.
 */
const RUNS_RECORDER = `(() => {
  const rec = { phases: [], lessons: [], actions: [] };
  window.__benchRuns = rec;
  const push = (phase) => {
    if (phase === null) return;
    if (rec.phases.length > 0 && rec.phases[rec.phases.length - 1].phase === phase) return;
    rec.phases.push({ phase, t: performance.now() });
  };
  let watched = null;
  const onAttributes = new MutationObserver((records) => {
    for (const r of records) push(r.oldValue);
    push(watched ? watched.getAttribute("data-phase") : null);
  });
  const lesson = () => {
    const el = document.querySelector('[data-testid="lesson"]');
    const id = el ? el.getAttribute("data-lesson-id") : null;
    const status = el ? el.getAttribute("data-status") : null;
    const last = rec.lessons[rec.lessons.length - 1];
    if (last ? last.id !== id || last.status !== status : el !== null)
      rec.lessons.push({ id, status, t: performance.now() });
  };
  new MutationObserver(() => {
    lesson();
    const el = document.querySelector('[data-testid="progress"]');
    if (!el || el === watched) return;
    watched = el;
    onAttributes.observe(el, { attributes: true, attributeFilter: ["data-phase"], attributeOldValue: true });
    push(el.getAttribute("data-phase"));
  }).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-status", "data-lesson-id"] });
  const act = (what) => rec.actions.push({ what, t: performance.now() });
  window.addEventListener("click", (e) => {
    const el = e.target && e.target.closest ? e.target.closest('[data-testid="run"], [data-testid="confirm-run-go"]') : null;
    if (el) act(el.getAttribute("data-testid"));
  }, true);
  window.addEventListener("change", (e) => {
    const id = e.target && e.target.getAttribute ? e.target.getAttribute("data-testid") : null;
    if (id === "ctl-lesson" || id === "ctl-preset") act(id + "=" + e.target.value);
  }, true);
})();`;

/** The measured run's start and end (page ms) once it has ended, else null. */
interface Ended {
  start: number;
  end: number;
  how: string;
  via: string;
  trained: boolean;
}

// In the page: the last action is the run's start; the end is the lesson card's first final status
// after it (lessons) or the progress bar's first final phase after it (the others).
const ENDED = `((kind, name) => {
  const rec = window.__benchRuns;
  const start = rec.actions[rec.actions.length - 1];
  if (!start) return null;
  const final = (s) => s === "done" || s === "error" || s === "cancelled";
  if (kind === "lesson") {
    const end = rec.lessons.find((l) => l.t >= start.t && l.id === name && final(l.status));
    return end ? { start: start.t, end: end.t, how: end.status, via: start.what, trained: true } : null;
  }
  const after = rec.phases.filter((p) => p.t >= start.t);
  const i = after.findIndex((p) => final(p.phase));
  if (i < 0) return null;
  return {
    start: start.t,
    end: after[i].t,
    how: after[i].phase,
    via: start.what,
    trained: after.slice(0, i).some((p) => p.phase === "training"),
  };
})`;

/** The default experiment, every lesson, then every preset of public/presets/ with a `paths` section. */
export function runItems(distDir: string): RunItem[] {
  const items: RunItem[] = [{ key: "default", label: "default experiment (Run)", kind: "run", name: "" }];
  for (const l of LESSONS)
    items.push({
      key: `lesson:${l.id}`,
      label: `lesson: ${l.short} (${l.kind})`,
      kind: "lesson",
      name: l.id,
    });
  for (const p of PRESETS) {
    const config: unknown = JSON.parse(readFileSync(resolve(distDir, "presets", `${p.name}.json`), "utf8"));
    if (hasPaths(config))
      items.push({ key: `preset:${p.name}`, label: `preset: ${p.label}`, kind: "preset", name: p.name });
  }
  const only = (process.env.BENCH_RUN_ITEMS ?? "").split(",").filter((k) => k.trim() !== "");
  if (only.length === 0) return items;
  const unknown = only.filter((k) => !items.some((i) => i.key === k.trim()));
  if (unknown.length > 0) {
    console.error(
      `BENCH_RUN_ITEMS: unknown ${unknown.join(", ")} (known: ${items.map((i) => i.key).join(", ")})`,
    );
    process.exit(1);
  }
  return items.filter((i) => only.some((k) => k.trim() === i.key));
}

async function start(page: Page, item: RunItem): Promise<void> {
  if (item.kind === "run") await clickRun(page);
  else await page.getByTestId(item.kind === "lesson" ? "ctl-lesson" : "ctl-preset").selectOption(item.name);
}

/** One measurement in a fresh context: load, first run done, settle, start `item`, wait for its end. */
async function measureOnce(
  browser: Browser,
  baseUrl: string,
  item: RunItem,
): Promise<Ended & { wallMs: number }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  try {
    for (const script of [EXPLAINER_SEEN_SCRIPT, HIDE_WEBGPU_SCRIPT, REMEMBERED_EVALUATOR, RUNS_RECORDER])
      await context.addInitScript(script);
    const page = await context.newPage();
    page.on("pageerror", (err) => console.error(`page error (${item.key}): ${err.message}`));
    await page.goto(baseUrl);
    await waitForDone(page, LOAD_TIMEOUT_MS);
    await page.waitForTimeout(SETTLE_MS);
    const wallStart = Date.now();
    await start(page, item);
    const handle = await page.waitForFunction(
      `${ENDED}(${JSON.stringify(item.kind)}, ${JSON.stringify(item.name)})`,
      undefined,
      { timeout: RUN_TIMEOUT_MS, polling: 200 },
    );
    const ended = { ...((await handle.jsonValue()) as Ended), wallMs: Date.now() - wallStart };
    if (ended.how !== "done") {
      const text =
        item.kind === "lesson"
          ? await page.getByTestId("lesson-status").textContent()
          : await page.getByTestId("progress").textContent();
      throw new Error(`ended "${ended.how}": ${text}`);
    }
    if (!ended.trained) throw new Error("ended without a training phase (no run started?)");
    return ended;
  } finally {
    await context.close();
  }
}

/** Measure every item `repeats` times; a failed repeat is recorded and the next one runs. */
export async function measureRuns(
  browser: Browser,
  baseUrl: string,
  items: RunItem[],
  repeats: number,
): Promise<RunRow[]> {
  const rows: RunRow[] = [];
  for (const item of items) {
    const row: RunRow = { item, seconds: [], errors: [], confirmed: 0 };
    rows.push(row);
    for (let r = 1; r <= repeats; r++) {
      try {
        const ended = await measureOnce(browser, baseUrl, item);
        const s = (ended.end - ended.start) / 1000;
        row.seconds.push(s);
        if (ended.via === "confirm-run-go") row.confirmed++;
        console.error(
          `runs: ${item.key} #${r}: ${s.toFixed(2)} s (seen from Node: ${(ended.wallMs / 1000).toFixed(2)} s)`,
        );
      } catch (err) {
        const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
        row.errors.push(message);
        console.error(`runs: ${item.key} #${r} failed: ${message}`);
      }
    }
  }
  return rows;
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** The table: item, median seconds, min–max, repeats (and failures). */
export function printRuns(rows: RunRow[], repeats: number): void {
  const width = Math.max(24, ...rows.map((r) => r.item.label.length));
  console.log(
    `\nfrom Run (or picking the lesson / preset) to the finished landscape, after the page's first run, ` +
      `${repeats} repeat${repeats > 1 ? "s" : ""} each, a fresh context per repeat:`,
  );
  console.log(`${"item".padEnd(width)} ${"median s".padStart(9)} ${"min–max s".padStart(14)}  runs`);
  for (const { item, seconds, errors, confirmed } of rows) {
    const range =
      seconds.length === 0 ? "-" : `${Math.min(...seconds).toFixed(1)}–${Math.max(...seconds).toFixed(1)}`;
    const med = seconds.length === 0 ? "-" : median(seconds).toFixed(1);
    const notes = [
      ...(confirmed > 0 ? [`${confirmed} through "Run anyway"`] : []),
      ...errors.map((e) => `failed: ${e}`),
    ];
    console.log(
      `${item.label.padEnd(width)} ${med.padStart(9)} ${range.padStart(14)}  ${seconds.length}/${seconds.length + errors.length}` +
        `${notes.length > 0 ? `  (${notes.join("; ")})` : ""}`,
    );
  }
}
