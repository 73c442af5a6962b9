/**
 * The classroom's pure parts (issue 13, parts 1-3): which panels fold for the views, the titles of
 * two panes, the presentation keys and the transport they drive, the presentation URL key, the
 * explainer's memory, every control's "In the picture" tooltip, the legend's tick count, label
 * placement, and the layout rules the e2e test measures the page against.
 */
import { describe, expect, it } from "vitest";
import { explainerSeen, type KeyValueStore, markExplainerSeen } from "../../src/app/classroom/explainer-seen";
import { CONTROLS_WIDTH, chooseDocking, SIDE_WIDTH, VIEW_MIN_WIDTH } from "../../src/app/classroom/layout";
import { differingKeys, paneTitles, settingPhrase } from "../../src/app/classroom/pane-titles";
import { isEditable, presentationAction } from "../../src/app/classroom/presentation-keys";
import {
  currentTransport,
  driveTransport,
  provideTransport,
  subscribeTransport,
  type Transport,
} from "../../src/app/classroom/transport";
import { controlTooltip, PICTURE_EFFECTS } from "../../src/app/controls/picture-effects";
import { fittingTickCount } from "../../src/scene/format";
import { placeLabel } from "../../src/scene/place-label";
import type { LandscapeOrigin } from "../../src/state/origin";
import { defaultSettings, propertyOf, SETTING_KEYS, type Settings } from "../../src/state/properties";
import { decodeHash, withPresentKey } from "../../src/state/url";
import { hashOf } from "../../src/state/url-sync";
import {
  clippedTexts,
  overlapOf,
  overlappingPairs,
  pictureProblems,
  type TextBox,
} from "../e2e/layout-geometry";

function origin(patch: Partial<Settings>, kind: LandscapeOrigin["kind"] = "run", name: string | null = null) {
  return {
    kind,
    name,
    settings: { ...defaultSettings(), ...patch },
    describes: true,
    why: null,
    route: null,
  } satisfies LandscapeOrigin;
}

describe("chooseDocking", () => {
  it("folds the side panel, then the controls, before a view gets narrower than VIEW_MIN_WIDTH", () => {
    expect(chooseDocking(1920, 1)).toEqual({ controls: true, side: true, stacked: false });
    expect(chooseDocking(1920, 2)).toEqual({ controls: true, side: true, stacked: false });
    expect(chooseDocking(1280, 1)).toEqual({ controls: true, side: true, stacked: false });
    expect(chooseDocking(1280, 2)).toEqual({ controls: true, side: false, stacked: false });
    expect(chooseDocking(1024, 1)).toEqual({ controls: true, side: false, stacked: false });
    expect(chooseDocking(1024, 2)).toEqual({ controls: false, side: false, stacked: false });
    // Browser zoom 150% of a 1024 px window: 683 CSS px, two views side by side still fit.
    expect(chooseDocking(683, 2)).toEqual({ controls: false, side: false, stacked: false });
    expect(chooseDocking(600, 2)).toEqual({ controls: false, side: false, stacked: true });
    expect(chooseDocking(600, 1).stacked).toBe(false);
  });

  it("never leaves a view narrower than VIEW_MIN_WIDTH beside a docked panel", () => {
    for (let width = 300; width <= 3000; width += 7)
      for (const views of [1, 2]) {
        const d = chooseDocking(width, views);
        const room = width - (d.controls ? CONTROLS_WIDTH : 0) - (d.side ? SIDE_WIDTH : 0);
        if (d.controls || d.side) expect(room / views).toBeGreaterThanOrEqual(VIEW_MIN_WIDTH);
        // The side panel folds first.
        if (d.side) expect(d.controls).toBe(true);
      }
  });
});

