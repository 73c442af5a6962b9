/**
 * The lab in a classroom, in headless Chromium against the production build:
 * - the layout at a projector's 1024 x 768 and 1280 x 720 and at 1920 x 1080, and at browser zoom
 *   150% (the CSS viewport two thirds as large, see applySize): for the default
 *   view, a comparison and every lesson, each landscape picture is at least 320 x 220 CSS px, at
 *   least 45% of the viewport's width or height and inside the viewport, and no two texts of the
 *   views, the legend and the axis labels overlap or are cut off (measured from the DOM,
 *   classroom-page.ts; the rules in layout-geometry.ts). Each state is opened once and the window
 *   resized; the lessons are shared between two browsers at once (the machine's two cores).
 *   Screenshots go to a new temporary folder (or CLASSROOM_SCREENSHOTS), printed at the end.
 * - presentation mode: entered and left, full screen, from the header's button, the URL key
 *   (`present=1`) and Escape; space and the arrows drive the current transport: the replay
 *   timeline of the shown run, or the training when there is nothing to replay.
 * - "What am I looking at?": shown once to a fresh profile, reopened from the header, not shown
 *   again after "Got it"; every control's tooltip says what it changes in the picture.
 *
 * The layout, presentation and keys tests share one browser (the layout test leaves the SAM
 * lesson open for the presentation test): run them together.
 * Fails on any console error or warning except the known harmless ones (browser.ts, HARMLESS).
 */
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { LESSONS } from "../../src/core/lessons/catalog";
import { type BrowserSession, openBrowser, unexpectedProblems } from "./browser";
import { settledLayout } from "./classroom-page";
import {
  drawnCanvasStats,
  HIDE_WEBGPU_SCRIPT,
  RECORDERS_SCRIPT,
  runAndWait,
  viewPicture,
  waitForDone,
  waitForPhase,
} from "./lab-page";
import { clippedTexts, overlappingPairs, pictureProblems } from "./layout-geometry";

const skipReason = inject("e2eSkipReason");
const baseUrl = inject("e2eBaseUrl");
/** A folder of this run's own (another run at the same time keeps its screenshots apart). */
const screenshotsDir =
  process.env.CLASSROOM_SCREENSHOTS || mkdtempSync(join(tmpdir(), "classroom-screenshots-"));

/** A window size, and the browser's zoom in it (1.5: the page sees 2/3 of the CSS px, at 1.5 dppx). */
interface Size {
  width: number;
  height: number;
  zoom: number;
}
/** The sizes every state is shown at: two projectors and a large screen. */
const SIZES: readonly Size[] = [
  { width: 1024, height: 768, zoom: 1 },
  { width: 1280, height: 720, zoom: 1 },
  { width: 1920, height: 1080, zoom: 1 },
];
/** The same windows at browser zoom 150%: 683 x 512, 853 x 480 and 1280 x 720 CSS px. */
const ZOOMED: readonly Size[] = SIZES.map((s) => ({ ...s, zoom: 1.5 }));
/** Where the states are opened (every panel docked, so the controls are at hand). */
const WIDE = { width: 1920, height: 1080 } as const;
/** The lesson the layout test opens last and leaves open for the presentation test. */
const LAST_LESSON = "sam";

/** A calibration remembered already, so none runs beside the lessons. */
const REMEMBERED_EVALUATOR = `localStorage.setItem("loss-landscape-lab.evaluator", JSON.stringify({ backend: "wasm", evaluator: "wasm-kernel", pointsPerSecond: 1 }));`;

/** Every view measured, per state and size: printed at the end (the README's figures). */
const measured: string[] = [];
/** The smallest picture seen per size, "1024x768" -> "511x377". */
const smallest = new Map<string, { width: number; height: number }>();

function sizeName(size: Size): string {
  return `${size.width}x${size.height}${size.zoom === 1 ? "" : `@${Math.round(size.zoom * 100)}%`}`;
}

/**
 * Show the page in a window of `size`. Browser zoom (Ctrl +) shrinks the viewport in CSS px by
 * the zoom (media queries, vh and the docking all see the smaller window) and draws each CSS px
 * on zoom device pixels; the layout depends on the former only, which is what is emulated here.
 * (A device scale factor set through DevTools is reset by every Playwright screenshot.)
 */
