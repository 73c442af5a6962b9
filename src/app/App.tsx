import { useCallback, useEffect, useState } from "react";
import { LESSONS } from "../core/lessons/catalog";
import { appStore, useAppStore } from "../state/store";
import type { PickedPoint } from "../state/types";
import { CopyLinkButton } from "./CopyLinkButton";
import { Dock, DockToggle } from "./classroom/Dock";
import { Explainer } from "./classroom/Explainer";
import { explainerSeen, markExplainerSeen } from "./classroom/explainer-seen";
import { enterPresentation, PresentationMode } from "./classroom/PresentationMode";
import { useDocking } from "./classroom/useDocking";
import { ControlPanel } from "./controls/ControlPanel";
import { Header } from "./Header";
import { LandscapePanel } from "./LandscapePanel";
import { LibraryMenu } from "./LibraryMenu";
import { PRESETS, pickLesson, pickPreset } from "./presets";
import { SidePanel } from "./SidePanel";
import { SnapshotActions } from "./SnapshotActions";
import { StatusBar } from "./StatusBar";
import { useLab } from "./useLab";
import { useSnapshotDrop } from "./useSnapshotDrop";

const presetList = PRESETS.map((p) => ({ name: p.name, label: p.label, description: p.description }));
const lessonList = LESSONS.map((l) => ({ id: l.id, title: l.title, short: l.short, kind: l.kind }));

/** Focus the landscape view that is open (the 3D view, or the contour map). */
function focusView(): void {
  document.querySelector<HTMLElement>('.landscape-panel [role="application"]')?.focus();
}

/** Give the focus back to a drawer's toggle once the drawer has closed. */
function focusToggle(side: "left" | "right"): void {
  requestAnimationFrame(() =>
    document.querySelector<HTMLElement>(`[data-testid="dock-${side}-toggle"]`)?.focus(),
  );
}

/**
 * The lab: controls on the left, the landscape in the middle, the model and its training on the
 * right. A window too narrow for the views folds the side panel, then the controls, into drawers
 * (classroom/Dock.tsx, layout.ts); presentation mode shows the views alone (PresentationMode).
 */
