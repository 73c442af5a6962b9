/**
 * Every lesson in the real app, picked from the Lesson menu. A flatness lesson trains both runs,
 * shows the two surfaces side by side under their labels with one shared colour scale, then the
 * numbers of both runs and its checks, all of which hold. A paths lesson runs its paths
 * experiment, shows the plane with the straight line and the curve drawn on it under the run's
 * label, the paths panel, then every path's numbers and its checks, all of which hold.
 */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { LESSONS } from "../../src/core/lessons/catalog";
import { fitScale } from "../../src/scene/scale";
import { openBrowser, unexpectedProblems } from "./browser";
import {
  drawnCanvasStats,
  HIDE_WEBGPU_SCRIPT,
  legendTicks,
  viewGlCanvas,
  viewPicture,
  waitForDone,
} from "./lab-page";

const skipReason = inject("e2eSkipReason");

interface ShownLesson {
  runs: string[];
  current: number[];
  compare: number[];
  log: boolean;
  clip: number;
}

/**
 * What the page says about the open lesson: the picker names it, the URL and Copy link are its
 * link (lesson=ID), the badge its title. Returns its legend, for the link's test.
 */
async function expectLessonDescribed(page: Page, id: string, title: string): Promise<string[]> {
  expect(await page.getByTestId("ctl-lesson").inputValue(), id).toBe(id);
  await expect.poll(() => page.evaluate(() => location.hash), { timeout: 5_000 }).toBe(`#lesson=${id}`);
  expect(await page.getByTestId("copy-link").getAttribute("data-link"), id).toBe(`lesson=${id}`);
  expect(await page.getByTestId("source-badge").textContent(), id).toBe(`lesson: ${title}`);
  return legendTicks(page);
}

/** Pick a lesson from the menu and wait until it has run to its end, which must be "done"; returns how long it took. */
async function openLessonToTheEnd(page: Page, id: string): Promise<string> {
  const start = Date.now();
  await page.getByTestId("ctl-lesson").selectOption(id);
  const card = page.locator(`[data-testid="lesson"][data-lesson-id="${id}"]`);
  await card.waitFor({ timeout: 10_000 });
  await page
    .locator(
      `[data-testid="lesson"][data-lesson-id="${id}"]:is([data-status="done"], [data-status="error"], [data-status="cancelled"])`,
    )
    .waitFor({ timeout: 180_000 });
  const took = `${((Date.now() - start) / 1000).toFixed(1)} s`;
  expect(await card.getAttribute("data-status"), (await card.textContent()) ?? "").toBe("done");
  return took;
}

/** A calibration remembered already, so none runs beside the lessons. */
const REMEMBERED_EVALUATOR = `localStorage.setItem("loss-landscape-lab.evaluator", JSON.stringify({ backend: "wasm", evaluator: "wasm-kernel", pointsPerSecond: 1 }));`;

/** Each lesson's legend as the menu showed it, for the links' test below. */
const legends: Record<string, string[]> = {};

