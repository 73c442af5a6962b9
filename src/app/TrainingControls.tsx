import { useEffect, useRef, useState } from "react";
import type { Lab } from "../compute/lab";
import { useAppStore } from "../state/store";
import { provideTransport } from "./classroom/transport";

/**
 * Pause / play / step / reset of the training (TensorFlow Playground's transport controls).
 * While a training runs: Pause stops it before its next epoch, Play lets it run on, Step trains
 * one epoch. With nothing running, Step starts the controls' experiment paused before its first
 * epoch, so that it can be trained one epoch at a time (Run starts it running; there is no second
 * button for that). Reset stops everything and clears the landscape and the charts.
 *
 * While mounted it is the transport of presentation mode's keys (classroom/transport.ts): space
 * is Play or Pause of a running training, the right arrow is Step.
 */
export function TrainingControls({ lab }: { lab: Lab | null }) {
  const phase = useAppStore((s) => s.job.phase);
  // Fields with text they cannot store: Run says which; nothing starts meanwhile.
  const blocked = useAppStore((s) => Object.keys(s.draftProblems).length > 0);
  const [paused, setPaused] = useState(false);
  const training = phase === "training";
  const busy = training || phase === "sampling";
  useEffect(() => {
    if (!training) setPaused(false);
  }, [training]);
  const act = (action: "pause" | "resume" | "step") => {
    lab?.trainingControl(action);
    if (action !== "step") setPaused(action === "pause");
  };
  const stepFromStart = () => {
    setPaused(true);
    void lab?.run({ paused: true });
  };
  const canStep = lab !== null && (busy ? training && paused : !blocked);
  const step = () => (training ? act("step") : stepFromStart());
  // The presentation keys press these buttons (read through a ref: provided once, always current).
  const keys = useRef({ playPause: () => {}, step: () => {} });
  keys.current = {
    playPause: () => {
      if (training) act(paused ? "resume" : "pause");
    },
    step: () => {
      if (canStep) step();
    },
  };
  useEffect(
    () =>
      provideTransport({
        name: "training",
        playPause: () => keys.current.playPause(),
        step: (direction) => {
          if (direction === 1) keys.current.step();
        },
      }),
    [],
  );
  return (
    <div className="training-controls" data-testid="training-controls">
      {training &&
        (paused ? (
          <button
            type="button"
            data-testid="train-resume"
            onClick={() => act("resume")}
            title="Resume training: the loss curves grow again; the landscape is drawn when it ends"
          >
            ▶ Play
          </button>
        ) : (
          <button
            type="button"
            data-testid="train-pause"
            onClick={() => act("pause")}
            title="Pause training before the next epoch: the loss curves stop where they are"
          >
            ❚❚ Pause
          </button>
        ))}
      <button
        type="button"
        data-testid="train-step"
        disabled={!canStep}
        onClick={step}
        title={
          training
            ? "Train one more epoch: one more point on the loss curves"
            : "Start the controls' experiment paused, then train it one epoch per click (Play runs the rest); the landscape is drawn when training ends"
        }
      >
        {training ? "Step" : "Step through"}
      </button>
      <button
        type="button"
        data-testid="train-reset"
        disabled={!lab}
        onClick={() => lab?.reset()}
        title="Stop and clear: the landscape, the data plot's model and the charts go blank"
      >
        Reset
      </button>
      {training && paused ? <span className="muted small">paused</span> : null}
    </div>
  );
}
