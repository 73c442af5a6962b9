/**
 * The hostile corpus (tests/hostile/corpus.ts) imported into the page, one file after the other,
 * as a hostile user would drop them: gzip bombs, HDF5 files declaring huge datasets, deep
 * nesting, long strings, prototype keys, NaN/Infinity spelled every way, arrays short by one,
 * truncated, corrupt, not gzip, not UTF-8, not JSON.
 *
 * Each must show the message its reader gives ("import of NAME failed: ..."), leave the view as
 * it was (the store's landscape, settings and imported surface, the legend and the 3-D picture),
 * and keep the page responsive: the Long Tasks API must record no main-thread task over 100 ms
 * from the moment the file is chosen until its message shows (the reading, inflating and parsing
 * run in workers). The longest task of each import is printed. A file whose "constructor" and
 * "prototype" keys are data is then imported and shown with those keys as data, and
 * Object.prototype in the page is untouched.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { HOSTILE_FILES, writeHostileCorpus } from "../hostile/corpus";
import { type BrowserSession, openBrowser, unexpectedProblems } from "./browser";
import {
  HIDE_WEBGPU_SCRIPT,
  legendTicks,
  RECORDERS_SCRIPT,
  recorded,
  settledSignature,
  viewPicture,
  waitForDone,
} from "./lab-page";

const skipReason = inject("e2eSkipReason");

/** The issue's bound on any main-thread task during an import (generous: the figure is printed). */
const LONG_TASK_LIMIT_MS = 100;

/** What the store shows, as text: equal before and after a refused import. */
async function viewState(page: Page): Promise<string> {
  return page.evaluate(() => {
    const s = globalThis.lossLandscapeLab?.store.getState();
    if (!s) return "no store";
    return JSON.stringify({
      landscape: s.landscape ? [s.landscape.snapshot.createdAt, s.landscape.snapshot.data.name] : null,
      landscapeVersion: s.landscapeVersion,
      imported: s.imported?.snapshot.source ?? null,
      compare: s.compare?.snapshot.createdAt ?? null,
      settings: s.settings,
      presetName: s.presetName,
      historyVersion: s.historyVersion,
    });
  });
}

/**
 * Waits until the page has run no long task for `quietMs` (the first landscape's last frames, the
 * backend calibration and the boundary picture that follow a job), so that the tasks counted
 * during an import are the import's. Returns how long it waited.
 */
async function waitForQuiet(page: Page, quietMs = 2000, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const { now, lastEnd } = await page.evaluate(() => {
      const tasks = (window as unknown as { __e2e: { longTasks: { start: number; duration: number }[] } })
        .__e2e.longTasks;
      const last = tasks[tasks.length - 1];
      return { now: performance.now(), lastEnd: last ? last.start + last.duration : 0 };
    });
    if (now - lastEnd >= quietMs || Date.now() - started > timeoutMs) return Date.now() - started;
    await page.waitForTimeout(250);
  }
}

/** The messages shown, then cleared for the next file. */
async function takeMessages(page: Page): Promise<string[]> {
  const texts = await page.getByTestId("messages").locator(".ctl-notice span").allTextContents();
  await page.evaluate(() => globalThis.lossLandscapeLab?.store.getState().clearMessages());
  await page.getByTestId("messages").waitFor({ state: "detached", timeout: 5_000 });
  return texts;
}

