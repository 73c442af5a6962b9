/**
 * The store as a job's sink (src/compute/store-sink.ts): a training progress line that arrives
 * after the job moved on (the worker's epoch callbacks travel on their own message port) never
 * lands over the sampling line, so a finished job's progress names its grid points.
 */
import { describe, expect, it } from "vitest";
import { storeSink } from "../../src/compute/store-sink";
import { createAppStore } from "../../src/state/store";

describe("the store sink", () => {
  it("drops a training line that arrives after the sampling began, or after the end", async () => {
    const store = createAppStore();
    const sink = storeSink(store);
    sink.start();
    sink.phase("training");
    sink.progress({ phase: "train", done: 59, total: 60, detail: "train loss 0.0004" });
    sink.phase("sampling");
    sink.progress({ phase: "landscape", done: 41, total: 41, detail: "41/41 grid points" });
    sink.progress({ phase: "train", done: 60, total: 60, detail: "train loss 0.0003565" });
    sink.phase("done");
    sink.progress({ phase: "train", done: 60, total: 60, detail: "train loss 0.0003565" });
    await new Promise((r) => setTimeout(r, 150)); // past the coalescing timers
    const p = store.getState().job.progress;
    expect(store.getState().job.phase).toBe("done");
    expect(p?.unit).toBe("grid points");
    expect(p?.detail).toBe("41/41 grid points");
  });
});