export function App() {
  const { lab, status, handle } = useLab();
  const notify = useCallback((message: string) => appStore.getState().notify(message, "error"), []);
  const onPick = useCallback((p: PickedPoint) => void lab?.inspect(p), [lab]);
  useSnapshotDrop(lab, notify);
  // Picked while the lab starts, a preset or lesson waits for it and is what runs (useLab's handle).
  const onPreset = useCallback(
    (name: string) =>
      handle
        .choose(() => pickPreset(name, () => handle.whenStarted(), appStore))
        .catch((err: Error) => notify(err.message)),
    [handle, notify],
  );
  const onLesson = useCallback(
    (id: string) =>
      handle
        .choose(() => pickLesson(id, () => handle.whenStarted(), notify))
        .catch((err: Error) => notify(err.message)),
    [handle, notify],
  );
  const onCloseLesson = useCallback(() => lab?.closeLesson(), [lab]);
  const views = useAppStore((s) => (s.compare ? 2 : 1));
  const presenting = useAppStore((s) => s.presenting);
  const docking = useDocking(views);
  const [drawer, setDrawer] = useState<"left" | "right" | null>(null);
  // A panel that docks again is no longer a drawer to keep open.
  const shownDrawer =
    (drawer === "left" && !docking.controls) || (drawer === "right" && !docking.side) ? drawer : null;
  const closeDrawer = (side: "left" | "right") => {
    setDrawer(null);
    focusToggle(side);
  };
  const toggleDrawer = (side: "left" | "right") => setDrawer((d) => (d === side ? null : side));
  // The explainer opens by itself on a first visit, without taking the focus.
  const [explainer, setExplainer] = useState(() => ({ open: !explainerSeen(), focus: false }));
  const closeExplainer = () => {
    markExplainerSeen();
    setExplainer({ open: false, focus: false });
  };
  // A link to a lesson or preset (#lesson=ID, #preset=NAME), at load or pasted later, opens it
  // as if it were picked (so the automatic first run leaves it alone).
  const route = useAppStore((s) => s.requestedRoute);
  useEffect(() => {
    if (!route) return;
    appStore.getState().requestRoute(null);
    if (route.key === "lesson") {
      if (LESSONS.some((l) => l.id === route.value)) void onLesson(route.value);
      else notify(`the link names no lesson "${route.value}"`);
    } else if (PRESETS.some((p) => p.name === route.value)) void onPreset(route.value);
    else notify(`the link names no preset "${route.value}"`);
  }, [route, onLesson, onPreset, notify]);

  return (
    <div className={presenting ? "app presenting" : "app"}>
      {/* The first stop of the Tab key: straight to the view (the controls come first otherwise). */}
      <button type="button" className="skip-link" data-testid="skip-to-view" onClick={focusView}>
        Skip to the landscape view
      </button>
      <Header
        lead={
          <>
            <button
              type="button"
              data-testid="explainer-open"
              className="explainer-open"
              aria-label="What am I looking at?"
              aria-expanded={explainer.open}
              onClick={() => (explainer.open ? closeExplainer() : setExplainer({ open: true, focus: true }))}
              title="What the picture shows: the plane, the directions, the colours, the dots and lines, flat vs sharp"
            >
              ?<span className="wide-only"> What am I looking at?</span>
            </button>
            <button
              type="button"
              data-testid="present"
              onClick={enterPresentation}
              title="Presentation mode: the views full screen with larger text and markers, the controls hidden (space: play or pause, →: step, Esc: leave)"
            >
              Present
            </button>
          </>
        }
      >
        <SnapshotActions lab={lab} onError={notify} />
        <LibraryMenu lab={lab} onError={notify} />
        <CopyLinkButton />
      </Header>
      <main
        className="app-main lab-layout"
        data-controls={docking.controls ? "docked" : "drawer"}
        data-side={docking.side ? "docked" : "drawer"}
        data-testid="lab-layout"
      >
        <Dock
          side="left"
          id="dock-controls"
          title="Controls"
          docked={docking.controls}
          open={shownDrawer === "left"}
          onClose={() => closeDrawer("left")}
        >
          <ControlPanel
            presets={presetList}
            onPreset={(name) => void onPreset(name)}
            lessons={lessonList}
            onLesson={(id) => void onLesson(id)}
            onRun={() => void lab?.run()}
            onCancel={() => lab?.cancel()}
          />
        </Dock>
        <LandscapePanel
          onPick={onPick}
          onCloseLesson={onCloseLesson}
          stacked={docking.stacked}
          toolbarStart={
            docking.controls ? null : (
              <DockToggle
                side="left"
                controls="dock-controls"
                label="Controls"
                open={shownDrawer === "left"}
                onToggle={() => toggleDrawer("left")}
                title="Open the controls (dataset, model, training, directions, grid, view) over the views"
              />
            )
          }
          toolbarEnd={
            docking.side ? null : (
              <DockToggle
                side="right"
                controls="dock-side"
                label="Model & training"
                open={shownDrawer === "right"}
                onToggle={() => toggleDrawer("right")}
                title="Open the model on its data and the training charts (Pause, Step) over the views"
              />
            )
          }
        />
        <Dock
          side="right"
          id="dock-side"
          title="Model & training"
          docked={docking.side}
          open={shownDrawer === "right"}
          onClose={() => closeDrawer("right")}
        >
          <SidePanel lab={lab} />
        </Dock>
      </main>
      <StatusBar status={status} />
      <PresentationMode />
      <Explainer open={explainer.open && !presenting} focus={explainer.focus} onClose={closeExplainer} />
    </div>
  );
}