async function applySize(page: Page, size: Size): Promise<void> {
  await page.setViewportSize({
    width: Math.round(size.width / size.zoom),
    height: Math.round(size.height / size.zoom),
  });
}

/**
 * Resize the page to each of `sizes` and check the layout rules there: `views` pictures, each
 * drawn, large enough and inside the viewport; no overlapping or cut-off text. Saves a screenshot
 * per size.
 */
async function checkLayout(page: Page, what: string, views: number, sizes: readonly Size[]): Promise<void> {
  mkdirSync(screenshotsDir, { recursive: true });
  for (const size of sizes) {
    const at = `${what} at ${sizeName(size)}`;
    await applySize(page, size);
    const testIds = views === 2 ? ["landscape-3d", "landscape-3d-compare"] : ["landscape-3d"];
    for (const id of testIds)
      expect(
        (await drawnCanvasStats(viewPicture(page, id), 300)).colours,
        `${at}: ${id} drawn`,
      ).toBeGreaterThan(300);
    const m = await settledLayout(page);
    await page.screenshot({ path: join(screenshotsDir, `${what}-${sizeName(size).replace("%", "")}.png`) });
    expect(m.pictures.map((p) => p.id).sort(), `${at}: pictures`).toEqual(
      testIds.map((id) => `${id}-picture`).sort(),
    );
    for (const p of m.pictures) expect(pictureProblems(p, m.viewport), `${at}: ${p.id}`).toEqual([]);
    expect(
      m.pictures.filter((p) => !p.current).map((p) => p.id),
      `${at}: pictures drawn at their size`,
    ).toEqual([]);
    // Not vacuous: every view has its axis names and three value ticks, and the legend its ticks.
    const labels = m.texts.filter((t) => t.id.startsWith(".scene-label["));
    expect(labels.length, `${at}: axis and value labels measured`).toBeGreaterThanOrEqual(5 * views);
    expect(
      m.texts.filter((t) => t.id.startsWith(".scene-legend-tick[")).length,
      `${at}: legend ticks`,
    ).toBeGreaterThan(1);
    expect(overlappingPairs(m.texts), `${at}: overlapping texts`).toEqual([]);
    expect(clippedTexts(m.texts), `${at}: texts cut off`).toEqual([]);
    for (const p of m.pictures) {
      const key = sizeName(size);
      const least = smallest.get(key);
      if (!least || p.width * p.height < least.width * least.height)
        smallest.set(key, { width: Math.round(p.width), height: Math.round(p.height) });
    }
    measured.push(
      `${at} (viewport ${m.viewport.width}x${m.viewport.height}): ${m.pictures.map((p) => `${p.id.replace(/-picture$/, "")} ${Math.round(p.width)}x${Math.round(p.height)}`).join(", ")} (controls ${m.controls}, side panel ${m.side})`,
    );
  }
  await applySize(page, { ...WIDE, zoom: 1 });
}

/** Open a browser for the layout tests: recorders, no WebGPU, a remembered calibration; the default run done. */
async function openLab(): Promise<BrowserSession> {
  const session = await openBrowser(inject("chromiumPath"), { viewport: WIDE });
  try {
    await session.page.addInitScript(RECORDERS_SCRIPT);
    await session.page.addInitScript(HIDE_WEBGPU_SCRIPT);
    await session.page.addInitScript(REMEMBERED_EVALUATOR);
    await session.page.goto(baseUrl);
    await waitForDone(session.page, 120_000);
    return session;
  } catch (err) {
    await session.close();
    throw err;
  }
}

/** Pick a lesson from the menu and wait until it has run to its end, which must be "done". */
async function openLesson(page: Page, id: string): Promise<void> {
  await page.getByTestId("ctl-lesson").selectOption(id);
  const card = page.locator(`[data-testid="lesson"][data-lesson-id="${id}"]`);
  await card.waitFor({ state: "attached", timeout: 10_000 });
  await page
    .locator(
      `[data-testid="lesson"][data-lesson-id="${id}"]:is([data-status="done"], [data-status="error"], [data-status="cancelled"])`,
    )
    .waitFor({ state: "attached", timeout: 240_000 });
  expect(await card.getAttribute("data-status"), (await card.textContent()) ?? "").toBe("done");
}

