import { useEffect, useState } from "react";
import type { Lab } from "../compute/lab";
import { useAppStore } from "../state/store";

/** Play / pause / step / reset of the training (TensorFlow Playground's transport controls). */
export function TrainingControls({ lab }: { lab: Lab | null }) {
  const phase = useAppStore((s) => s.job.phase);
  const [paused, setPaused] = useState(false);
  const training = phase === "training";
  useEffect(() => {
    if (!training) setPaused(false);
  }, [training]);
  const act = (action: "pause" | "resume" | "step") => {
    lab?.trainingControl(action);
    if (action !== "step") setPaused(action === "pause");
  };
  return (
    <div className="training-controls" data-testid="training-controls">
      {training && paused ? (
        <button
          type="button"
          data-testid="train-resume"
          onClick={() => act("resume")}
          title="Resume training"
        >
          ▶ Play
        </button>
      ) : (
        <button
          type="button"
          data-testid="train-play"
          disabled={!lab || phase === "sampling"}
          onClick={() => (training ? act("pause") : void lab?.run())}
          title={training ? "Pause training before the next epoch" : "Train and sample the landscape"}
        >
          {training ? "❚❚ Pause" : "▶ Play"}
        </button>
      )}
      <button
        type="button"
        data-testid="train-step"
        disabled={!training || !paused}
        onClick={() => act("step")}
        title="Run one epoch"
      >
        Step
      </button>
      <button
        type="button"
        data-testid="train-reset"
        disabled={!lab}
        onClick={() => lab?.reset()}
        title="Stop and clear"
      >
        Reset
      </button>
      {training && paused ? <span className="muted small">paused</span> : null}
    </div>
  );
}
