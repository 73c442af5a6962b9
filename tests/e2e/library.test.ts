/**
 * Nothing lost across reloads, and the local library: a reload shows the last result of the
 * same experiment without computing it again; snapshots saved under a name are listed with a
 * thumbnail, reopened, compared side by side, deleted, and still there after a reload.
 */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { openBrowser, unexpectedProblems } from "./browser";
import { HIDE_WEBGPU_SCRIPT, RECORDERS_SCRIPT, recorded, runAndWait, waitForDone } from "./lab-page";

const skipReason = inject("e2eSkipReason");

const shown = (page: Page) =>
  page.evaluate(() => {
    const s = globalThis.lossLandscapeLab?.store.getState();
    return {
      current: s?.landscape ? `${s.landscape.snapshot.data.name} ${s.landscape.snapshot.createdAt}` : null,
      compare: s?.compare ? `${s.compare.snapshot.data.name} ${s.compare.snapshot.createdAt}` : null,
    };
  });

describe.skipIf(skipReason !== "")("nothing lost, and the local library", () => {
  it("restores the last result after a reload, and saves, lists, reopens, compares and deletes snapshots", async () => {
    const session = await openBrowser(inject("chromiumPath"));
    try {
      const { page } = session;
      await page.addInitScript(RECORDERS_SCRIPT);
      await page.addInitScript(HIDE_WEBGPU_SCRIPT);
      await page.addInitScript(
        `localStorage.setItem("loss-landscape-lab.evaluator", JSON.stringify({ backend: "wasm", evaluator: "wasm-kernel", pointsPerSecond: 1 }));`,
      );
      await page.goto(`${inject("e2eBaseUrl")}#ep=5`);
      await waitForDone(page, 90_000);
      const first = await shown(page);
      // The last result is written after "done" (gzip in a worker, then IndexedDB): wait for it.
      await expect
        .poll(() => page.evaluate(() => globalThis.lossLandscapeLab?.lab?.lastSaved), { timeout: 15_000 })
        .toBe(first.current?.split(" ").at(-1));

      // A reload: the same experiment (URL) is shown again from IndexedDB, without a job.
      await page.reload();
      await expect.poll(() => shown(page), { timeout: 30_000 }).toEqual(first);
      expect(await page.getByTestId("messages").textContent()).toContain("restored the last result");
      await page.waitForTimeout(1500);
      expect((await recorded(page)).phases.map((p) => p.phase)).toEqual(["idle"]);

      // Save it, run another experiment, save that too.
      await page.getByTestId("library-toggle").click();
      await page.getByTestId("library-name").fill("spirals first");
      await page.getByTestId("library-save").click();
      await expect.poll(() => page.getByTestId("library-entry").count()).toBe(1);
      await page.getByTestId("library-toggle").click();
      await page.getByTestId("ctl-ds").selectOption("moons");
      // The phases recorded as they change: a 5-epoch training on moons can be over before a
      // locator polling for data-phase="training" looks.
      expect(await runAndWait(page, 90_000)).toContain("training");
      const second = await shown(page);
      expect(second.current).toMatch(/^moons /);
      await page.getByTestId("library-toggle").click();
      await page.getByTestId("library-save").click(); // the name defaults to the dataset's
      await expect.poll(() => page.getByTestId("library-entry").count()).toBe(2);
      const entries = page.getByTestId("library-entry");
      expect(await entries.nth(0).textContent()).toContain("moons");
      expect(await entries.nth(1).textContent()).toContain("spirals first");
      for (const i of [0, 1])
        expect(await entries.nth(i).locator("img").getAttribute("src")).toMatch(/^data:image\/png;base64,/);

      // Reopen the first, put the second beside it, delete the first.
      await entries.nth(1).getByTestId("library-open").click();
      await expect.poll(async () => (await shown(page)).current).toMatch(/^spirals /);
      await entries.nth(0).getByTestId("library-compare").click();
      await expect.poll(async () => (await shown(page)).compare).toMatch(/^moons /);
      expect(await page.getByTestId("landscape-3d-compare").count()).toBe(1);
      await entries.nth(1).getByTestId("library-delete").click();
      await expect.poll(() => page.getByTestId("library-entry").count()).toBe(1);

      // Still saved after a reload.
      await page.reload();
      await page.getByTestId("library-toggle").click();
      await expect.poll(() => page.getByTestId("library-entry").count(), { timeout: 15_000 }).toBe(1);
      expect(await page.getByTestId("library-entry").textContent()).toContain("moons");
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  }, 240_000);
});
