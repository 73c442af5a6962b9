/**
 * Every preset, picked from the Preset menu: once it has run, the picker names it, the badge says
 * which preset is shown (and, for one the controls cannot hold, that they do not describe it), the
 * URL is Copy link's link, and that link opened in a fresh browser shows the same landscape (the
 * same legend). Presets the controls hold are linked by their settings; the others (paths, the
 * optimizer race, the digits) by name (#preset=NAME).
 */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { PRESETS } from "../../src/app/presets";
import { type BrowserSession, openBrowser, unexpectedProblems } from "./browser";
import { HIDE_WEBGPU_SCRIPT, legendTicks, RECORDERS_SCRIPT, recorded } from "./lab-page";

const skipReason = inject("e2eSkipReason");
const baseUrl = inject("e2eBaseUrl");
const REMEMBERED_EVALUATOR = `localStorage.setItem("loss-landscape-lab.evaluator", JSON.stringify({ backend: "wasm", evaluator: "wasm-kernel", pointsPerSecond: 1 }));`;
/** The presets linked by name: their settings alone would not run them (paths, a race, the digits). */
const BY_NAME = new Set([
  "mode-connectivity",
  "permutation-symmetry",
  "optimizer-race",
  "digits-mlp",
  "digits-cnn",
]);

async function open(hash: string): Promise<BrowserSession> {
  const session = await openBrowser(inject("chromiumPath"));
  await session.page.addInitScript(RECORDERS_SCRIPT);
  await session.page.addInitScript(HIDE_WEBGPU_SCRIPT);
  await session.page.addInitScript(REMEMBERED_EVALUATOR);
  await session.page.goto(`${baseUrl}#${hash}`);
  return session;
}

/** Wait until a job that started after `before` phases has ended with done. */
async function waitForNextDone(page: Page, before: number): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const phases = (window as unknown as { __e2e: { phases: { phase: string }[] } }).__e2e.phases.slice(n);
      const last = phases.at(-1)?.phase;
      return (
        phases.some((p) => p.phase === "training") && ["done", "error", "cancelled"].includes(last ?? "")
      );
    },
    before,
    { timeout: 240_000, polling: 100 },
  );
  expect(await page.getByTestId("progress").getAttribute("data-phase")).toBe("done");
}

describe.skipIf(skipReason !== "")("presets", () => {
  it("each preset is named by the picker, the badge and the URL, and its link reproduces it", async () => {
    const timings: Record<string, string> = {};
    const session = await open("ep=5&gx=-1,1,11&gy=-1,1,11");
    try {
      const { page } = session;
      await waitForNextDone(page, 0);
      for (const preset of PRESETS) {
        const started = Date.now();
        const before = (await recorded(page)).phases.length;
        await page.getByTestId("ctl-preset").selectOption(preset.name);
        await waitForNextDone(page, before);
        timings[preset.name] = `${((Date.now() - started) / 1000).toFixed(1)} s`;
        const what = preset.name;
        expect(await page.getByTestId("ctl-preset").inputValue(), what).toBe(preset.name);
        const badge = (await page.getByTestId("source-badge").textContent()) ?? "";
        expect(badge, what).toMatch(
          new RegExp(`^preset: ${preset.label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
        );
        const link = await page.getByTestId("copy-link").getAttribute("data-link");
        expect(link, `${what}: Copy link`).not.toBeNull();
        await expect
          .poll(() => page.evaluate(() => location.hash.replace(/^#/, "")), { timeout: 5_000 })
          .toBe(link);
        if (BY_NAME.has(preset.name)) expect(link, what).toBe(`preset=${preset.name}`);
        else expect(link, what).not.toMatch(/preset=/);
        const ticks = await legendTicks(page);

        // The link in a fresh browser: the same landscape on the same legend.
        const fresh = await open(link ?? "");
        try {
          await waitForNextDone(fresh.page, 0);
          expect(await legendTicks(fresh.page), `${what}: legend from the link`).toEqual(ticks);
          expect(await fresh.page.getByTestId("ctl-preset").inputValue(), what).toBe(
            BY_NAME.has(preset.name) ? preset.name : "",
          );
          expect(unexpectedProblems(fresh.problems), what).toEqual([]);
        } finally {
          await fresh.close();
        }
      }
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      console.log(`preset timings: ${JSON.stringify(timings)}`);
      await session.close();
    }
  }, 1_200_000);
});
