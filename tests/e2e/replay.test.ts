/**
 * Watching training happen: the replay timeline under the views replays an optimizer race read
 * from a snapshot (computed here in Node, imported through the file picker): its legend lists
 * every run with its final loss, accuracy and lambda_max; moving along the timeline moves the
 * markers over the surface (the 3D picture changes between checkpoints), the data plot shows the
 * network at the checkpoint, and the charts' cursors move to its epoch.
 */
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { TrajectorySection } from "../../src/core/snapshot/trajectory-section";
import { unexpectedProblems } from "./browser";
import { canvasStats, viewPicture } from "./lab-page";
import { artifactsDir, openWithSnapshot, writeRaceSnapshot } from "./replay-page";

const skipReason = inject("e2eSkipReason");

/** Scrub the timeline to `index` and wait until the 3D view shows it (and the data plot, when asked). */
async function seekAndWait(page: Page, index: number, step: number): Promise<void> {
  await page.getByTestId("replay-scrub").fill(String(index));
  const timeline = page.getByTestId("replay-timeline");
  await expect.poll(() => timeline.getAttribute("data-presented"), { timeout: 20_000 }).toBe(String(index));
  await expect
    .poll(() => timeline.getAttribute("data-boundary-step"), { timeout: 30_000 })
    .toBe(String(step));
}

async function settled(canvas: Locator): Promise<string> {
  // Two read-backs 300 ms apart that agree: the frame on screen is final.
  let last = (await canvasStats(canvas)).signature;
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 300));
    const now = (await canvasStats(canvas)).signature;
    if (now === last) return now;
    last = now;
  }
  return last;
}

/** The canvas's RGBA pixels (through a 2-D copy). */
async function pixels(canvas: Locator): Promise<Buffer> {
  const b64 = await canvas.evaluate((el) => {
    const src = el as HTMLCanvasElement;
    const copy = document.createElement("canvas");
    copy.width = src.width;
    copy.height = src.height;
    const ctx = copy.getContext("2d") as CanvasRenderingContext2D;
    ctx.drawImage(src, 0, 0);
    const data = ctx.getImageData(0, 0, copy.width, copy.height).data;
    let s = "";
    for (let i = 0; i < data.length; i += 8192) s += String.fromCharCode(...data.subarray(i, i + 8192));
    return btoa(s);
  });
  return Buffer.from(b64, "base64");
}

/** Pixels that differ between two read-backs of one canvas. */
function changedPixels(a: Buffer, b: Buffer): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let n = 0;
  for (let i = 0; i < a.length; i += 4)
    if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) n++;
  return n;
}

function cursorLeft(page: Page, panel: string): Promise<string | null> {
  return page.evaluate(
    (sel) => document.querySelector<HTMLElement>(`${sel} .replay-chart-cursor`)?.style.left ?? null,
    panel,
  );
}

describe.skipIf(skipReason !== "")("the replay timeline", () => {
  let file = "";
  let trajectory: TrajectorySection;
  beforeAll(async () => {
    ({ file, trajectory } = await writeRaceSnapshot("race.json"));
  }, 120_000);

  it("replays every run of a race: the markers move, the data plot and the chart cursors follow", async () => {
    const session = await openWithSnapshot(file);
    try {
      const { page } = session;
      const runs = trajectory.runs ?? [];
      expect(runs).toHaveLength(3);
      // The legend: every run, with its final loss, accuracy and lambda_max.
      const legend = page.getByTestId("replay-legend");
      await expect.poll(() => legend.locator("li").count()).toBe(3);
      for (const [r, run] of runs.entries()) {
        const text = (await page.getByTestId(`replay-final-${r}`).textContent()) ?? "";
        expect(text).toMatch(/final: loss [\d.e-]+ · acc [\d.]+% · λmax [\d.e-]+/);
        expect(await legend.locator("li").nth(r).textContent()).toContain(run.label);
      }
      const steps = runs[0].steps;
      const picture = viewPicture(page);
      const dataPlot = page.getByTestId("data-plot").locator("canvas").first();

      await seekAndWait(page, 0, steps[0]);
      const atStart = { picture: await settled(picture), data: await settled(dataPlot) };
      const pixelsStart = { picture: await pixels(picture), data: await pixels(dataPlot) };
      const cursorStart = await cursorLeft(page, ".vw-training");
      expect(Number.parseFloat(cursorStart ?? "")).toBe(0);
      expect(Number.parseFloat((await cursorLeft(page, ".vw-sharpness")) ?? "")).toBe(0);

      const k = 16;
      await seekAndWait(page, k, steps[k]);
      const atK = { picture: await settled(picture), data: await settled(dataPlot) };
      const cursorK = await cursorLeft(page, ".vw-training");
      // The markers moved over the surface, the data plot shows another network, the cursor moved.
      expect(atK.picture).not.toBe(atStart.picture);
      expect(atK.data).not.toBe(atStart.data);
      const moved = {
        picture: changedPixels(pixelsStart.picture, await pixels(picture)),
        data: changedPixels(pixelsStart.data, await pixels(dataPlot)),
      };
      console.log(`replay: checkpoint 0 -> ${k}: ${JSON.stringify(moved)} pixels changed`);
      expect(moved.picture).toBeGreaterThan(50);
      expect(moved.data).toBeGreaterThan(200);
      const lastStep = steps.at(-1) ?? 1;
      expect(Number.parseFloat(cursorK ?? "")).toBeCloseTo((100 * steps[k]) / lastStep, 2);
      // lambda_max was measured every 6 epochs (at 6, 12, 18, 24): its own x range.
      const sharp = Number.parseFloat((await cursorLeft(page, ".vw-sharpness")) ?? "");
      expect(sharp).toBeGreaterThan(0);
      expect(sharp).toBeLessThan(100);
      await page.screenshot({ path: join(artifactsDir, "replay-race.png") });

      // One step forward moves the picture again; play runs on to the end by itself.
      await page.getByTestId("replay-forward").click();
      await expect
        .poll(() => page.getByTestId("replay-timeline").getAttribute("data-presented"), { timeout: 20_000 })
        .toBe(String(k + 1));
      expect(await settled(picture)).not.toBe(atK.picture);
      await page.getByTestId("replay-speed").selectOption("4");
      await page.getByTestId("replay-play").click();
      await expect
        .poll(() => page.getByTestId("replay-timeline").getAttribute("data-index"), { timeout: 30_000 })
        .toBe(String(steps.length - 1));
      await expect.poll(() => page.getByTestId("replay-timeline").getAttribute("data-playing")).toBe("false");
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  }, 240_000);
});
