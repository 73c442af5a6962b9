/**
 * When the landscape panel may draw a landscape one deferred render late (src/app/useDrawnLandscape.ts):
 * only when it grew in place, that is, the same snapshot and everything else but its count `done`.
 */
import { describe, expect, it } from "vitest";
import { grewInPlace } from "../../src/app/useDrawnLandscape";
import type { DrawnLandscape } from "../../src/state/types";

const snapshot = { grid: { axes: [] }, surfaces: {} } as unknown as DrawnLandscape["snapshot"];
const view: DrawnLandscape = { snapshot, done: 0, total: 100 };

describe("a landscape grown in place", () => {
  it("is the same object, or a copy with only more points done", () => {
    expect(grewInPlace(view, view)).toBe(true);
    expect(grewInPlace(view, { ...view, done: 40 })).toBe(true);
    expect(grewInPlace(null, null)).toBe(true);
  });

  it("is not another snapshot, a path probe, another total, or a landscape that came or went", () => {
    const other = { ...snapshot } as DrawnLandscape["snapshot"];
    expect(grewInPlace(view, { ...view, snapshot: other, done: 40 })).toBe(false);
    expect(grewInPlace(view, { ...view, pathProbe: { path: 0, t: 0.5, x: 0, y: 0, offPlane: 0 } })).toBe(
      false,
    );
    expect(grewInPlace(view, { ...view, total: 200 })).toBe(false);
    expect(grewInPlace(null, view)).toBe(false);
    expect(grewInPlace(view, null)).toBe(false);
  });

  it("counts a field set to undefined as absent, and one set to null as set", () => {
    expect(grewInPlace(view, { ...view, pathProbe: undefined })).toBe(true);
    expect(grewInPlace(view, { ...view, pathProbe: null })).toBe(false);
  });
});
