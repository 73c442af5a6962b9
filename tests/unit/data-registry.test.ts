import { describe, expect, it, vi } from "vitest";
import type { DataSplit } from "../../src/core/data/types";
import type { Rng } from "../../src/core/rng";

/**
 * A generated dataset is one definition plus one registry line (issue 15): this file registers a
 * fixture dataset, "rings", in the test alone (the registry module with one more line) and finds
 * it everywhere the registry is read: parseDatasetSpec, makeDataset, the experiment config, and
 * the app's dataset menu, its own control and the URL in src/state. Nothing in src/ names it.
 */

/** k concentric rings, class c at radius (c + 1) / k, plus N(0, noise^2) per coordinate. */
const fixture = vi.hoisted(() => ({
  generate(n: number, spec: { rings: number; noise: number }, rng: Rng): DataSplit {
    const x = new Float32Array(2 * n);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const label = i % spec.rings;
      const radius = (label + 1) / spec.rings;
      const angle = 2 * Math.PI * rng.next();
      x[2 * i] = radius * Math.cos(angle) + spec.noise * rng.normal();
      x[2 * i + 1] = radius * Math.sin(angle) + spec.noise * rng.normal();
      y[i] = label;
    }
    return { x, y, count: n };
  },
}));

vi.mock("../../src/core/data/registry", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/core/data/registry")>();
  const { defineDataset, integerField } = await import("../../src/core/data/fields");
  const ringsDataset = defineDataset({
    label: "Rings",
    task: "classification",
    inputSize: 2,
    outputSize: (spec) => spec.rings,
    noise: 0.05,
    fields: {
      rings: integerField({ min: 2, max: 6, default: 3, label: "Rings", help: "number of rings = classes" }),
    },
    generate: fixture.generate,
  });
  // The one registry line.
  return { ...actual, GENERATED_DATASETS: { ...actual.GENERATED_DATASETS, rings: ringsDataset } };
});

import { resolveConfig } from "../../src/core/config/resolve";
import { COMMON_FIELDS, numberField, numberListField } from "../../src/core/data/fields";
import { datasetShape, makeDataset } from "../../src/core/data/make";
import { type DatasetSpec, parseDatasetSpec } from "../../src/core/data/spec";
import { validateDataset } from "../../src/core/data/validate";
import { fromExperimentConfig, toExperimentConfig } from "../../src/state/config-map";
import { fieldKind } from "../../src/state/kinds";
import {
  CLASSIFICATION_DATASETS,
  defaultSettings,
  isActive,
  PROPERTIES,
  propertyOf,
  SETTING_KEYS,
  type SettingKey,
  type Settings,
} from "../../src/state/properties";
import { decodeHash } from "../../src/state/url";

/** The fixture's URL key and spec, which the static SettingKey and DatasetSpec types do not know. */
const RINGS = "rings" as SettingKey;
const rings = (input: Record<string, unknown> = {}): DatasetSpec =>
  parseDatasetSpec({ name: "rings", ...input });