/** Open each lesson in turn and check its layout at every size (and the zoomed 1280 x 720). */
async function checkLessons(page: Page, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const entry = LESSONS.find((l) => l.id === id);
    if (!entry) throw new Error(`no lesson ${id}`);
    await openLesson(page, id);
    await checkLayout(page, `lesson-${id}`, entry.kind === "flatness" ? 2 : 1, [...SIZES, ZOOMED[1]]);
  }
}

/** What presentation mode looks like from the page: full screen, the class, the URL key. */
async function presentationState(
  page: Page,
): Promise<{ fullscreen: boolean; presenting: boolean; hash: string }> {
  return page.evaluate(() => ({
    fullscreen: document.fullscreenElement !== null,
    presenting: document.documentElement.classList.contains("presenting"),
    hash: location.hash,
  }));
}

describe.skipIf(skipReason !== "")("classroom", () => {
  /** The browser the layout, presentation and keys tests share. */
  let lab: BrowserSession | null = null;
  const labPage = (): Page => {
    if (!lab) throw new Error("the shared browser did not open");
    return lab.page;
  };

  beforeAll(async () => {
    lab = await openLab();
  }, 180_000);

  afterAll(async () => {
    console.log(
      `view sizes (CSS px), screenshots in ${screenshotsDir}:\n${measured.join("\n")}\nsmallest picture per window: ${[...smallest].map(([k, v]) => `${k} ${v.width}x${v.height}`).join(", ")}`,
    );
    await lab?.close();
  });

  it("gives every view room at 1024x768, 1280x720 and 1920x1080 and at zoom 150%: the default view, a comparison and every lesson", async () => {
    const page = labPage();
    // The lessons but the last one run in a second browser meanwhile.
    const others = LESSONS.map((l) => l.id).filter((id) => id !== LAST_LESSON);
    let secondSession: BrowserSession | null = null;
    const second = openLab().then(async (session) => {
      secondSession = session;
      try {
        await checkLessons(session.page, others.slice(0, Math.ceil(others.length / 2)));
        expect(unexpectedProblems(session.problems), "second browser").toEqual([]);
      } finally {
        await session.close();
      }
    });
    try {
      await checkLayout(page, "default", 1, [...SIZES, ...ZOOMED]);

      // A comparison: its panes say what differs, never just "current" and "pinned".
      await page.getByTestId("pin").click();
      await page.getByTestId("unpin").waitFor({ timeout: 5_000 });
      await page.getByTestId("ctl-lr").fill("0.03");
      await runAndWait(page);
      expect(await page.getByTestId("view-title-current").textContent()).toBe("lr 0.03");
      expect(await page.getByTestId("view-title-compare").textContent()).toBe("lr 0.01");
      await checkLayout(page, "comparison", 2, [...SIZES, ...ZOOMED]);
      await page.getByTestId("unpin").click();

      await checkLessons(page, [...others.slice(Math.ceil(others.length / 2)), LAST_LESSON]);
    } catch (err) {
      // Report this failure now, not after the second browser's lessons.
      await (secondSession as BrowserSession | null)?.close().catch(() => {});
      await second.catch(() => {});
      throw err;
    }
    await second;
    const states = 2 + LESSONS.length;
    expect(measured.length, "states x sizes measured").toBe(2 * 6 + LESSONS.length * 4);
    expect(new Set(measured.map((m) => m.slice(0, m.indexOf(" at ")))).size).toBe(states);
    // The panels folded for the views where the window was narrow, and not where it was wide.
    expect(measured.filter((m) => m.includes("at 1920x1080 ") && !m.includes("controls docked"))).toEqual([]);
    expect(measured.filter((m) => m.includes("at 1024x768 ") && m.includes("side panel docked"))).toEqual([]);
    expect(unexpectedProblems(lab?.problems ?? [])).toEqual([]);
  }, 900_000);

  it("enters and leaves presentation mode, full screen, from the button and Escape (on the open SAM lesson)", async () => {
    const page = labPage();
    await applySize(page, { width: 1280, height: 720, zoom: 1 });
    await page
      .locator(`[data-testid="lesson"][data-lesson-id="${LAST_LESSON}"][data-status="done"]`)
      .waitFor({
        state: "attached",
        timeout: 10_000,
      });
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(`#lesson=${LAST_LESSON}`);

    // The button: full screen, the controls hidden, the lesson's claim as the caption.
    await page.getByTestId("present").click();
    await expect
      .poll(() => presentationState(page))
      .toEqual({ fullscreen: true, presenting: true, hash: `#lesson=${LAST_LESSON}&present=1` });
    expect(await page.getByTestId("controls").isVisible()).toBe(false);
    expect(await page.getByTestId("ctl-lesson").isVisible()).toBe(false);
    expect(await page.getByTestId("status").isVisible()).toBe(false);
    expect(await page.getByTestId("lesson").isVisible()).toBe(false);
    const caption = await page.getByTestId("presentation-caption").textContent();
    expect(caption).toContain(LESSONS.find((l) => l.id === LAST_LESSON)?.title ?? "?");
    // The panes are titled with the runs' labels: what differs between them.
    expect(await page.getByTestId("view-title-compare").textContent()).toMatch(/^plain gradient descent/);
    expect(await page.getByTestId("view-title-current").textContent()).toMatch(/^SAM/);
    const m = await settledLayout(page);
    expect(m.pictures.length).toBe(2);
    for (const p of m.pictures) expect(pictureProblems(p, m.viewport), p.id).toEqual([]);
    expect(overlappingPairs(m.texts), "overlapping texts in presentation mode").toEqual([]);
    expect(clippedTexts(m.texts), "texts cut off in presentation mode").toEqual([]);
    // Larger text: the axis labels' font grows with the page's.
    const fontPx = await page.evaluate(() =>
      Number.parseFloat(getComputedStyle(document.documentElement).fontSize),
    );
    expect(fontPx).toBeGreaterThan(15);
    measured.push(
      `presentation lesson-${LAST_LESSON} at 1280x720: ${m.pictures.map((p) => `${p.id.replace(/-picture$/, "")} ${Math.round(p.width)}x${Math.round(p.height)}`).join(", ")}`,
    );
    mkdirSync(screenshotsDir, { recursive: true });
    await page.screenshot({ path: join(screenshotsDir, `presentation-lesson-${LAST_LESSON}-1280x720.png`) });

    // Escape leaves: full screen, the mode and the URL key.
    await page.keyboard.press("Escape");
    await expect
      .poll(() => presentationState(page))
      .toEqual({ fullscreen: false, presenting: false, hash: `#lesson=${LAST_LESSON}` });
    expect(await page.getByTestId("controls").isVisible()).toBe(true);
    expect(await page.getByTestId("lesson").isVisible()).toBe(true);

    // Leaving full screen the browser's way (its own Escape, F11) leaves presentation mode too.
    await page.getByTestId("present").click();
    await expect.poll(async () => (await presentationState(page)).fullscreen).toBe(true);
    // The page has seen itself go full screen (its bar says so), as a user would before leaving.
    await expect
      .poll(() => page.getByTestId("presentation-bar").getAttribute("data-fullscreen"), { timeout: 10_000 })
      .toBe("true");
    await page.evaluate(() => document.exitFullscreen());
    await expect
      .poll(() => presentationState(page))
      .toEqual({ fullscreen: false, presenting: false, hash: `#lesson=${LAST_LESSON}` });
    expect(unexpectedProblems(lab?.problems ?? [])).toEqual([]);
  }, 120_000);

  it("enters presentation mode from the URL key; space and the arrows drive the replay, or the training", async () => {
    const page = labPage();
    // The URL key, at load: the page is in presentation mode at once; full screen needs a
    // gesture, so the bar offers the button.
    await page.evaluate(() => history.replaceState(null, "", "#present=1"));
    await page.reload();
    await expect.poll(async () => (await presentationState(page)).presenting, { timeout: 30_000 }).toBe(true);
    await waitForDone(page, 120_000);
    expect(await page.getByTestId("controls").isVisible()).toBe(false);
    expect((await presentationState(page)).fullscreen).toBe(false);
    await page.getByTestId("presentation-fullscreen").click();
    await expect
      .poll(() => presentationState(page))
      .toEqual({ fullscreen: true, presenting: true, hash: expect.stringMatching(/present=1$/) });
    await page.keyboard.press("Escape");
    await expect
      .poll(() => presentationState(page))
      .toEqual({ fullscreen: false, presenting: false, hash: expect.not.stringMatching(/present/) });
    expect(await page.getByTestId("controls").isVisible()).toBe(true);

    // The keys drive the replay of the shown run (its timeline provides the transport).
    const timeline = page.getByTestId("replay-timeline");
    const replay = async () => ({
      index: Number(await timeline.getAttribute("data-index")),
      playing: await timeline.getAttribute("data-playing"),
    });
    await timeline.waitFor({ timeout: 10_000 });
    await page.getByTestId("present").click();
    await expect.poll(async () => (await presentationState(page)).presenting).toBe(true);
    expect(await page.getByTestId("presentation-bar").textContent()).toContain("play / pause replay");
    expect(await timeline.isVisible(), "the timeline stays under the views").toBe(true);
    const from = (await replay()).index;
    await page.keyboard.press("ArrowRight");
    await expect.poll(replay).toEqual({ index: from + 1, playing: "false" });
    await page.keyboard.press("ArrowRight");
    await expect.poll(replay).toEqual({ index: from + 2, playing: "false" });
    await page.keyboard.press("ArrowLeft");
    await expect.poll(replay).toEqual({ index: from + 1, playing: "false" });
    await page.keyboard.press("Space");
    await expect.poll(async () => (await replay()).playing).toBe("true");
    await expect.poll(async () => (await replay()).index, { timeout: 30_000 }).toBeGreaterThan(from + 1);
    await page.keyboard.press("Space");
    await expect.poll(async () => (await replay()).playing).toBe("false");
    await page.keyboard.press("Escape");
    await expect.poll(async () => (await presentationState(page)).presenting).toBe(false);

    // With nothing to replay (Reset cleared the landscape), the keys drive the training.
    await page.getByTestId("train-reset").click();
    await expect
      .poll(() => page.getByTestId("progress").getAttribute("data-phase"), { timeout: 30_000 })
      .toBe("idle");
    await expect.poll(() => timeline.count(), { timeout: 10_000 }).toBe(0);
    // Long enough that it cannot end between two key presses, however fast the machine (the
    // kernel trains an epoch of this experiment in well under a millisecond).
    await page.getByTestId("ctl-ep").fill("20000");
    const epochs = () =>
      page.evaluate(() => globalThis.lossLandscapeLab?.store.getState().history.epoch.length ?? -1);
    const playing = () => page.getByTestId("train-pause").count();
    const paused = () => page.getByTestId("train-resume").count();
    await page.getByTestId("present").click();
    await expect.poll(async () => (await presentationState(page)).presenting).toBe(true);
    expect(await page.getByTestId("presentation-bar").textContent()).toContain("play / pause training");
    // Right arrow with nothing running: Step through (the experiment starts paused, after the
    // evaluation at initialization: one entry).
    await page.keyboard.press("ArrowRight");
    await waitForPhase(page, ["training"], 30_000);
    await expect.poll(paused, { timeout: 10_000 }).toBe(1);
    await expect.poll(epochs, { timeout: 30_000 }).toBe(1);
    // Right arrow: one epoch per press.
    await page.keyboard.press("ArrowRight");
    await expect.poll(epochs, { timeout: 30_000 }).toBe(2);
    await page.keyboard.press("ArrowRight");
    await expect.poll(epochs, { timeout: 30_000 }).toBe(3);
    // Left arrow: the training cannot step back; nothing happens.
    await page.keyboard.press("ArrowLeft");
    await page.waitForTimeout(400);
    expect(await epochs()).toBe(3);
    // Space: play, then pause.
    await page.keyboard.press("Space");
    await expect.poll(playing, { timeout: 10_000 }).toBe(1);
    await expect.poll(epochs, { timeout: 30_000 }).toBeGreaterThan(3);
    await page.keyboard.press("Space");
    await expect.poll(paused, { timeout: 10_000 }).toBe(1);
    // Paused: no more epochs (those under way when the key was pressed may still arrive: on a
    // busy machine they come late), then the right arrow steps again.
    let still = await epochs();
    await expect
      .poll(
        async () => {
          const now = await epochs();
          const same = now === still;
          still = now;
          return same;
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBe(true);
    await page.keyboard.press("ArrowRight");
    await expect.poll(epochs, { timeout: 30_000 }).toBeGreaterThan(still);
    expect(await page.getByTestId("progress").getAttribute("data-phase")).toBe("training");
    expect(await paused()).toBe(1);

    await page.keyboard.press("Escape");
    await expect.poll(async () => (await presentationState(page)).presenting).toBe(false);
    // Reset stops the paused training (its job ends cancelled).
    await page.getByTestId("train-reset").click();
    await expect
      .poll(() => page.getByTestId("progress").getAttribute("data-phase"), { timeout: 30_000 })
      .toMatch(/^(idle|cancelled)$/);
    expect(unexpectedProblems(lab?.problems ?? [])).toEqual([]);
  }, 300_000);

  it("shows the explainer once to a fresh profile, reopens it, and not again after Got it", async () => {
    const session = await openBrowser(inject("chromiumPath"), {
      viewport: { width: 1280, height: 720 },
      explainer: "fresh",
    });
    try {
      const { page } = session;
      await page.addInitScript(HIDE_WEBGPU_SCRIPT);
      // A first visit as far as the explainer goes (the calibration is not what is tested here).
      await page.addInitScript(REMEMBERED_EVALUATOR);
      await page.goto(baseUrl);
      const explainer = page.getByTestId("explainer");
      await explainer.waitFor({ timeout: 10_000 });
      const text = (await explainer.textContent()) ?? "";
      for (const words of [
        "θ + x·d₁ + y·d₂",
        "filter-normalized",
        "Li et al. 2018",
        "log",
        "contour",
        "flat",
      ])
        expect(text, words).toContain(words);
      // The maths is one click away.
      const maths = page.getByTestId("explainer-maths");
      expect(await maths.getAttribute("open")).toBeNull();
      await maths.locator("summary").click();
      expect(await maths.getAttribute("open")).not.toBeNull();
      expect(await maths.textContent()).toContain("λ_max");
      await waitForDone(page, 120_000);

      await page.getByTestId("explainer-close").click();
      expect(await explainer.count()).toBe(0);
      expect(await page.evaluate(() => localStorage.getItem("loss-landscape-lab.explainer"))).toBe("seen");
      // Reopened from the header, with the focus in it; closed again with Escape.
      await page.getByTestId("explainer-open").click();
      await explainer.waitFor({ timeout: 5_000 });
      expect(
        await page.evaluate(() => document.activeElement?.closest('[data-testid="explainer"]') !== null),
      ).toBe(true);
      await page.keyboard.press("Escape");
      expect(await explainer.count()).toBe(0);
      // Not shown again on the next visit (which shows the last result again, from the library).
      await page.reload();
      expect((await drawnCanvasStats(viewPicture(page), 300, 120_000)).colours).toBeGreaterThan(300);
      expect(await explainer.count()).toBe(0);

      // Every control's tooltip says what it changes in the picture.
      const rows = await page
        .getByTestId("controls")
        .locator(".ctl-row[title]")
        .evaluateAll((els) => els.map((el) => el.getAttribute("title") ?? ""));
      expect(rows.length).toBeGreaterThan(20);
      expect(rows.filter((t) => !t.includes("In the picture:"))).toEqual([]);
      const buttons = await page
        .locator(
          ".app-header button, .panel-toolbar button, [data-testid='run'], [data-testid='cancel'], [data-testid='training-controls'] button",
        )
        .evaluateAll((els) =>
          els
            .filter((el) => el.checkVisibility() && !el.getAttribute("title"))
            .map((el) => el.getAttribute("data-testid") ?? el.textContent),
        );
      expect(buttons, "buttons without a tooltip").toEqual([]);
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  }, 300_000);
});
