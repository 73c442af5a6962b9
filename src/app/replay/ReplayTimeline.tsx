/**
 * The timeline under the views that replays the shown snapshot's training (its `trajectory`
 * section): play / pause, step back and forward, a scrubber over the checkpoints, the speed, and a
 * legend of the runs (a race: every run with its final loss, accuracy and lambda_max; a click picks
 * the run the data plot follows). While it is active the 3D view draws each run's marker and trail
 * (ReplayScene), the data plot shows the network at the checkpoint and the charts a cursor at its
 * epoch. It provides the presentation keys' transport (space: play / pause, arrows: step) while it
 * is shown. Renders nothing when the snapshot has nothing to replay.
 *
 * While a job trains (and then samples, until its snapshot with the new trajectory lands) the bar
 * is shown with its controls disabled, so that the views above do not shrink when the replay
 * arrives: a resize of the 3D view's drawing buffer while the surface is drawn costs the page a
 * long main-thread task (big-grid e2e).
 *
 * @example <ReplayTimeline />
 */
import { memo, useEffect, useId, useRef, useState } from "react";
import { useAppStore } from "../../state/store";
import { provideTransport } from "../classroom/transport";
import { RecordPanel } from "../recording/RecordPanel";
import { runAt, short } from "./replay-model";
import { BASE_RATE, REPLAY_SPEEDS, replayStore, useReplay } from "./replay-store";
import { useChartCursors } from "./useChartCursors";
import { useReplayBoundary } from "./useReplayBoundary";
import "./replay.css";

