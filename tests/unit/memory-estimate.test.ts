import { describe, expect, it } from "vitest";
import { estimateJobMemory, MEMORY_BUDGET_BYTES, memoryProblem } from "../../src/core/config/memory";
import { resolveConfig } from "../../src/core/config/resolve";
import { runExperiment } from "../../src/core/experiment/run";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

describe("the up-front memory estimate of a job", () => {
  it("counts the parameters exactly and keeps the default experiment far under the budget", () => {
    const e = estimateJobMemory(resolveConfig({}));
    // spirals (2 inputs, 2 classes), 2-64-64-2: 2*64+64 + 64*64+64 + 64*2+2
    expect(e.parameters).toBe(2 * 64 + 64 + 64 * 64 + 64 + 64 * 2 + 2);
    expect(e.bytes).toBeLessThan(MEMORY_BUDGET_BYTES / 4);
  });

  it("grows with the checkpoints kept and with a Hessian basis", () => {
    const few = estimateJobMemory(resolveConfig({ training: { epochs: 10, checkpointEvery: 0 } }));
    const many = estimateJobMemory(resolveConfig({ training: { epochs: 100, checkpointEvery: 1 } }));
    expect(many.copies).toBeGreaterThan(few.copies + 90);
    const hessian = estimateJobMemory(resolveConfig({ directions: { method: "hessian-top2" } }));
    expect(hessian.copies).toBeGreaterThanOrEqual(100);
  });

  it("refuses a model too large for a compute worker before any work, with the estimate in the message", () => {
    const huge = { model: { hiddenSizes: Array.from({ length: 32 }, () => 4096) } };
    expect(() => resolveConfig(huge)).toThrow(
      /model: the job needs about [\d,]+ MB \([\d,]+ parameters x \d+ float32 copies, plus [\d,]+ MB of data\), more than the 1,024 MB a compute worker may use/,
    );
  });

  it("says nothing for a job that fits, and names the budget it was given", () => {
    const config = resolveConfig({});
    expect(memoryProblem(config)).toBeNull();
    expect(memoryProblem(config, 1024)).toMatch(/more than the 0 MB/);
  });
});

describe("a 201 x 201 grid of the reference workload", () => {
  it("is computed completely (spirals 512, MLP 2-64-64-2 ReLU)", async () => {
    const config = resolveConfig({
      data: { name: "spirals", trainCount: 512, testCount: 0 },
      model: { hiddenSizes: [64, 64] },
      training: { epochs: 1 },
      grid: { x: { count: 201 }, y: { count: 201 } },
    });
    const { snapshot } = await runExperiment(config, { backend: "wasm" });
    const loss = snapshot.surfaces.train_loss;
    expect(loss.length).toBe(201 * 201);
    expect(loss.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
  }, 120_000);
});
