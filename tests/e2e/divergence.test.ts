/**
 * Divergence and holes never break the app: training that diverges says so and still shows a
 * landscape; a surface with NaN and Infinity (here an imported snapshot) is drawn with holes, says
 * how many, and exports unchanged.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { parseSnapshot } from "../../src/core/snapshot/io";
import { openBrowser, unexpectedProblems } from "./browser";
import { canvasStats, drawnCanvasStats, HIDE_WEBGPU_SCRIPT, viewPicture, waitForDone } from "./lab-page";
import { artifactsDir, computedSnapshot, snapshotArtifact } from "./snapshot-fixture";

const skipReason = inject("e2eSkipReason");
const REMEMBERED = `localStorage.setItem("loss-landscape-lab.evaluator", JSON.stringify({ backend: "wasm", evaluator: "wasm-kernel", pointsPerSecond: 1 }));`;

describe.skipIf(skipReason !== "")("divergence and holes", () => {
  it("says that training diverged and still shows the landscape of the last finite parameters", async () => {
    const session = await openBrowser(inject("chromiumPath"));
    try {
      const { page } = session;
      await page.addInitScript(HIDE_WEBGPU_SCRIPT);
      await page.addInitScript(REMEMBERED);
      await page.goto(`${inject("e2eBaseUrl")}#opt=sgd&lr=100&ep=30`);
      await waitForDone(page, 90_000);
      expect(await page.getByTestId("messages").textContent()).toMatch(/diverged/);
      const stats = await drawnCanvasStats(viewPicture(page), 100);
      expect(stats.colours).toBeGreaterThan(100);
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  });

  it("draws NaN and Infinity as holes with a message, and exports them unchanged", async () => {
    const snapshot = await computedSnapshot({
      training: { epochs: 2 },
      grid: { x: { count: 11 }, y: { count: 9 } },
    });
    const loss = snapshot.surfaces.train_loss;
    for (let i = 0; i < loss.length; i += 7) loss[i] = Number.NaN;
    loss[3] = Number.POSITIVE_INFINITY;
    const holes = Array.from(loss).filter((v) => !Number.isFinite(v)).length;
    const file = snapshotArtifact("holes.json", snapshot);

    const session = await openBrowser(inject("chromiumPath"));
    try {
      const { page } = session;
      await page.addInitScript(HIDE_WEBGPU_SCRIPT);
      await page.addInitScript(REMEMBERED);
      await page.goto(`${inject("e2eBaseUrl")}#ep=5`);
      await waitForDone(page, 90_000);
      await page.getByTestId("import-file").setInputFiles(file);
      await expect
        .poll(async () => page.getByTestId("messages").textContent(), { timeout: 10_000 })
        .toContain(`train_loss: ${holes} of ${loss.length} grid points are not finite`);
      // Both views draw on the next animation frames after the import or the tab switch: poll.
      const surface = viewPicture(page);
      await expect
        .poll(async () => (await canvasStats(surface)).colours, { timeout: 10_000 })
        .toBeGreaterThan(100);
      await page.getByTestId("tab-contour").click();
      const contour = page.getByTestId("landscape-contour").locator("canvas").first();
      await expect
        .poll(async () => (await canvasStats(contour)).colours, { timeout: 10_000 })
        .toBeGreaterThan(50);

      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByTestId("export").click(),
      ]);
      const out = join(artifactsDir, "holes-exported.json.gz");
      await download.saveAs(out);
      const back = parseSnapshot(new Uint8Array(readFileSync(out)));
      expect(Array.from(back.surfaces.train_loss, (v) => (Number.isFinite(v) ? 0 : String(v)))).toEqual(
        Array.from(loss, (v) => (Number.isFinite(v) ? 0 : String(v))),
      );
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  });
});
