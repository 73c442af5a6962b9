import { describe, expect, it } from "vitest";
import { movableCopy } from "../../src/compute/movable-copy";

describe("movableCopy", () => {
  it("copies plain structure and typed arrays, each array into a buffer of its own, and leaves the original alone", async () => {
    const shared = new Float32Array([1, 2, 3, 4, 5, 6]);
    const original = {
      format: "loss-landscape",
      version: 1,
      nothing: null,
      gone: undefined,
      surfaces: { train_loss: new Float32Array([0.5, 0.25]) },
      runs: [{ label: "adam", x: [0.1, null, 0.3], parameters: [shared.subarray(0, 3), shared.subarray(3)] }],
      ids: new Int32Array([7, 8]),
    };
    const { copy, buffers } = await movableCopy(original);
    expect(copy).toEqual(original);
    expect(copy).not.toBe(original);
    expect(copy.runs[0]).not.toBe(original.runs[0]);
    expect(copy.surfaces.train_loss).not.toBe(original.surfaces.train_loss);
    expect(copy.ids).toBeInstanceOf(Int32Array);
    // Four typed arrays, four buffers, none of them the original's; the views of one buffer come apart.
    expect(buffers).toHaveLength(4);
    expect(buffers).not.toContain(shared.buffer);
    expect(buffers).toContain(copy.runs[0].parameters[0].buffer);
    expect(copy.runs[0].parameters[0].buffer).not.toBe(copy.runs[0].parameters[1].buffer);
    expect(copy.runs[0].parameters[1].byteLength).toBe(12);
    // Moving the copy's buffers leaves the original intact.
    structuredClone(copy, { transfer: buffers });
    expect(copy.surfaces.train_loss.length).toBe(0);
    expect([...original.surfaces.train_loss]).toEqual([0.5, 0.25]);
    expect([...shared]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("yields to the event loop once its budget is spent, not before", async () => {
    let clock = 0;
    let yields = 0;
    const value = { arrays: Array.from({ length: 10 }, (_, i) => new Float64Array([i])) };
    const { copy } = await movableCopy(value, {
      budgetMs: 4,
      now: () => clock,
      yieldTask: async () => {
        yields++;
      },
    });
    expect(yields).toBe(0);
    expect(copy).toEqual(value);
    // Each array "takes" 2 ms: a yield every two or so.
    const slow = await movableCopy(value, {
      budgetMs: 4,
      now: () => {
        clock += 1;
        return clock;
      },
      yieldTask: async () => {
        yields++;
      },
    });
    expect(slow.copy).toEqual(value);
    expect(yields).toBeGreaterThanOrEqual(3);
  });
});
