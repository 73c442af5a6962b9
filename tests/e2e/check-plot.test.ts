/**
 * "Is my plot right?" in the page: the landscape just computed is checked with the model's own
 * loss at theta (computed by the workers) equal to the surface there; an imported snapshot whose
 * surfaces belong to another model is named as such, and a new landscape clears the old list.
 */
import { describe, expect, inject, it } from "vitest";
import { openBrowser, unexpectedProblems } from "./browser";
import { HIDE_WEBGPU_SCRIPT, waitForDone } from "./lab-page";
import { computedSnapshot, snapshotArtifact } from "./snapshot-fixture";

const skipReason = inject("e2eSkipReason");
const REMEMBERED = `localStorage.setItem("loss-landscape-lab.evaluator", JSON.stringify({ backend: "wasm", evaluator: "wasm-kernel", pointsPerSecond: 1 }));`;

describe.skipIf(skipReason !== "")("check plot", () => {
  it("checks the shown landscape against the model's own loss, and names surfaces of another model", async () => {
    // A snapshot whose surfaces were scaled: they are not this model's.
    const snapshot = await computedSnapshot({
      data: { name: "moons", trainCount: 64, testCount: 0 },
      model: { hiddenSizes: [6] },
      training: { epochs: 5 },
      grid: { x: { count: 9 }, y: { count: 9 } },
    });
    snapshot.surfaces.train_loss = snapshot.surfaces.train_loss.map((v) => v * 2 + 0.5);
    const file = snapshotArtifact("other-model-surfaces.json", snapshot);

    const session = await openBrowser(inject("chromiumPath"));
    try {
      const { page } = session;
      await page.addInitScript(HIDE_WEBGPU_SCRIPT);
      await page.addInitScript(REMEMBERED);
      await page.goto(`${inject("e2eBaseUrl")}#ep=5`);
      await waitForDone(page, 90_000);

      // The computed landscape: the surface at the origin is the model's own loss.
      await page.getByTestId("check-plot").click();
      const panel = page.getByTestId("check-plot-panel");
      await panel.getByTestId("check-plot-again").waitFor({ timeout: 30_000 });
      const subject = (await panel.locator(".check-plot-subject").textContent()) ?? "";
      const m = /train loss at theta is ([\d.e-]+), the surface there ([\d.e-]+)/.exec(subject);
      expect(m, subject).not.toBeNull();
      expect(Number(m?.[1])).toBeCloseTo(Number(m?.[2]), 3);
      const computed = await panel
        .getByTestId("check-plot-finding")
        .evaluateAll((els) => els.map((e) => e.getAttribute("data-check")));
      expect(computed).not.toContain("origin-loss");

      // An imported snapshot whose surfaces belong to another model: named, with both numbers.
      await page.keyboard.press("Escape");
      await page.getByTestId("import-file").setInputFiles(file);
      await expect
        .poll(() => page.getByTestId("source-badge").textContent())
        .toContain("other-model-surfaces.json");
      await page.getByTestId("check-plot").click();
      const finding = panel.locator('[data-testid="check-plot-finding"][data-check="origin-loss"]');
      await finding.waitFor({ timeout: 30_000 });
      expect(await finding.textContent()).toMatch(
        /the surface at the origin is [\d.]+ but the model's own train loss at theta is [\d.]+: these surfaces were not computed for this model/,
      );
      expect(await page.getByTestId("check-plot").textContent()).toMatch(/Check plot \(\d+\)/);
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  });
});
