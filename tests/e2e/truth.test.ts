/**
 * The page tells the truth about what it shows: after a library open or a snapshot import, the
 * controls, the preset picker, the URL and the badge describe the landscape on screen; Copy link
 * reproduces it in a fresh browser (same legend range); the training charts come with it (after a
 * reload too); and Run refuses fields it cannot read instead of running their previous values.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { type BrowserSession, openBrowser, unexpectedProblems } from "./browser";
import {
  HIDE_WEBGPU_SCRIPT,
  legendTicks,
  RECORDERS_SCRIPT,
  recorded,
  runAndWait,
  waitForDone,
} from "./lab-page";

const skipReason = inject("e2eSkipReason");
const baseUrl = inject("e2eBaseUrl");
const artifactsDir = join(dirname(fileURLToPath(import.meta.url)), "artifacts");

/** Small, quick experiments (the default model, 20 epochs, a 21 x 21 grid). */
const QUICK = "ep=20&gx=-1,1,21&gy=-1,1,21";

async function open(hash: string): Promise<BrowserSession> {
  const session = await openBrowser(inject("chromiumPath"));
  await session.page.addInitScript(RECORDERS_SCRIPT);
  await session.page.addInitScript(HIDE_WEBGPU_SCRIPT);
  await session.page.goto(`${baseUrl}#${hash}`);
  return session;
}

