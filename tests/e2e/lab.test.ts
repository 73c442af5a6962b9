/**
 * The lab end to end, against the production build in headless Chromium: the first landscape
 * without touching anything (and how fast), the surface and contour pixels, the job's phases,
 * cancel, URL state, snapshot export and import, linked inspection, main-thread responsiveness
 * during a 51 x 51 job, and pinning for comparison.
 *
 * Every test opens its own browser (fresh storage, its own console log) and fails on any console
 * error or warning except the known harmless ones (browser.ts, HARMLESS).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parseSnapshot } from "../../src/core/snapshot/io";
import { type BrowserSession, openBrowser, unexpectedProblems } from "./browser";
import {
  canvasStats,
  drawnCanvasStats,
  HIDE_WEBGPU_SCRIPT,
  legendTicks,
  RECORDERS_SCRIPT,
  recorded,
  runAndWait,
  settledSignature,
  viewGlCanvas,
  viewPicture,
  waitForDone,
  waitForPhase,
} from "./lab-page";

const skipReason = inject("e2eSkipReason");
const baseUrl = inject("e2eBaseUrl");
const artifactsDir = join(dirname(fileURLToPath(import.meta.url)), "artifacts");

/**
 * A bound on the time from opening the page to a finished landscape that only a broken start
 * exceeds: the figure itself (2 to 3 s on a quiet 2-core machine, 11.8 s seen on a busy one) is
 * printed with the timings, not asserted, since tests run on shared, noisy machines.
 */
const FIRST_LANDSCAPE_MS = 30_000;
/** Longest main-thread task allowed while a job runs. */
const LONG_TASK_LIMIT_MS = 100;
/** localStorage key where the app remembers the calibrated backend (src/compute/lab.ts). */
const BACKEND_KEY = "loss-landscape-lab.backend";
const EVALUATOR_KEY = "loss-landscape-lab.evaluator";

/** Timings for the report, printed once at the end. */
const timings: Record<string, string> = {};

interface Lab {
  session: BrowserSession;
  page: Page;
  /** Date.now() just before page.goto. */
  navigatedAt: number;
}

/**
 * A fresh browser on the lab with the recorders installed. `hideWebGpu` (default true) keeps the
 * backend calibration off webgpu, whose initialization blanks the page's canvases here (see
 * HIDE_WEBGPU_SCRIPT); only the first-visit tests look at the app exactly as shipped.
 */
async function openLab(hash = "", { hideWebGpu = true } = {}): Promise<Lab> {
  const session = await openBrowser(inject("chromiumPath"));
  try {
    await session.page.addInitScript(RECORDERS_SCRIPT);
    if (hideWebGpu) await session.page.addInitScript(HIDE_WEBGPU_SCRIPT);
    const navigatedAt = Date.now();
    await session.page.goto(`${baseUrl}${hash}`);
    return { session, page: session.page, navigatedAt };
  } catch (err) {
    await session.close();
    throw err;
  }
}

/** Open the lab, run `body`, check the console, always close the browser. */
async function withLab(hash: string, body: (lab: Lab) => Promise<void>): Promise<void> {
  const lab = await openLab(hash);
  try {
    await body(lab);
    expect(unexpectedProblems(lab.session.problems)).toEqual([]);
  } finally {
    await lab.session.close();
  }
}

function landscapeCanvas(page: Page, testId = "landscape-3d") {
  return viewPicture(page, testId);
}

/** A surface, not an empty scene: many colours and a good part of the canvas covered. */
async function expectDrawnSurface(page: Page, testId = "landscape-3d"): Promise<string> {
  const stats = await drawnCanvasStats(landscapeCanvas(page, testId), 500);
  expect(stats.width, `${testId} canvas width`).toBeGreaterThan(100);
  expect(stats.colours, `${testId}: distinct colours`).toBeGreaterThan(500);
  expect(stats.nonBackground, `${testId}: fraction of drawn pixels`).toBeGreaterThan(0.05);
  return stats.signature;
}