describe("paneTitles", () => {
  it("titles two runs with what differs between them", () => {
    expect(paneTitles(origin({ lr: 0.01 }), origin({ lr: 0.03 }))).toEqual({
      pinned: "lr 0.01",
      current: "lr 0.03",
    });
    expect(paneTitles(origin({ bs: 16 }), origin({ bs: "full" }))).toEqual({
      pinned: "batch 16",
      current: "full batch",
    });
    expect(paneTitles(origin({ opt: "sgd", lr: 0.1 }), origin({ opt: "adam", lr: 0.01 }))).toEqual({
      pinned: "SGD, lr 0.1",
      current: "Adam, lr 0.01",
    });
  });

  it("ignores view settings, counts what it does not spell out, and never says just current and pinned", () => {
    const a = origin({ lr: 0.01, log: true });
    const b = origin({ lr: 0.01, log: false });
    expect(differingKeys(a.settings, b.settings)).toEqual([]);
    const same = paneTitles(a, b);
    expect(same.pinned).not.toBe(same.current);
    expect(same.pinned).not.toBe("pinned");
    const many = paneTitles(
      origin({ lr: 0.01, bs: 8, ep: 10, seed: 1, opt: "sgd" }),
      origin({ lr: 0.02, bs: 16, ep: 20, seed: 2, opt: "adam" }),
    );
    expect(many.pinned).toMatch(/\+ 2 more$/);
    // Named landscapes with the same experiment: their names.
    expect(paneTitles(origin({}, "library", "run A"), origin({}, "library", "run B"))).toEqual({
      pinned: "run A",
      current: "run B",
    });
  });

  it("has a phrase for every setting", () => {
    const s = defaultSettings();
    for (const key of SETTING_KEYS) expect(settingPhrase(key, s[key]), key).toMatch(/\S/);
  });
});

describe("presentation keys", () => {
  it("maps space, the arrows, F and Escape; leaves fields and modified keys alone", () => {
    expect(presentationAction({ key: " " })).toBe("play-pause");
    expect(presentationAction({ key: "ArrowRight" })).toBe("step-forward");
    expect(presentationAction({ key: "ArrowLeft" })).toBe("step-back");
    expect(presentationAction({ key: "f" })).toBe("fullscreen");
    expect(presentationAction({ key: "Escape" })).toBe("leave");
    expect(presentationAction({ key: "ArrowUp" })).toBeNull();
    expect(presentationAction({ key: " ", ctrlKey: true })).toBeNull();
    const field = { tagName: "INPUT", type: "text" };
    expect(presentationAction({ key: " ", target: field })).toBeNull();
    expect(presentationAction({ key: "Escape", target: field })).toBe("leave");
    expect(presentationAction({ key: " ", target: { tagName: "INPUT", type: "checkbox" } })).toBe(
      "play-pause",
    );
    expect(isEditable({ tagName: "DIV", isContentEditable: true })).toBe(true);
    expect(isEditable({ tagName: "SELECT" })).toBe(true);
    expect(isEditable(null)).toBe(false);
  });
});

describe("transport", () => {
  function recorder(name: string): Transport & { calls: string[] } {
    const calls: string[] = [];
    return { name, calls, playPause: () => calls.push("play-pause"), step: (d) => calls.push(`step ${d}`) };
  }

  it("drives the last transport provided; a replay timeline mounted later takes the keys, and gives them back", () => {
    const training = recorder("training");
    let notified = 0;
    const unsubscribe = subscribeTransport(() => notified++);
    const dropTraining = provideTransport(training);
    expect(currentTransport()?.name).toBe("training");
    expect(driveTransport("play-pause")).toBe(true);
    const replay = recorder("replay");
    const dropReplay = provideTransport(replay);
    expect(currentTransport()?.name).toBe("replay");
    driveTransport("step-forward");
    driveTransport("step-back");
    driveTransport("play-pause");
    expect(replay.calls).toEqual(["step 1", "step -1", "play-pause"]);
    dropReplay();
    driveTransport("step-forward");
    expect(training.calls).toEqual(["play-pause", "step 1"]);
    dropTraining();
    expect(currentTransport()).toBeNull();
    expect(driveTransport("play-pause")).toBe(false);
    expect(notified).toBe(4);
    unsubscribe();
  });
});

describe("presentation URL key", () => {
  it("reads present=1 (or a bare present) beside settings and routes, and writes it back", () => {
    expect(decodeHash("#present=1").present).toBe(true);
    expect(decodeHash("#lesson=sam&present").present).toBe(true);
    expect(decodeHash("#lesson=sam&present=1").route).toEqual({ key: "lesson", value: "sam" });
    expect(decodeHash("#lr=0.02").present).toBeUndefined();
    expect(decodeHash("#present=0")).toMatchObject({ problems: [] });
    expect(decodeHash("#present=yes").problems).toHaveLength(1);
    expect(withPresentKey("lesson=sam", true)).toBe("lesson=sam&present=1");
    expect(withPresentKey("", true)).toBe("present=1");
    expect(withPresentKey("lr=0.1", false)).toBe("lr=0.1");
    const settings = defaultSettings();
    expect(hashOf({ settings, landscape: null, presenting: true })).toMatch(/(^|&)present=1$/);
    expect(hashOf({ settings, landscape: null, presenting: false })).not.toMatch(/present/);
  });
});