describe.skipIf(skipReason !== "")("lessons", () => {
  it("opens every lesson, renders its surfaces (both with one colour scale, or the paths' plane), and shows numbers and checks that hold", async () => {
    const session = await openBrowser(inject("chromiumPath"));
    const timings: Record<string, string> = {};
    try {
      const { page } = session;
      await page.addInitScript(HIDE_WEBGPU_SCRIPT);
      await page.addInitScript(REMEMBERED_EVALUATOR);
      await page.goto(inject("e2eBaseUrl"));
      await waitForDone(page, 90_000);
      expect(await page.getByTestId("ctl-lesson").locator("option:not([disabled])").count()).toBe(
        LESSONS.length,
      );
      for (const entry of LESSONS.filter((l) => l.kind === "flatness")) {
        timings[entry.id] = await openLessonToTheEnd(page, entry.id);

        const shown = (await page.evaluate(() => {
          const s = globalThis.lossLandscapeLab?.store.getState();
          if (!s?.lesson || !s.landscape || !s.compare) throw new Error("no lesson on screen");
          return {
            runs: s.lesson.lesson.kind === "flatness" ? s.lesson.lesson.runs.map((r) => r.label) : [],
            current: Array.from(s.landscape.snapshot.surfaces.train_loss ?? []),
            compare: Array.from(s.compare.snapshot.surfaces.train_loss ?? []),
            log: s.settings.log,
            clip: s.settings.clip,
          };
        })) as ShownLesson;
        // Run 1 on the left (pinned), run 2 on the right, each under its label.
        expect(await page.getByTestId("view-title-compare").textContent()).toBe(shown.runs[0]);
        expect(await page.getByTestId("view-title-current").textContent()).toBe(shown.runs[1]);
        for (const id of ["landscape-3d", "landscape-3d-compare"]) {
          const stats = await drawnCanvasStats(viewPicture(page, id), 300);
          expect(stats.colours, `${entry.id}: ${id} distinct colours`).toBeGreaterThan(300);
        }
        // One legend, fitted to both surfaces together (the shared colour scale).
        expect(await page.getByTestId("legend").count()).toBe(1);
        const scale = fitScale([Float32Array.from(shown.current), Float32Array.from(shown.compare)], {
          log: shown.log,
          clipQuantile: shown.clip,
        });
        const ticks = (await legendTicks(page)).map((t) => Number(t.replace(/^≥\s*/, "")));
        const [lo, hi] = [scale.invert(0), scale.invert(1)];
        expect(
          Math.abs(ticks[0] - lo) / Math.abs(lo),
          `${entry.id}: legend min ${ticks[0]} vs ${lo}`,
        ).toBeLessThan(0.05);
        expect(Math.abs(ticks[ticks.length - 1] - hi) / Math.abs(hi), `${entry.id}: legend max`).toBeLessThan(
          0.05,
        );

        // Numbers for both runs and every check holding.
        const metrics = page.getByTestId("lesson-metrics");
        expect(await metrics.locator("tbody tr").count()).toBeGreaterThan(3);
        expect(await metrics.textContent()).not.toContain("…");
        const checks = page.getByTestId("lesson-checks").locator("li");
        expect(await checks.count()).toBeGreaterThan(0);
        const failing = await page
          .getByTestId("lesson-checks")
          .locator('li[data-holds="false"]')
          .allTextContents();
        expect(failing, `${entry.id}: failing checks`).toEqual([]);
        legends[entry.id] = await expectLessonDescribed(page, entry.id, entry.title);
      }
      for (const entry of LESSONS.filter((l) => l.kind === "paths")) {
        timings[entry.id] = await openLessonToTheEnd(page, entry.id);
        const shown = await page.evaluate(() => {
          const s = globalThis.lossLandscapeLab?.store.getState();
          const lesson = s?.lesson?.lesson;
          if (lesson?.kind !== "paths" || !s?.landscape) throw new Error("no paths lesson on screen");
          return {
            label: lesson.run.label,
            paths: s.landscape.snapshot.paths?.paths.length ?? 0,
            compare: s.compare,
          };
        });
        // One view, the run's plane, under the run's label, with both paths drawn on it.
        expect(shown.compare).toBeNull();
        expect(shown.paths).toBeGreaterThanOrEqual(3);
        expect(await page.getByTestId("landscape-3d-compare").count()).toBe(0);
        expect(await page.getByTestId("view-title-current").textContent()).toBe(shown.label);
        await expect
          .poll(() => viewGlCanvas(page).getAttribute("data-path-overlay"), { timeout: 10_000 })
          .toBe("drawn");
        const stats = await drawnCanvasStats(viewPicture(page), 300);
        expect(stats.colours, `${entry.id}: plane surface colours`).toBeGreaterThan(300);
        expect(await page.getByTestId("paths-panel").isVisible()).toBe(true);
        // Every path's numbers (straight line, curve, ...) and every check holding.
        const metrics = page.getByTestId("lesson-metrics");
        const head = await metrics.locator("thead").textContent();
        expect(head).toContain("straight line");
        expect(head).toContain("curve");
        expect(await metrics.locator("tbody tr").count()).toBeGreaterThan(3);
        expect(await page.getByTestId("lesson-checks").locator("li").count()).toBeGreaterThan(1);
        const failing = await page
          .getByTestId("lesson-checks")
          .locator('li[data-holds="false"]')
          .allTextContents();
        expect(failing, `${entry.id}: failing checks`).toEqual([]);
        legends[entry.id] = await expectLessonDescribed(page, entry.id, entry.title);
      }
      await page.getByTestId("lesson-close").click();
      expect(await page.getByTestId("lesson").count()).toBe(0);
      expect(await page.getByTestId("landscape-3d-compare").count()).toBe(0);
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      console.log(`lesson timings: ${JSON.stringify(timings)}`);
      await session.close();
    }
  }, 900_000);

  it("reproduces every lesson from its link in a fresh browser, on the same legend", async () => {
    expect(Object.keys(legends).sort()).toEqual(LESSONS.map((l) => l.id).sort());
    for (const entry of LESSONS) {
      const session = await openBrowser(inject("chromiumPath"));
      try {
        const { page } = session;
        await page.addInitScript(HIDE_WEBGPU_SCRIPT);
        await page.addInitScript(REMEMBERED_EVALUATOR);
        await page.goto(`${inject("e2eBaseUrl")}#lesson=${entry.id}`);
        const card = page.locator(`[data-testid="lesson"][data-lesson-id="${entry.id}"][data-status="done"]`);
        await card.waitFor({ timeout: 180_000 });
        expect(await expectLessonDescribed(page, entry.id, entry.title), entry.id).toEqual(legends[entry.id]);
        expect(unexpectedProblems(session.problems), entry.id).toEqual([]);
      } finally {
        await session.close();
      }
    }
  }, 900_000);
});
