/**
 * Run and Cancel, with what the run will cost (grid points, time, memory: core/config/cost.ts).
 * Run refuses to start while a field holds text it cannot store (the store's draftProblems): it
 * would otherwise run the previous values the field no longer shows. The refusal names every such
 * field beside the button and moves the focus to the first one. A long or large run asks first,
 * naming its figures.
 */
import { useMemo, useRef, useState } from "react";
import { describeEstimate, estimateRun, type RunEstimate } from "../../core/config/cost";
import { resolveConfig } from "../../core/config/resolve";
import { toExperimentConfig } from "../../state/config-map";
import type { SettingKey } from "../../state/properties";
import { appStore, useAppStore } from "../../state/store";
import { runBlockers } from "../../state/validate";

/** Focus the input of `key` (opening the collapsed groups around it): the first invalid part of an axis. */
function focusField(key: SettingKey): void {
  const field = document.querySelector<HTMLElement>(`[data-testid="ctl-${key}"]`);
  if (!field) return;
  for (let el = field.parentElement; el; el = el.parentElement)
    if (el instanceof HTMLDetailsElement) el.open = true;
  const target =
    field instanceof HTMLInputElement || field instanceof HTMLSelectElement
      ? field
      : (field.querySelector<HTMLElement>("input.invalid") ??
        field.querySelector<HTMLElement>("input:not([type=checkbox]), select") ??
        field);
  target.focus();
}

export function RunButtons({ onRun, onCancel }: { onRun(): void; onCancel(): void }) {
  const phase = useAppStore((s) => s.job.phase);
  const problems = useAppStore((s) => s.draftProblems);
  const settings = useAppStore((s) => s.settings);
  const measured = useAppStore((s) => s.measuredSpeed);
  const [refused, setRefused] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const running = phase === "training" || phase === "sampling";
  const blockers = runBlockers(problems);
  const estimate = useMemo<RunEstimate | null>(() => {
    try {
      return estimateRun(resolveConfig(toExperimentConfig(settings)), measured);
    } catch {
      return null; // an invalid combination: Run says why
    }
  }, [settings, measured]);
  const run = () => {
    const now = runBlockers(appStore.getState().draftProblems);
    if (now.length > 0) {
      setRefused(true);
      focusField(now[0].key);
      return;
    }
    setRefused(false);
    if (estimate?.confirm && dialog.current) {
      dialog.current.showModal();
      return;
    }
    onRun();
  };
  return (
    <>
      <div className="ctl-actions">
        <button
          type="button"
          className="ctl-run"
          data-testid="run"
          title="Train the controls' experiment and sample its landscape: the views, the slices and the charts show the new run"
          disabled={running}
          aria-describedby={refused && blockers.length > 0 ? "run-blocked" : undefined}
          onClick={run}
        >
          Run
        </button>
        <button
          type="button"
          className="ctl-cancel"
          data-testid="cancel"
          title="Stop the running job: the views keep (or get back) the last finished landscape"
          disabled={!running}
          onClick={onCancel}
        >
          Cancel
        </button>
      </div>
      {estimate && (
        <div className="ctl-estimate" data-testid="run-estimate">
          {describeEstimate(estimate)}
        </div>
      )}
      <dialog ref={dialog} className="ctl-confirm" data-testid="confirm-run">
        <p>
          This run is {estimate?.overBudget ? "too large for a compute worker" : "long or large"}:{" "}
          {estimate ? describeEstimate(estimate) : ""}.
        </p>
        <form method="dialog" className="ctl-confirm-actions">
          <button type="submit" value="cancel" data-testid="confirm-run-cancel">
            Cancel
          </button>
          <button
            type="submit"
            value="run"
            data-testid="confirm-run-go"
            disabled={estimate?.overBudget}
            onClick={() => onRun()}
          >
            Run anyway
          </button>
        </form>
      </dialog>
      {refused && blockers.length > 0 && (
        <div id="run-blocked" className="ctl-run-blocked" role="alert" data-testid="run-blocked">
          Not run: {blockers.length === 1 ? "this field needs" : "these fields need"} a valid value first.
          <ul>
            {blockers.map((b) => (
              <li key={b.key}>{b.text}</li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}