const hash = (page: Page) => page.evaluate(() => location.hash.replace(/^#/, ""));
const badge = (page: Page) => page.getByTestId("source-badge").textContent();

/** The link Copy link would copy (its hash), or why it is off. */
async function copyLink(page: Page): Promise<{ hash: string } | { reason: string }> {
  const button = page.getByTestId("copy-link");
  if (await button.isDisabled()) return { reason: (await button.getAttribute("title")) ?? "" };
  return { hash: (await button.getAttribute("data-link")) ?? "" };
}

/** Open `link` in a fresh browser and return its legend once its landscape is done. */
async function legendOfLink(link: string): Promise<string[]> {
  const session = await open(link);
  try {
    await waitForDone(session.page, 90_000);
    expect(unexpectedProblems(session.problems)).toEqual([]);
    return await legendTicks(session.page);
  } finally {
    await session.close();
  }
}

/** The training charts' rows (epochs) in the store, and whether the chart says it is empty. */
const charts = (page: Page) =>
  page.evaluate(() => ({
    epochs: globalThis.lossLandscapeLab?.store.getState().history.epoch.length ?? 0,
    empty: document.querySelector('[data-testid="training-charts"] .vw-message') !== null,
  }));

describe.skipIf(skipReason !== "")("what the page says about what it shows", () => {
  it("a library entry sets the controls, URL and badge to itself; its link reproduces it; its charts come with it", async () => {
    const session = await open(`lr=0.05&${QUICK}`);
    try {
      const { page } = session;
      await waitForDone(page, 90_000);
      const ticks = await legendTicks(page);
      await page.getByTestId("library-toggle").click();
      await page.getByTestId("library-name").fill("lr 0.05");
      await page.getByTestId("library-save").click();
      await expect.poll(() => page.getByTestId("library-entry").count()).toBe(1);
      await page.getByTestId("library-toggle").click();

      // Another experiment, then the saved one again.
      await page.getByTestId("ctl-lr").fill("0.01");
      await runAndWait(page);
      expect(await legendTicks(page)).not.toEqual(ticks);
      await page.getByTestId("library-toggle").click();
      await page.getByTestId("library-entry").first().getByTestId("library-open").click();
      await expect.poll(() => badge(page)).toBe("library: lr 0.05");
      await page.getByTestId("library-toggle").click();
      expect(await legendTicks(page)).toEqual(ticks);
      expect(await page.getByTestId("ctl-lr").inputValue()).toBe("0.05");
      await expect.poll(() => hash(page)).toBe(`lr=0.05&ep=20&gx=-1,1,21&gy=-1,1,21`);
      expect(await page.getByTestId("ctl-preset").inputValue()).toBe("");
      expect(await charts(page)).toEqual({ epochs: 21, empty: false });
      mkdirSync(artifactsDir, { recursive: true });
      await page.screenshot({ path: join(artifactsDir, "truth-library.png") });

      // Copy link: the saved landscape, recomputed in a fresh browser, on the same legend.
      const link = await copyLink(page);
      if (!("hash" in link)) throw new Error(`Copy link is off: ${link.reason}`);
      expect(await legendOfLink(link.hash)).toEqual(ticks);

      // Editing a control: the badge says the controls no longer describe the landscape.
      await page.getByTestId("ctl-ep").fill("25");
      await expect
        .poll(() => badge(page))
        .toBe("library: lr 0.05 · the controls have changed since: Run computes them");
      expect(await copyLink(page)).toEqual(link);

      // A reload restores the last result with its charts.
      await page.getByTestId("ctl-ep").fill("20");
      await page.waitForTimeout(400); // the URL is written 150 ms after a change
      await page.reload();
      await expect.poll(() => badge(page), { timeout: 30_000 }).toBe("restored: the last result");
      expect(await legendTicks(page)).toEqual(ticks);
      await expect.poll(() => charts(page)).toEqual({ epochs: 21, empty: false });
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  });

  it("an imported snapshot sets the controls, URL and badge to its own experiment, charts included", async () => {
    const session = await open(QUICK);
    try {
      const { page } = session;
      await waitForDone(page, 90_000);
      const ticks = await legendTicks(page);
      const [download] = await Promise.all([
        page.waitForEvent("download", { timeout: 10_000 }),
        page.getByTestId("export").click(),
      ]);
      mkdirSync(artifactsDir, { recursive: true });
      const file = join(artifactsDir, "truth-spirals.json.gz");
      await download.saveAs(file);

      // The controls now describe another experiment; the import brings the file's back.
      await page.getByTestId("ctl-ds").selectOption("moons");
      await runAndWait(page);
      await page.getByTestId("import-file").setInputFiles(file);
      await expect.poll(() => badge(page), { timeout: 15_000 }).toBe("imported: truth-spirals.json.gz");
      expect(await page.getByTestId("ctl-ds").inputValue()).toBe("spirals");
      await expect.poll(() => hash(page)).toBe(QUICK);
      expect(await legendTicks(page)).toEqual(ticks);
      expect(await charts(page)).toEqual({ epochs: 21, empty: false });
      const link = await copyLink(page);
      expect(link).toEqual({ hash: QUICK });
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  });

  it("Run refuses every field it cannot read, names it, focuses it, and computes nothing", async () => {
    const session = await open(QUICK);
    try {
      const { page } = session;
      await waitForDone(page, 90_000);
      const cases: { id: string; text: string; label: RegExp }[] = [
        { id: "ctl-lr", text: "abc", label: /^Learning rate: / },
        { id: "ctl-hid", text: "0", label: /^Hidden sizes: / },
        { id: "ctl-ep", text: "-5", label: /^Epochs: / },
        { id: "ctl-bs", text: "0", label: /^Batch size: / },
        { id: "ctl-n", text: "1e9", label: /^Train points: / },
        { id: "ctl-gx-count", text: "5000", label: /^x axis: count 5000: must be an integer/ },
      ];
      for (const c of cases) {
        const input = page.getByTestId(c.id);
        const before = await input.inputValue();
        await input.fill(c.text);
        await page.getByTestId("ctl-seed").focus(); // leave the field, as a user clicking Run does
        const phases = (await recorded(page)).phases.length;
        await page.getByTestId("run").click();
        const blocked = page.getByTestId("run-blocked");
        await blocked.waitFor({ timeout: 5_000 });
        const items = await blocked.locator("li").allTextContents();
        expect(items, c.id).toHaveLength(1);
        expect(items[0], c.id).toMatch(c.label);
        // The focus is on the field to fix.
        expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")), c.id).toBe(
          c.id,
        );
        await page.waitForTimeout(300);
        expect((await recorded(page)).phases.length, `${c.id}: a job started`).toBe(phases);
        // Fixed: the refusal goes away.
        await input.fill(before);
        await expect.poll(() => blocked.count(), { timeout: 5_000 }).toBe(0);
      }
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  });

  it("a large run asks first, naming its grid points, time and memory; Cancel computes nothing", async () => {
    const session = await open(QUICK);
    try {
      const { page } = session;
      await waitForDone(page, 90_000);
      for (const axis of ["gx", "gy"]) await page.getByTestId(`ctl-${axis}-count`).fill("1001");
      expect(await page.getByTestId("run-estimate").textContent()).toMatch(/^1,002,001 grid points · about /);
      const phases = (await recorded(page)).phases.length;
      await page.getByTestId("run").click();
      const confirm = page.getByTestId("confirm-run");
      await confirm.waitFor({ timeout: 5_000 });
      expect(await confirm.textContent()).toMatch(
        /1,002,001 grid points · about [\d.]+ (s|min) .* about [\d,]+ MB/,
      );
      await page.getByTestId("confirm-run-cancel").click();
      await page.waitForTimeout(500);
      expect((await recorded(page)).phases.length).toBe(phases);
      expect(await confirm.isVisible()).toBe(false);
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  });

  it("Step through trains one epoch per click from the start; Play runs the rest; Reset says ready", async () => {
    const session = await open(QUICK);
    try {
      const { page } = session;
      await waitForDone(page, 90_000);
      expect(await page.getByTestId("train-pause").count()).toBe(0); // no second Run button
      const epochs = () =>
        page.evaluate(() => globalThis.lossLandscapeLab?.store.getState().history.epoch.length ?? -1);
      await page.getByTestId("train-step").click();
      await page.locator('[data-testid="progress"][data-phase="training"]').waitFor({ timeout: 10_000 });
      await page.waitForTimeout(500);
      const start = await epochs();
      expect(start).toBeLessThanOrEqual(1); // at most the initial evaluation: paused before epoch 1
      await page.getByTestId("train-step").click();
      await expect.poll(epochs, { timeout: 10_000 }).toBe(start + 1);
      await page.getByTestId("train-step").click();
      await expect.poll(epochs, { timeout: 10_000 }).toBe(start + 2);
      await page.waitForTimeout(300);
      expect(await epochs()).toBe(start + 2);
      await page.getByTestId("train-resume").click();
      await waitForDone(page, 90_000);
      expect(await epochs()).toBe(21);
      await page.getByTestId("train-reset").click();
      await expect.poll(() => page.getByTestId("progress").getAttribute("data-phase")).toBe("idle");
      expect(await page.getByTestId("progress").textContent()).toMatch(/^ready/);
      expect(await legendTicks(page)).toEqual(["no landscape"]);
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  });

  it("an imported surface file cannot be linked, and Copy link says why", async () => {
    const session = await open(QUICK);
    try {
      const { page } = session;
      await waitForDone(page, 90_000);
      await page.getByTestId("export-menu").click();
      const [download] = await Promise.all([
        page.waitForEvent("download", { timeout: 15_000 }),
        page.getByTestId("export-hdf5").click(),
      ]);
      mkdirSync(artifactsDir, { recursive: true });
      const file = join(artifactsDir, "truth-surface.h5");
      await download.saveAs(file);
      await page.keyboard.press("Escape");
      await page.getByTestId("import-file").setInputFiles(file);
      await page.getByTestId("imported-surface").waitFor({ timeout: 20_000 });
      expect(await copyLink(page)).toEqual({
        reason:
          "no link can reproduce this imported surface: an imported surface file has no model or experiment config",
      });
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  });
});
