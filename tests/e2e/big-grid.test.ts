/**
 * Large grids keep the page responsive: a 201 x 201 job (40,401 grid points) and its 3D view,
 * rotated by mouse drags, with no main-thread task over 50 ms (Long Tasks API) while the surface
 * is drawn (from the start of sampling until the frame with every grid point is on screen) and
 * while it rotates. What the page does after the drawing (keeping the result for a reload, the
 * backend calibration, garbage collection) is printed, not bounded.
 * The figures (longest task of each phase, frames presented during the rotation) are printed.
 *
 * The bound is generous for a quiet machine (the page's own tasks take a few milliseconds of
 * CPU each); it is meant to hold while another heavy job runs on the machine, when every task
 * takes several times its CPU time in wall time. What keeps the tasks short while the grid fills:
 * each redraw of the growing surface is a task of its own (compute/store-sink.ts), drawn in
 * React's deferred render, which yields between components (app/useDrawnLandscape.ts); the
 * sampling starts after the trained model's first frame (compute/after-frame.ts); and the
 * progress bar is animated by the compositor, not by main-thread frames (controls.css).
 *
 * Opens its own browser (fresh storage, its own console log) and fails on any console error or
 * warning except the known harmless ones (browser.ts, HARMLESS).
 */
import type { Page } from "playwright-core";
import { afterAll, describe, expect, inject, it } from "vitest";
import { openBrowser, unexpectedProblems } from "./browser";
import {
  canvasStats,
  drawnCanvasStats,
  HIDE_WEBGPU_SCRIPT,
  RECORDERS_SCRIPT,
  recorded,
  viewPicture,
  waitForDone,
} from "./lab-page";

const skipReason = inject("e2eSkipReason");
const baseUrl = inject("e2eBaseUrl");

/** The requirement: no main-thread task over this while the surface is drawn or rotated. */
const LONG_TASK_LIMIT_MS = 50;
const GRID = 201;
/** After the job: the last update, its build in the surface worker and its frame on screen. */
const AFTER_DONE_MS = 2_000;
/** The drawing ends this long after the full surface's frame is on screen (its own tasks). */
const FULL_FRAME_MARGIN_MS = 300;
/** After the last drag: the full mesh is drawn again once the camera stops. */
const AFTER_ROTATION_MS = 1_500;

/**
 * Counts the frames PresentWhenDrawn copies onto the visible picture of the 3D view (one
 * putImageData of the frame's read-back pixels per frame shown, or a drawImage of the hidden WebGL
 * canvas without WebGL2), on `window.__presented`.
 */
const FRAME_COUNTER_SCRIPT = `(() => {
  window.__presented = 0;
  const proto = CanvasRenderingContext2D.prototype;
  for (const name of ["putImageData", "drawImage"]) {
    const original = proto[name];
    proto[name] = function (...args) {
      if (this.canvas && this.canvas.dataset && this.canvas.dataset.testid === "landscape-3d-picture") window.__presented++;
      return original.apply(this, args);
    };
  }
})();`;

interface Task {
  start: number;
  duration: number;
}

const figures: Record<string, string> = {};

afterAll(() => {
  if (Object.keys(figures).length > 0)
    console.log(`big-grid e2e figures: ${JSON.stringify(figures, null, 1)}`);
});

async function now(page: Page): Promise<number> {
  return page.evaluate(() => performance.now());
}

async function presented(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __presented: number }).__presented);
}

/** Drag across the 3D view with the left button (the orbit controls rotate the camera). */
async function drag(page: Page, dx: number, dy: number, steps: number): Promise<void> {
  const box = await page.getByTestId("landscape-3d").boundingBox();
  if (!box) throw new Error("the 3D view has no box on the page");
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(x + (dx * i) / steps, y + (dy * i) / steps);
    await page.waitForTimeout(16);
  }
  await page.mouse.up();
}

const overlapping = (tasks: readonly Task[], from: number, to: number) =>
  tasks.filter((t) => t.start < to && t.start + t.duration > from);
/** The longest task (the Long Tasks API reports those over 50 ms only). */
const longest = (tasks: readonly Task[]) =>
  tasks.length === 0
    ? "none over 50 ms"
    : `${Math.round(Math.max(...tasks.map((t) => t.duration)))} ms (${tasks.length} tasks over 50 ms)`;
const rounded = (tasks: readonly Task[]) =>
  tasks.map((t) => ({ start: Math.round(t.start), ms: Math.round(t.duration) }));

