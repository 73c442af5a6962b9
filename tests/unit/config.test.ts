import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configGrid, resolveConfig } from "../../src/core/config/resolve";
import { PRODUCER_NAME, PRODUCER_VERSION } from "../../src/core/producer";
import { deriveSeed } from "../../src/core/rng";

describe("experiment config", () => {
  it("fills every default from an empty config: spirals, 2-64-64-2 ReLU, Adam, filter-normalized 51x51 plane", () => {
    const c = resolveConfig({});
    expect(c.data.name).toBe("spirals");
    expect(c.data.trainCount).toBe(512);
    expect(c.model).toMatchObject({ hiddenSizes: [64, 64], activation: "relu" });
    expect(c.training.optimizer).toBe("adam");
    expect(c.directions).toMatchObject({ normalization: "filter", bias: "zero" });
    expect(configGrid(c).axes.map((a) => a.count)).toEqual([51, 51]);
  });

  it("makes every seed explicit, derived from the top-level seed unless given", () => {
    const c = resolveConfig({ seed: 7, training: { seed: 99 } });
    expect(c.data.seed).toBe(deriveSeed(7, "data"));
    expect(c.model.seed).toBe(deriveSeed(7, "init"));
    expect(c.training.seed).toBe(99);
    expect(c.directions.seeds).toEqual([deriveSeed(7, "direction-x"), deriveSeed(7, "direction-y")]);
    expect(resolveConfig(c)).toEqual(c); // a resolved config resolves to itself
  });

  it("leaves SAM, label noise and sharpness tracking off by default, and keeps them when given", () => {
    const c = resolveConfig({});
    expect(c.training.sam).toBeUndefined();
    expect(c.training).toMatchObject({ sharpnessEvery: 0, sharpnessSamples: 1024 });
    expect(c.data).not.toHaveProperty("labelNoise");
    const on = resolveConfig({
      data: { name: "spirals", labelNoise: 0.1 },
      training: { optimizer: "sgd", batchSize: "full", sam: { rho: 0.05 }, sharpnessEvery: 10 },
    });
    expect(on.training).toMatchObject({ sam: { rho: 0.05 }, sharpnessEvery: 10, batchSize: "full" });
    expect(on.data).toMatchObject({ labelNoise: 0.1 });
    expect(resolveConfig(on)).toEqual(on);
  });

  it("gives a 1-D landscape one axis and one direction seed when grid.y is null", () => {
    const c = resolveConfig({ grid: { y: null } });
    expect(configGrid(c).axes).toHaveLength(1);
    expect(c.directions.seeds).toHaveLength(1);
  });

  const bad: [string, unknown, RegExp][] = [
    [
      "an unknown dataset",
      { data: { name: "mnist3d" } },
      /data\.name: unknown dataset "mnist3d"; expected one of moons/,
    ],
    ["an unknown activation", { model: { activation: "swish" } }, /model\.activation: .*"relu"/],
    ["a zero hidden size", { model: { hiddenSizes: [8, 0] } }, /model\.hiddenSizes\[1\]: .*>=1/],
    ["a negative hidden size", { model: { hiddenSizes: [-3] } }, /model\.hiddenSizes\[0\]/],
    ["a zero training count", { data: { name: "moons", trainCount: 0 } }, /data\.trainCount/],
    ["grid count 1", { grid: { x: { count: 1 } } }, /grid\.x\.count: .*>=2/],
    [
      "a grid too large for memory",
      { grid: { x: { count: 2001 }, y: { count: 2001 } } },
      /grid: 4004001 points is too large/,
    ],
    [
      "min >= max",
      { grid: { y: { min: 1, max: 1 } } },
      /grid\.y\.min: y\.min \(1\) must be less than y\.max \(1\)/,
    ],
    ["a typo key", { trainng: {} }, /Unrecognized key.*"trainng"/i],
    ["a negative learning rate", { training: { learningRate: -1 } }, /training\.learningRate/],
    ["a zero SAM rho", { training: { sam: { rho: 0 } } }, /training\.sam\.rho: .*>0, got 0/],
    ["a negative SAM rho", { training: { sam: { rho: -0.05 } } }, /training\.sam\.rho/],
    ["a SAM section without rho", { training: { sam: {} } }, /training\.sam\.rho/],
    [
      "label noise of 1",
      { data: { name: "moons", labelNoise: 1 } },
      /data\.labelNoise: must be a number in \[0, 1\), got 1/,
    ],
    ["negative label noise", { data: { name: "moons", labelNoise: -0.1 } }, /data\.labelNoise: .*got -0\.1/],
    [
      "label noise on a regression dataset",
      { data: { name: "sine", labelNoise: 0.2 } },
      /data\.labelNoise: applies to classification datasets only/,
    ],
    ["a negative sharpnessEvery", { training: { sharpnessEvery: -1 } }, /training\.sharpnessEvery: .*>=0/],
    ["a fractional sharpnessEvery", { training: { sharpnessEvery: 2.5 } }, /training\.sharpnessEvery/],
    ["zero sharpnessSamples", { training: { sharpnessSamples: 0 } }, /training\.sharpnessSamples: .*>=1/],
    ["a non-integer seed", { seed: 1.5 }, /seed: .*int/i],
    [
      "the wrong number of direction seeds",
      { grid: { y: null }, directions: { seeds: [1, 2] } },
      /directions\.seeds: expected 1 seed/,
    ],
  ];
  for (const [what, input, message] of bad) {
    it(`rejects ${what} with a message naming the field`, () => {
      expect(() => resolveConfig(input)).toThrow(message);
    });
  }

  it("rejects grid ranges beyond float32 and PCA planes that cannot work, before any training", () => {
    expect(() => resolveConfig({ grid: { x: { min: -1e308, max: 1e308 } } })).toThrow(
      /grid\.x\.min: .*-3\.4028/,
    );
    expect(() => resolveConfig({ directions: { method: "pca" }, grid: { y: null } })).toThrow(
      /pca needs a 2-D grid/,
    );
    expect(() =>
      resolveConfig({ directions: { method: "pca" }, training: { epochs: 10, checkpointEvery: 10 } }),
    ).toThrow(/pca needs at least 3 checkpoints; training.epochs 10 with checkpointEvery 10 gives 2/);
    expect(
      resolveConfig({ directions: { method: "pca" }, training: { epochs: 10, checkpointEvery: 4 } })
        .directions.method,
    ).toBe("pca");
  });

  it("lists every problem at once", () => {
    expect(() => resolveConfig({ seed: -1, model: { activation: "nope" }, data: { name: "x" } })).toThrow(
      /3 problems/,
    );
  });

  it("rejects a config that is not an object", () => {
    expect(() => resolveConfig("spirals")).toThrow(/invalid config/);
    expect(() => resolveConfig(null)).toThrow(/invalid config/);
  });
});

describe("producer", () => {
  it("states the name and version package.json has", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(PRODUCER_NAME).toBe(pkg.name);
    expect(PRODUCER_VERSION).toBe(pkg.version);
  });
});
