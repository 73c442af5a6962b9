/**
 * The keys of presentation mode, as a pure map from a key event to an action: space plays or
 * pauses, the left and right arrows step, F toggles full screen, Escape leaves. Up and down stay
 * with the focused 3D view (tilt). Keys typed into a text field or a list, or with Ctrl, Alt or
 * Meta held, are never taken. What "play" and "step" drive is the current Transport
 * (transport.ts): retargeting the keys means providing another transport, not changing this map.
 *
 * @example presentationAction({ key: " " }) // "play-pause"
 */

export type PresentationAction = "play-pause" | "step-forward" | "step-back" | "fullscreen" | "leave";

export interface KeyLike {
  key: string;
  altKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  /** The element the key went to (an editable one keeps its keys). */
  target?: unknown;
}

const ACTIONS: Record<string, PresentationAction> = {
  " ": "play-pause",
  Spacebar: "play-pause",
  ArrowRight: "step-forward",
  ArrowLeft: "step-back",
  f: "fullscreen",
  F: "fullscreen",
  Escape: "leave",
};

/** Whether keys typed at `target` belong to it: a text field, a list box, editable content. */
export function isEditable(target: unknown): boolean {
  if (typeof target !== "object" || target === null) return false;
  const el = target as { tagName?: unknown; isContentEditable?: unknown; type?: unknown };
  if (el.isContentEditable === true) return true;
  const tag = typeof el.tagName === "string" ? el.tagName.toUpperCase() : "";
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  const type = typeof el.type === "string" ? el.type.toLowerCase() : "text";
  return !["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(type);
}

export function presentationAction(e: KeyLike): PresentationAction | null {
  if (e.altKey || e.ctrlKey || e.metaKey) return null;
  const action = ACTIONS[e.key] ?? null;
  if (action === null) return null;
  // Escape leaves even from a field; every other key stays with the field.
  if (action !== "leave" && isEditable(e.target)) return null;
  return action;
}
