/**
 * The lab with the keyboard only, against the production build in headless Chromium: Tab to the
 * 3D view, turn it with the arrow keys, move its cursor, pick with Enter and read the value the
 * live region announces; switch the view tabs with the arrow keys, Home and End (WAI-ARIA tabs
 * pattern); move the contour map's cursor and pick there.
 *
 * No mouse and no element.focus(): every step is a key press. Fails on any console error or
 * warning except the known harmless ones (browser.ts, HARMLESS).
 */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { openBrowser, unexpectedProblems } from "./browser";
import {
  canvasStats,
  clickRun,
  drawnCanvasStats,
  HIDE_WEBGPU_SCRIPT,
  RECORDERS_SCRIPT,
  recorded,
  settledSignature,
  viewPicture,
  waitForDone,
} from "./lab-page";

const skipReason = inject("e2eSkipReason");
const baseUrl = inject("e2eBaseUrl");

/** What has the focus: the nearest test id around it, its role and whether it shows a focus ring. */
async function focused(page: Page): Promise<{ testId: string; role: string; ring: boolean; text: string }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const owner = el?.closest("[data-testid]") as HTMLElement | null;
    return {
      testId: owner?.dataset.testid ?? "",
      role: el?.getAttribute("role") ?? "",
      ring: el ? el.matches(":focus-visible") : false,
      text: (el?.textContent ?? "").slice(0, 40),
    };
  });
}

/**
 * Press `key` (Tab or Shift+Tab) until the focused element is an `role` inside `testId`, at most
 * `limit` times; fails with the path the focus took.
 */
async function pressUntilFocused(page: Page, key: string, testId: string, role: string, limit = 80) {
  const path: string[] = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press(key);
    const f = await focused(page);
    path.push(`${f.testId || "?"}/${f.role || "-"}`);
    if (f.testId === testId && f.role === role) return f;
  }
  throw new Error(`${key} never reached ${testId} (${role}); the focus went ${path.join(" -> ")}`);
}

