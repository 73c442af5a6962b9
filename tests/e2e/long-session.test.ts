/**
 * A long session: 50 compute jobs in a row in one page keep memory bounded: the tensors alive in
 * every compute worker return to the same count after each job, and the page's JavaScript heap
 * (performance.memory) does not keep growing. The figures are printed for the record.
 */
import { describe, expect, inject, it } from "vitest";
import { openBrowser, unexpectedProblems } from "./browser";
import { HIDE_WEBGPU_SCRIPT, waitForDone } from "./lab-page";

const skipReason = inject("e2eSkipReason");
const JOBS = 50;

interface Sample {
  job: number;
  tensors: number[];
  bytes: number[];
  heapMb: number | null;
  phase: string;
}

describe.skipIf(skipReason !== "")("a long session", () => {
  it(`keeps memory bounded over ${JOBS} jobs in a row`, async () => {
    const session = await openBrowser(inject("chromiumPath"), {
      args: ["--enable-precise-memory-info", "--js-flags=--expose-gc"],
    });
    try {
      const { page } = session;
      await page.addInitScript(HIDE_WEBGPU_SCRIPT);
      await page.addInitScript(
        `localStorage.setItem("loss-landscape-lab.evaluator", JSON.stringify({ backend: "wasm", evaluator: "wasm-kernel", pointsPerSecond: 1 }));`,
      );
      await page.goto(`${inject("e2eBaseUrl")}#ep=3&gx=-1,1,21&gy=-1,1,21&n=128&nt=64`);
      await waitForDone(page, 90_000);
      const samples = (await page.evaluate(async (jobs) => {
        const lab = globalThis.lossLandscapeLab?.lab;
        const store = globalThis.lossLandscapeLab?.store;
        if (!lab || !store) throw new Error("the lab has not started");
        const out: Sample[] = [];
        for (let job = 1; job <= jobs; job++) {
          await lab.run();
          if (job === 1 || job % 10 === 0) {
            (globalThis as { gc?: () => void }).gc?.();
            const memory = await lab.pool.memory();
            const heap = (performance as { memory?: { usedJSHeapSize: number } }).memory;
            out.push({
              job,
              tensors: memory.map((m) => m.numTensors),
              bytes: memory.map((m) => m.numBytes),
              heapMb: heap ? heap.usedJSHeapSize / 2 ** 20 : null,
              phase: store.getState().job.phase,
            });
          }
        }
        return out;
      }, JOBS)) as Sample[];
      console.log(`long session (${JOBS} jobs): ${JSON.stringify(samples)}`);
      expect(samples.every((s) => s.phase === "done")).toBe(true);
      const first = samples[0];
      for (const s of samples) {
        expect(s.tensors, `tensors after job ${s.job}`).toEqual(first.tensors);
        expect(s.bytes, `tensor bytes after job ${s.job}`).toEqual(first.bytes);
      }
      const heaps = samples.map((s) => s.heapMb).filter((h): h is number => h !== null);
      expect(heaps.length).toBe(samples.length);
      // Bounded: after warm-up (job 10) the heap may wobble with the garbage collector, not climb.
      const warm = heaps[1];
      expect(
        Math.max(...heaps.slice(1)) - warm,
        `heap MB ${heaps.map((h) => h.toFixed(1)).join(", ")}`,
      ).toBeLessThan(40);
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  }, 600_000);
});
