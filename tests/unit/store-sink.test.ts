/**
 * The store as a job's sink (src/compute/store-sink.ts): coalesced training lines never land
 * over a later sampling line, so a finished job's progress names its grid points.
 */
import { describe, expect, it } from "vitest";
import { storeSink } from "../../src/compute/store-sink";
import { createAppStore } from "../../src/state/store";

describe("the store sink", () => {
  it("writes a waiting training line before the sampling line that follows it", () => {
    const store = createAppStore();
    const sink = storeSink(store);
    sink.start();
    sink.progress({ phase: "train", done: 60, total: 60, detail: "epoch 60/60, train loss 0.0003565" });
    sink.phase("sampling");
    sink.progress({ phase: "landscape", done: 41, total: 41, detail: "41/41 grid points" });
    sink.phase("done");
    const p = store.getState().job.progress;
    expect(p?.unit).toBe("grid points");
    expect(p?.detail).toBe("41/41 grid points");
  });
});