/** "at (0.1, -0.2): loss 0.345" -> [0.1, -0.2, 0.345] */
function parsePicked(text: string | null): [number, number, number] {
  const m = /^at \(([^,]+), ([^)]+)\): loss (\S+)$/.exec(text ?? "");
  if (!m) throw new Error(`picked text: ${text}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** "Picked α 0.1, β -0.2: train loss 0.4322, ..." -> the train loss. */
function announcedLoss(text: string | null): number {
  const m = /train loss (\S+?)(,|$)/.exec(text ?? "");
  if (!m) throw new Error(`no train loss in the announcement: ${text}`);
  return Number(m[1]);
}

describe.skipIf(skipReason !== "")("keyboard only", () => {
  it("focuses the 3D view, turns it with the arrows, picks with Enter and announces the value; tabs and contour map too", async () => {
    const session = await openBrowser(inject("chromiumPath"));
    try {
      const { page } = session;
      await page.addInitScript(RECORDERS_SCRIPT);
      await page.addInitScript(HIDE_WEBGPU_SCRIPT);
      await page.goto(baseUrl);
      await waitForDone(page);
      const picture = viewPicture(page);
      expect((await drawnCanvasStats(picture, 500)).colours).toBeGreaterThan(500);
      const picked = page.getByTestId("picked");
      expect(await picked.textContent()).toMatch(/^at the trained point/);

      // --- 3D view: Tab to it; it says what it is and what the keys do, and shows its cursor.
      const view = page.getByTestId("landscape-3d");
      const live = page.getByTestId("landscape-3d-live");
      const f = await pressUntilFocused(page, "Tab", "landscape-3d", "application");
      expect(f.ring, "the focused 3D view shows a focus ring").toBe(true);
      expect(await view.getAttribute("aria-label")).toMatch(/^3D surface of train loss$/);
      const help = await view.getAttribute("aria-describedby");
      expect(await page.locator(`[id="${help}"]`).textContent()).toMatch(/Arrow keys turn .* Enter picks/);
      expect(await live.getAttribute("aria-live")).toBe("polite");
      // The cursor starts on the trained point (0, 0).
      await expect.poll(() => live.textContent()).toMatch(/^Cursor at \S+ 0, \S+ 0: train loss \d/);
      const hover = view.locator(".scene-hover");
      expect(await hover.isVisible()).toBe(true);
      expect(await hover.textContent()).toMatch(/train loss \S+/);

      // Arrows turn the camera: the picture changes.
      const still = await settledSignature(picture);
      await page.keyboard.press("ArrowLeft");
      await page.keyboard.press("ArrowLeft");
      await expect
        .poll(async () => (await canvasStats(picture)).signature, { timeout: 15_000 })
        .not.toBe(still);
      // ... and the page did not scroll (the view took the keys).
      expect(await page.evaluate(() => window.scrollY)).toBe(0);
      const turned = (await canvasStats(picture)).signature;
      await page.keyboard.press("ArrowUp");
      await expect
        .poll(async () => (await canvasStats(picture)).signature, { timeout: 15_000 })
        .not.toBe(turned);

      // Home puts the camera back where it started.
      await page.keyboard.press("Home");
      await expect.poll(async () => (await canvasStats(picture)).signature, { timeout: 15_000 }).toBe(still);

      // D moves the cursor one grid step to the right on screen: +x, seen from the home side.
      const atStart = await live.textContent();
      await page.keyboard.press("d");
      await expect.poll(() => live.textContent()).not.toBe(atStart);
      const moved = (await live.textContent()) ?? "";
      expect(moved).toMatch(/^\S+ 0\.\d+, \S+ 0: train loss \d/);

      // Enter picks the point under the cursor, as a click does; the value is announced.
      await page.keyboard.press("Enter");
      await expect.poll(() => picked.textContent(), { timeout: 5_000 }).toMatch(/^at \(/);
      const [x, y, loss] = parsePicked(await picked.textContent());
      expect(x).toBeGreaterThan(0);
      expect(Math.abs(y)).toBeLessThan(1e-9);
      const said = (await live.textContent()) ?? "";
      expect(said).toMatch(/^Picked \S+ 0\.\d+, \S+ 0: train loss \d\S*, test loss \S+/);
      expect(Math.abs(announcedLoss(said) - loss) / loss).toBeLessThan(0.01);

      // --- Tabs: Shift+Tab back to the selected tab; arrows, Home and End switch the views.
      await pressUntilFocused(page, "Shift+Tab", "tab-3d", "tab", 10);
      const tab3d = page.getByTestId("tab-3d");
      const tabContour = page.getByTestId("tab-contour");
      const panelId = await tab3d.getAttribute("aria-controls");
      expect(panelId).toBeTruthy();
      expect(await tabContour.getAttribute("aria-controls")).toBe(panelId);
      const panel = page.locator(`[id="${panelId}"]`);
      expect(await panel.getAttribute("role")).toBe("tabpanel");
      expect(await panel.getAttribute("aria-labelledby")).toBe(await tab3d.getAttribute("id"));
      expect([await tab3d.getAttribute("tabindex"), await tabContour.getAttribute("tabindex")]).toEqual([
        "0",
        "-1",
      ]);

      await page.keyboard.press("ArrowRight");
      expect((await focused(page)).testId).toBe("tab-contour");
      expect(await tabContour.getAttribute("aria-selected")).toBe("true");
      expect(await tab3d.getAttribute("aria-selected")).toBe("false");
      expect([await tab3d.getAttribute("tabindex"), await tabContour.getAttribute("tabindex")]).toEqual([
        "-1",
        "0",
      ]);
      expect(await panel.getAttribute("aria-labelledby")).toBe(await tabContour.getAttribute("id"));
      await page.getByTestId("landscape-contour").waitFor();
      await page.keyboard.press("ArrowLeft");
      expect((await focused(page)).testId).toBe("tab-3d");
      await page.getByTestId("landscape-3d").waitFor();
      await page.keyboard.press("ArrowLeft"); // wraps around
      expect((await focused(page)).testId).toBe("tab-contour");
      await page.keyboard.press("Home");
      expect((await focused(page)).testId).toBe("tab-3d");
      await page.keyboard.press("End");
      expect((await focused(page)).testId).toBe("tab-contour");
      expect(await tabContour.getAttribute("aria-selected")).toBe("true");

      // --- Contour map: Tab from the selected tab into it; arrows move the cursor, Enter picks.
      const contour = page.getByTestId("landscape-contour");
      await expect
        .poll(async () => (await canvasStats(contour.locator("canvas"))).colours)
        .toBeGreaterThan(500);
      const c = await pressUntilFocused(page, "Tab", "landscape-contour", "application", 10);
      expect(c.ring, "the focused contour map shows a focus ring").toBe(true);
      const contourLive = page.getByTestId("landscape-contour-live");
      await expect.poll(() => contourLive.textContent()).toMatch(/^Cursor at \S+ 0, \S+ 0: train loss \d/);
      const ring = contour.locator(".vw-cursor");
      expect(await ring.isVisible()).toBe(true);
      const ringAt = await ring.boundingBox();
      await page.keyboard.press("ArrowRight");
      await page.keyboard.press("ArrowUp");
      await page.keyboard.press("ArrowUp");
      await expect.poll(() => contourLive.textContent()).toMatch(/^\S+ 0\.\d+, \S+ 0\.\d+: train loss \d/);
      const ringNow = await ring.boundingBox();
      expect(ringNow?.x ?? 0, "the cursor ring moved right").toBeGreaterThan(ringAt?.x ?? 0);
      expect(ringNow?.y ?? 0, "and up").toBeLessThan(ringAt?.y ?? 0);
      expect(await contour.locator(".vw-status").textContent()).toMatch(/train loss \S+$/);

      await page.keyboard.press("Enter");
      await expect.poll(() => picked.textContent(), { timeout: 5_000 }).toMatch(/^at \(/);
      const [cx, cy, closs] = parsePicked(await picked.textContent());
      expect(cx).toBeGreaterThan(0);
      expect(cy).toBeGreaterThan(cx);
      expect(cy).toBeCloseTo(2 * cx, 6);
      const contourSaid = (await contourLive.textContent()) ?? "";
      expect(contourSaid).toMatch(/^Picked /);
      expect(Math.abs(announcedLoss(contourSaid) - closs) / closs).toBeLessThan(0.01);

      // Home brings the cursor back to the trained point; keys elsewhere do not reach the map.
      await page.keyboard.press("Home");
      await expect.poll(() => contourLive.textContent()).toMatch(/^\S+ 0, \S+ 0: train loss \d/);

      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  }, 120_000);

  it("the first Tab stop skips the controls: Enter there puts the focus on the view", async () => {
    const session = await openBrowser(inject("chromiumPath"));
    try {
      const { page } = session;
      await page.addInitScript(RECORDERS_SCRIPT);
      await page.addInitScript(HIDE_WEBGPU_SCRIPT);
      await page.goto(baseUrl);
      await waitForDone(page);
      const focused = () => page.evaluate(() => document.activeElement?.getAttribute("data-testid"));
      await page.keyboard.press("Tab");
      expect(await focused()).toBe("skip-to-view");
      expect(await page.getByTestId("skip-to-view").isVisible()).toBe(true);
      await page.keyboard.press("Enter");
      expect(await focused()).toBe("landscape-3d");
      await expect.poll(() => page.getByTestId("landscape-3d-live").textContent()).toMatch(/^Cursor at /);
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  });

  it("turns both compared views together, and leaves keys typed in the controls alone", async () => {
    const session = await openBrowser(inject("chromiumPath"));
    try {
      const { page } = session;
      await page.addInitScript(RECORDERS_SCRIPT);
      await page.addInitScript(HIDE_WEBGPU_SCRIPT);
      await page.goto(baseUrl);
      await waitForDone(page);
      // Setup with the mouse: pin this landscape and run another beside it.
      await page.getByTestId("pin").click();
      await page.getByTestId("unpin").waitFor({ timeout: 5_000 });
      await page.getByTestId("ctl-lr").fill("0.05");
      const before = (await recorded(page)).phases.length;
      await clickRun(page);
      await page.waitForFunction(
        (n) => {
          const phases = (window as unknown as { __e2e: { phases: { phase: string }[] } }).__e2e.phases.slice(
            n,
          );
          return phases.some((p) => p.phase === "training") && phases[phases.length - 1]?.phase === "done";
        },
        before,
        { timeout: 60_000, polling: 50 },
      );
      const current = viewPicture(page, "landscape-3d");
      const pinned = viewPicture(page, "landscape-3d-compare");
      expect((await drawnCanvasStats(current, 500)).colours).toBeGreaterThan(500);
      expect((await drawnCanvasStats(pinned, 500)).colours).toBeGreaterThan(500);

      // Arrow keys in a text field move its caret, not the views.
      const lr = page.getByTestId("ctl-lr");
      await lr.focus();
      const still = [await settledSignature(current), await settledSignature(pinned)];
      await page.keyboard.press("ArrowLeft");
      await page.keyboard.press("ArrowUp");
      await page.waitForTimeout(800);
      expect([(await canvasStats(current)).signature, (await canvasStats(pinned)).signature]).toEqual(still);
      expect(await lr.inputValue()).toBe("0.05");

      // Tab on to the first view and turn it: both views turn (one shared camera).
      await pressUntilFocused(page, "Tab", "landscape-3d", "application");
      await page.keyboard.press("Shift+ArrowRight");
      await expect
        .poll(async () => (await canvasStats(current)).signature, { timeout: 15_000 })
        .not.toBe(still[0]);
      await expect
        .poll(async () => (await canvasStats(pinned)).signature, { timeout: 15_000 })
        .not.toBe(still[1]);
      // The pinned view takes the keys too, and the first one follows it.
      const turned = (await canvasStats(current)).signature;
      await pressUntilFocused(page, "Tab", "landscape-3d-compare", "application", 10);
      await page.keyboard.press("-");
      await expect
        .poll(async () => (await canvasStats(current)).signature, { timeout: 15_000 })
        .not.toBe(turned);
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  }, 120_000);
});
