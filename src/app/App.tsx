import { useCallback, useEffect } from "react";
import { LESSONS } from "../core/lessons/catalog";
import { appStore, useAppStore } from "../state/store";
import type { PickedPoint } from "../state/types";
import { CopyLinkButton } from "./CopyLinkButton";
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

/** The lab: controls on the left, the landscape in the middle, the model and its training on the right. */
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
    <div className="app">
      {/* The first stop of the Tab key: straight to the view (the controls come first otherwise). */}
      <button type="button" className="skip-link" data-testid="skip-to-view" onClick={focusView}>
        Skip to the landscape view
      </button>
      <Header>
        <SnapshotActions lab={lab} onError={notify} />
        <LibraryMenu lab={lab} onError={notify} />
        <CopyLinkButton />
      </Header>
      <main className="app-main lab-layout">
        <ControlPanel
          presets={presetList}
          onPreset={(name) => void onPreset(name)}
          lessons={lessonList}
          onLesson={(id) => void onLesson(id)}
          onRun={() => void lab?.run()}
          onCancel={() => lab?.cancel()}
        />
        <LandscapePanel onPick={onPick} onCloseLesson={onCloseLesson} />
        <SidePanel lab={lab} />
      </main>
      <StatusBar status={status} />
    </div>
  );
}