describe("a dataset registered by one registry line", () => {
  it("is accepted by parseDatasetSpec, which fills in its field's default and the common ones", () => {
    expect(rings()).toEqual({ name: "rings", trainCount: 512, testCount: 512, rings: 3, noise: 0.05 });
    expect(rings({ rings: 6, labelNoise: 0.2, seed: 9 })).toMatchObject({
      rings: 6,
      labelNoise: 0.2,
      seed: 9,
    });
  });

  it("has its field's bounds in the spec's messages, and is listed among the known names", () => {
    for (const bad of [1, 7, 2.5]) {
      expect(() => rings({ rings: bad })).toThrow(
        new RegExp(`data\\.rings: must be an integer in \\[2, 6\\], got ${bad}`),
      );
    }
    expect(() => rings({ arms: 3 })).toThrow(
      /unknown field "arms" for dataset "rings"; expected only name, trainCount, testCount, seed, rings, noise, labelNoise/,
    );
    expect(() => parseDatasetSpec({ name: "ringz" })).toThrow(
      /expected one of moons, circles, spirals, xor, blobs, sine, polynomial, rings, iris, digits, file/,
    );
    expect(() => rings({ trainCount: 600_000, testCount: 500_000 })).toThrow(/at most 1000000/);
  });

  it("is made by makeDataset from its generator, with the shape its definition gives", () => {
    const spec = rings({ rings: 4, trainCount: 40, testCount: 8 });
    expect(datasetShape(spec)).toEqual({ task: "classification", inputSize: 2, outputSize: 4, classes: 4 });
    const data = makeDataset(spec, 1);
    expect(data).toMatchObject({
      name: "rings",
      task: "classification",
      inputSize: 2,
      outputSize: 4,
      classes: 4,
    });
    expect([data.train.count, data.test.count]).toEqual([40, 8]);
    expect(() => validateDataset(data)).not.toThrow();
    expect(new Set(data.train.y)).toEqual(new Set([0, 1, 2, 3]));
    expect(makeDataset(spec, 1).train.x).toEqual(data.train.x);
    expect(makeDataset(spec, 2).train.x).not.toEqual(data.train.x);
  });

  it("takes label noise as a classification dataset", () => {
    const data = makeDataset(rings({ trainCount: 30, testCount: 0, labelNoise: 0.2 }), 1);
    expect(data.labelNoise).toEqual({ fraction: 0.2, changed: 6 });
  });

  it("appears in the app's dataset menu, with its label and its task in the help", () => {
    const ds = PROPERTIES.ds.kind;
    expect(ds.options).toEqual([
      "moons",
      "circles",
      "spirals",
      "xor",
      "blobs",
      "sine",
      "polynomial",
      "rings",
    ]);
    expect(ds.labels).toMatchObject({ spirals: "Spirals", rings: "Rings" });
    expect(ds.parse("rings")).toEqual({ ok: true, value: "rings" });
    expect(PROPERTIES.ds.help).toBe(
      "moons, circles, spirals, xor, blobs, rings: 2-D classification; sine, polynomial: 1-D regression",
    );
    expect(CLASSIFICATION_DATASETS).toContain("rings");
  });

  it("gets a control for its own field, with the field's bounds and default, shown for it alone", () => {
    expect(SETTING_KEYS.slice(SETTING_KEYS.indexOf("coef"), SETTING_KEYS.indexOf("coef") + 3)).toEqual([
      "coef",
      "rings",
      "dseed",
    ]);
    const entry = propertyOf(RINGS);
    expect(entry).toMatchObject({
      path: ["data", "rings"],
      default: 3,
      label: "Rings",
      group: "Data",
      help: "number of rings = classes",
      datasets: ["rings"],
    });
    expect(entry.kind).toMatchObject({ type: "integer", min: 2, max: 6, rule: "an integer in [2, 6]" });
    const onRings = { ds: "rings" } as unknown as Settings;
    expect(isActive(RINGS, onRings)).toBe(true);
    expect(isActive(RINGS, defaultSettings())).toBe(false);
    expect(isActive("lnoise", onRings)).toBe(true);
    expect(isActive("arms", onRings)).toBe(false);
  });

  it("runs from a URL through the experiment config, and back from a config to the controls", () => {
    const { values, problems } = decodeHash("#ds=rings&rings=5&noise=0.2");
    expect(problems).toEqual([]);
    const settings = { ...defaultSettings(), ...values } as Settings;
    const config = toExperimentConfig(settings);
    expect(config.data).toEqual({ name: "rings", trainCount: 256, testCount: 256, noise: 0.2, rings: 5 });
    expect(resolveConfig(config).data).toMatchObject({ name: "rings", rings: 5 });
    expect(fromExperimentConfig({ data: { name: "rings", rings: 4 } })).toMatchObject({
      values: { ds: "rings", rings: 4, noise: 0.05 },
      problems: [],
    });
    expect(decodeHash("#rings=7").problems).toEqual([
      'URL key "rings" (Rings): must be an integer in [2, 6], got "7"; ignored',
    ]);
  });
});

describe("a field's control kind", () => {
  it("takes the field's bounds, exclusivity included, where the control gives none", () => {
    expect(fieldKind(COMMON_FIELDS.labelNoise)).toMatchObject({
      min: 0,
      max: 1,
      maxExclusive: true,
      step: 0.05,
    });
    expect(fieldKind(COMMON_FIELDS.trainCount)).toMatchObject({
      type: "integer",
      min: 1,
      max: 1_000_000,
      step: 32,
    });
  });

  it("takes the control's tighter max for a field the schema leaves unbounded", () => {
    const turns = numberField({
      min: 0,
      minExclusive: true,
      label: "Turns",
      help: "-",
      control: { max: 10 },
    });
    expect(fieldKind(turns)).toMatchObject({
      min: 0,
      max: 10,
      minExclusive: true,
      maxExclusive: false,
      step: 0.01,
    });
    expect(fieldKind(turns).rule).toBe("a number in (0, 10]");
  });

  it("refuses a field with no upper bound anywhere, naming it", () => {
    const open = numberField({ min: 0, label: "Open", help: "-" });
    expect(() => fieldKind(open)).toThrow(/dataset field "Open" has no upper bound: give its control a max/);
    const list = numberListField({ minLength: 1, maxLength: 3, label: "List", help: "-" });
    expect(() => fieldKind(list)).toThrow(/dataset field "List" takes any finite numbers/);
  });
});
