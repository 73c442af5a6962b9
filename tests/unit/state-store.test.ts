import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { deriveSeed } from "../../src/core/rng";
import { fromExperimentConfig } from "../../src/state/config-map";
import { defaultSettings } from "../../src/state/properties";
import { createAppStore, MAX_MESSAGES, selectViewOptions } from "../../src/state/store";
import type { LandscapeView } from "../../src/state/types";

const presetFolder = new URL("../../public/presets/", import.meta.url);
const presetFiles = readdirSync(presetFolder).filter((f) => f.endsWith(".json"));
const readPreset = (file: string): unknown => JSON.parse(readFileSync(new URL(file, presetFolder), "utf8"));

describe("store settings", () => {
  it("start at the defaults, which resolveConfig accepts", () => {
    const store = createAppStore();
    expect(store.getState().settings).toEqual(defaultSettings());
    expect(() => resolveConfig(store.getState().toExperimentConfig())).not.toThrow();
  });

  it("set() stores a valid value and forgets the preset name", () => {
    const store = createAppStore();
    store.getState().applyPreset("default", readPreset("default.json"));
    expect(store.getState().presetName).toBe("default");
    expect(store.getState().set("lr", 0.05)).toEqual({ ok: true });
    expect(store.getState().settings.lr).toBe(0.05);
    expect(store.getState().presetName).toBeNull();
  });

  it("set() rejects an out-of-range value with a message naming the setting and leaves the state unchanged", () => {
    const store = createAppStore();
    const before = store.getState().settings;
    const result = store.getState().set("lr", 0);
    expect(result).toEqual({ ok: false, message: "Learning rate (lr): must be a number in (0, 100], got 0" });
    expect(store.getState().settings).toBe(before);
    expect(store.getState().set("ep", 1.5).ok).toBe(false);
    expect(store.getState().set("hid", [0]).ok).toBe(false);
    expect(store.getState().set("ds", "mnist" as never).ok).toBe(false);
    expect(store.getState().settings).toBe(before);
  });

  it("set() rejects values that break a rule across fields (train + test points, grid size)", () => {
    const store = createAppStore();
    const before = store.getState().settings;
    const points = store.getState().set("n", 999_999);
    expect(points.ok).toBe(false);
    expect(!points.ok && points.message).toMatch(
      /Train points \(n\) = 999999: .*trainCount \+ testCount must be at most 1000000/,
    );
    const grid = store.getState().set("gx", { min: -1, max: 1, count: 2001 });
    expect(grid.ok).toBe(true); // 2001 x 41 is fine
    const big = store.getState().set("gy", { min: -1, max: 1, count: 2001 });
    expect(!big.ok && big.message).toMatch(/too large/);
    expect(store.getState().settings.gy).toEqual(before.gy);
  });

  it("set() refuses a PCA plane on a 1-D grid, and setMany() applies values that only work together", () => {
    const store = createAppStore();
    expect(store.getState().set("gy", null).ok).toBe(true);
    const pca = store.getState().set("dir", "pca");
    expect(!pca.ok && pca.message).toMatch(/pca needs a 2-D grid/);
    const problems = store.getState().setMany({ dir: "pca", gy: { min: -1, max: 1, count: 21 } });
    expect(problems).toEqual([]);
    expect(store.getState().settings).toMatchObject({ dir: "pca", gy: { count: 21 } });
  });

  it("setMany() applies the valid values, skips the bad ones and posts each problem", () => {
    const store = createAppStore();
    const problems = store.getState().setMany({ lr: 0.3, ep: -1, nope: 1 }, "test");
    expect(store.getState().settings.lr).toBe(0.3);
    expect(store.getState().settings.ep).toBe(60);
    expect(problems).toEqual([
      'unknown setting "nope"',
      "Epochs (ep): must be an integer in [0, 100000], got -1",
    ]);
    expect(store.getState().messages.map((m) => m.text)).toEqual(problems.map((p) => `test: ${p}`));
  });

  it("setMany() with nothing new keeps the same settings object", () => {
    const store = createAppStore();
    const before = store.getState().settings;
    store.getState().setMany({ lr: 0.01, hid: [32, 32] });
    expect(store.getState().settings).toBe(before);
  });

  it("resetSettings() goes back to the defaults plus the given values", () => {
    const store = createAppStore();
    store.getState().setMany({ lr: 0.3, ds: "moons" });
    store.getState().resetSettings({ ep: 5 });
    expect(store.getState().settings).toEqual({ ...defaultSettings(), ep: 5 });
  });

  it("drops the fields of other datasets from the experiment config when the dataset changes", () => {
    const store = createAppStore();
    store.getState().setMany({ ds: "circles", factor: 0.3 });
    expect(store.getState().toExperimentConfig().data).toMatchObject({ name: "circles", factor: 0.3 });
    expect(store.getState().toExperimentConfig().data).not.toHaveProperty("arms");
    store.getState().set("ds", "moons");
    const data = store.getState().toExperimentConfig().data as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual(["name", "noise", "testCount", "trainCount"]);
    expect(resolveConfig(store.getState().toExperimentConfig()).data.name).toBe("moons");
    store.getState().set("ds", "circles"); // the value is kept for when the dataset comes back
    expect(store.getState().toExperimentConfig().data).toMatchObject({ factor: 0.3 });
  });

  it("leaves absent seeds to resolveConfig and derives the missing direction seed like it does", () => {
    const store = createAppStore();
    expect(store.getState().toExperimentConfig()).not.toHaveProperty("data.seed");
    store.getState().setMany({ seed: 9, yseed: 77 });
    const c = resolveConfig(store.getState().toExperimentConfig());
    expect(c.directions.seeds).toEqual([deriveSeed(9, "direction-x"), 77]);
    store.getState().set("gy", null);
    expect(resolveConfig(store.getState().toExperimentConfig()).directions.seeds).toEqual([
      deriveSeed(9, "direction-x"),
    ]);
  });
});

