/**
 * The store as a job's sink (src/compute/store-sink.ts): a training progress line that arrives
 * after the job moved on (the worker's epoch callbacks travel on their own message port) never
 * lands over the sampling line, so a finished job's progress names its grid points; and the
 * redraws of a growing landscape are tasks of their own, coalesced.
 */
import { describe, expect, it, vi } from "vitest";
import { storeSink } from "../../src/compute/store-sink";
import { createAppStore } from "../../src/state/store";
import type { LandscapeView } from "../../src/state/types";

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

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

  it("redraws a growing landscape in a task after the one that reported it, with its count, at most every 250 ms but the last", async () => {
    const store = createAppStore();
    const sink = storeSink(store);
    sink.start();
    sink.landscape({ snapshot: {}, done: 0, total: 100 } as unknown as LandscapeView);
    sink.phase("sampling");
    const version = () => store.getState().landscapeVersion;
    const start = version();

    sink.surfaces(0, 100, "coarse");
    sink.progress({ phase: "landscape", done: 0, total: 100, detail: "coarse picture" });
    expect(version()).toBe(start);
    expect(store.getState().job.progress).toBeNull();
    await nextTask();
    expect(version()).toBe(start + 1);
    expect(store.getState().job.progress?.detail).toBe("coarse picture");

    // Tiles right after a redraw wait together for the next one ...
    sink.surfaces(10, 100, "fine");
    sink.progress({ phase: "landscape", done: 10, total: 100, detail: null });
    sink.surfaces(20, 100, "fine");
    sink.progress({ phase: "landscape", done: 20, total: 100, detail: null });
    await nextTask();
    expect(version()).toBe(start + 1);
    expect(store.getState().job.progress?.done).toBe(0);

    // ... but the last one is drawn at once, in the next task.
    sink.surfaces(100, 100, "fine");
    sink.progress({ phase: "landscape", done: 100, total: 100, detail: null });
    expect(version()).toBe(start + 1);
    await nextTask();
    expect(version()).toBe(start + 2);
    expect(store.getState().landscape?.done).toBe(100);
    expect(store.getState().job.progress?.done).toBe(100);
    await new Promise((r) => setTimeout(r, 300));
    expect(version()).toBe(start + 2);
  });

  it("redraws a big grid less often: a 40,000-point surface at most every second", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    try {
      const store = createAppStore();
      const sink = storeSink(store);
      sink.start();
      sink.landscape({ snapshot: {}, done: 0, total: 40_000 } as unknown as LandscapeView);
      sink.phase("sampling");
      const version = () => store.getState().landscapeVersion;
      const start = version();
      sink.surfaces(0, 40_000, "coarse");
      vi.advanceTimersByTime(0);
      expect(version()).toBe(start + 1);
      sink.surfaces(1_000, 40_000, "fine");
      vi.advanceTimersByTime(300);
      expect(version(), "a small grid would have been redrawn at 250 ms").toBe(start + 1);
      vi.advanceTimersByTime(650);
      expect(version()).toBe(start + 1);
      vi.advanceTimersByTime(60);
      expect(version()).toBe(start + 2);
      expect(store.getState().landscape?.done).toBe(1_000);
    } finally {
      vi.useRealTimers();
    }
  });
});