/** Memoised: it reads the stores itself, so a redraw of the landscape panel (a growing landscape) leaves it alone. */
export const ReplayTimeline = memo(function ReplayTimeline() {
  const snapshot = useAppStore((s) => s.landscape?.snapshot ?? null);
  const model = useReplay((s) => s.model);
  const index = useReplay((s) => s.index);
  const playing = useReplay((s) => s.playing);
  const speed = useReplay((s) => s.speed);
  const active = useReplay((s) => s.active);
  const follow = useReplay((s) => s.follow);
  const presented = useReplay((s) => s.presented);
  const [recording, setRecording] = useState(false);
  const sliderId = useId();
  const speedId = useId();
  const jobPhase = useAppStore((s) => s.job.phase);
  // Whether the running job trained: its snapshot brings a trajectory once sampling starts.
  const trains = useRef(false);
  if (jobPhase === "training") trains.current = true;
  else if (jobPhase !== "sampling") trains.current = false;

  useEffect(() => {
    replayStore.getState().load(snapshot);
  }, [snapshot]);

  // The presentation keys drive the replay while it is shown.
  useEffect(() => {
    if (!model) return;
    const s = () => replayStore.getState();
    return provideTransport({
      name: "replay",
      playPause: () => s().playPause(),
      step: (direction) => s().step(direction),
    });
  }, [model]);

  // Playback: BASE_RATE x speed positions a second, stopping at the end.
  useEffect(() => {
    if (!playing) return;
    const timer = window.setInterval(
      () => {
        const st = replayStore.getState();
        const last = (st.model?.steps.length ?? 1) - 1;
        if (st.index >= last) st.pause();
        else replayStore.setState({ index: st.index + 1 });
      },
      1000 / (BASE_RATE * speed),
    );
    return () => window.clearInterval(timer);
  }, [playing, speed]);

  const step = model?.steps[index] ?? 0;
  const lead = model ? runAt(model.runs[Math.min(follow, model.runs.length - 1)], step) : null;
  const epoch = lead && Number.isFinite(lead.epoch) ? Math.round(lead.epoch * 1000) / 1000 : null;
  const boundaryStep = useReplayBoundary();
  useChartCursors(active ? epoch : null);

  // No replay yet, but one is on its way: the bar keeps its place, its controls disabled.
  const waiting = !model && trains.current;
  if (!model && !waiting) return null;
  const last = model ? model.steps.length - 1 : 0;
  const lastStep = model ? model.steps[last] : 0;
  const race = model ? model.runs.length > 1 : false;
  const s = () => replayStore.getState();

  return (
    <section
      className="replay-timeline"
      aria-label={waiting ? "Replay of the training (once it is trained)" : "Replay of the training"}
      data-testid={waiting ? "replay-pending" : "replay-timeline"}
      data-index={index}
      data-step={step}
      data-epoch={epoch ?? ""}
      data-active={active ? "true" : "false"}
      data-playing={playing ? "true" : "false"}
      data-presented={presented}
      data-boundary-step={boundaryStep ?? ""}
    >
      <div className="replay-bar">
        {/* Two groups of fixed basis: the bar wraps at a width that does not depend on its texts,
            so the waiting bar and the replay take the same height. */}
        <div className="replay-transport">
          <button
            type="button"
            className="replay-button"
            data-testid="replay-back"
            title="One checkpoint back (left arrow in presentation mode)"
            aria-label="Step back"
            disabled={waiting || index <= 0}
            onClick={() => s().step(-1)}
          >
            <Icon kind="back" />
          </button>
          <button
            type="button"
            className="replay-button replay-play"
            data-testid="replay-play"
            title="Play or pause the replay: the markers walk the optimizer's path over the surface (space in presentation mode)"
            aria-label={playing ? "Pause" : "Play"}
            disabled={waiting}
            onClick={() => s().playPause()}
          >
            <Icon kind={playing ? "pause" : "play"} />
          </button>
          <button
            type="button"
            className="replay-button"
            data-testid="replay-forward"
            title="One checkpoint forward (right arrow in presentation mode)"
            aria-label="Step forward"
            disabled={waiting || index >= last}
            onClick={() => s().step(1)}
          >
            <Icon kind="forward" />
          </button>
          <label className="replay-visually-hidden" htmlFor={sliderId}>
            Checkpoint
          </label>
          <input
            id={sliderId}
            className="replay-scrub"
            type="range"
            min={0}
            max={last}
            step={1}
            value={waiting ? 0 : index}
            disabled={waiting}
            data-testid="replay-scrub"
            title="Drag to any checkpoint of the training"
            aria-valuetext={`step ${step} of ${lastStep}`}
            onChange={(e) => {
              s().pause();
              s().seek(Number(e.currentTarget.value));
            }}
          />
        </div>
        <div className="replay-details">
          <span className="replay-position" data-testid="replay-position">
            {waiting ? (
              jobPhase === "training" ? (
                "training…"
              ) : (
                "waiting for the landscape…"
              )
            ) : (
              <>
                step {step}/{lastStep}
                {epoch !== null ? ` · epoch ${Math.floor(epoch + 1e-9)}` : ""}
              </>
            )}
          </span>
          {!race && lead && (
            <span className="replay-run-now" data-testid="replay-now">
              loss {short(lead.loss)}
              {Number.isFinite(lead.accuracy) ? ` · acc ${(100 * lead.accuracy).toFixed(1)}%` : ""}
            </span>
          )}
          <label className="replay-speed" htmlFor={speedId} title="How fast the replay plays">
            speed
            <select
              id={speedId}
              value={speed}
              disabled={waiting}
              data-testid="replay-speed"
              onChange={(e) => s().setSpeed(Number(e.currentTarget.value))}
            >
              {REPLAY_SPEEDS.map((v) => (
                <option key={v} value={v}>
                  {v}x
                </option>
              ))}
            </select>
          </label>
          {active && (
            <button
              type="button"
              className="replay-button replay-text"
              data-testid="replay-close"
              title="Hide the replay's markers and give the data plot back to the trained (or picked) point"
              onClick={() => s().close()}
            >
              Hide
            </button>
          )}
          <button
            type="button"
            className="replay-button replay-text"
            data-testid="replay-record"
            title="Record the replay (or a turn around the surface) as a video or an animated GIF"
            aria-expanded={recording}
            disabled={waiting}
            onClick={() => setRecording((r) => !r)}
          >
            Record…
          </button>
        </div>
      </div>
      {model && race && (
        <ul className="replay-legend" data-testid="replay-legend" aria-label="Runs">
          {model.runs.map((run, r) => {
            const st = runAt(run, step);
            const f = run.final;
            return (
              <li key={run.label} className={r === follow ? "replay-run following" : "replay-run"}>
                <button
                  type="button"
                  className="replay-run-button"
                  data-testid={`replay-run-${r}`}
                  aria-pressed={r === follow}
                  title="The data plot shows this run's network at the checkpoint"
                  onClick={() => s().setFollow(r)}
                >
                  <span className="replay-swatch" style={{ background: run.color }} />
                  <span className="replay-run-label">{run.label}</span>
                </button>
                <span className="replay-run-now">
                  loss {short(st.loss)}
                  {Number.isFinite(st.accuracy) ? ` · acc ${(100 * st.accuracy).toFixed(1)}%` : ""}
                </span>
                {race && f && (
                  <span className="replay-run-final" data-testid={`replay-final-${r}`}>
                    final: loss {short(f.trainLoss)}
                    {f.trainAccuracy !== undefined && f.trainAccuracy !== null
                      ? ` · acc ${(100 * f.trainAccuracy).toFixed(1)}%`
                      : ""}{" "}
                    · λ<sub>max</sub> {short(f.lambdaMax)}
                    {f.status === "diverged" ? " (diverged)" : ""}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {recording && !waiting && <RecordPanel onClose={() => setRecording(false)} />}
    </section>
  );
});

const ICON_PATHS = {
  play: "M4 2 L14 8 L4 14 Z",
  pause: "M3 2 H7 V14 H3 Z M9 2 H13 V14 H9 Z",
  back: "M2 2 H4 V14 H2 Z M14 2 L5 8 L14 14 Z",
  forward: "M12 2 H14 V14 H12 Z M2 2 L11 8 L2 14 Z",
} as const;

function Icon({ kind }: { kind: keyof typeof ICON_PATHS }) {
  return (
    <svg className="replay-icon" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
      <path d={ICON_PATHS[kind]} fill="currentColor" />
    </svg>
  );
}
