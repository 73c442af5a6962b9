import { describe, expect, it } from "vitest";
import { coarseGrid, upsampleInto } from "../../src/compute/upsample";
import { axisValue, type Grid } from "../../src/core/landscape/grid";
import { buffersOf } from "../../workers/transfer";

const fine: Grid = {
  axes: [
    { label: "x", min: -1, max: 1, count: 21 },
    { label: "y", min: 0, max: 2, count: 11 },
  ],
};

function sampled(grid: Grid, f: (x: number, y: number) => number): Float32Array {
  const [ax, ay] = grid.axes;
  const out = new Float32Array(ax.count * ay.count);
  for (let j = 0; j < ay.count; j++)
    for (let i = 0; i < ax.count; i++) out[j * ax.count + i] = f(axisValue(ax, i), axisValue(ay, j));
  return out;
}

describe("coarse-to-fine upsampling", () => {
  it("reproduces a plane exactly (bilinear interpolation is exact on linear functions)", () => {
    const coarse = coarseGrid(fine, 5);
    expect(coarse.axes.map((a) => a.count)).toEqual([5, 5]);
    const plane = (x: number, y: number) => 3 * x - 2 * y + 1;
    const target = new Float32Array(21 * 11);
    upsampleInto(coarse, sampled(coarse, plane), fine, target);
    const want = sampled(fine, plane);
    for (let i = 0; i < want.length; i++) expect(target[i]).toBeCloseTo(want[i], 4);
  });

  it("falls back to the nearest coarse value next to a non-finite one", () => {
    const coarse = coarseGrid(fine, 3);
    const values = new Float32Array(9).fill(1);
    values[4] = Number.NaN;
    const target = new Float32Array(21 * 11);
    upsampleInto(coarse, values, fine, target);
    expect(target[5 * 21 + 10]).toBeNaN(); // the centre sits on the NaN
    expect(target[0]).toBe(1);
    expect(target.filter((v) => Number.isFinite(v) && v !== 1)).toHaveLength(0);
  });

  it("never makes a coarse grid finer than the grid itself", () => {
    expect(coarseGrid({ axes: [{ label: "x", min: 0, max: 1, count: 4 }] }, 11).axes[0].count).toBe(4);
  });
});

describe("transfer lists", () => {
  it("lists each buffer under the typed arrays of a value once", () => {
    const shared = new Float32Array(8);
    const value = {
      a: shared.subarray(0, 4),
      b: [shared.subarray(4), new Float32Array(2)],
      c: { d: 1, e: "x" },
    };
    expect(buffersOf(value)).toHaveLength(2);
  });
});
