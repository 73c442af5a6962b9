/**
 * The data plot follows the replay: while the timeline is active, the decision boundary (or
 * regression curve) shown is that of the followed run's network at the timeline's checkpoint,
 * computed in a worker (compute/model-picture.ts). At most one computation is in flight; the
 * latest position wins. When the replay closes, the plot goes back to the picked (or trained)
 * point. Needs the checkpoints' parameters in the snapshot (trajectory.replay.parametersStored).
 *
 * @returns the step whose network the data plot shows (null: not the replay's).
 */
import { useEffect, useRef, useState } from "react";
import { appStore } from "../../state/store";
import { installScriptingHook } from "../scripting";
import { runAt } from "./replay-model";
import { useReplay } from "./replay-store";

export function useReplayBoundary(): number | null {
  const model = useReplay((s) => s.model);
  const snapshot = useReplay((s) => s.snapshot);
  const index = useReplay((s) => s.index);
  const active = useReplay((s) => s.active);
  const follow = useReplay((s) => s.follow);
  const [shown, setShown] = useState<number | null>(null);
  const busy = useRef(false);
  const wanted = useRef<{ step: number; key: string } | null>(null);
  const wasActive = useRef(false);

  useEffect(() => {
    const lab = installScriptingHook().lab;
    if (!active || !model || !snapshot) {
      if (wasActive.current && lab) void lab.inspect(appStore.getState().picked);
      wasActive.current = false;
      wanted.current = null;
      setShown(null);
      return;
    }
    wasActive.current = true;
    const run = model.runs[Math.min(follow, model.runs.length - 1)];
    if (!run?.parameters || !lab) return;
    const step = model.steps[index];
    const k = runAt(run, step).k;
    wanted.current = { step, key: `${follow}:${k}` };
    const pump = async () => {
      if (busy.current) return;
      busy.current = true;
      let done = "";
      try {
        while (wanted.current && wanted.current.key !== done) {
          const { step: s, key } = wanted.current;
          const [r, kk] = key.split(":").map(Number);
          const params = model.runs[r]?.parameters?.[kk];
          if (!params) break;
          const picture = await lab.pictureAt(snapshot, params);
          // Still the replay's turn (not closed meanwhile).
          if (!wanted.current) break;
          appStore.getState().setBoundary(picture);
          setShown(s);
          done = key;
        }
      } catch (err) {
        appStore
          .getState()
          .notify(`cannot draw the network at that checkpoint: ${(err as Error).message}`, "warn");
      } finally {
        busy.current = false;
      }
    };
    void pump();
  }, [active, model, snapshot, index, follow]);

  return shown;
}
