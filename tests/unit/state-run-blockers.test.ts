import { describe, expect, it } from "vitest";
import { axisPartsProblem } from "../../src/state/kinds";
import { PROPERTIES } from "../../src/state/properties";
import { createAppStore } from "../../src/state/store";
import { runBlockers } from "../../src/state/validate";

describe("fields that block Run", () => {
  it("are listed in the controls' order with their labels, and go away when fixed", () => {
    const store = createAppStore();
    store.getState().setDraftProblem("lr", 'expected a number, got "abc"');
    store.getState().setDraftProblem("ds", "x");
    store.getState().setDraftProblem("ds", null);
    store.getState().setDraftProblem("hid", "widths must be at least 1, got 0");
    expect(runBlockers(store.getState().draftProblems)).toEqual([
      { key: "hid", text: "Hidden sizes: widths must be at least 1, got 0" },
      { key: "lr", text: 'Learning rate: expected a number, got "abc"' },
    ]);
    store.getState().setDraftProblem("hid", null);
    store.getState().setDraftProblem("lr", null);
    expect(runBlockers(store.getState().draftProblems)).toEqual([]);
  });

  it("do not change the store when the same problem is reported again", () => {
    const store = createAppStore();
    store.getState().setDraftProblem("ep", "too many");
    const before = store.getState().draftProblems;
    store.getState().setDraftProblem("ep", "too many");
    expect(store.getState().draftProblems).toBe(before);
  });
});

describe("an axis's three boxes", () => {
  const kind = PROPERTIES.gx.kind;
  const ok = { min: "-1", max: "1", count: "51" };

  it("name the box that is wrong and quote only its text", () => {
    expect(axisPartsProblem(kind, { ...ok, count: "5000" })).toEqual({
      part: "count",
      message: `count 5000: must be an integer in [${kind.minCount}, ${kind.maxCount}]`,
    });
    expect(axisPartsProblem(kind, { ...ok, count: "2.5" })?.message).toMatch(
      /^count 2\.5: must be an integer/,
    );
    expect(axisPartsProblem(kind, { ...ok, min: "abc" })).toEqual({
      part: "min",
      message: 'min "abc": not a number',
    });
    expect(axisPartsProblem(kind, { ...ok, min: "2" })?.message).toBe("min (2) must be below max (1)");
    expect(axisPartsProblem(kind, { ...ok, max: "1e9" })).toEqual({
      part: "max",
      message: `max 1e9: must be at most ${kind.bound}`,
    });
  });

  it("accept a valid axis", () => {
    expect(axisPartsProblem(kind, ok)).toBeNull();
  });
});