describe.skipIf(skipReason !== "")("a 201 x 201 grid", () => {
  it("is drawn and rotated in 3D with no main-thread task over 50 ms", async () => {
    const session = await openBrowser(inject("chromiumPath"));
    try {
      const { page } = session;
      await page.addInitScript(RECORDERS_SCRIPT);
      await page.addInitScript(HIDE_WEBGPU_SCRIPT);
      await page.addInitScript(FRAME_COUNTER_SCRIPT);
      await page.goto(`${baseUrl}#gx=-1,1,${GRID}&gy=-1,1,${GRID}`);
      expect(await page.evaluate(() => PerformanceObserver.supportedEntryTypes.includes("longtask"))).toBe(
        true,
      );

      // Drawing: the job fills the grid tile by tile, the 3D view redraws as it grows.
      await waitForDone(page, 180_000);
      expect(await page.getByTestId("progress").textContent()).toMatch(
        new RegExp(`^done: ${GRID * GRID}/${GRID * GRID} grid points`),
      );
      // Drawn: the full surface's frame is on screen (SurfaceLayer's surface-frame mark, set when
      // the frame with every grid point is presented), plus a margin for that frame's own tasks.
      const fullFrame = await page.waitForFunction(
        (points) =>
          performance
            .getEntriesByName("landscape:surface-frame")
            .find((m) => (m as PerformanceMark).detail?.done === points)?.startTime ?? null,
        GRID * GRID,
        { timeout: 30_000 },
      );
      const drawnUntil = ((await fullFrame.jsonValue()) as number) + FULL_FRAME_MARGIN_MS;
      await page.waitForTimeout(AFTER_DONE_MS);
      const afterDrawn = await now(page);
      const before = await drawnCanvasStats(viewPicture(page), 500);
      expect(before.colours, "the surface is drawn: distinct colours").toBeGreaterThan(500);

      // Rotation: three drags across the view.
      const framesBefore = await presented(page);
      const rotationStart = await now(page);
      await drag(page, 240, 40, 20);
      await drag(page, -160, -60, 20);
      await drag(page, 120, 80, 20);
      const rotationEnd = (await now(page)) + AFTER_ROTATION_MS;
      await page.waitForTimeout(AFTER_ROTATION_MS);
      const frames = (await presented(page)) - framesBefore;
      const after = await drawnCanvasStats(viewPicture(page), 500);
      expect(after.signature, "the picture changed: the camera moved").not.toBe(before.signature);
      expect(after.colours, "the rotated surface is drawn: distinct colours").toBeGreaterThan(500);

      const { phases, longTasks } = await recorded(page);
      const sampling = phases.find((p) => p.phase === "sampling")?.t;
      const done = phases.find((p) => p.phase === "done")?.t;
      if (sampling === undefined || done === undefined) throw new Error(`phases: ${JSON.stringify(phases)}`);
      const drawing = overlapping(longTasks, sampling, drawnUntil);
      const rotating = overlapping(longTasks, rotationStart, rotationEnd);
      figures["201x201 job (sampling to done)"] = `${Math.round(done - sampling)} ms`;
      // Before the sampling: the trained model's charts, data plot and trajectory land (the 3D
      // view has nothing new to draw yet). Printed, not bounded by this test.
      const training = phases.find((p) => p.phase === "training")?.t ?? sampling;
      figures["longest main-thread task from the training to the sampling (not bounded here)"] = longest(
        overlapping(longTasks, training, sampling),
      );
      figures["longest main-thread task while drawing (sampling to the full surface on screen + 0.3 s)"] =
        longest(drawing);
      // After it, the page keeps the result for a reload, calibrates, collects garbage: printed.
      figures["longest main-thread task after the drawing, before the rotation (not bounded here)"] = longest(
        overlapping(longTasks, drawnUntil, afterDrawn),
      );
      figures["longest main-thread task while rotating"] = longest(rotating);
      figures["frames presented during the rotation"] =
        `${frames} in ${Math.round(rotationEnd - rotationStart)} ms`;

      expect(
        drawing.filter((t) => t.duration > LONG_TASK_LIMIT_MS),
        `long tasks while drawing (ms since navigation; phases ${JSON.stringify(phases)})`,
      ).toEqual([]);
      expect(
        rounded(rotating.filter((t) => t.duration > LONG_TASK_LIMIT_MS)),
        "long tasks while rotating (ms since navigation)",
      ).toEqual([]);
      expect(frames, "frames presented during the rotation").toBeGreaterThan(0);
      // The picture on screen is the WebGL canvas's finished frame (the full mesh, at rest).
      const gl = await canvasStats(page.getByTestId("landscape-3d").locator("canvas").first());
      await expect.poll(async () => (await canvasStats(viewPicture(page))).signature).toBe(gl.signature);
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  }, 300_000);
});
