import { interpolateMagma, interpolateViridis } from "d3-scale-chromatic";
import { describe, expect, it } from "vitest";
import {
  COLORMAP_NAMES,
  type ColormapName,
  colorAt,
  colormapLut,
  fitScale,
  parseColor,
  selectKth,
} from "../../src/scene/scale";

describe("fitScale", () => {
  it("maps the finite range linearly onto [0, 1]", () => {
    const s = fitScale([new Float32Array([2, 4, Number.NaN, 10])], { log: false, clipQuantile: 1 });
    expect([s.lo, s.hi, s.log]).toEqual([2, 10, false]);
    expect(s.normalize(2)).toBe(0);
    expect(s.normalize(6)).toBe(0.5);
    expect(s.normalize(10)).toBe(1);
    expect(s.normalize(-100)).toBe(0);
  });

  it("maps decades evenly on a log scale", () => {
    const s = fitScale([new Float32Array([0.001, 0.01, 0.1, 1])], { log: true, clipQuantile: 1 });
    // float32 inputs: 0.001 is stored as 0.0010000000474974513
    expect(s.lo).toBeCloseTo(-3, 6);
    expect(s.hi).toBeCloseTo(0, 9);
    expect(s.normalize(0.01)).toBeCloseTo(1 / 3, 6);
    expect(s.invert(2 / 3)).toBeCloseTo(0.1, 6);
  });

  it("clips values above the quantile to 1", () => {
    const values = new Float32Array(101).map((_, i) => i);
    const s = fitScale([values], { log: false, clipQuantile: 0.9 });
    expect(s.hi).toBe(90);
    expect(s.normalize(95)).toBe(1);
    expect(s.normalize(45)).toBe(0.5);
  });

  it("turns NaN and infinities into NaN", () => {
    for (const log of [false, true]) {
      const s = fitScale([new Float32Array([1, 2])], { log, clipQuantile: 1 });
      expect(s.normalize(Number.NaN)).toBeNaN();
      expect(s.normalize(Number.POSITIVE_INFINITY)).toBeNaN();
      expect(s.normalize(Number.NEGATIVE_INFINITY)).toBeNaN();
    }
  });

  it("puts zero and negative values at the bottom of a log scale", () => {
    const s = fitScale([new Float32Array([0.1, 1])], { log: true, clipQuantile: 1 });
    expect(s.normalize(0)).toBe(0);
    expect(s.normalize(-1)).toBe(0);
  });

  it("inverts normalize inside the range", () => {
    const values = new Float32Array([0.02, 0.3, 1.7, 4, 9.5]);
    for (const log of [false, true]) {
      const s = fitScale([values], { log, clipQuantile: 1 });
      for (const v of [0.02, 0.05, 0.3, 1, 4, 9.5]) expect(s.invert(s.normalize(v))).toBeCloseTo(v, 5);
    }
  });

  it("shares one range across several surfaces", () => {
    const s = fitScale([new Float32Array([1, 2]), new Float32Array([0.5, 3])], {
      log: false,
      clipQuantile: 1,
    });
    expect([s.lo, s.hi]).toEqual([0.5, 3]);
  });

  it("keeps a non-empty range for constant, empty and all-NaN surfaces", () => {
    const constant = fitScale([new Float32Array([5, 5, 5])], { log: false, clipQuantile: 1 });
    expect(constant.hi).toBeGreaterThan(constant.lo);
    expect(constant.normalize(5)).toBe(0);
    const empty = fitScale([new Float32Array(0)], { log: false, clipQuantile: 1 });
    expect([empty.lo, empty.hi]).toEqual([0, 1]);
    const nan = fitScale([new Float32Array([Number.NaN])], { log: true, clipQuantile: 0.5 });
    expect([nan.lo, nan.hi]).toEqual([0, 1]);
  });
});

