import { describe, expect, it } from "vitest";
import { tabForKey } from "../../src/app/tab-keys";
import type { SharedCamera } from "../../src/scene/camera";
import { frameOf } from "../../src/scene/geometry";
import {
  clampCursor,
  homeCursor,
  moveCursor,
  readAt,
  sameCursor,
  screenStepToCurve,
  screenStepToGrid,
} from "../../src/scene/keyboard-cursor";
import { azimuthOf, type OrbitLimits, orbitPose } from "../../src/scene/orbit";
import { announceReadout, hoverReadout } from "../../src/scene/readout";
import {
  CURSOR_STEP_SHIFT,
  contourKeyAction,
  sceneKeyAction,
  TILT_DEGREES,
  TURN_DEGREES,
  TURN_DEGREES_SHIFT,
} from "../../src/scene/view-keys";

const DEG = Math.PI / 180;
const square = frameOf([
  { label: "x", min: -1, max: 1, count: 5 },
  { label: "y", min: -1, max: 1, count: 5 },
]);

describe("the keyboard cursor", () => {
  it("starts on the trained point (0, 0) when the grid holds it, else in the middle", () => {
    expect(homeCursor(square)).toEqual({ ix: 2, iy: 2 });
    const shifted = frameOf([
      { label: "x", min: 0, max: 4, count: 5 },
      { label: "y", min: 1, max: 3, count: 3 },
    ]);
    // x: 0 is the first point; y: 0 is outside [1, 3], so the middle row.
    expect(homeCursor(shifted)).toEqual({ ix: 0, iy: 1 });
    expect(homeCursor(frameOf([{ min: -2, max: 2, count: 41 }]))).toEqual({ ix: 20, iy: 0 });
    expect(homeCursor(frameOf([{ min: 1, max: 2, count: 4 }]))).toEqual({ ix: 1, iy: 0 });
  });

  it("moves by whole grid steps and stops at the edges", () => {
    expect(moveCursor({ ix: 2, iy: 2 }, 1, -1, 5, 5)).toEqual({ ix: 3, iy: 1 });
    expect(moveCursor({ ix: 2, iy: 2 }, CURSOR_STEP_SHIFT, 0, 5, 5)).toEqual({ ix: 4, iy: 2 });
    expect(moveCursor({ ix: 0, iy: 0 }, -1, -5, 5, 5)).toEqual({ ix: 0, iy: 0 });
    expect(moveCursor({ ix: 3, iy: 0 }, 0, 1, 7, 1)).toEqual({ ix: 3, iy: 0 });
    expect(clampCursor({ ix: 40, iy: -3 }, 21, 21)).toEqual({ ix: 20, iy: 0 });
    expect(clampCursor({ ix: 1.6, iy: Number.NaN }, 5, 5).ix).toBe(2);
    expect(sameCursor({ ix: 1, iy: 2 }, { ix: 1, iy: 2 })).toBe(true);
    expect(sameCursor({ ix: 1, iy: 2 }, { ix: 2, iy: 1 })).toBe(false);
  });

  it("reads every surface at its grid point (row-major, x fastest), NaN past a short surface", () => {
    const train = Float32Array.from({ length: 25 }, (_, i) => i);
    const r = readAt(square, { train_loss: train, test_loss: new Float32Array(3) }, { ix: 3, iy: 1 });
    expect(r).toMatchObject({ ix: 3, iy: 1, x: 0.5, y: -0.5 });
    expect(r.values.train_loss).toBe(8);
    expect(r.values.test_loss).toBeNaN();
  });

  it("turns screen moves into grid moves along the axis nearest to the camera's view", () => {
    // Home side (+z): right is +x, away is +y.
    expect(screenStepToGrid({ right: 1, away: 0 }, 0)).toEqual({ dx: 1, dy: 0 });
    expect(screenStepToGrid({ right: 0, away: 1 }, 0)).toEqual({ dx: 0, dy: 1 });
    expect(screenStepToGrid({ right: -5, away: 0 }, 0.3)).toEqual({ dx: -5, dy: 0 });
    // Camera on the +x side, looking towards -x: right is +y, away is -x.
    expect(screenStepToGrid({ right: 1, away: 0 }, Math.PI / 2)).toEqual({ dx: 0, dy: 1 });
    expect(screenStepToGrid({ right: 0, away: 1 }, Math.PI / 2)).toEqual({ dx: -1, dy: 0 });
    // From behind, everything flips.
    expect(screenStepToGrid({ right: 1, away: 0 }, Math.PI)).toEqual({ dx: -1, dy: 0 });
    expect(screenStepToGrid({ right: 0, away: 0 }, 1)).toEqual({ dx: 0, dy: 0 });
    expect(screenStepToGrid({ right: 1, away: 0 }, Number.NaN)).toEqual({ dx: 1, dy: 0 });
  });

  it("moves along a 1-D curve with left and right only, mirrored when seen from behind", () => {
    expect(screenStepToCurve({ right: 1, away: 0 }, 0.4)).toBe(1);
    expect(screenStepToCurve({ right: -5, away: 0 }, 0)).toBe(-5);
    expect(screenStepToCurve({ right: 0, away: 1 }, 0)).toBe(0);
    expect(screenStepToCurve({ right: 1, away: 0 }, Math.PI)).toBe(-1);
    expect(screenStepToCurve({ right: 1, away: 0 }, Number.NaN)).toBe(1);
  });
});

