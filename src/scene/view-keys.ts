/**
 * What the keys do in the focused 3D view and contour map (README "The app" lists the same).
 * Pure: a key event's fields -> an action; the views carry the actions out.
 *
 * 3D view: arrows turn (left, right) and tilt (up, down) the camera, + and - zoom, Home resets
 * the camera; W A S D move the grid cursor on screen (away, left, towards, right); Enter or
 * Space picks the point under the cursor. Shift makes every step bigger.
 * Contour map: arrows (or W A S D) move the cursor (up is +y), Home puts it back on the trained
 * point, Enter or Space picks.
 *
 * Keys with Ctrl, Alt or Meta are left to the browser (shortcuts, history navigation).
 */
import type { ScreenStep } from "./keyboard-cursor";

/** The fields of a KeyboardEvent the key maps read. */
export interface KeyLike {
  key: string;
  shiftKey?: boolean;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
}

/** Grid steps per cursor key press; with Shift. */
const CURSOR_STEP = 1;
export const CURSOR_STEP_SHIFT = 5;
/** Camera turn (around the vertical axis) and tilt per key press, in degrees; with Shift. */
export const TURN_DEGREES = 15;
export const TURN_DEGREES_SHIFT = 45;
export const TILT_DEGREES = 10;
const TILT_DEGREES_SHIFT = 30;
/** Distance factor per zoom key press (in: times this, out: divided by it); with Shift. */
const ZOOM_FACTOR = 0.85;
const ZOOM_FACTOR_SHIFT = 0.6;

/** Change of the camera pose around its target: angles in radians, zoom as a distance factor. */
export interface OrbitMove {
  /** Added to the azimuth (OrbitControls' theta); positive turns the surface left, as a drag to the left does. */
  turn: number;
  /** Added to the polar angle (0 = from straight above); negative looks from higher up. */
  tilt: number;
  /** Camera distance factor (below 1 comes closer). */
  zoom: number;
}

type SceneKeyAction =
  | { kind: "orbit"; move: OrbitMove }
  | { kind: "reset-camera" }
  | { kind: "cursor"; step: ScreenStep }
  | { kind: "pick" };

type ContourKeyAction = { kind: "cursor"; dx: number; dy: number } | { kind: "home" } | { kind: "pick" };

const DEG = Math.PI / 180;

function withModifier(e: KeyLike): boolean {
  return Boolean(e.ctrlKey || e.altKey || e.metaKey);
}

function isPick(key: string): boolean {
  return key === "Enter" || key === " " || key === "Spacebar";
}

/**
 * The 3D view's action for a key, or null for keys it leaves alone.
 *
 * @example sceneKeyAction({ key: "ArrowLeft" }) // { kind: "orbit", move: { turn: 15°, tilt: 0, zoom: 1 } }
 */
export function sceneKeyAction(e: KeyLike): SceneKeyAction | null {
  if (withModifier(e)) return null;
  const shift = Boolean(e.shiftKey);
  const turn = (shift ? TURN_DEGREES_SHIFT : TURN_DEGREES) * DEG;
  const tilt = (shift ? TILT_DEGREES_SHIFT : TILT_DEGREES) * DEG;
  const zoom = shift ? ZOOM_FACTOR_SHIFT : ZOOM_FACTOR;
  const step = shift ? CURSOR_STEP_SHIFT : CURSOR_STEP;
  const orbit = (move: Partial<OrbitMove>): SceneKeyAction => ({
    kind: "orbit",
    move: { turn: 0, tilt: 0, zoom: 1, ...move },
  });
  if (isPick(e.key)) return { kind: "pick" };
  switch (e.key) {
    case "ArrowLeft":
      return orbit({ turn });
    case "ArrowRight":
      return orbit({ turn: -turn });
    case "ArrowUp":
      return orbit({ tilt: -tilt });
    case "ArrowDown":
      return orbit({ tilt });
    case "+":
    case "=":
      return orbit({ zoom });
    case "-":
    case "_":
      return orbit({ zoom: 1 / zoom });
    case "Home":
      return { kind: "reset-camera" };
  }
  switch (e.key.toLowerCase()) {
    case "w":
      return { kind: "cursor", step: { right: 0, away: step } };
    case "s":
      return { kind: "cursor", step: { right: 0, away: -step } };
    case "a":
      return { kind: "cursor", step: { right: -step, away: 0 } };
    case "d":
      return { kind: "cursor", step: { right: step, away: 0 } };
  }
  return null;
}

/**
 * The contour map's action for a key, or null for keys it leaves alone. Up is +y (the map's y
 * axis grows upwards).
 *
 * @example contourKeyAction({ key: "ArrowUp", shiftKey: true }) // { kind: "cursor", dx: 0, dy: 5 }
 */
export function contourKeyAction(e: KeyLike): ContourKeyAction | null {
  if (withModifier(e)) return null;
  const step = e.shiftKey ? CURSOR_STEP_SHIFT : CURSOR_STEP;
  if (isPick(e.key)) return { kind: "pick" };
  switch (e.key) {
    case "Home":
      return { kind: "home" };
    case "ArrowLeft":
      return { kind: "cursor", dx: -step, dy: 0 };
    case "ArrowRight":
      return { kind: "cursor", dx: step, dy: 0 };
    case "ArrowUp":
      return { kind: "cursor", dx: 0, dy: step };
    case "ArrowDown":
      return { kind: "cursor", dx: 0, dy: -step };
  }
  switch (e.key.toLowerCase()) {
    case "a":
      return { kind: "cursor", dx: -step, dy: 0 };
    case "d":
      return { kind: "cursor", dx: step, dy: 0 };
    case "w":
      return { kind: "cursor", dx: 0, dy: step };
    case "s":
      return { kind: "cursor", dx: 0, dy: -step };
  }
  return null;
}

/** The keys of the 3D view, for its accessible description and its on-focus hint. */
export const SCENE_KEYS_HELP =
  "Arrow keys turn and tilt the view, + and - zoom, Home resets it. W A S D move the cursor, Enter picks the point under it. Shift: bigger steps.";

/** The keys of the contour map, for its accessible description and its on-focus hint. */
export const CONTOUR_KEYS_HELP =
  "Arrow keys (or W A S D) move the cursor, Shift: 5 steps, Home: back to the trained point, Enter picks the point under it.";