/**
 * Presets on data read from files (iris, digits) or with a model kind other than the MLP (cnn,
 * layers) have no controls yet: the property table holds the synthetic datasets and MLPs only.
 */
const beyondControls = (file: string): boolean => {
  const p = readPreset(file) as { data?: { name?: string }; model?: { kind?: string } };
  return ["iris", "digits", "file"].includes(p.data?.name ?? "") || (p.model?.kind ?? "mlp") !== "mlp";
};

describe("applyPreset", () => {
  it.each(presetFiles.filter(beyondControls))("reports that the controls cannot hold %s yet", (file) => {
    const store = createAppStore();
    const problems = store.getState().applyPreset(file.replace(/\.json$/, ""), readPreset(file));
    expect(problems.join("\n")).toMatch(/Dataset "(iris|digits|file)": the controls take one of moons/);
  });

  it.each(presetFiles.filter((f) => !beyondControls(f)))(
    "maps %s onto the settings so that the resolved config is the preset's",
    (file) => {
      const preset = readPreset(file);
      const store = createAppStore();
      store.getState().setMany({ ds: "blobs", classes: 5, lr: 3, yseed: 4, metric: "test_loss" });
      const problems = store.getState().applyPreset(file.replace(/\.json$/, ""), preset);
      expect(problems).toEqual([]);
      // A `paths` section has no controls: picking such a preset runs it directly (lab.runPaths);
      // nor has a `race` section: the preset picker runs a race as written (presets.ts).
      const { paths: _paths, race: _race, ...expected } = resolveConfig(preset);
      expect(resolveConfig(store.getState().toExperimentConfig())).toEqual(expected);
      expect(store.getState().settings.metric).toBe("test_loss"); // view settings are not the preset's
      expect(store.getState().settings.yseed).toBeNull();
    },
  );

  it("maps the schema's own defaults for keys a config leaves out", () => {
    const { values } = fromExperimentConfig({ data: { name: "moons" } });
    expect(values).toMatchObject({
      ds: "moons",
      n: 512,
      nt: 512,
      noise: 0.1,
      hid: [64, 64],
      ep: 100,
      seed: 0,
    });
    expect(values.gx).toEqual({ min: -1, max: 1, count: 51 });
  });

  it("keeps seeds the config gives explicitly", () => {
    const config = { seed: 5, model: { seed: 11 }, directions: { seeds: [1, 2] } };
    const store = createAppStore();
    store.getState().applyPreset("x", config);
    expect(store.getState().settings).toMatchObject({ seed: 5, iseed: 11, xseed: 1, yseed: 2, dseed: null });
    expect(resolveConfig(store.getState().toExperimentConfig())).toEqual(resolveConfig(config));
  });

  it("applies nothing from an invalid config and posts its problems as errors", () => {
    const store = createAppStore();
    const before = store.getState().settings;
    const problems = store.getState().applyPreset("broken", { training: { learningRate: -1 } });
    expect(problems[0]).toMatch(/training\.learningRate/);
    expect(store.getState().settings).toBe(before);
    expect(store.getState().presetName).toBeNull();
    expect(store.getState().messages[0]).toMatchObject({ level: "error" });
  });

  it("reports config values beyond the controls' ranges", () => {
    const { values, problems } = fromExperimentConfig({ training: { learningRate: 1000 } });
    expect(problems).toEqual(["Learning rate 1000: the controls take a number in (0, 100]"]);
    expect(values).not.toHaveProperty("lr");
  });
});

