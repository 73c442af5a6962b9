/**
 * The Fullscreen API for presentation mode: the whole page goes full screen (the page hides its
 * own controls), so messages and the view overlays stay. A request needs a user's gesture (a
 * click, a key): one made at load from the URL key is refused, and the page shows a button.
 */

/** Whether the page is full screen now. */
export function isFullscreen(): boolean {
  return typeof document !== "undefined" && document.fullscreenElement !== null;
}

/** Ask for full screen; resolves to whether the page is full screen afterwards (never rejects). */
export async function requestFullscreen(): Promise<boolean> {
  const root = typeof document !== "undefined" ? document.documentElement : null;
  if (!root?.requestFullscreen) return false;
  if (isFullscreen()) return true;
  try {
    await root.requestFullscreen({ navigationUI: "hide" });
    return true;
  } catch {
    return false;
  }
}

/** Leave full screen (nothing when not full screen). */
export async function exitFullscreen(): Promise<void> {
  if (!isFullscreen() || !document.exitFullscreen) return;
  try {
    await document.exitFullscreen();
  } catch {
    // already left (the browser's own Escape)
  }
}
