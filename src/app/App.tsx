import { useCallback } from "react";
import { LESSONS } from "../core/lessons/catalog";
import { fromExperimentConfig } from "../state/config-map";
import { appStore } from "../state/store";
import type { PickedPoint } from "../state/types";
import { CopyLinkButton } from "./CopyLinkButton";
import { ControlPanel } from "./controls/ControlPanel";
import { Header } from "./Header";
import { LandscapePanel } from "./LandscapePanel";
import { LibraryMenu } from "./LibraryMenu";
import { fetchLesson, fetchPreset, hasPaths, PRESETS } from "./presets";
import { SidePanel } from "./SidePanel";
import { SnapshotActions } from "./SnapshotActions";
import { StatusBar } from "./StatusBar";
import { useLab } from "./useLab";
import { useSnapshotDrop } from "./useSnapshotDrop";

const presetList = PRESETS.map((p) => ({ name: p.name, label: p.label }));
const lessonList = LESSONS.map((l) => ({ id: l.id, title: l.title, kind: l.kind }));

/** The lab: controls on the left, the landscape in the middle, the model and its training on the right. */
export function App() {
  const { lab, status } = useLab();
  const notify = useCallback((message: string) => appStore.getState().notify(message, "error"), []);
  const onPick = useCallback((p: PickedPoint) => void lab?.inspect(p), [lab]);
  useSnapshotDrop(lab, notify);
  const onPreset = useCallback(
    async (name: string) => {
      try {
        const config = await fetchPreset(name);
        const unshown = fromExperimentConfig(config).problems;
        if (unshown.length > 0 && !hasPaths(config)) {
          // A config the controls cannot hold (a CNN, the digits): run it as written.
          appStore
            .getState()
            .notify(
              `preset "${name}" runs as written: the controls cannot show all of it (${unshown[0]})`,
              "info",
            );
          void lab?.runConfig(config);
          return;
        }
        const problems = appStore.getState().applyPreset(name, config);
        if (problems.length === 0) void (hasPaths(config) ? lab?.runPaths(config, name) : lab?.run());
      } catch (err) {
        notify((err as Error).message);
      }
    },
    [lab, notify],
  );

  const onLesson = useCallback(
    async (id: string) => {
      const entry = LESSONS.find((l) => l.id === id);
      if (!entry || !lab) return;
      try {
        await lab.openLesson(await fetchLesson(entry.file));
      } catch (err) {
        notify((err as Error).message);
      }
    },
    [lab, notify],
  );
  const onCloseLesson = useCallback(() => lab?.closeLesson(), [lab]);

  return (
    <div className="app">
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
