/**
 * The shipped digits (MNIST, 14 x 14) in the app: the MLP and the small CNN presets train in the
 * browser on data fetched from public/data, and their landscapes are drawn (the CNN's by the
 * fast path for layers models, wasm-cnn).
 */
import { describe, expect, inject, it } from "vitest";
import { openBrowser, unexpectedProblems } from "./browser";
import { drawnCanvasStats, HIDE_WEBGPU_SCRIPT, viewPicture, waitForDone } from "./lab-page";

const skipReason = inject("e2eSkipReason");

describe.skipIf(skipReason !== "")("the digits presets", () => {
  it("train an MLP and a CNN on the shipped digits and draw both landscapes", async () => {
    const session = await openBrowser(inject("chromiumPath"));
    try {
      const { page } = session;
      await page.addInitScript(HIDE_WEBGPU_SCRIPT);
      await page.addInitScript(
        `localStorage.setItem("loss-landscape-lab.evaluator", JSON.stringify({ backend: "wasm", evaluator: "wasm-kernel", pointsPerSecond: 1 }));`,
      );
      await page.goto(`${inject("e2eBaseUrl")}#ep=3`);
      await waitForDone(page, 90_000);
      for (const [preset, evaluator, kind] of [
        ["digits-mlp", "wasm-kernel", "mlp"],
        ["digits-cnn", "wasm-cnn", "layers"],
      ] as const) {
        await page.getByTestId("ctl-preset").selectOption(preset);
        await page.locator('[data-testid="progress"][data-phase="training"]').waitFor({ timeout: 20_000 });
        await waitForDone(page, 240_000);
        const shown = await page.evaluate(() => {
          const s = globalThis.lossLandscapeLab?.store.getState().landscape?.snapshot;
          return s
            ? {
                data: s.data.name,
                kind: s.model.architecture.kind,
                evaluator: (s.producer as { evaluator?: string }).evaluator,
                testAccuracy: (
                  s.training as { history?: { testAccuracy?: (number | null)[] } }
                )?.history?.testAccuracy?.at(-1),
              }
            : null;
        });
        expect(shown?.data).toBe("digits");
        expect(shown?.kind).toBe(kind);
        expect(shown?.evaluator).toBe(evaluator);
        expect(shown?.testAccuracy ?? 0, `${preset} test accuracy`).toBeGreaterThan(0.6);
        const stats = await drawnCanvasStats(viewPicture(page), 300);
        expect(stats.colours, `${preset}: 3D surface colours`).toBeGreaterThan(300);
        expect(await page.getByTestId("messages").textContent()).toContain(
          `preset "${preset}" runs as written`,
        );
      }
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  }, 600_000);
});
