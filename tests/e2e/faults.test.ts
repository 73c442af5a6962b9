/**
 * Worker faults in the real app: a compute worker that crashes or is stopped in the middle of a
 * job is replaced, the job fails with a message, and the next job works; a hundred jobs
 * cancelled in a row leave no tensors and no workers behind. Drives the app through its
 * scripting hook (src/app/scripting.ts) and its buttons.
 */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { openBrowser, unexpectedProblems } from "./browser";
import { clickRun, HIDE_WEBGPU_SCRIPT, waitForDone, waitForPhase } from "./lab-page";

const skipReason = inject("e2eSkipReason");

interface PoolState {
  size: number;
  alive: number;
  replaced: number;
  started: number;
  workersAlive: number;
}

const poolState = (page: Page) =>
  page.evaluate(() => {
    const hook = globalThis.lossLandscapeLab;
    const pool = hook?.lab?.pool;
    if (!hook || !pool) throw new Error("the lab has not started");
    return {
      size: pool.size,
      alive: pool.alive,
      replaced: pool.replaced,
      started: hook.workers.started,
      workersAlive: hook.workers.alive,
    } satisfies PoolState;
  });

const memory = (page: Page) =>
  page.evaluate(async () => {
    const pool = globalThis.lossLandscapeLab?.lab?.pool;
    if (!pool) throw new Error("the lab has not started");
    return pool.memory();
  });

async function withApp(hash: string, body: (page: Page) => Promise<void>): Promise<void> {
  const session = await openBrowser(inject("chromiumPath"));
  try {
    await session.page.addInitScript(HIDE_WEBGPU_SCRIPT);
    // No first-use calibration in the middle of these tests: remember a choice up front.
    await session.page.addInitScript(
      `localStorage.setItem("loss-landscape-lab.evaluator", JSON.stringify({ backend: "wasm", evaluator: "wasm-kernel", pointsPerSecond: 1 }));`,
    );
    await session.page.goto(`${inject("e2eBaseUrl")}${hash}`);
    await waitForDone(session.page, 90_000);
    await body(session.page);
    const problems = unexpectedProblems(session.problems).filter(
      // The injected crash is reported by the browser as the worker's uncaught error.
      (p) => !/injected fault \(a test of crash recovery\)/.test(p.text),
    );
    expect(problems).toEqual([]);
  } finally {
    await session.close();
  }
}

describe.skipIf(skipReason !== "")("worker faults", () => {
  it("replaces a worker that crashes during training; the job fails with a message and the next one runs", async () => {
    await withApp("#ep=5", async (page) => {
      const before = await poolState(page);
      // Enough epochs that the training still runs when the fault comes, however fast it is.
      await page.getByTestId("ctl-ep").fill("20000");
      await clickRun(page);
      await waitForPhase(page, ["training"]);
      await page.evaluate(() => globalThis.lossLandscapeLab?.lab?.pool.injectFault(0, "throw"));
      expect(await waitForPhase(page, ["error", "done", "cancelled"])).toBe("error");
      const messages = page.getByTestId("messages");
      await messages.waitFor({ timeout: 10_000 });
      expect(await messages.textContent()).toMatch(/compute worker crashed: .*injected fault/);

      await page.getByTestId("ctl-ep").fill("5");
      await clickRun(page);
      // The last job ended with "error": any other phase is this job's (a short training can be
      // over before a poll sees it).
      await waitForPhase(page, ["training", "sampling", "done"], 90_000);
      await waitForDone(page, 90_000);
      const after = await poolState(page);
      expect(after.replaced).toBe(before.replaced + 1);
      expect(after.alive).toBe(after.size);
      expect(after.started).toBe(before.started + 1); // exactly one replacement
      expect(await page.getByTestId("progress").textContent()).toMatch(/^done: /);
    });
  });

  it("replaces a worker stopped while sampling; the job fails with a message, the last good landscape stays, and the next one runs", async () => {
    await withApp("#ep=2&gx=-1,1,121&gy=-1,1,121", async (page) => {
      const before = await poolState(page);
      const shown = () =>
        page.evaluate(() => {
          const l = globalThis.lossLandscapeLab?.store.getState().landscape;
          return l ? { createdAt: l.snapshot.createdAt, done: l.done, total: l.total } : null;
        });
      const good = await shown();
      expect(good?.done).toBe(14641);
      await clickRun(page);
      await waitForPhase(page, ["sampling"]);
      await page.evaluate(() => globalThis.lossLandscapeLab?.lab?.pool.injectFault(0, "terminate"));
      expect(await waitForPhase(page, ["error", "done", "cancelled"])).toBe("error");
      expect(await page.getByTestId("messages").textContent()).toMatch(/compute worker was stopped/);
      // The failed job's half-sampled surface is gone; the last complete landscape is back.
      expect(await shown()).toEqual(good);
      await clickRun(page);
      await waitForPhase(page, ["training", "sampling", "done"], 90_000);
      await waitForDone(page, 120_000);
      const after = await poolState(page);
      expect(after.replaced).toBe(before.replaced + 1);
      expect(after.alive).toBe(after.size);
      expect(await page.getByTestId("progress").textContent()).toMatch(/^done: 14641\/14641 grid points/);
    });
  });

  it("leaves no tensors and no extra workers after 100 jobs cancelled in a row", async () => {
    await withApp("#ep=30", async (page) => {
      const before = await poolState(page);
      const memoryBefore = await memory(page);
      const outcomes = await page.evaluate(async () => {
        const lab = globalThis.lossLandscapeLab?.lab;
        if (!lab) throw new Error("the lab has not started");
        const ends: string[] = [];
        for (let i = 0; i < 100; i++) {
          const run = lab.run();
          // Cancel at different moments: at once, during training, during sampling.
          await new Promise((r) => setTimeout(r, (i * 7) % 40));
          lab.cancel();
          await run;
        }
        return ends;
      });
      expect(outcomes).toEqual([]);
      expect(await page.getByTestId("progress").getAttribute("data-phase")).toBe("cancelled");
      await clickRun(page);
      // The last job ended "cancelled": the next "done" is this one's (its training of 30 epochs
      // can be over before a poll sees it).
      await waitForPhase(page, ["done", "error"], 90_000);
      const after = await poolState(page);
      const memoryAfter = await memory(page);
      console.log(
        `after 100 cancelled jobs: ${JSON.stringify({ before, after, memoryBefore, memoryAfter })}`,
      );
      expect(after.started).toBe(before.started);
      expect(after.workersAlive).toBe(before.workersAlive);
      expect(after.alive).toBe(after.size);
      expect(memoryAfter.map((m) => m.numTensors)).toEqual(memoryBefore.map((m) => m.numTensors));
      expect(memoryAfter.map((m) => [m.problems, m.jobs])).toEqual(memoryBefore.map(() => [0, 0]));
    });
  });
});
