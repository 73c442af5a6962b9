import { describe, expect, it } from "vitest";
import { formatValue, gradientCss, legendTicks, metricTitle } from "../../src/scene/format";
import { fitScale } from "../../src/scene/scale";

describe("formatValue", () => {
  it("writes compact numbers with exponents for very small and large values", () => {
    expect(formatValue(0.01234)).toBe("0.012");
    expect(formatValue(0.00013)).toBe("1.3e-4");
    expect(formatValue(1.3)).toBe("1.3");
    expect(formatValue(2)).toBe("2");
    expect(formatValue(123456)).toBe("1.2e5");
    expect(formatValue(-0.5)).toBe("-0.5");
    expect(formatValue(0)).toBe("0");
    expect(formatValue(0.012345, 4)).toBe("0.01235");
    expect(formatValue(Number.NaN)).toBe("—");
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe("∞");
  });
});

describe("legendTicks", () => {
  it("spreads ticks evenly from the bottom to the top of the scale", () => {
    const s = fitScale([new Float32Array([0, 1])], { log: false, clipQuantile: 1 });
    expect(legendTicks(s, 5).map((t) => [t.t, t.label])).toEqual([
      [0, "0"],
      [0.25, "0.25"],
      [0.5, "0.5"],
      [0.75, "0.75"],
      [1, "1"],
    ]);
  });

  it("labels log scales with values, not logarithms", () => {
    const s = fitScale([new Float32Array([0.001, 10])], { log: true, clipQuantile: 1 });
    expect(
      legendTicks(fitScale([new Float32Array([1e-6, 1e-4])], { log: true, clipQuantile: 1 }), 3).map(
        (t) => t.label,
      ),
    ).toEqual(["1e-6", "1e-5", "1e-4"]);
    expect(legendTicks(s, 5).map((t) => t.label)).toEqual(["0.001", "0.01", "0.1", "1", "10"]);
  });

  it("adds digits until neighbouring labels differ", () => {
    const s = fitScale([new Float32Array([1.001, 1.005])], { log: false, clipQuantile: 1 });
    const labels = legendTicks(s, 5).map((t) => t.label);
    expect(new Set(labels).size).toBe(5);
  });
});

describe("legend helpers", () => {
  it("build a CSS gradient from the colormap and a readable title", () => {
    const css = gradientCss("viridis", 4);
    expect(css.startsWith("linear-gradient(to right, rgb(68, 1, 84) 0.0%")).toBe(true);
    expect(css.endsWith("rgb(253, 231, 37) 100.0%)")).toBe(true);
    expect(metricTitle("test_accuracy")).toBe("test accuracy");
  });
});