/** Numbers of the legend's tick labels (a clipped top tick reads "≥ v"). */
function tickValues(ticks: string[]): number[] {
  return ticks.map((t) => Number(t.replace(/^≥\s*/, "")));
}

afterAll(() => {
  if (Object.keys(timings).length > 0) console.log(`e2e timings: ${JSON.stringify(timings, null, 1)}`);
});

describe.skipIf(skipReason !== "")("a first visit, without touching anything (the app as shipped)", () => {
  let lab: Lab;
  let endPhase = "";
  let doneAfterMs = Number.NaN;

  beforeAll(async () => {
    lab = await openLab("", { hideWebGpu: false });
    endPhase = await waitForPhase(lab.page, ["done", "error", "cancelled"], 60_000);
    doneAfterMs = Date.now() - lab.navigatedAt;
    timings["first landscape (navigation to done)"] = `${doneAfterMs} ms`;
  }, 90_000);

  afterAll(async () => {
    await lab?.session.close();
  });

  it("shows a finished landscape (time printed), computed on the wasm backend, with a clean console", async () => {
    const { page } = lab;
    expect(endPhase, (await page.getByTestId("progress").textContent()) ?? "").toBe("done");
    expect(doneAfterMs).toBeLessThan(FIRST_LANDSCAPE_MS);
    expect(await page.getByTestId("progress").textContent()).toMatch(/^done: 1681\/1681 grid points/);
    const status = page.getByTestId("status");
    expect(await status.getAttribute("data-state")).toBe("ready");
    expect(await status.textContent()).toMatch(
      /^worker ready: wasm backend, \d+ workers?, self-check ok\s*· evaluation path [\w-]+ \((default|calibrated)\), [\d,]+ points\/s\s*· trained by wasm-kernel \(WebAssembly SIMD\)$/,
    );
    expect(unexpectedProblems(lab.session.problems)).toEqual([]);
  });

  it("went through the phases idle -> training -> sampling -> done", async () => {
    const phases = (await recorded(lab.page)).phases.map((p) => p.phase);
    expect(phases).toEqual(["idle", "training", "sampling", "done"]);
  });

  it("draws the surface: the 3D canvas is not blank", async () => {
    const { page } = lab;
    expect(await page.getByTestId("landscape-3d").getAttribute("data-dims")).toBe("2");
    await expectDrawnSurface(page);
  });

  it("saves a screenshot of the main view", async () => {
    mkdirSync(artifactsDir, { recursive: true });
    await lab.page.screenshot({ path: join(artifactsDir, "lab.png") });
  });

  it("draws the contour map on its tab", async () => {
    const { page } = lab;
    await page.getByTestId("tab-contour").click();
    const canvas = page.getByTestId("landscape-contour").locator("canvas");
    await expect
      .poll(async () => (await canvasStats(canvas)).colours, { timeout: 10_000 })
      .toBeGreaterThan(500);
    // A heatmap fills the plot area: most of the canvas is coloured.
    expect((await canvasStats(canvas)).nonBackground).toBeGreaterThan(0.3);
    await page.getByTestId("tab-3d").click();
    await expect.poll(async () => (await canvasStats(landscapeCanvas(page))).colours).toBeGreaterThan(500);
  });

  // Fails today: the calibration's webgpu initialization loses the page's GPU contexts.
  it("still shows the landscape after the background backend calibration", async () => {
    const { page } = lab;
    await page.waitForFunction((key) => localStorage.getItem(key) !== null, BACKEND_KEY, {
      timeout: 60_000,
    });
    await page.waitForTimeout(2000); // let a lost context be restored and repainted
    timings["backend remembered by the calibration"] = String(
      await page.evaluate((key) => localStorage.getItem(key), BACKEND_KEY),
    );
    mkdirSync(artifactsDir, { recursive: true });
    await page.screenshot({ path: join(artifactsDir, "lab-after-calibration.png") });
    const data = await drawnCanvasStats(page.getByTestId("data-plot").locator("canvas"), 100);
    expect(data.colours, "data plot after calibration: distinct colours").toBeGreaterThan(100);
    await expectDrawnSurface(page);
    expect(unexpectedProblems(lab.session.problems)).toEqual([]);
  });

  it("remembers the calibrated evaluation path, shows it, and does not calibrate again after a reload", async () => {
    const { page } = lab;
    await page.waitForFunction((key) => localStorage.getItem(key) !== null, EVALUATOR_KEY, {
      timeout: 60_000,
    });
    const stored = JSON.parse(
      (await page.evaluate((key) => localStorage.getItem(key), EVALUATOR_KEY)) as string,
    ) as { backend: string; evaluator: string; pointsPerSecond: number };
    timings["evaluation path remembered by the calibration"] = JSON.stringify(stored);
    expect(stored.backend).toBe("wasm");
    expect(["naive", "tfjs-batched", "tfjs-gemm", "wasm-kernel"]).toContain(stored.evaluator);
    expect(stored.pointsPerSecond).toBeGreaterThan(0);
    const evaluation = page.getByTestId("evaluation");
    await expect.poll(() => evaluation.getAttribute("data-evaluator")).toBe(stored.evaluator);
    expect(await evaluation.textContent()).toContain("(calibrated)");

    await page.reload();
    // The reload shows the last result from IndexedDB; Run computes it again on the remembered path.
    await page.getByTestId("status").and(page.locator('[data-state="ready"]')).waitFor({ timeout: 60_000 });
    // The phases as recorded when they change (a short training can end before a locator looks).
    expect(await runAndWait(page, 60_000)).toContain("training");
    await expect.poll(() => evaluation.textContent()).toMatch(/\(calibrated\), [\d,]+ points\/s$/);
    expect(await evaluation.getAttribute("data-evaluator")).toBe(stored.evaluator);
    // The picture marks: sampling started, then the 3D view drew the surface in a frame.
    // The frame mark comes from the 3D view's next animation frame, which may run after the job
    // reports "done": wait for it rather than read it once.
    const readMarks = async () =>
      (await page.evaluate(`(() => {
      const start = performance.getEntriesByName("landscape:sampling-start").at(-1);
      const frames = performance.getEntriesByName("landscape:surface-frame").filter((m) => start && m.startTime >= start.startTime);
      return { start: start ? start.startTime : null, first: frames.length ? frames[0].startTime : null };
    })()`)) as { start: number | null; first: number | null };
    await expect
      .poll(async () => (await readMarks()).first, {
        timeout: 10_000,
        message: "a surface frame after sampling started",
      })
      .not.toBeNull();
    const marks = await readMarks();
    expect(marks.start).not.toBeNull();
    timings["reload: sampling start to first surface frame"] =
      `${((marks.first ?? 0) - (marks.start ?? 0)).toFixed(0)} ms`;
    await page.waitForTimeout(1000);
    expect(await page.evaluate('performance.getEntriesByName("lab:calibration-start").length')).toBe(0);
  });
});