describe.skipIf(skipReason !== "")("importing hostile files", () => {
  let session: BrowserSession;
  let page: Page;
  let dir: string;
  let paths: Map<string, string>;
  const rows: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "landscape-hostile-e2e-"));
    paths = await writeHostileCorpus(dir);
    session = await openBrowser(inject("chromiumPath"));
    page = session.page;
    await page.addInitScript(RECORDERS_SCRIPT);
    await page.addInitScript(HIDE_WEBGPU_SCRIPT);
    await page.goto(inject("e2eBaseUrl"));
    await waitForDone(page, 90_000);
    expect(await page.evaluate(() => PerformanceObserver.supportedEntryTypes.includes("longtask"))).toBe(
      true,
    );
  }, 180_000);

  afterAll(async () => {
    if (rows.length > 0)
      console.log(
        `hostile files imported in the page (longest main-thread task from choosing the file to its message):\n${rows.join("\n")}`,
      );
    await session?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const refused = HOSTILE_FILES.filter((f) => f.expect === "refused");

  it("refuses every hostile file with its message, leaves the view unchanged, and no task takes over 100 ms", async () => {
    // The view settles once (the first landscape's frames), then every import is compared to it.
    const picture = viewPicture(page);
    const signature = await settledSignature(picture);
    const ticks = await legendTicks(page);
    const state = await viewState(page);
    expect(JSON.parse(state).landscape).not.toBeNull();
    rows.push(
      `  (waited ${await waitForQuiet(page)} ms for 2 s without a long task before the first import)`,
    );
    let longest = 0;

    for (const f of refused) {
      const file = paths.get(f.name) as string;
      const t0 = await page.evaluate(() => performance.now());
      const started = Date.now();
      await page.getByTestId("import-file").setInputFiles(file);
      await page.getByTestId("messages").waitFor({ timeout: 30_000 });
      const ms = Date.now() - started;
      const t1 = await page.evaluate(() => performance.now());
      // A task that ran up to the message is reported right after it ends: give the observer a moment.
      await page.waitForTimeout(200);
      const tasks = (await recorded(page)).longTasks.filter(
        (t) => t.start + t.duration >= t0 && t.start <= t1,
      );
      const worst = Math.max(0, ...tasks.map((t) => t.duration));
      longest = Math.max(longest, worst);
      rows.push(
        `  ${f.name.padEnd(30)} ${String(ms).padStart(6)} ms to the message, longest task ${
          worst > 0 ? `${worst.toFixed(0)} ms` : "none over 50 ms"
        }`,
      );

      const messages = await takeMessages(page);
      expect(messages, f.name).toHaveLength(1);
      expect(messages[0], f.name).toMatch(new RegExp(`^import of ${f.name.replace(/\./g, "\\.")} failed: `));
      expect(messages[0], f.name).toMatch(f.message as RegExp);
      expect(messages[0], f.name).not.toMatch(/probably truncated|allocation|out of memory/i);
      expect(worst, `${f.name}: longest main-thread task`).toBeLessThanOrEqual(LONG_TASK_LIMIT_MS);
      expect(await viewState(page), f.name).toBe(state);
      expect(await legendTicks(page), f.name).toEqual(ticks);
    }
    rows.push(
      `  longest task over all ${refused.length} imports: ${longest > 0 ? `${longest.toFixed(0)} ms` : "none over 50 ms"}`,
    );
    // The picture is still the first landscape's.
    expect(await settledSignature(picture)).toBe(signature);
    // No import left a reader behind: the HDF5 workers are thrown away after each file.
    await expect
      .poll(() => page.workers().filter((w) => w.url().includes("hdf5")).length, { timeout: 10_000 })
      .toBe(0);
  }, 600_000);

  it("shows the progress of a long import and cancels it, leaving the view as it was", async () => {
    const state = await viewState(page);
    const name = "bomb-10x.json.gz";
    const t0 = await page.evaluate(() => performance.now());
    await page.getByTestId("import-file").setInputFiles(paths.get(name) as string);
    const line = page.getByTestId("import-progress");
    const boxBefore = await viewPicture(page).boundingBox();
    await line.waitFor({ timeout: 10_000 });
    // The line takes no room from the views: showing it resizes (and so redraws) nothing.
    expect(await viewPicture(page).boundingBox()).toEqual(boxBefore);
    await expect
      .poll(() => line.locator(".import-progress-text").textContent(), { timeout: 10_000 })
      .toMatch(/^importing bomb-10x\.json\.gz: inflating [\d.]+ of 19 MB/);
    const shown = await line.locator(".import-progress-text").textContent();
    await page.getByTestId("import-cancel").click();
    await page.getByTestId("messages").waitFor({ timeout: 10_000 });
    const t1 = await page.evaluate(() => performance.now());
    expect(await line.count()).toBe(0);
    await page.waitForTimeout(200);
    const tasks = (await recorded(page)).longTasks.filter((t) => t.start + t.duration >= t0 && t.start <= t1);
    const worst = Math.max(0, ...tasks.map((t) => t.duration));
    rows.push(
      `  cancelled ${name} at "${shown}", longest task ${worst > 0 ? `${worst.toFixed(0)} ms` : "none over 50 ms"}`,
    );
    expect(await takeMessages(page)).toEqual([`import of ${name} cancelled; the view is as it was`]);
    expect(worst).toBeLessThanOrEqual(LONG_TASK_LIMIT_MS);
    expect(await viewState(page)).toBe(state);
    // The next import works: the snapshot worker stopped for the cancel is replaced.
    await page.getByTestId("import-file").setInputFiles(paths.get("truncated.json.gz") as string);
    await page.getByTestId("messages").waitFor({ timeout: 10_000 });
    expect((await takeMessages(page))[0]).toMatch(
      /^import of truncated\.json\.gz failed: truncated gzip data/,
    );
  }, 60_000);

  it('shows a snapshot whose "constructor" and "prototype" keys are data, with Object.prototype untouched', async () => {
    const before = await viewState(page);
    await page.getByTestId("import-file").setInputFiles(paths.get("constructor-keys.json") as string);
    await expect.poll(() => viewState(page), { timeout: 20_000 }).not.toBe(before);
    const found = await page.evaluate(() => {
      const s = globalThis.lossLandscapeLab?.store.getState();
      const snapshot = s?.landscape?.snapshot as unknown as Record<string, unknown> | undefined;
      const config = snapshot?.config as Record<string, unknown> | undefined;
      const surfaces = snapshot?.surfaces as Record<string, unknown> | undefined;
      return {
        hasSnapshot: snapshot !== undefined,
        snapshotProto: snapshot ? Object.getPrototypeOf(snapshot) === Object.prototype : false,
        configProto: config ? Object.getPrototypeOf(config) === Object.prototype : false,
        surfacesProto: surfaces ? Object.getPrototypeOf(surfaces) === Object.prototype : false,
        ownPrototype: snapshot ? Object.hasOwn(snapshot, "prototype") : false,
        ownConstructor: config ? Object.hasOwn(config, "constructor") : false,
        constructorSurface: surfaces ? surfaces.constructor instanceof Float32Array : false,
        objectPrototype: Object.getOwnPropertyNames(Object.prototype).sort().join(","),
        polluted: ({} as { polluted?: unknown }).polluted ?? null,
      };
    });
    expect(found).toEqual({
      hasSnapshot: true,
      snapshotProto: true,
      configProto: true,
      surfacesProto: true,
      ownPrototype: true,
      ownConstructor: true,
      constructorSurface: true,
      objectPrototype: [
        "__defineGetter__",
        "__defineSetter__",
        "__lookupGetter__",
        "__lookupSetter__",
        "__proto__",
        "constructor",
        "hasOwnProperty",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "toLocaleString",
        "toString",
        "valueOf",
      ].join(","),
      polluted: null,
    });
    const messages = (await page.getByTestId("messages").count())
      ? await page.getByTestId("messages").locator(".ctl-notice span").allTextContents()
      : [];
    expect(messages.filter((m) => /failed/.test(m))).toEqual([]);
    expect(unexpectedProblems(session.problems)).toEqual([]);
  }, 60_000);
});
