import { describe, expect, it } from "vitest";
import {
  AXES_MARGINS,
  equalAspect,
  fitPlotRect,
  fromCanvasX,
  fromCanvasY,
  makeFrame,
  toCanvasX,
  toCanvasY,
} from "../../src/app/views/frame";
import { gridExtent, nearestIndex } from "../../src/app/views/grid-index";
import { pickedPoint, pickGridPoint, valuesAt } from "../../src/app/views/pick";
import { formatTick, formatValue, niceTicks } from "../../src/app/views/ticks";

const axis = (min: number, max: number, count: number, label = "a") => ({ label, min, max, count });

describe("plot frame", () => {
  const frame = makeFrame(
    { left: 10, top: 20, width: 100, height: 50 },
    { xMin: 0, xMax: 10, yMin: -1, yMax: 1 },
  );

  it("maps data to canvas with y growing upwards, and back", () => {
    expect(toCanvasX(frame, 0)).toBe(10);
    expect(toCanvasX(frame, 10)).toBe(110);
    expect(toCanvasY(frame, 1)).toBe(20); // the top of the plot is yMax
    expect(toCanvasY(frame, -1)).toBe(70);
    expect(fromCanvasX(frame, toCanvasX(frame, 3.3))).toBeCloseTo(3.3, 12);
    expect(fromCanvasY(frame, toCanvasY(frame, -0.4))).toBeCloseTo(-0.4, 12);
  });

  it("fits a centred rectangle of the requested aspect inside the margins", () => {
    const m = { left: 10, right: 10, top: 5, bottom: 5 };
    expect(fitPlotRect(220, 110, m)).toEqual({ left: 10, top: 5, width: 200, height: 100 });
    expect(fitPlotRect(220, 110, m, 1)).toEqual({ left: 60, top: 5, width: 100, height: 100 });
    expect(fitPlotRect(120, 410, m, 1)).toEqual({ left: 10, top: 155, width: 100, height: 100 });
    expect(fitPlotRect(10, 10, AXES_MARGINS).width).toBe(0);
  });

  it("keeps equal units unless one side would get too thin", () => {
    expect(equalAspect({ xMin: -1, xMax: 1, yMin: -1, yMax: 1 })).toBe(1);
    expect(equalAspect({ xMin: 0, xMax: 10, yMin: 0, yMax: 1 })).toBe(0.5);
    expect(equalAspect({ xMin: 0, xMax: 1, yMin: 0, yMax: 10 })).toBe(2);
  });

  it("rejects an empty extent", () => {
    expect(() => makeFrame(frame, { xMin: 1, xMax: 1, yMin: 0, yMax: 1 })).toThrow(/min < max/);
  });
});

describe("grid indices", () => {
  it("round to the nearest coordinate and clamp to the axis", () => {
    const a = axis(-1, 1, 5); // -1, -0.5, 0, 0.5, 1
    expect(nearestIndex(a, 0.3)).toBe(3);
    expect(nearestIndex(a, 0.2)).toBe(2);
    expect(nearestIndex(a, -7)).toBe(0);
    expect(nearestIndex(a, 7)).toBe(4);
    expect(() => nearestIndex(a, Number.NaN)).toThrow(/NaN/);
    expect(() => nearestIndex(axis(1, 1, 5), 0)).toThrow(/min < max/);
  });

  it("give a heatmap extent half a step beyond the outer coordinates", () => {
    expect(gridExtent([axis(-1, 1, 5), axis(0, 4, 3)])).toEqual({
      xMin: -1.25,
      xMax: 1.25,
      yMin: -1,
      yMax: 5,
    });
    expect(() => gridExtent([axis(-1, 1, 5)])).toThrow(/2-D grid/);
  });
});

describe("picking the nearest grid point", () => {
  // 3 x 3 grid over [-1, 1]^2 drawn as 30 x 30 px cells in a 90 x 90 px plot at (10, 10).
  const axes = [axis(-1, 1, 3, "x"), axis(-1, 1, 3, "y")];
  const frame = makeFrame({ left: 10, top: 10, width: 90, height: 90 }, gridExtent(axes));
  const surfaces = {
    train_loss: Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]),
    test_accuracy: Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]),
    curvature: Float32Array.from([9, 9, 9, 9, 9, 9, 9, 9, 9]),
  };

  it("finds the cell under the pointer, with the top row at the largest y", () => {
    expect(pickGridPoint(frame, axes, 11, 11)).toEqual({ ix: 0, iy: 2, index: 6, x: -1, y: 1 });
    expect(pickGridPoint(frame, axes, 55, 55)).toEqual({ ix: 1, iy: 1, index: 4, x: 0, y: 0 });
    expect(pickGridPoint(frame, axes, 99, 99)).toEqual({ ix: 2, iy: 0, index: 2, x: 1, y: -1 });
    expect(pickGridPoint(frame, axes, 41, 39)?.index).toBe(7); // just inside the top-middle cell
  });

  it("returns null outside the plot area", () => {
    expect(pickGridPoint(frame, axes, 5, 50)).toBeNull();
    expect(pickGridPoint(frame, axes, 50, 101)).toBeNull();
  });

  it("reads every known surface at the point", () => {
    expect(valuesAt(surfaces, 4)).toEqual({ train_loss: 4, test_accuracy: Math.fround(0.5) });
    expect(valuesAt(surfaces, 99)).toEqual({});
    const point = pickGridPoint(frame, axes, 55, 20);
    if (!point) throw new Error("expected a point");
    expect(pickedPoint(surfaces, point)).toEqual({
      x: 0,
      y: 1,
      values: { train_loss: 7, test_accuracy: Math.fround(0.8) },
    });
  });

  it("rejects a 1-D grid", () => {
    expect(() => pickGridPoint(frame, [axis(-1, 1, 3)], 50, 50)).toThrow(/2-D grid, got 1 axes/);
  });
});

describe("ticks and labels", () => {
  it("choose steps of 1, 2 or 5 times a power of ten inside the range", () => {
    expect(niceTicks(-1.05, 1.05, 5)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0.1, 0.35, 3)).toEqual([0.1, 0.2, 0.3]);
    expect(niceTicks(1, 1, 5)).toEqual([]);
    expect(niceTicks(Number.NaN, 1, 5)).toEqual([]);
  });

  it("format ticks with the decimals the step needs and a real minus sign", () => {
    expect(formatTick(0.5, 0.5)).toBe("0.5");
    expect(formatTick(-1, 0.5)).toBe("\u22121.0");
    expect(formatTick(2, 1)).toBe("2");
    expect(formatTick(-0.00001, 0.1)).toBe("0.0");
  });

  it("format readout values compactly", () => {
    expect(formatValue(0.012345)).toBe("0.01235");
    expect(formatValue(0.00001234)).toBe("1.234e\u22125");
    expect(formatValue(Number.NaN)).toBe("\u2014");
    expect(formatValue(-2)).toBe("\u22122");
  });
});