// Fails today. The calibration above remembers webgpu on most runs here (its timings are not
// reliable: see the report), and the next start then fails on webgpu. Set the remembered backend
// explicitly, as the calibration does, so that this fails or passes deterministically.
describe.skipIf(skipReason !== "")("a later visit, on the backend the calibration remembered", () => {
  it("still shows a landscape when webgpu was remembered", async () => {
    const session = await openBrowser(inject("chromiumPath"));
    try {
      const { page } = session;
      await page.addInitScript(`localStorage.setItem(${JSON.stringify(BACKEND_KEY)}, "webgpu");`);
      const start = Date.now();
      await page.goto(baseUrl);
      const phase = await waitForPhase(page, ["done", "error", "cancelled"], 60_000);
      timings["start on remembered webgpu (navigation to end of job)"] = `${Date.now() - start} ms, ${phase}`;
      expect(phase, (await page.getByTestId("progress").textContent()) ?? "").toBe("done");
      expect(Date.now() - start).toBeLessThan(FIRST_LANDSCAPE_MS);
      await expectDrawnSurface(page);
    } finally {
      await session.close();
    }
  });
});

describe.skipIf(skipReason !== "")("running jobs", () => {
  it("cancels a running training at once, and the next job runs to the end", async () => {
    await withLab("", async ({ page }) => {
      await waitForDone(page);
      // Enough epochs that the training still runs when the cancel comes, however fast it is.
      await page.getByTestId("ctl-ep").fill("20000");
      await page.getByTestId("run").click();
      // 20000 epochs may be estimated above 10 s here: then Run asks first, naming the figures.
      const confirm = page.getByTestId("confirm-run");
      await page
        .locator('[data-testid="confirm-run"][open], [data-testid="progress"][data-phase="training"]')
        .first()
        .waitFor({ timeout: 10_000 });
      if (await confirm.isVisible()) {
        expect(await confirm.textContent()).toMatch(/grid points · about [\d.]+ (s|min)/);
        await page.getByTestId("confirm-run-go").click();
      }
      await waitForPhase(page, ["training"], 10_000);
      // Let a few epochs arrive, so that the worker is busy when the cancel comes.
      await expect
        .poll(async () => page.getByTestId("progress").textContent(), { timeout: 20_000 })
        .toMatch(/^training [1-9]\d*\/20000/);
      const clickedAt = Date.now();
      await page.getByTestId("cancel").click();
      await waitForPhase(page, ["cancelled"], 5_000);
      timings["cancel (click to data-phase=cancelled)"] = `${Date.now() - clickedAt} ms`;
      expect(Date.now() - clickedAt).toBeLessThan(2_000);
      // Nothing of the cancelled job arrives afterwards.
      const text = await page.getByTestId("progress").textContent();
      await page.waitForTimeout(1_000);
      expect(await page.getByTestId("progress").getAttribute("data-phase")).toBe("cancelled");
      expect(await page.getByTestId("progress").textContent()).toBe(text);
      expect(await page.getByTestId("run").isEnabled()).toBe(true);
      expect(await page.getByTestId("cancel").isEnabled()).toBe(false);

      await page.getByTestId("ctl-ep").fill("5");
      const phases = await runAndWait(page);
      expect(phases).toEqual(["training", "sampling", "done"]);
      expect(await page.getByTestId("progress").textContent()).toMatch(/^done: 1681\/1681 grid points/);
      await expectDrawnSurface(page);
      await expect.poll(() => page.evaluate(() => location.hash)).toBe("#ep=5");
    });
  });

  // Fails today: the replaced job's late "cancelled" overwrites the new job's "training".
  it("shows the new job as running when a preset replaces a running job", async () => {
    await withLab("#ep=20000", async ({ page }) => {
      await waitForPhase(page, ["training"], 10_000);
      await expect
        .poll(async () => page.getByTestId("progress").textContent(), { timeout: 20_000 })
        .toMatch(/^training [1-9]\d*\/20000/);
      const before = (await recorded(page)).phases.length;
      await page.getByTestId("ctl-preset").selectOption("moons-quick");
      await page.waitForFunction(
        (n) =>
          (window as unknown as { __e2e: { phases: { phase: string }[] } }).__e2e.phases
            .slice(n)
            .some((p) => p.phase === "done" || p.phase === "error"),
        before,
        { timeout: 60_000, polling: 50 },
      );
      const phases = (await recorded(page)).phases.slice(before - 1).map((p) => p.phase);
      // Allowed: training -> (cancelled -> training ->) sampling -> done. Not allowed: the new job
      // sampling right after "cancelled", i.e. its training shown as cancelled (Run enabled,
      // Cancel disabled while it trains).
      expect(phases[phases.length - 1]).toBe("done");
      phases.forEach((p, i) => {
        if (p === "sampling") expect(phases[i - 1], `phases: ${phases.join(" -> ")}`).toBe("training");
      });
      expect(await page.getByTestId("ctl-ds").inputValue()).toBe("moons");
    });
  });

  it("keeps the main thread responsive during a 51 x 51 job (no task over 100 ms)", async () => {
    await withLab("#gx=-1,1,51&gy=-1,1,51", async ({ page }) => {
      expect(await page.evaluate(() => PerformanceObserver.supportedEntryTypes.includes("longtask"))).toBe(
        true,
      );
      await waitForDone(page, 90_000);
      expect(await page.getByTestId("progress").textContent()).toMatch(/^done: 2601\/2601 grid points/);
      const { phases, longTasks } = await recorded(page);
      const start = phases.find((p) => p.phase === "training")?.t;
      const end = phases.find((p) => p.phase === "done")?.t;
      if (start === undefined || end === undefined) throw new Error(`phases: ${JSON.stringify(phases)}`);
      const during = longTasks.filter((t) => t.start < end && t.start + t.duration > start);
      const longest = (tasks: { duration: number }[]) => Math.max(0, ...tasks.map((t) => t.duration));
      timings["51x51 job (training to done)"] = `${Math.round(end - start)} ms`;
      timings["longest main-thread task during the 51x51 job"] =
        `${Math.round(longest(during))} ms (${during.length} long tasks; longest before the job ${Math.round(longest(longTasks.filter((t) => t.start + t.duration <= start)))} ms)`;
      expect(
        during.filter((t) => t.duration > LONG_TASK_LIMIT_MS),
        `long tasks during the job (ms since navigation; phases ${JSON.stringify(phases)}): ${JSON.stringify(during)}`,
      ).toEqual([]);
      await expectDrawnSurface(page);
      // The picture on screen is the WebGL canvas's finished frame, copied as it is.
      const drawn = await canvasStats(viewGlCanvas(page));
      await expect.poll(async () => (await canvasStats(viewPicture(page))).signature).toBe(drawn.signature);
    });
  });
});