describe("the view keys", () => {
  it("turn, tilt and zoom the 3D view with arrows and + / -, bigger steps with Shift", () => {
    expect(sceneKeyAction({ key: "ArrowLeft" })).toEqual({
      kind: "orbit",
      move: { turn: TURN_DEGREES * DEG, tilt: 0, zoom: 1 },
    });
    expect(sceneKeyAction({ key: "ArrowRight", shiftKey: true })).toEqual({
      kind: "orbit",
      move: { turn: -TURN_DEGREES_SHIFT * DEG, tilt: 0, zoom: 1 },
    });
    expect(sceneKeyAction({ key: "ArrowUp" })).toMatchObject({ move: { tilt: -TILT_DEGREES * DEG } });
    const zoomIn = sceneKeyAction({ key: "+" });
    const zoomOut = sceneKeyAction({ key: "-" });
    expect(zoomIn?.kind === "orbit" && zoomIn.move.zoom).toBeLessThan(1);
    expect(zoomOut?.kind === "orbit" && zoomOut.move.zoom).toBeGreaterThan(1);
    expect(sceneKeyAction({ key: "Home" })).toEqual({ kind: "reset-camera" });
  });

  it("move the 3D cursor with W A S D (either case), pick with Enter or Space", () => {
    expect(sceneKeyAction({ key: "w" })).toEqual({ kind: "cursor", step: { right: 0, away: 1 } });
    expect(sceneKeyAction({ key: "A", shiftKey: true })).toEqual({
      kind: "cursor",
      step: { right: -5, away: 0 },
    });
    expect(sceneKeyAction({ key: "Enter" })).toEqual({ kind: "pick" });
    expect(sceneKeyAction({ key: " " })).toEqual({ kind: "pick" });
  });

  it("leave other keys and every Ctrl, Alt or Meta chord to the browser", () => {
    expect(sceneKeyAction({ key: "Tab" })).toBeNull();
    expect(sceneKeyAction({ key: "x" })).toBeNull();
    expect(sceneKeyAction({ key: "ArrowLeft", altKey: true })).toBeNull();
    expect(sceneKeyAction({ key: "+", ctrlKey: true })).toBeNull();
    expect(contourKeyAction({ key: "ArrowLeft", metaKey: true })).toBeNull();
    expect(contourKeyAction({ key: "Escape" })).toBeNull();
  });

  it("move the contour map's cursor with arrows or W A S D, up being +y", () => {
    expect(contourKeyAction({ key: "ArrowUp" })).toEqual({ kind: "cursor", dx: 0, dy: 1 });
    expect(contourKeyAction({ key: "ArrowDown", shiftKey: true })).toEqual({ kind: "cursor", dx: 0, dy: -5 });
    expect(contourKeyAction({ key: "ArrowLeft" })).toEqual({ kind: "cursor", dx: -1, dy: 0 });
    expect(contourKeyAction({ key: "d" })).toEqual({ kind: "cursor", dx: 1, dy: 0 });
    expect(contourKeyAction({ key: "Home" })).toEqual({ kind: "home" });
    expect(contourKeyAction({ key: "Enter" })).toEqual({ kind: "pick" });
  });
});

