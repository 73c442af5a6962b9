import { describe, expect, it } from "vitest";
import { configGrid, resolveConfig } from "../../src/core/config/resolve";
import { toExperimentConfig, toViewOptions } from "../../src/state/config-map";
import {
  axisKind,
  batchKind,
  booleanKind,
  enumKind,
  integerKind,
  intListKind,
  numberKind,
  optionalIntegerKind,
  optionalNumberKind,
} from "../../src/state/kinds";
import {
  defaultSettings,
  GROUPS,
  isActive,
  isShown,
  PROPERTIES,
  propertyOf,
  SETTING_KEYS,
} from "../../src/state/properties";

describe("the property table", () => {
  it("has short, unique, URL-safe keys and one entry per path", () => {
    for (const key of SETTING_KEYS) expect(key).toMatch(/^[a-z][a-z0-9]{0,6}$/);
    const paths = SETTING_KEYS.map((k) => propertyOf(k).path.join("."));
    expect(new Set(paths).size).toBe(paths.length);
  });

  it("gives every entry a label, a known group and a one-line help text", () => {
    for (const key of SETTING_KEYS) {
      const p = propertyOf(key);
      expect(p.label.length, key).toBeGreaterThan(0);
      expect(GROUPS, key).toContain(p.group);
      expect(p.help.length, key).toBeGreaterThan(0);
      expect(p.help, key).not.toContain("\n");
    }
  });

  it("has defaults that pass their own kind and read back from their own text", () => {
    for (const key of SETTING_KEYS) {
      const p = propertyOf(key) as {
        kind: { check(v: unknown): unknown; parse(t: string): unknown; format(v: unknown): string };
        default: unknown;
      };
      expect(p.kind.check(p.default), key).toEqual({ ok: true, value: p.default });
      expect(p.kind.parse(p.kind.format(p.default)), key).toEqual({ ok: true, value: p.default });
    }
  });

  it("defaults to a quick picture: 256 + 256 spiral points, MLP 32-32 ReLU, Adam 0.01, batch 32, 60 epochs, 41x41", () => {
    const c = resolveConfig(toExperimentConfig(defaultSettings()));
    expect(c.data).toMatchObject({ name: "spirals", trainCount: 256, testCount: 256 });
    expect(c.model).toMatchObject({ hiddenSizes: [32, 32], activation: "relu" });
    expect(c.training).toMatchObject({ optimizer: "adam", learningRate: 0.01, batchSize: 32, epochs: 60 });
    expect(c.directions).toMatchObject({ method: "random", normalization: "filter", bias: "zero" });
    expect(configGrid(c).axes.map(({ min, max, count }) => [min, max, count])).toEqual([
      [-1, 1, 41],
      [-1, 1, 41],
    ]);
  });

  it("defaults the view to train loss, log scale, exaggeration 1, clip 0.98, 12 contours, viridis", () => {
    expect(toViewOptions(defaultSettings())).toEqual({
      metric: "train_loss",
      logScale: true,
      exaggeration: 1,
      clipQuantile: 0.98,
      contours: 12,
      wireframe: false,
      colormap: "viridis",
    });
  });

  it("takes dataset-specific defaults from the dataset schema", () => {
    expect(PROPERTIES.factor.default).toBe(0.5);
    expect(PROPERTIES.arms.default).toBe(2);
    expect(PROPERTIES.coef.default).toEqual([0, -1, 0, 1]);
  });

  it("shows dataset-specific fields for their dataset only and optimizer fields for their optimizer", () => {
    const s = defaultSettings();
    expect(isActive("arms", s)).toBe(true);
    expect(isActive("factor", s)).toBe(false);
    expect(isActive("factor", { ds: "circles" })).toBe(true);
    expect(isShown("mom", s)).toBe(false);
    expect(isShown("mom", { ...s, opt: "momentum" })).toBe(true);
    expect(isShown("b1", s)).toBe(true);
  });

  it("has SAM off, no label noise and sharpness tracking off by default, with their papers in the help", () => {
    const s = defaultSettings();
    expect(s).toMatchObject({ sam: null, lnoise: 0, shp: 0, shps: 1024 });
    expect(PROPERTIES.sam.path).toEqual(["training", "sam", "rho"]);
    expect(PROPERTIES.sam.help).toMatch(/Foret et al\. 2021/);
    expect(PROPERTIES.shp.help).toMatch(/Cohen et al\. 2021/);
    expect(PROPERTIES.shps.advanced).toBe(true);
    expect(isActive("lnoise", s)).toBe(true);
    expect(isActive("lnoise", { ds: "polynomial" })).toBe(false);
  });

  it("returns fresh defaults each time, so editing one copy never changes the table", () => {
    const a = defaultSettings();
    a.hid.push(7);
    a.gx.count = 3;
    expect(defaultSettings().hid).toEqual([32, 32]);
    expect(PROPERTIES.gx.default.count).toBe(41);
  });
});

