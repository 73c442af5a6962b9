import { describe, expect, it } from "vitest";
import { fitCamera, HOME_CAMERA_2D, homeCamera1D, sameCamera } from "../../src/scene/camera";
import { SURFACE_HEIGHT, segmentBelowSurface } from "../../src/scene/geometry";
import { frameLabels1D, frameLabels2D } from "../../src/scene/labels";
import { fitScale } from "../../src/scene/scale";

describe("camera poses", () => {
  it("keep the home pose on wide canvases and back away along the same line on narrow ones", () => {
    expect(fitCamera(HOME_CAMERA_2D, 2)).toEqual({
      position: HOME_CAMERA_2D.position,
      target: HOME_CAMERA_2D.target,
    });
    const narrow = fitCamera(HOME_CAMERA_2D, HOME_CAMERA_2D.aspect / 2);
    const [tx, ty, tz] = HOME_CAMERA_2D.target;
    HOME_CAMERA_2D.position.forEach((p, i) => {
      expect(narrow.position[i] - [tx, ty, tz][i]).toBeCloseTo(2 * (p - [tx, ty, tz][i]), 9);
    });
    expect(fitCamera(HOME_CAMERA_2D, Number.NaN).position).toEqual(HOME_CAMERA_2D.position);
  });

  it("frame a taller 1-D curve from farther away, looking at its middle", () => {
    const low = homeCamera1D(SURFACE_HEIGHT);
    const high = homeCamera1D(4 * SURFACE_HEIGHT);
    expect(high.position[2]).toBeGreaterThan(low.position[2]);
    expect(high.target[1]).toBeCloseTo(2 * SURFACE_HEIGHT, 9);
  });

  it("compare poses within a tolerance", () => {
    const a = {
      position: [1, 2, 3] as [number, number, number],
      target: [0, 0, 0] as [number, number, number],
    };
    expect(sameCamera(a, { position: [1, 2, 3 + 1e-9], target: [0, 0, 0] })).toBe(true);
    expect(sameCamera(a, { position: [1, 2, 3], target: [0, 0.01, 0] })).toBe(false);
  });
});

describe("frame labels", () => {
  const scale = fitScale([new Float32Array([0.01, 10])], { log: true, clipQuantile: 1 });
  const x = { label: "α", min: -1, max: 1, count: 5 };
  const y = { label: "β", min: 0, max: 0.5, count: 5 };

  it("name both axes with their ranges and tick the value axis with values", () => {
    const labels = frameLabels2D(x, y, scale, 2, true);
    expect(labels.find((l) => l.key === "x")).toMatchObject({ text: "α", detail: "-1 … 1" });
    expect(labels.find((l) => l.key === "y")).toMatchObject({ text: "β", detail: "0 … 0.5" });
    const ticks = labels.filter((l) => l.kind === "tick");
    expect(ticks.map((l) => l.text)).toEqual(["0.01", "0.316", "≥ 10"]);
    expect(ticks[2].position[1]).toBeCloseTo(2 * SURFACE_HEIGHT, 9);
    expect(new Set(labels.map((l) => l.key)).size).toBe(labels.length);
  });

  it("label a 1-D curve's ends and its metric", () => {
    const labels = frameLabels1D(x, "test_loss", scale, 1);
    expect(labels.map((l) => l.text)).toEqual(expect.arrayContaining(["α", "-1", "1", "test loss", "10"]));
  });
});

describe("label occlusion", () => {
  // A 3 x 3 field with a tall peak in the middle.
  const field = { heights: new Float32Array([0, 0, 0, 0, 1, 0, 0, 0, 0]), nx: 3, ny: 3, exaggeration: 1 };

  it("finds a sight line that passes under the surface", () => {
    expect(segmentBelowSurface([0, 0.1, 5], [0, 0.1, -1.5], field)).toBe(true);
  });

  it("lets sight lines over the surface, beside it and through holes pass", () => {
    expect(segmentBelowSurface([0, 2, 5], [0, 2, -1.5], field)).toBe(false);
    expect(segmentBelowSurface([3, 0.1, 5], [3, 0.1, -1.5], field)).toBe(false);
    const holey = { ...field, heights: new Float32Array(9).fill(Number.NaN) };
    expect(segmentBelowSurface([0, 0.1, 5], [0, 0.1, -1.5], holey)).toBe(false);
  });
});
