import { describe, expect, it } from "vitest";
import {
  CONFIRM_SECONDS,
  DEFAULT_SPEED,
  describeEstimate,
  estimateRun,
  PAGE_BYTES_PER_POINT,
} from "../../src/core/config/cost";
import { resolveConfig } from "../../src/core/config/resolve";

const grid = (n: number) => ({ x: { min: -1, max: 1, count: n }, y: { min: -1, max: 1, count: n } });

describe("the cost of a run, before it starts", () => {
  it("counts the grid points and estimates time and memory at the reference speed", () => {
    const e = estimateRun(resolveConfig({ grid: grid(41), training: { epochs: 60 } }), null);
    if (!e) throw new Error("no estimate");
    expect(e.points).toBe(41 * 41);
    expect(e.basis).toBe("reference");
    expect(e.seconds.total).toBeCloseTo(e.seconds.training + e.seconds.landscape, 10);
    expect(e.seconds.total).toBeGreaterThan(0);
    expect(e.seconds.total).toBeLessThan(CONFIRM_SECONDS);
    expect(e.bytes.page).toBe(41 * 41 * PAGE_BYTES_PER_POINT);
    expect(e.confirm).toBe(false);
    expect(describeEstimate(e)).toMatch(/^1,681 grid points · about \d/);
  });

  it("grows linearly in grid points, and asks first above the time or memory bound", () => {
    const small = estimateRun(resolveConfig({ grid: grid(101) }), null);
    const big = estimateRun(resolveConfig({ grid: grid(401) }), null);
    if (!small || !big) throw new Error("no estimate");
    const ratio = big.seconds.landscape / small.seconds.landscape;
    expect(ratio).toBeCloseTo((401 * 401) / (101 * 101), 6);
    expect(big.confirm).toBe(true);
    expect(big.seconds.total).toBeGreaterThan(CONFIRM_SECONDS);
    const huge = estimateRun(resolveConfig({ grid: grid(1001) }), { ...DEFAULT_SPEED, pointsPerSecond: 1e9 });
    expect(huge?.seconds.landscape).toBeLessThan(1);
    expect(huge?.confirm).toBe(true); // a million points of surfaces and mesh in the page
  });

  it("rescales a measured speed by the work per grid point", () => {
    const measured = { pointsPerSecond: 5_000, workPerPoint: 1e6, msPerStep: 2 };
    const base = resolveConfig({ grid: grid(41) });
    const e = estimateRun(base, measured);
    const twice = estimateRun(
      resolveConfig({ grid: grid(41), data: { name: "spirals", trainCount: 1024, testCount: 1024 } }),
      measured,
    );
    if (!e || !twice) throw new Error("no estimate");
    expect(e.basis).toBe("measured");
    // Twice the samples: twice the work per grid point.
    expect(twice.seconds.landscape / e.seconds.landscape).toBeCloseTo(2, 6);
  });

  it("cannot be made before files picked in the browser are read", () => {
    const config = resolveConfig({ data: { name: "file", path: "mine.csv" } });
    expect(estimateRun(config, null)).toBeNull();
  });
});