describe("value kinds", () => {
  it("read numbers in decimal or exponent form only", () => {
    const k = numberKind({ min: 0, max: 100, step: 0.1, minExclusive: true });
    expect(k.parse("0.02")).toEqual({ ok: true, value: 0.02 });
    expect(k.parse("1e-3")).toEqual({ ok: true, value: 0.001 });
    for (const bad of ["", " ", "0x10", "Infinity", "NaN", "1,5", "abc", "0", "101"]) {
      expect(k.parse(bad).ok, bad).toBe(false);
    }
  });

  it("reject non-finite and out-of-range numbers with the rule and the value", () => {
    const k = numberKind({ min: 0, max: 1, step: 0.01, maxExclusive: true });
    expect(k.check(1)).toEqual({ ok: false, message: "must be a number in [0, 1), got 1" });
    expect(k.check(Number.NaN).ok).toBe(false);
    expect(k.check(Number.POSITIVE_INFINITY).ok).toBe(false);
    expect(k.check("0.5").ok).toBe(false);
  });

  it("write -0 as 0 so that text round trips are exact", () => {
    const k = numberKind({ min: -1, max: 1, step: 0.1 });
    expect(k.format(-0)).toBe("0");
    expect(Object.is((k.check(-0) as { value: number }).value, 0)).toBe(true);
  });

  it("reject fractional integers and accept exponent-form integers", () => {
    const k = integerKind({ min: 1, max: 100 });
    expect(k.parse("1.5").ok).toBe(false);
    expect(k.parse("1e2")).toEqual({ ok: true, value: 100 });
  });

  it('read optional integers with "none" or empty text as null', () => {
    const k = optionalIntegerKind({ min: 0, max: 10 });
    expect(k.parse("none")).toEqual({ ok: true, value: null });
    expect(k.parse("")).toEqual({ ok: true, value: null });
    expect(k.format(null)).toBe("none");
    expect(k.parse("11").ok).toBe(false);
  });

  it('read optional numbers with "none" or empty text as null and keep the number rule', () => {
    const k = optionalNumberKind({ min: 0, max: 10, step: 0.01, minExclusive: true, suggested: 0.05 });
    expect(k.parse("none")).toEqual({ ok: true, value: null });
    expect(k.parse(" ")).toEqual({ ok: true, value: null });
    expect(k.parse("0.05")).toEqual({ ok: true, value: 0.05 });
    expect(k.parse("5e-2")).toEqual({ ok: true, value: 0.05 });
    expect(k.format(null)).toBe("none");
    expect(k.format(0.05)).toBe("0.05");
    expect(k.check(null)).toEqual({ ok: true, value: null });
    expect(k.parse("0")).toEqual({ ok: false, message: 'must be a number in (0, 10] or none, got "0"' });
    expect(k.check(Number.NaN).ok).toBe(false);
    expect(k.check(11)).toEqual({ ok: false, message: "must be a number in (0, 10] or none, got 11" });
    expect(k.parse("Infinity").ok).toBe(false);
    expect(k.suggested).toBe(0.05);
    expect(() => optionalNumberKind({ min: 0, max: 1, step: 0.1, minExclusive: true, suggested: 0 })).toThrow(
      /suggested 0 must be a number in \(0, 1\]/,
    );
  });

  it("read enums and booleans by their words", () => {
    expect(enumKind(["a", "b"] as const).parse("c")).toEqual({
      ok: false,
      message: 'must be one of a, b, got "c"',
    });
    expect(booleanKind().parse("true")).toEqual({ ok: true, value: true });
    expect(booleanKind().parse("0")).toEqual({ ok: true, value: false });
    expect(booleanKind().parse("maybe").ok).toBe(false);
  });

  it("read integer lists with commas or spaces, the empty text as the empty list", () => {
    const k = intListKind({ min: 1, max: 4096, maxLength: 3 });
    expect(k.parse("64, 64")).toEqual({ ok: true, value: [64, 64] });
    expect(k.parse("16 8")).toEqual({ ok: true, value: [16, 8] });
    expect(k.parse("")).toEqual({ ok: true, value: [] });
    expect(k.format([])).toBe("");
    expect(k.parse("64,,64").ok).toBe(false);
    expect(k.parse("0").ok).toBe(false);
    expect(k.parse("1,2,3,4").ok).toBe(false);
  });

  it('read grid axes as "min,max,count", and "none" only when the axis may be absent', () => {
    const x = axisKind({ nullable: false, bound: 10, maxCount: 100 });
    const y = axisKind({ nullable: true, bound: 10, maxCount: 100 });
    expect(x.parse("-2,2,11")).toEqual({ ok: true, value: { min: -2, max: 2, count: 11 } });
    expect(x.parse("none").ok).toBe(false);
    expect(y.parse("none")).toEqual({ ok: true, value: null });
    expect(x.parse("1,1,11").ok).toBe(false); // min must be below max
    expect(x.parse("-1,1,1").ok).toBe(false);
    expect(x.parse("-11,1,5").ok).toBe(false);
    expect(x.check({ min: -1, max: 1, count: 5, extra: 1 }).ok).toBe(false);
  });

  it('take "full" or a positive integer as a batch size', () => {
    const k = batchKind({ min: 1, max: 1000 });
    expect(k.parse("full")).toEqual({ ok: true, value: "full" });
    expect(k.parse("32")).toEqual({ ok: true, value: 32 });
    expect(k.parse("0").ok).toBe(false);
    expect(k.parse("half").ok).toBe(false);
  });
});