describe("explainer memory", () => {
  const store = (): KeyValueStore & { map: Map<string, string> } => {
    const map = new Map<string, string>();
    return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
  };

  it("is unseen in a fresh profile and seen after dismissal; a blocked storage never throws", () => {
    const s = store();
    expect(explainerSeen(s)).toBe(false);
    markExplainerSeen(s);
    expect(explainerSeen(s)).toBe(true);
    const blocked: KeyValueStore = {
      getItem: () => {
        throw new Error("blocked");
      },
      setItem: () => {
        throw new Error("blocked");
      },
    };
    expect(explainerSeen(blocked)).toBe(false);
    expect(() => markExplainerSeen(blocked)).not.toThrow();
    expect(explainerSeen(null)).toBe(false);
  });
});

describe("control tooltips", () => {
  it("say for every setting what it changes in the picture", () => {
    for (const key of SETTING_KEYS) {
      expect(PICTURE_EFFECTS[key], key).toMatch(/\S{3}/);
      const tip = controlTooltip(key, propertyOf(key).help);
      expect(tip, key).toContain(". In the picture: ");
      expect(tip.startsWith(propertyOf(key).help), key).toBe(true);
    }
    // View settings change the picture at once, experiment settings after Run.
    for (const key of SETTING_KEYS)
      expect(PICTURE_EFFECTS[key], key).toMatch(
        propertyOf(key).path[0] === "view" ? /at once$/ : /\(after Run\)$/,
      );
  });
});

describe("legend ticks and labels", () => {
  it("fits only as many tick labels as the bar holds side by side", () => {
    expect(fittingTickCount(400, 6, 12, 5)).toBe(5);
    expect(fittingTickCount(150, 6, 12, 5)).toBe(2);
    expect(fittingTickCount(0, 6, 12, 5)).toBe(5);
    for (let width = 60; width < 800; width += 13) {
      const n = fittingTickCount(width, 6, 12, 5);
      expect(n).toBeGreaterThanOrEqual(2);
      expect(n).toBeLessThanOrEqual(5);
      // The labels of neighbouring ticks never meet (n > 2: it was checked that they fit).
      if (n > 2) expect(width / (n - 1)).toBeGreaterThanOrEqual(1.5 * 6 * 0.64 * 12 + 0.8 * 12);
    }
  });

  it("moves a label that would stick out of its view inside it", () => {
    expect(placeLabel(2, 50, "left", 40, 14, 300, 200)).toEqual({ left: 3, top: 43 });
    expect(placeLabel(150, 100, "center", 40, 14, 300, 200)).toEqual({ left: 130, top: 93 });
    expect(placeLabel(150, 100, "right", 40, 14, 300, 200)).toEqual({ left: 156, top: 93 });
    expect(placeLabel(150, 195, "below", 40, 14, 300, 200)).toEqual({ left: 130, top: 183 });
    expect(placeLabel(299, 0, "right", 40, 14, 300, 200)).toEqual({ left: 257, top: 3 });
  });
});

describe("layout geometry (the e2e rules)", () => {
  const screen = { x: 0, y: 0, width: 1024, height: 768 };
  const text = (id: string, x: number, y: number, width = 40, height = 14): TextBox => ({
    id,
    x,
    y,
    width,
    height,
    clip: screen,
  });

  it("finds overlapping and cut-off texts", () => {
    expect(overlapOf({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 8, width: 10, height: 10 })).toEqual({
      width: 5,
      height: 2,
    });
    expect(overlappingPairs([text("a", 0, 0), text("b", 40, 0), text("c", 10, 13.5)])).toEqual([]);
    expect(overlappingPairs([text("a", 0, 0), text("b", 30, 5)])).toEqual(["a ⟷ b"]);
    expect(clippedTexts([text("a", 1000, 0), text("b", 10, 10)])).toEqual(["a"]);
  });

  it("requires 320 x 220, 45% of the width or height, inside the viewport", () => {
    const viewport = { width: 1024, height: 768 };
    expect(pictureProblems({ x: 10, y: 100, width: 511, height: 377 }, viewport)).toEqual([]);
    expect(pictureProblems({ x: 0, y: 0, width: 300, height: 300 }, viewport)).toEqual([
      "300 x 300 is less than 320 x 220",
      "300 x 300 is less than 45% of the viewport's width and of its height",
    ]);
    expect(pictureProblems({ x: 800, y: 100, width: 400, height: 400 }, viewport)).toEqual([
      "400 x 400 at (800, 100) is not inside the viewport",
    ]);
  });
});