describe("orbitPose", () => {
  const limits: OrbitLimits = { minDistance: 0.6, maxDistance: 12, minPolar: 0, maxPolar: Math.PI };
  const front: SharedCamera = { position: [0, 0, 2], target: [0, 0, 0] };
  const close = (a: readonly number[], b: readonly number[]) =>
    a.forEach((v, i) => {
      expect(v).toBeCloseTo(b[i], 9);
    });

  it("turns around the vertical axis through the target, keeping distance and height", () => {
    const p = orbitPose(front, { turn: Math.PI / 2, tilt: 0, zoom: 1 }, limits);
    close(p.position, [2, 0, 0]);
    expect(azimuthOf(p)).toBeCloseTo(Math.PI / 2, 9);
    const lifted = { position: [1, 3, 1], target: [1, 1, -1] } as SharedCamera;
    const q = orbitPose(lifted, { turn: Math.PI, tilt: 0, zoom: 1 }, limits);
    close(q.position, [1, 3, -3]);
    expect(q.target).toEqual([1, 1, -1]);
  });

  it("tilts within the polar limits, never straight over the target", () => {
    const up = orbitPose(front, { tilt: -Math.PI / 4, turn: 0, zoom: 1 }, limits);
    close(up.position, [0, Math.SQRT2, Math.SQRT2]);
    const top = orbitPose(front, { tilt: -Math.PI, turn: 0, zoom: 1 }, limits);
    expect(top.position[1]).toBeLessThan(2);
    expect(top.position[2]).toBeGreaterThan(0);
    const capped = orbitPose(front, { tilt: 0.5, turn: 0, zoom: 1 }, { ...limits, maxPolar: Math.PI / 2 });
    close(capped.position, [0, 0, 2]);
  });

  it("zooms by a distance factor within the distance limits", () => {
    close(orbitPose(front, { turn: 0, tilt: 0, zoom: 0.5 }, limits).position, [0, 0, 1]);
    close(orbitPose(front, { turn: 0, tilt: 0, zoom: 0.01 }, limits).position, [0, 0, 0.6]);
    close(orbitPose(front, { turn: 0, tilt: 0, zoom: 100 }, limits).position, [0, 0, 12]);
    close(orbitPose(front, { turn: 0, tilt: 0, zoom: Number.NaN }, limits).position, [0, 0, 2]);
  });

  it("leaves a degenerate pose (camera on its target) as it is", () => {
    const flat: SharedCamera = { position: [1, 1, 1], target: [1, 1, 1] };
    expect(orbitPose(flat, { turn: 1, tilt: 1, zoom: 2 }, limits)).toEqual(flat);
  });
});

describe("readouts", () => {
  const axes = [{ label: "α" }, { label: "β" }];
  const reading = {
    x: 0.1,
    y: -0.25,
    values: { train_loss: 0.43216, test_loss: 0.5, train_accuracy: Number.NaN },
  };

  it("lists the shown metric first, then every other surface, one per line for the hover box", () => {
    expect(hoverReadout({ axes, reading, metric: "test_loss" })).toBe(
      "α 0.1   β -0.25\ntest loss 0.5\ntrain loss 0.4322\ntrain accuracy —",
    );
    expect(hoverReadout({ axes: [{ label: "t" }], reading, metric: "train_loss" })).toBe(
      "t 0.1\ntrain loss 0.4322\ntest loss 0.5\ntrain accuracy —",
    );
  });

  it("announces one sentence, with a prefix and 'no value' for holes", () => {
    expect(announceReadout({ axes, reading, metric: "train_loss" }, "Picked")).toBe(
      "Picked α 0.1, β -0.25: train loss 0.4322, test loss 0.5, train accuracy no value",
    );
    expect(announceReadout({ axes, reading: { ...reading, values: {} }, metric: "train_loss" })).toBe(
      "α 0.1, β -0.25: train loss no value",
    );
  });
});

describe("tabForKey", () => {
  const tabs = ["3d", "contour", "slices"] as const;
  it("wraps around with the arrow keys and jumps with Home and End", () => {
    expect(tabForKey(tabs, "3d", "ArrowRight")).toBe("contour");
    expect(tabForKey(tabs, "slices", "ArrowRight")).toBe("3d");
    expect(tabForKey(tabs, "3d", "ArrowLeft")).toBe("slices");
    expect(tabForKey(tabs, "contour", "Home")).toBe("3d");
    expect(tabForKey(tabs, "contour", "End")).toBe("slices");
  });

  it("ignores other keys and an unknown current tab", () => {
    expect(tabForKey(tabs, "3d", "ArrowDown")).toBeNull();
    expect(tabForKey(tabs, "3d", "Enter")).toBeNull();
    expect(tabForKey(tabs, "nope" as never, "ArrowRight")).toBeNull();
    expect(tabForKey([], "3d", "Home")).toBeNull();
  });
});