describe("colormapLut", () => {
  it("holds 256 RGB entries from the colormap's first to its last colour", () => {
    for (const [name, interpolate] of [
      ["viridis", interpolateViridis],
      ["magma", interpolateMagma],
    ] as const) {
      const lut = colormapLut(name);
      expect(lut.length).toBe(256 * 3);
      expect(Array.from(lut.subarray(0, 3))).toEqual(parseColor(interpolate(0)));
      expect(Array.from(lut.subarray(255 * 3))).toEqual(parseColor(interpolate(1)));
    }
    expect(Array.from(colormapLut("viridis").subarray(0, 3))).toEqual([68, 1, 84]);
  });

  it("builds every listed colormap once and caches it", () => {
    for (const name of COLORMAP_NAMES) expect(colormapLut(name)).toBe(colormapLut(name));
    expect(() => colormapLut("rainbow" as ColormapName)).toThrow(/unknown colormap "rainbow"/);
  });

  it("gives null for NaN and clamps t in colorAt", () => {
    const lut = colormapLut("viridis");
    expect(colorAt(lut, Number.NaN)).toBeNull();
    expect(colorAt(lut, -1)).toEqual([68, 1, 84]);
    expect(colorAt(lut, 2)).toEqual(Array.from(lut.subarray(765)));
  });
});

describe("parseColor", () => {
  it("reads rgb() and #rrggbb and rejects anything else", () => {
    expect(parseColor("rgb(68, 1, 84)")).toEqual([68, 1, 84]);
    expect(parseColor("rgb(1,2,3)")).toEqual([1, 2, 3]);
    expect(parseColor("#fde725")).toEqual([253, 231, 37]);
    expect(parseColor("#FDE725")).toEqual([253, 231, 37]);
    expect(() => parseColor("red")).toThrow(/cannot parse colour "red"/);
    expect(() => parseColor("#fff")).toThrow(/cannot parse colour/);
  });
});

describe("log scales with zero values", () => {
  it("fit the range to the positive values and put zeros at the bottom", () => {
    const s = fitScale([new Float32Array([0, 0.01, 0.1, 1])], { log: true, clipQuantile: 1 });
    expect(s.lo).toBeCloseTo(-2, 6); // float32 0.01
    expect(s.hi).toBeCloseTo(0, 10);
    expect(s.normalize(0)).toBe(0);
    expect(s.normalize(-1)).toBe(0);
    expect(s.normalize(0.1)).toBeCloseTo(0.5, 6);
    expect(s.normalize(Number.NaN)).toBeNaN();
  });
});

describe("the quantile of fitScale", () => {
  /** The range as the sort-based fit made it: lo = smallest, hi = the quantile's order statistic. */
  function sortedRange(values: Float32Array, log: boolean, q: number): [number, number] {
    const t = Array.from(values, (v) => (log ? (v > 0 ? Math.log10(v) : Number.NaN) : v))
      .filter((v) => Number.isFinite(v))
      .sort((a, b) => a - b);
    return [t[0], t[Math.min(t.length - 1, Math.floor(q * (t.length - 1)))]];
  }

  it("is the element a numeric sort puts at that rank, also with ties, clusters and signed zeros", () => {
    let seed = 11;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let trial = 0; trial < 500; trial++) {
      const n = 1 + Math.floor(random() * 300);
      const kind = trial % 4;
      const values = new Float64Array(n).map(() =>
        kind === 0
          ? random() * 10 - 5
          : kind === 1
            ? Math.floor(random() * 4) // many ties
            : kind === 2
              ? 1 + random() * 1e-9 * (random() < 0.9 ? 0 : 1) // one tight cluster
              : random() < 0.5
                ? -0
                : 0,
      );
      const sorted = Float64Array.from(values).sort();
      const k = Math.floor(random() * n);
      const copy = Float64Array.from(values);
      expect(selectKth(copy, n, k)).toBe(sorted[k]);
      expect(copy).toEqual(values); // not reordered
    }
    expect(() => selectKth(new Float64Array(3), 3, 3)).toThrow(/rank 3 is outside 0..2/);
  });

  it("gives the same range as sorting the transformed values", () => {
    const values = new Float32Array(201 * 201).map(
      (_, i) => Math.exp(Math.sin(i * 0.37) * 4) * (i % 97 ? 1 : -1),
    );
    values[5] = Number.NaN;
    values[6] = Number.POSITIVE_INFINITY;
    for (const log of [false, true])
      for (const q of [1, 0.98, 0.5]) {
        const s = fitScale([values], { log, clipQuantile: q });
        expect([s.lo, s.hi]).toEqual(sortedRange(values, log, q));
      }
  });
});
