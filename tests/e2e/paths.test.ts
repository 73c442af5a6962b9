/**
 * Paths between minima in the real app (Chromium): the mode-connectivity preset trains two
 * networks at once in two workers, then a curve and the aligned line in one, shows the plane with
 * both paths on the 3D surface and on the contour map, reports a straight-line barrier above the
 * curve's, and the t slider redraws the decision boundary at w(t); the permutation-symmetry preset can be cancelled
 * with the Cancel button and, run again, shows weight matching lowering the straight barrier.
 * Screenshots go to tests/e2e/artifacts/paths-*.png.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type BrowserSession, openBrowser, unexpectedProblems } from "./browser";
import {
  canvasStats,
  drawnCanvasStats,
  HIDE_WEBGPU_SCRIPT,
  RECORDERS_SCRIPT,
  recorded,
  viewGlCanvas,
  viewPicture,
  waitForDone,
} from "./lab-page";

const skipReason = inject("e2eSkipReason");
const artifactsDir = join(dirname(fileURLToPath(import.meta.url)), "artifacts");

/** A tiny first run (the app runs one on load), so the test spends its time on the paths. */
const QUICK_HASH = "#ep=2&gx=-1,1,11&gy=-1,1,11";

const timings: Record<string, string> = {};

/** Pick a preset and wait for the job it starts to end with "done"; returns the ms it took. */
async function runPreset(page: Page, name: string, timeout = 120_000): Promise<number> {
  const before = (await recorded(page)).phases.length;
  const started = Date.now();
  await page.getByTestId("ctl-preset").selectOption(name);
  await page.waitForFunction(
    (n) => {
      const phases = (window as unknown as { __e2e: { phases: { phase: string }[] } }).__e2e.phases.slice(n);
      const last = phases[phases.length - 1]?.phase;
      return phases.some((p) => p.phase === "training") && ["done", "error", "cancelled"].includes(last);
    },
    before,
    { timeout, polling: 100 },
  );
  const phase = await page.getByTestId("progress").getAttribute("data-phase");
  if (phase !== "done")
    throw new Error(`${name} ended ${phase}: ${await page.getByTestId("progress").textContent()}`);
  return Date.now() - started;
}

/** Record every progress label the store shows (training models, training the curve, ...). */
async function recordProgressLabels(page: Page): Promise<void> {
  await page.evaluate(() => {
    const hook = globalThis.lossLandscapeLab;
    if (!hook) throw new Error("no scripting hook");
    const labels: { label: string; t: number }[] = [];
    (window as unknown as { __pathsLabels: typeof labels }).__pathsLabels = labels;
    hook.store.subscribe((s) => {
      const label = s.job.phase === "done" ? "done" : s.job.progress?.phase;
      if (label && labels[labels.length - 1]?.label !== label) labels.push({ label, t: performance.now() });
    });
  });
}

/** The progress labels since the last call, each with the seconds until the next one. */
const progressLabels = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { __pathsLabels: { label: string; t: number }[] }).__pathsLabels
      .splice(0)
      .map((e, i, all) =>
        i + 1 < all.length ? `${e.label} ${((all[i + 1].t - e.t) / 1000).toFixed(2)} s` : e.label,
      ),
  );

/** Pixels within `tolerance` (per channel) of each colour, read back from a canvas. */
async function colourCounts(canvas: Locator, colours: Record<string, string>, tolerance = 40) {
  return canvas.evaluate(
    (el, { colours, tolerance }) => {
      const src = el as HTMLCanvasElement;
      const copy = document.createElement("canvas");
      copy.width = src.width;
      copy.height = src.height;
      const ctx = copy.getContext("2d", { willReadFrequently: true });
      if (!ctx) throw new Error("no 2-D context");
      ctx.drawImage(src, 0, 0);
      const data = ctx.getImageData(0, 0, copy.width, copy.height).data;
      const out: Record<string, number> = {};
      for (const [name, hex] of Object.entries(colours)) {
        const r = Number.parseInt(hex.slice(1, 3), 16);
        const g = Number.parseInt(hex.slice(3, 5), 16);
        const b = Number.parseInt(hex.slice(5, 7), 16);
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (
            Math.abs(data[i] - r) <= tolerance &&
            Math.abs(data[i + 1] - g) <= tolerance &&
            Math.abs(data[i + 2] - b) <= tolerance
          )
            n++;
        }
        out[name] = n;
      }
      return out;
    },
    { colours, tolerance },
  );
}

/** The barrier table's figure of a path kind (train loss unless said), as a number. */
async function barrierOf(page: Page, kind: string, def = "linearExcess", metric = "train_loss") {
  const cell = page.locator(
    `[data-testid="path-barriers"] tr[data-kind="${kind}"] td[data-metric="${metric}"][data-def="${def}"]`,
  );
  return Number(await cell.first().getAttribute("data-value"));
}

