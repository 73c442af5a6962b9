/**
 * Imported files are data only: a snapshot whose names hold HTML and script is shown with those
 * names as text, runs nothing, and adds no element to the page.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { runExperiment } from "../../src/core/experiment/run";
import { serializeSnapshot } from "../../src/core/snapshot/io";
import { initNodeBackend } from "../../src/node/tf-node";
import { openBrowser, unexpectedProblems } from "./browser";

const skipReason = inject("e2eSkipReason");
const artifactsDir = join(dirname(fileURLToPath(import.meta.url)), "artifacts");

const IMG = '<img src="x" onerror="window.__xss=1">';
const SCRIPT = "<script>window.__xss=2</script>";

describe.skipIf(skipReason !== "")("hostile names in an imported snapshot", () => {
  it("shows HTML and script in names as text and runs none of it", async () => {
    const backend = await initNodeBackend();
    const { snapshot } = await runExperiment(
      resolveConfig({
        seed: 4,
        data: { name: "moons", trainCount: 32, testCount: 0 },
        model: { hiddenSizes: [4] },
        training: { epochs: 2 },
        grid: { x: { count: 9 }, y: { count: 7 } },
      }),
      { backend },
    );
    snapshot.data.name = SCRIPT;
    snapshot.grid.axes[0].label = IMG;
    snapshot.grid.axes[1].label = SCRIPT;
    for (const [i, d] of snapshot.directions.entries()) d.label = snapshot.grid.axes[i].label;
    snapshot.producer.name = IMG;
    mkdirSync(artifactsDir, { recursive: true });
    const file = join(artifactsDir, "hostile-names.json");
    writeFileSync(file, serializeSnapshot(snapshot));

    const session = await openBrowser(inject("chromiumPath"));
    try {
      const { page } = session;
      await page.goto(inject("e2eBaseUrl"));
      await page.locator('[data-testid="progress"][data-phase="done"]').waitFor({ timeout: 90_000 });
      await page.getByTestId("import-file").setInputFiles(file);
      // Every view that prints names: the contour tab (axis readout, aria labels) and the slices.
      await page.getByTestId("tab-contour").click();
      const shownAsText = (literal: string) =>
        page.evaluate((text) => {
          for (const el of document.body.querySelectorAll("*")) {
            if (
              [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.includes(text))
            )
              return true;
            if ([...el.attributes].some((a) => a.value.includes(text))) return true;
          }
          return false;
        }, literal);
      await expect.poll(() => shownAsText(IMG), { timeout: 10_000 }).toBe(true);
      expect(await shownAsText(SCRIPT)).toBe(true);
      await page.getByTestId("tab-3d").click();
      await page.waitForTimeout(500);
      const found = await page.evaluate(() => ({
        xss: (window as unknown as { __xss?: number }).__xss ?? null,
        injectedImages: document.querySelectorAll('img[src="x"]').length,
        injectedScripts: [...document.scripts].filter((s) => s.textContent?.includes("__xss")).length,
      }));
      expect(found).toEqual({ xss: null, injectedImages: 0, injectedScripts: 0 });
      expect(await page.getByTestId("messages").count()).toBe(0);
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  });
});
