/**
 * Permalinks: "Copy link" copies a URL that holds the experiment's config (not its data);
 * opening it in a fresh browser recomputes exactly the same landscape from the same seeds.
 */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { openBrowser, unexpectedProblems } from "./browser";
import { HIDE_WEBGPU_SCRIPT, waitForDone } from "./lab-page";

const skipReason = inject("e2eSkipReason");

const landscape = (page: Page) =>
  page.evaluate(() => {
    const l = globalThis.lossLandscapeLab?.store.getState().landscape;
    return l
      ? { loss: Array.from(l.snapshot.surfaces.train_loss ?? []), seeds: l.snapshot.config.seed }
      : null;
  });

describe.skipIf(skipReason !== "")("permalinks", () => {
  it("copies a link that recomputes the same landscape in a fresh browser", async () => {
    const first = await openBrowser(inject("chromiumPath"));
    let link = "";
    let before: Awaited<ReturnType<typeof landscape>> = null;
    try {
      await first.context.grantPermissions(["clipboard-read", "clipboard-write"]);
      await first.page.addInitScript(HIDE_WEBGPU_SCRIPT);
      await first.page.goto(`${inject("e2eBaseUrl")}#ds=moons&ep=8&hid=16&gx=-1,1,17&gy=-1,1,13&seed=7`);
      await waitForDone(first.page, 90_000);
      await first.page.getByTestId("copy-link").click();
      await expect.poll(() => first.page.getByTestId("copy-link").textContent()).toBe("Link copied");
      link = (await first.page.evaluate("navigator.clipboard.readText()")) as string;
      expect(link).toBe(await first.page.evaluate("location.href"));
      expect(link).toContain("ds=moons");
      before = await landscape(first.page);
      expect(unexpectedProblems(first.problems)).toEqual([]);
    } finally {
      await first.close();
    }
    const second = await openBrowser(inject("chromiumPath"));
    try {
      await second.page.addInitScript(HIDE_WEBGPU_SCRIPT);
      await second.page.goto(link);
      await waitForDone(second.page, 90_000);
      const after = await landscape(second.page);
      expect(after?.loss.length).toBe(17 * 13);
      expect(after).toEqual(before);
    } finally {
      await second.close();
    }
  }, 240_000);
});