/** The colours of src/scene/path-lines.ts PATH_COLORS. */
const COLOURS = { straight: "#00e5ff", curve: "#ff9100", probe: "#ff1744" };

describe.skipIf(skipReason !== "")("paths between minima in the browser", () => {
  let session: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(artifactsDir, { recursive: true });
    session = await openBrowser(inject("chromiumPath"));
    page = session.page;
    await page.addInitScript(RECORDERS_SCRIPT);
    await page.addInitScript(HIDE_WEBGPU_SCRIPT);
    // No first-use calibration in the middle of the runs: remember a choice up front.
    await page.addInitScript(
      `localStorage.setItem("loss-landscape-lab.evaluator", JSON.stringify({ backend: "wasm", evaluator: "wasm-kernel", pointsPerSecond: 1 }));`,
    );
    await page.goto(`${inject("e2eBaseUrl")}${QUICK_HASH}`);
    await waitForDone(page, 90_000);
    await recordProgressLabels(page);
  });

  afterAll(async () => {
    console.log(`paths e2e: ${JSON.stringify(timings, null, 1)}`);
    const problems = session ? unexpectedProblems(session.problems) : [];
    await session?.close();
    expect(problems).toEqual([]);
  });

  it("trains the mode-connectivity preset in a worker, phase by phase, and shows its plane", async () => {
    const ms = await runPreset(page, "mode-connectivity");
    timings["mode-connectivity run (ms)"] = String(ms);
    timings["mode-connectivity progress"] = (await progressLabels(page)).join(" -> ");
    expect(ms).toBeLessThan(60_000);
    const labels = timings["mode-connectivity progress"].split(" -> ");
    for (const phase of ["training models", "training the curve", "aligning", "sampling the plane"])
      expect(labels.some((l) => l.startsWith(phase))).toBe(true);
    // The two models trained at once, one per worker (on 2 cores the pool has one worker, so the
    // second is a temporary one), and the temporary worker is gone again.
    const workers = await page.evaluate(() => {
      const hook = globalThis.lossLandscapeLab;
      const pool = hook?.lab?.pool;
      if (!hook || !pool) throw new Error("the lab has not started");
      return { training: pool.lastParallelWorkers, alive: hook.workers.alive, poolAlive: pool.alive };
    });
    timings["mode-connectivity workers"] = JSON.stringify(workers);
    expect(workers.training).toBe(2);
    expect(workers.alive).toBe(workers.poolAlive);
    await expect.poll(() => page.getByTestId("paths-panel").isVisible()).toBe(true);
  });

  it("reports a straight-line barrier well above the curve's, both definitions, loss and error", async () => {
    const figures: Record<string, number> = {};
    for (const kind of ["linear", "bezier", "linear-aligned"])
      for (const def of ["linearExcess", "midpointMean"])
        for (const metric of ["train_loss", "train_error"])
          figures[`${kind} ${metric} ${def}`] = await barrierOf(page, kind, def, metric);
    timings["mode-connectivity barriers"] = JSON.stringify(figures);
    expect(figures["linear train_loss linearExcess"]).toBeGreaterThan(0.2);
    expect(figures["linear train_loss linearExcess"]).toBeGreaterThan(
      5 * figures["bezier train_loss linearExcess"],
    );
    expect(figures["linear train_loss midpointMean"]).toBeGreaterThan(
      5 * figures["bezier train_loss midpointMean"],
    );
    expect(figures["linear train_error linearExcess"]).toBeGreaterThan(
      figures["bezier train_error linearExcess"],
    );
    expect(figures["linear-aligned train_loss linearExcess"]).toBeLessThan(
      figures["linear train_loss linearExcess"],
    );
    // The panel explains the preset with its papers.
    await expect.poll(() => page.getByTestId("paths-panel").textContent()).toMatch(/Garipov et al\. 2018/);
  });

  it("draws the straight line and the curve on the plane's 3D surface, with a legend", async () => {
    await expect
      .poll(() => viewGlCanvas(page).getAttribute("data-path-overlay"), { timeout: 10_000 })
      .toBe("drawn");
    const canvas = viewPicture(page);
    const stats = await drawnCanvasStats(canvas, 500);
    expect(stats.colours).toBeGreaterThan(500);
    const counts = await colourCounts(canvas, COLOURS);
    timings["3d overlay pixels"] = JSON.stringify(counts);
    expect(counts.straight).toBeGreaterThan(30);
    expect(counts.curve).toBeGreaterThan(30);
    const legend = (await page.getByTestId("path-legend-3d").textContent()) ?? "";
    for (const entry of ["straight line", "curve", "\u03b81", "\u03b82", "bend"])
      expect(legend).toContain(entry);
    await page.screenshot({ path: join(artifactsDir, "paths-3d.png") });
    await page.getByTestId("landscape-3d").screenshot({ path: join(artifactsDir, "paths-3d-view.png") });
  });

  it("moves w(t) with the slider: the decision boundary changes and the point is marked on the plane", async () => {
    const plot = page.getByTestId("data-plot").locator("canvas").first();
    const before = (await canvasStats(plot)).signature;
    await page.getByTestId("path-choice").selectOption({ label: "straight line" });
    await page.getByTestId("path-t").fill("0.5");
    await expect.poll(async () => (await canvasStats(plot)).signature, { timeout: 15_000 }).not.toBe(before);
    await expect.poll(() => viewGlCanvas(page).getAttribute("data-path-probe")).not.toBeNull();
    await expect.poll(() => page.getByTestId("path-probe").textContent()).toMatch(/^w\(0\.50\): train loss/);
    expect(await page.getByTestId("picked").textContent()).toBe("at w(0.50) on the straight line");
    const straightMiddle = (await canvasStats(plot)).signature;
    // The curve's middle point is another network: another picture.
    await page.getByTestId("path-choice").selectOption({ label: "curve (Bezier)" });
    await expect
      .poll(async () => (await canvasStats(plot)).signature, { timeout: 15_000 })
      .not.toBe(straightMiddle);
    await expect.poll(async () => (await colourCounts(viewPicture(page), COLOURS)).probe).toBeGreaterThan(10);
    await page.getByTestId("paths-panel").screenshot({ path: join(artifactsDir, "paths-panel.png") });
    await page.screenshot({ path: join(artifactsDir, "paths-probe.png") });
  });

  it("draws both paths and w(t) on the contour map", async () => {
    await page.getByTestId("tab-contour").click();
    const canvas = page.getByTestId("landscape-contour").locator("canvas").first();
    await expect.poll(() => canvas.getAttribute("data-path-overlay"), { timeout: 10_000 }).toBe("drawn");
    const counts = await colourCounts(canvas, COLOURS, 30);
    timings["contour overlay pixels"] = JSON.stringify(counts);
    expect(counts.straight).toBeGreaterThan(50);
    expect(counts.curve).toBeGreaterThan(50);
    expect(counts.probe).toBeGreaterThan(10);
    expect(await page.getByTestId("path-legend-contour").textContent()).toContain("straight line");
    await page.screenshot({ path: join(artifactsDir, "paths-contour.png") });
    await page.getByTestId("tab-3d").click();
  });

  it("cancels a paths run with the Cancel button, then runs permutation symmetry to the end", async () => {
    await page.getByTestId("ctl-preset").selectOption("permutation-symmetry");
    await page.waitForFunction(
      () => globalThis.lossLandscapeLab?.store.getState().job.progress?.phase === "training models",
      undefined,
      { timeout: 20_000, polling: 50 },
    );
    const clicked = Date.now();
    await page.getByTestId("cancel").click();
    await expect
      .poll(() => page.getByTestId("progress").getAttribute("data-phase"), { timeout: 10_000 })
      .toBe("cancelled");
    timings["cancel (ms)"] = String(Date.now() - clicked);
    // The worker stopped: no tensors left behind once it is idle.
    await expect
      .poll(
        () =>
          page.evaluate(async () => {
            const pool = globalThis.lossLandscapeLab?.lab?.pool;
            return pool ? (await pool.memory()).every((m) => m.jobs === 0) : null;
          }),
        { timeout: 10_000 },
      )
      .toBe(true);
    await progressLabels(page);

    // The picker fires on a change only: a hand-made setting makes it "custom" again.
    await page.evaluate(() => {
      const st = globalThis.lossLandscapeLab?.store.getState();
      st?.set("wire", !st.settings.wire);
    });
    const ms = await runPreset(page, "permutation-symmetry");
    timings["permutation-symmetry run (ms)"] = String(ms);
    const linear = await barrierOf(page, "linear");
    const aligned = await barrierOf(page, "linear-aligned");
    const curve = await barrierOf(page, "bezier");
    timings["permutation-symmetry barriers"] = JSON.stringify({ linear, aligned, curve });
    expect(aligned).toBeLessThan(0.5 * linear);
    await expect.poll(() => page.getByTestId("paths-panel").textContent()).toMatch(/Ainsworth et al\. 2023/);
    await page.screenshot({ path: join(artifactsDir, "paths-permutation.png") });
  });
});