describe.skipIf(skipReason !== "")("URL state", () => {
  it("reproduces the controls of a link, and a 1-D grid gives a curve", async () => {
    await withLab("#ds=moons&lr=0.02&hid=16,8&gy=none", async ({ page }) => {
      await waitForDone(page);
      expect(await page.getByTestId("ctl-ds").inputValue()).toBe("moons");
      expect(await page.getByTestId("ctl-lr").inputValue()).toBe("0.02");
      expect(await page.getByTestId("ctl-hid").inputValue()).toBe("16,8");
      expect(await page.getByTestId("ctl-gy-on").isChecked()).toBe(false);
      expect(await page.getByTestId("ctl-gy-count").isDisabled()).toBe(true);
      expect(await page.getByTestId("ctl-gx-count").inputValue()).toBe("41");
      expect(await page.getByTestId("ctl-ep").inputValue()).toBe("60");
      expect(await page.getByTestId("messages").count()).toBe(0);
      // The hash is rewritten in canonical (table) order, values unchanged.
      expect(await page.evaluate(() => location.hash)).toBe("#ds=moons&hid=16,8&lr=0.02&gy=none");
      expect(await page.getByTestId("progress").textContent()).toMatch(/^done: 41\/41 grid points/);
      expect(await page.getByTestId("landscape-3d").getAttribute("data-dims")).toBe("1");
      // A curve is thin: fewer covered pixels than a surface, but clearly drawn.
      const curve = await drawnCanvasStats(landscapeCanvas(page), 50);
      expect(curve.colours).toBeGreaterThan(50);
      expect(curve.nonBackground).toBeGreaterThan(0.005);
    });
  });

  it("ignores a bad value with a message naming the key, and keeps the default", async () => {
    await withLab("#lr=abc&ep=20", async ({ page }) => {
      const messages = page.getByTestId("messages");
      await messages.waitFor({ timeout: 10_000 });
      expect(await messages.textContent()).toMatch(/URL key "lr" \(Learning rate\): .*"abc".*ignored/);
      expect(await page.getByTestId("ctl-lr").inputValue()).toBe("0.01");
      expect(await page.getByTestId("ctl-ep").inputValue()).toBe("20");
      // The link no longer carries the bad value; the good one stays.
      expect(await page.evaluate(() => location.hash)).toBe("#ep=20");
      await waitForDone(page);
    });
  });
});