describe("store state besides settings", () => {
  it("runs a job through its phases", () => {
    const store = createAppStore();
    store.getState().setBackend("wasm");
    store.getState().startJob();
    expect(store.getState().job).toMatchObject({ phase: "training", backend: "wasm", error: null });
    expect(store.getState().job.startedAt).toBeTypeOf("number");
    store.getState().setProgress({ phase: "training", done: 3, total: 60, detail: "loss 0.4" });
    store.getState().setJobPhase("sampling");
    store.getState().finishJob("error", "worker died");
    expect(store.getState().job).toMatchObject({ phase: "error", error: "worker died" });
    store.getState().startJob();
    store.getState().finishJob("cancelled");
    expect(store.getState().job).toMatchObject({ phase: "cancelled", error: null });
  });

  it("grows history columns in place and bumps the version", () => {
    const store = createAppStore();
    const columns = store.getState().history;
    store.getState().appendHistory([
      { epoch: 0, step: 0, trainLoss: 1, trainAccuracy: 0.5 },
      { epoch: 1, step: 8, trainLoss: 0.5, testLoss: 0.6 },
    ]);
    expect(store.getState().history).toBe(columns);
    expect(columns.trainLoss).toEqual([1, 0.5]);
    expect(columns.testLoss).toEqual([null, 0.6]);
    expect(columns.trainAccuracy).toEqual([0.5, null]);
    expect(store.getState().historyVersion).toBe(1);
    store.getState().resetHistory();
    expect(store.getState().history.epoch).toEqual([]);
    expect(store.getState().historyVersion).toBe(2);
  });

  it("collects the sharpness measurements of each entry and the job's stability bound at reset", () => {
    const store = createAppStore();
    store.getState().set("opt", "sgd");
    store.getState().set("lr", 0.05);
    store.getState().resetHistory();
    expect(store.getState().history.stability).toEqual({ optimizer: "sgd", bound: 40 });
    const columns = store.getState().history;
    const m = (epoch: number, lambdaMax: number) => ({
      step: epoch,
      epoch,
      lambdaMax,
      iterations: 3,
      converged: true,
    });
    store.getState().appendHistory([
      { epoch: 0, step: 0, trainLoss: 1, sharpness: [m(0, 2)] },
      { epoch: 1, step: 10, trainLoss: 0.5 },
      { epoch: 2, step: 20, trainLoss: 0.4, sharpness: [m(1.5, 30), m(2, Number.NaN)] },
    ]);
    expect(columns.sharpnessEpoch).toEqual([0, 1.5, 2]);
    expect(columns.lambdaMax).toEqual([2, 30, null]);
    expect(columns.epoch).toEqual([0, 1, 2]);
    store.getState().resetHistory({ optimizer: "momentum", learningRate: 0.1, momentum: 0.9 });
    expect(store.getState().history).toMatchObject({ sharpnessEpoch: [], lambdaMax: [] });
    expect(store.getState().history.stability?.bound).toBeCloseTo(38, 12);
    store.getState().resetHistory({ optimizer: "adam", learningRate: 0.1, momentum: 0.9 });
    expect(store.getState().history.stability).toEqual({ optimizer: "adam", bound: null });
  });

  it("bumps the landscape version on replace and in-place updates, and clears the picked point on replace", () => {
    const store = createAppStore();
    const view = { snapshot: {}, done: 0, total: 100 } as unknown as LandscapeView;
    store.getState().setPicked({ x: 0, y: 0, values: { train_loss: 1 } });
    store.getState().setLandscape(view);
    expect(store.getState().picked).toBeNull();
    store.getState().landscapeUpdated(40);
    expect(store.getState().landscape?.done).toBe(40);
    expect(store.getState().landscape?.snapshot).toBe(view.snapshot);
    expect(store.getState().landscapeVersion).toBe(2);
  });

  it("keeps the newest messages and dismisses by id", () => {
    const store = createAppStore();
    for (let i = 0; i < MAX_MESSAGES + 5; i++) store.getState().notify(`m${i}`);
    expect(store.getState().messages).toHaveLength(MAX_MESSAGES);
    expect(store.getState().messages[0].text).toBe("m5");
    const id = store.getState().notify("bye", "error");
    store.getState().dismiss(id);
    expect(store.getState().messages.some((m) => m.id === id)).toBe(false);
  });

  it("gives the same view options object while the view settings do not change", () => {
    const store = createAppStore();
    const a = selectViewOptions(store.getState());
    store.getState().set("lr", 0.2);
    expect(selectViewOptions(store.getState())).toBe(a);
    store.getState().set("cmap", "magma");
    expect(selectViewOptions(store.getState())).toMatchObject({ colormap: "magma" });
  });
});
