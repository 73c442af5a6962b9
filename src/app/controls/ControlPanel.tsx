import { useId } from "react";
import {
  GROUPS,
  type Group,
  isShown,
  propertyOf,
  SETTING_KEYS,
  type SettingKey,
} from "../../state/properties";
import { useAppStore } from "../../state/store";
import { Field } from "./Field";
import { Notices } from "./Notices";
import { ProgressBar } from "./ProgressBar";
import { RunButtons } from "./RunButtons";
import "./controls.css";

interface ControlPanelProps {
  presets: { name: string; label: string; description?: string }[];
  /** Lessons (two runs side by side with a claim); absent: no lesson picker. */
  lessons?: { id: string; title: string; short: string; kind: "flatness" | "paths" }[];
  onLesson?(id: string): void;
  onPreset(name: string): void;
  onRun(): void;
  onCancel(): void;
  /** Show the store's messages under the buttons (default true). */
  showMessages?: boolean;
}

const KEYS_BY_GROUP = new Map<Group, SettingKey[]>(
  GROUPS.map((g) => [g, SETTING_KEYS.filter((k) => propertyOf(k).group === g)]),
);

/**
 * Every setting of the property table, grouped as the table says, plus the preset picker, Run
 * and Cancel and the job's progress. Reads and writes the app store; computes nothing.
 */
export function ControlPanel({
  presets,
  onPreset,
  lessons,
  onLesson,
  onRun,
  onCancel,
  showMessages = true,
}: ControlPanelProps) {
  return (
    <aside className="controls" aria-label="Controls" data-testid="controls">
      <PresetPicker presets={presets} onPreset={onPreset} />
      {lessons && onLesson ? <LessonPicker lessons={lessons} onLesson={onLesson} /> : null}
      <RunButtons onRun={onRun} onCancel={onCancel} />
      <ProgressBar />
      {showMessages && <Notices />}
      {GROUPS.map((group) => (
        <GroupSection key={group} group={group} />
      ))}
    </aside>
  );
}

function PresetPicker({ presets, onPreset }: Pick<ControlPanelProps, "presets" | "onPreset">) {
  const id = useId();
  const presetName = useAppStore((s) => s.presetName);
  const known = presets.some((p) => p.name === presetName);
  return (
    <div
      className="ctl-row ctl-preset"
      title="load an example experiment (view settings stay). In the picture: that example's landscape, once it has run."
    >
      <label className="ctl-label" htmlFor={id}>
        Preset
      </label>
      <div className="ctl-input">
        <select
          id={id}
          data-testid="ctl-preset"
          value={known && presetName ? presetName : ""}
          onChange={(e) => {
            if (e.target.value) onPreset(e.target.value);
          }}
        >
          <option value="" disabled>
            {presetName && !known ? presetName : "custom"}
          </option>
          {presets.map((p) => (
            <option key={p.name} value={p.name} title={p.description}>
              {p.label}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

function LessonPicker({
  lessons,
  onLesson,
}: {
  lessons: { id: string; title: string; short: string; kind: "flatness" | "paths" }[];
  onLesson(id: string): void;
}) {
  const id = useId();
  const open = useAppStore((s) => s.lesson?.lesson.id ?? "");
  const groups = [
    { kind: "flatness", label: "Flat and sharp minima" },
    { kind: "paths", label: "Paths between minima" },
  ] as const;
  return (
    <div
      className="ctl-row ctl-preset"
      title="a claim in plain words, the experiments behind it (two side by side, or paths between two minima) and checks of their numbers. In the picture: the lesson's two landscapes side by side on one colour scale (or the plane of its paths), the claim and checks below."
    >
      <label className="ctl-label" htmlFor={id}>
        Lesson
      </label>
      <div className="ctl-input">
        <select
          id={id}
          data-testid="ctl-lesson"
          value={lessons.some((l) => l.id === open) ? open : ""}
          onChange={(e) => {
            if (e.target.value) onLesson(e.target.value);
          }}
        >
          <option value="" disabled>
            choose a lesson
          </option>
          {groups.map((g) => (
            <optgroup key={g.kind} label={g.label}>
              {lessons
                .filter((l) => l.kind === g.kind)
                .map((l) => (
                  <option key={l.id} value={l.id} title={l.title}>
                    {l.short}
                  </option>
                ))}
            </optgroup>
          ))}
        </select>
      </div>
    </div>
  );
}

function GroupSection({ group }: { group: Group }) {
  // Re-render on the two settings that decide which fields show.
  const ds = useAppStore((s) => s.settings.ds);
  const opt = useAppStore((s) => s.settings.opt);
  const keys = (KEYS_BY_GROUP.get(group) ?? []).filter((k) => isShown(k, { ds, opt }));
  const main = keys.filter((k) => !propertyOf(k).advanced);
  const more = keys.filter((k) => propertyOf(k).advanced);
  return (
    <details className="ctl-group" open data-testid={`group-${group.toLowerCase()}`}>
      <summary>{group}</summary>
      <div className="ctl-fields">
        {main.map((k) => (
          <Field key={k} settingKey={k} />
        ))}
        {more.length > 0 && (
          <details className="ctl-more">
            <summary>More</summary>
            <div className="ctl-fields">
              {more.map((k) => (
                <Field key={k} settingKey={k} />
              ))}
            </div>
          </details>
        )}
      </div>
    </details>
  );
}