describe.skipIf(skipReason !== "")("snapshots", () => {
  it("exports a snapshot and imports it back with the same loss range; a broken file changes nothing", async () => {
    await withLab("", async ({ page }) => {
      await waitForDone(page);
      const ticksBefore = await legendTicks(page);
      expect(ticksBefore.length).toBeGreaterThanOrEqual(2);

      const [download] = await Promise.all([
        page.waitForEvent("download", { timeout: 10_000 }),
        page.getByTestId("export").click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^spirals-2-32-32-2-\d{8}-\d{4}\.json\.gz$/);
      mkdirSync(artifactsDir, { recursive: true });
      const file = join(artifactsDir, "exported.json.gz");
      await download.saveAs(file);
      const bytes = new Uint8Array(readFileSync(file));
      expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]); // gzip

      // The file's own numbers, computed here: the legend spans the smallest loss up to the
      // clip quantile (0.98 by default) of the finite positive losses (log colour scale).
      const snapshot = parseSnapshot(bytes, { source: file });
      const loss = snapshot.surfaces.train_loss;
      expect(loss.length).toBe(41 * 41);
      const sorted = Array.from(loss)
        .filter((v) => Number.isFinite(v) && v > 0)
        .sort((a, b) => a - b);
      expect(sorted.length).toBe(loss.length);
      const min = sorted[0];
      const top = sorted[Math.floor(0.98 * (sorted.length - 1))];
      const shown = tickValues(ticksBefore);
      expect(Math.abs(shown[0] - min) / min, `legend min ${ticksBefore[0]} vs file ${min}`).toBeLessThan(
        0.05,
      );
      expect(
        Math.abs(shown[shown.length - 1] - top) / top,
        `legend top ${ticksBefore[ticksBefore.length - 1]} vs file ${top}`,
      ).toBeLessThan(0.05);

      // A different experiment changes the legend ...
      await page.getByTestId("ctl-ds").selectOption("moons");
      await runAndWait(page);
      expect(await legendTicks(page)).not.toEqual(ticksBefore);

      // ... and importing the file brings the exported landscape back.
      await page.getByTestId("import-file").setInputFiles(file);
      await expect.poll(() => legendTicks(page), { timeout: 10_000 }).toEqual(ticksBefore);
      await expectDrawnSurface(page);
      expect(await page.getByTestId("messages").count()).toBe(0);

      // A truncated file: a message, and the landscape stays as it was.
      // The view settles first: the import's badge line made it a little smaller (a new frame).
      const surfaceBefore = { signature: await settledSignature(landscapeCanvas(page)) };
      const broken = join(artifactsDir, "broken.json.gz");
      writeFileSync(broken, bytes.subarray(0, Math.floor(bytes.length / 2)));
      await page.getByTestId("import-file").setInputFiles(broken);
      const messages = page.getByTestId("messages");
      await messages.waitFor({ timeout: 10_000 });
      // Says what is wrong. (It does not name the file, although SnapshotError carries the name:
      // importErrorText in src/app/SnapshotActions.tsx keeps only err.problems.)
      expect(await messages.textContent()).toMatch(/^import of \S+ failed: .*truncated gzip data\b/);
      expect(await legendTicks(page)).toEqual(ticksBefore);
      expect((await canvasStats(landscapeCanvas(page))).signature).toBe(surfaceBefore.signature);
    });
  });
});

