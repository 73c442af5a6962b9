/**
 * Which settings, badge and link a shown landscape gets from where it came from (origin.ts), the
 * page's hash for it (url-sync's hashOf), and its training charts from its snapshot.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { firstJsonDifference } from "../../src/core/json-difference";
import { toExperimentConfig } from "../../src/state/config-map";
import {
  configOrigin,
  originBadge,
  ownFilesOrigin,
  runOrigin,
  sameExperiment,
  settingsForConfig,
  shareLink,
  surfaceFileOrigin,
} from "../../src/state/origin";
import { defaultSettings, type Settings } from "../../src/state/properties";
import { historyOfSnapshot } from "../../src/state/snapshot-history";
import { decodeHash } from "../../src/state/url";
import { hashOf } from "../../src/state/url-sync";

const preset = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../public/presets/${name}.json`, import.meta.url), "utf8"));

const edited = (s: Settings, patch: Partial<Settings>): Settings => ({ ...s, ...patch });

describe("a landscape computed from the controls", () => {
  it("needs no badge, and its link is the settings it was computed with", () => {
    const s = defaultSettings();
    const origin = runOrigin(s);
    expect(originBadge(origin, s)).toBeNull();
    expect(shareLink(origin, s)).toEqual({ hash: "" });
  });

  it("says so once the controls change, and still links the landscape shown, not the edit", () => {
    const s = edited(defaultSettings(), { lr: 0.05 });
    const origin = runOrigin(s);
    const now = edited(s, { lr: 0.2 });
    expect(originBadge(origin, now)).toBe("the controls have changed since: Run computes them");
    expect(shareLink(origin, now)).toEqual({ hash: "lr=0.05" });
  });

  it("keeps the view being looked at in its link (a metric or colour map is not an edit)", () => {
    const s = defaultSettings();
    const now = edited(s, { metric: "test_loss" });
    expect(originBadge(runOrigin(s), now)).toBeNull();
    expect(shareLink(runOrigin(s), now)).toEqual({ hash: "metric=test_loss" });
  });
});

describe("a snapshot's config (library, import, restore, preset)", () => {
  it("sets the controls to it when they can hold all of it: the link recomputes it", () => {
    const current = edited(defaultSettings(), { metric: "test_loss" });
    const origin = configOrigin("library", "quick moons", preset("moons-quick"), current);
    expect(origin.describes).toBe(true);
    expect(origin.settings.ds).toBe("moons");
    expect(origin.settings.lr).toBe(0.02);
    expect(origin.settings.metric).toBe("test_loss");
    // The settings give back exactly the config.
    expect(resolveConfig(toExperimentConfig(origin.settings))).toEqual(resolveConfig(preset("moons-quick")));
    expect(originBadge(origin, origin.settings)).toBe("library: quick moons");
    const link = shareLink(origin, origin.settings);
    if (!("hash" in link)) throw new Error(link.reason);
    expect(decodeHash(link.hash).values).toMatchObject({ ds: "moons", lr: 0.02, metric: "test_loss" });
  });

  it("keeps derived seeds derived, although a snapshot's resolved config spells them out", () => {
    const resolved = resolveConfig({ ...(preset("moons-quick") as object) });
    const origin = configOrigin("file", "moons.json", resolved, defaultSettings());
    expect(origin.describes).toBe(true);
    expect([
      origin.settings.dseed,
      origin.settings.iseed,
      origin.settings.xseed,
      origin.settings.yseed,
    ]).toEqual([null, null, null, null]);
    const explicit = resolveConfig({
      ...(preset("moons-quick") as object),
      model: { hiddenSizes: [32], activation: "relu", seed: 7 },
    });
    expect(configOrigin("file", "x", explicit, defaultSettings()).settings.iseed).toBe(7);
  });

  it("says plainly when the controls cannot hold it (a CNN), and refuses a link with the reason", () => {
    const origin = configOrigin("file", "cnn.json.gz", preset("digits-cnn"), defaultSettings());
    expect(origin.describes).toBe(false);
    expect(origin.why).toMatch(/^Dataset "digits": the controls take one of moons, circles, spirals/);
    expect(originBadge(origin, origin.settings)).toMatch(
      /^imported: cnn\.json\.gz · the controls do not describe it \(Dataset "digits"/,
    );
    expect(shareLink(origin, origin.settings)).toEqual({
      reason: expect.stringMatching(/^no link can reproduce this imported snapshot: Dataset "digits"/),
    });
  });

  it("names a config part the controls cannot hold (not only out-of-range values)", () => {
    const config = { ...(preset("moons-quick") as object), rescale: { layer: 0, factor: 2 } };
    const { why } = settingsForConfig(config, defaultSettings());
    expect(why).toBe('its config has a "rescale" section, which the controls cannot hold');
  });

  it("links a lesson or a paths preset by name: their settings alone would not open them", () => {
    const paths = preset("mode-connectivity");
    const origin = configOrigin("preset", "mode-connectivity", paths, defaultSettings(), {
      key: "preset",
      value: "mode-connectivity",
    });
    expect(shareLink(origin, origin.settings)).toEqual({ hash: "preset=mode-connectivity" });
    expect(originBadge(origin, origin.settings)).toBe(
      'preset: mode-connectivity · the controls do not describe it (its config has a "paths" section, which the controls cannot hold)',
    );
    const lesson = configOrigin("lesson", "Learning rate", preset("moons-quick"), defaultSettings(), {
      key: "lesson",
      value: "learning-rate",
    });
    expect(shareLink(lesson, lesson.settings)).toEqual({ hash: "lesson=learning-rate" });
    // The lesson sets the controls run by run: its badge names it only.
    expect(originBadge(lesson, edited(lesson.settings, { ep: 3 }))).toBe("lesson: Learning rate");
  });
});

describe("landscapes no link can reproduce", () => {
  it("an imported surface file has no model and no link", () => {
    const origin = surfaceFileOrigin("resnet56.h5", defaultSettings());
    expect(shareLink(origin, defaultSettings())).toEqual({
      reason:
        "no link can reproduce this imported surface: an imported surface file has no model or experiment config",
    });
  });

  it("a run on files picked in this browser: the files cannot travel in a link", () => {
    const config = { ...(preset("moons-quick") as object), data: { source: "csv", path: "mine.csv" } };
    const origin = ownFilesOrigin("mine.csv", config, defaultSettings());
    expect(originBadge(origin, origin.settings)).toMatch(
      /^your files: mine\.csv · the controls do not describe it/,
    );
    expect("reason" in shareLink(origin, origin.settings)).toBe(true);
  });
});

describe("the page's hash", () => {
  const landscapeOf = (origin: ReturnType<typeof runOrigin>) =>
    ({ origin }) as unknown as Parameters<typeof hashOf>[0]["landscape"];

  it("is the settings, or a lesson's name while the controls still hold its run", () => {
    const s = edited(defaultSettings(), { lr: 0.05 });
    expect(hashOf({ settings: s, landscape: null })).toBe("lr=0.05");
    const lesson = {
      ...runOrigin(s),
      kind: "lesson" as const,
      route: { key: "lesson" as const, value: "sam" },
    };
    expect(hashOf({ settings: s, landscape: landscapeOf(lesson) })).toBe("lesson=sam");
    // Edited: the URL follows the controls (the badge says the landscape is not theirs).
    expect(hashOf({ settings: edited(s, { lr: 0.1 }), landscape: landscapeOf(lesson) })).toBe("lr=0.1");
  });

  it("reads a lesson or preset name as a route, not as an unknown key", () => {
    expect(decodeHash("#lesson=learning-rate")).toEqual({
      values: {},
      problems: [],
      route: { key: "lesson", value: "learning-rate" },
    });
    expect(decodeHash("#preset=digits-cnn&metric=test_loss").route).toEqual({
      key: "preset",
      value: "digits-cnn",
    });
    expect(decodeHash("#lesson=").problems).toEqual(['URL key "lesson" has no value; ignored']);
  });

  it("compares experiment settings only", () => {
    const s = defaultSettings();
    expect(sameExperiment(s, edited(s, { metric: "test_loss", cmap: "magma" } as Partial<Settings>))).toBe(
      true,
    );
    expect(sameExperiment(s, edited(s, { lr: 0.5 }))).toBe(false);
  });
});

describe("training charts from a snapshot", () => {
  it("come from its training section, with lambda_max and the bound it was measured against", () => {
    const history = historyOfSnapshot({
      config: { training: { optimizer: "sgd", learningRate: 0.5, momentum: 0 } },
      training: {
        history: {
          epoch: [0, 1, 2],
          step: [0, 4, 8],
          trainLoss: [1, 0.5, null],
          trainAccuracy: [0.5, 0.8, 0.9],
        },
        sharpness: { bound: 4, epoch: [0, 1.5], lambdaMax: [1.2, null] },
      },
    });
    expect(history.epoch).toEqual([0, 1, 2]);
    expect(history.step).toEqual([0, 4, 8]);
    expect(history.trainLoss[2]).toBeNaN();
    expect(history.trainAccuracy).toEqual([0.5, 0.8, 0.9]);
    expect(history.testLoss).toEqual([null, null, null]);
    expect(history.sharpnessEpoch).toEqual([0, 1.5]);
    expect(history.lambdaMax).toEqual([1.2, null]);
    expect(history.stability).toEqual({ optimizer: "sgd", bound: 4 });
  });

  it("are empty for a snapshot without a training section", () => {
    const history = historyOfSnapshot({ config: {} });
    expect(history.epoch).toEqual([]);
    expect(history.stability).toBeNull();
  });
});

describe("the first difference of two configs", () => {
  it("names the path and both values, whatever the key order", () => {
    expect(firstJsonDifference({ a: { b: 1, c: 2 } }, { a: { c: 2, b: 3 } })).toEqual({
      path: "a.b",
      a: "1",
      b: "3",
    });
    expect(firstJsonDifference({ a: [1, { x: 1 }] }, { a: [1, { x: 1 }] })).toBeNull();
    expect(firstJsonDifference({ a: 1 }, {})).toEqual({ path: "a", a: "1", b: "absent" });
  });
});
