/**
 * Presentation mode (a button in the header, the URL key `present=1`): the page goes full screen
 * (Fullscreen API), the controls, side panels, header and status bar hide, fonts and markers
 * grow, and a lesson's claim shows as a caption over its views (LandscapePanel). Keys
 * (presentation-keys.ts): space plays or pauses and the arrows step whatever the current
 * Transport is (transport.ts: the training's, or a replay timeline's while one is mounted), F toggles full screen, Escape leaves.
 *
 * Leaving full screen (the browser's own Escape, F) leaves presentation mode, and leaving
 * presentation mode leaves full screen. A request for full screen needs a gesture (a click, a
 * key): from the URL key at load the page fills the window and the bar offers a "Full screen"
 * button (or F).
 *
 * @example <PresentationMode /> // once, in App; the header's button calls enterPresentation()
 */
import { useEffect, useState, useSyncExternalStore } from "react";
import { appStore, useAppStore } from "../../state/store";
import { exitFullscreen, isFullscreen, requestFullscreen } from "./fullscreen";
import { type PresentationAction, presentationAction } from "./presentation-keys";
import { currentTransport, driveTransport, subscribeTransport } from "./transport";
import "./classroom.css";

/** The class on <html> while presenting (app.css scales the fonts with it). */
const PRESENTING_CLASS = "presenting";

/**
 * Whether this presentation has been full screen: only then does leaving full screen end it.
 * Set when a request succeeds as well as on the change event, because a browser may deliver the
 * event of entering only after full screen was left again (then both events see "not full
 * screen").
 */
let wasFullscreen = false;

/** Ask for full screen, remembering that this presentation went full screen. */
function goFullscreen(): void {
  void requestFullscreen().then((ok) => {
    if (ok && appStore.getState().presenting) wasFullscreen = true;
  });
}

/** Enter presentation mode and ask for full screen (call it from a click: a gesture). */
export function enterPresentation(): void {
  appStore.getState().setPresenting(true);
  goFullscreen();
}

/** Leave presentation mode (and full screen). */
function leavePresentation(): void {
  appStore.getState().setPresenting(false);
  void exitFullscreen();
}

/** Set while F leaves full screen: the page stays in presentation mode, filling the window. */
let stayPresenting = false;

/** Carry out one presentation key's action. */
function runPresentationAction(action: PresentationAction): void {
  switch (action) {
    case "play-pause":
    case "step-forward":
    case "step-back":
      driveTransport(action);
      return;
    case "fullscreen":
      if (isFullscreen()) {
        stayPresenting = true;
        void exitFullscreen();
      } else goFullscreen();
      return;
    case "leave":
      leavePresentation();
  }
}

export function PresentationMode() {
  const presenting = useAppStore((s) => s.presenting);
  const [fullscreen, setFullscreen] = useState(isFullscreen);

  useEffect(() => {
    document.documentElement.classList.toggle(PRESENTING_CLASS, presenting);
    if (!presenting) {
      wasFullscreen = false;
      void exitFullscreen();
      return;
    }
    // Entered from the URL key (no gesture: a request would be refused, with a console warning),
    // the page fills the window and the bar offers the Full screen button (or F).
    // Whatever had the focus (the Present button, a field) is hidden now.
    const active = document.activeElement;
    if (active instanceof HTMLElement && active.closest(".app-header, .dock")) active.blur();
    return () => document.documentElement.classList.remove(PRESENTING_CLASS);
  }, [presenting]);

  useEffect(() => {
    const onChange = () => {
      const now = isFullscreen();
      setFullscreen(now);
      if (now) {
        if (appStore.getState().presenting) wasFullscreen = true;
      } else if (stayPresenting) {
        stayPresenting = false;
        wasFullscreen = false;
      } else if (wasFullscreen && appStore.getState().presenting) {
        wasFullscreen = false;
        appStore.getState().setPresenting(false);
      }
    };
    document.addEventListener("fullscreenchange", onChange);
    return () => document.removeEventListener("fullscreenchange", onChange);
  }, []);

  useEffect(() => {
    if (!presenting) return;
    // Capture: the keys are the presentation's before the focused 3D view (arrows, space) sees them.
    const onKey = (e: KeyboardEvent) => {
      const action = presentationAction(e);
      if (!action) return;
      e.preventDefault();
      e.stopPropagation();
      if (e.repeat && action !== "step-forward" && action !== "step-back") return;
      runPresentationAction(action);
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, [presenting]);

  const transport = useSyncExternalStore(subscribeTransport, () => currentTransport()?.name ?? "nothing");
  if (!presenting) return null;
  return (
    <div className="presentation-bar" data-testid="presentation-bar" data-fullscreen={fullscreen}>
      <span className="presentation-keys">
        <kbd>space</kbd> play / pause {transport} · <kbd>→</kbd> step · <kbd>F</kbd> full screen ·{" "}
        <kbd>Esc</kbd> leave
      </span>
      {!fullscreen && (
        <button
          type="button"
          data-testid="presentation-fullscreen"
          onClick={goFullscreen}
          title="Fill the whole screen with the views"
        >
          Full screen
        </button>
      )}
      <button
        type="button"
        data-testid="presentation-leave"
        onClick={leavePresentation}
        title="Back to the lab: the controls and panels come back"
      >
        Leave presentation
      </button>
    </div>
  );
}