describe.skipIf(skipReason !== "")("linked inspection and comparison", () => {
  it("picking a point on the contour map shows the model there", async () => {
    await withLab("", async ({ page }) => {
      await waitForDone(page);
      const picked = page.getByTestId("picked");
      const dataCanvas = page.getByTestId("data-plot").locator("canvas");
      // The trained point's decision boundary arrives after the landscape; wait until it settles.
      await expect.poll(async () => (await canvasStats(dataCanvas)).colours).toBeGreaterThan(100);
      await page.waitForTimeout(500);
      const before = await canvasStats(dataCanvas);
      expect(await picked.textContent()).toMatch(/^at the trained point/);

      await page.getByTestId("tab-contour").click();
      const contour = page.getByTestId("landscape-contour").locator("canvas");
      await expect.poll(async () => (await canvasStats(contour)).colours).toBeGreaterThan(500);
      const box = await contour.boundingBox();
      if (!box) throw new Error("the contour canvas has no box");
      // Upper right of the middle, well inside the plot and away from the trained point (0, 0).
      await page.mouse.click(box.x + box.width * 0.7, box.y + box.height * 0.3);

      await expect.poll(async () => picked.textContent(), { timeout: 5_000 }).toMatch(/^at \(/);
      // The picked point is marked on the map.
      expect(await page.getByTestId("landscape-contour-picked").isVisible()).toBe(true);
      const m = /^at \(([^,]+), ([^)]+)\): loss (\S+)$/.exec((await picked.textContent()) ?? "");
      expect(m, `picked text: ${await picked.textContent()}`).not.toBeNull();
      const [x, y, loss] = [Number(m?.[1]), Number(m?.[2]), Number(m?.[3])];
      expect(x).toBeGreaterThan(0.1);
      expect(y).toBeGreaterThan(0.1);
      expect(loss).toBeGreaterThan(0);
      await expect
        .poll(async () => (await canvasStats(dataCanvas)).signature, { timeout: 20_000 })
        .not.toBe(before.signature);
      expect((await canvasStats(dataCanvas)).colours).toBeGreaterThan(100);
    });
  });

  it("reads the 3D surface under the pointer, and a click there picks that point", async () => {
    await withLab("", async ({ page }) => {
      await waitForDone(page);
      await expectDrawnSurface(page);
      // The picture canvas lets the pointer through to the scene beneath it.
      const box = await viewPicture(page).boundingBox();
      if (!box) throw new Error("the 3D view has no box");
      const x = box.x + box.width * 0.5;
      const y = box.y + box.height * 0.45;
      await page.mouse.move(x, y);
      const hover = page.getByTestId("landscape-3d").locator(".scene-hover");
      await expect.poll(() => hover.isVisible(), { timeout: 5_000 }).toBe(true);
      expect(await hover.textContent()).toMatch(/train loss \S+/);
      await page.mouse.click(x, y);
      await expect.poll(() => page.getByTestId("picked").textContent(), { timeout: 5_000 }).toMatch(/^at \(/);
    });
  });

  it("pins a landscape and shows the next run beside it", async () => {
    await withLab("", async ({ page }) => {
      await waitForDone(page);
      await expectDrawnSurface(page);
      await page.getByTestId("pin").click();
      await page.getByTestId("unpin").waitFor({ timeout: 5_000 });
      await page.getByTestId("ctl-lr").fill("0.05");
      await runAndWait(page);
      // Each pane is titled with what differs between the two experiments (issue 13).
      expect(await page.getByTestId("view-title-compare").textContent()).toBe("lr 0.01");
      expect(await page.getByTestId("view-title-current").textContent()).toBe("lr 0.05");
      const current = await expectDrawnSurface(page, "landscape-3d");
      const compare = await expectDrawnSurface(page, "landscape-3d-compare");
      expect(current, "the two landscapes look different").not.toBe(compare);
      mkdirSync(artifactsDir, { recursive: true });
      await page.screenshot({ path: join(artifactsDir, "lab-compare.png") });
    });
  });
});
