/**
 * Record the replay (or a turn around the still surface) as a WebM or MP4 video or an animated
 * GIF: what, format, size, frame rate and frames; Start shows the progress with Cancel, and the
 * finished file is downloaded (and offered as a link). The work is recorder.ts's.
 *
 * @example {open && <RecordPanel onClose={() => setOpen(false)} />}
 */
import { useEffect, useId, useRef, useState } from "react";
import { useReplay } from "../replay/replay-store";
import { RECORD_LIMITS, type RecordingFormat, type RecordOptions, record } from "./recorder";
import "./recording.css";

const SIZES = [
  [480, 360],
  [640, 480],
  [1280, 720],
  [1920, 1080],
  [320, 240],
] as const;
const FPS = [10, 12, 15, 24, 30];
const FORMATS: { id: RecordingFormat; label: string }[] = [
  { id: "webm", label: "WebM video" },
  { id: "mp4", label: "MP4 video" },
  { id: "gif", label: "Animated GIF" },
];

type Status =
  | { kind: "idle" }
  | { kind: "running"; done: number; total: number }
  | { kind: "done"; url: string; fileName: string; bytes: number; codec: string }
  | { kind: "error"; message: string };

export function RecordPanel({ onClose }: { onClose(): void }) {
  const positions = useReplay((s) => s.model?.steps.length ?? 0);
  const [what, setWhat] = useState<RecordOptions["what"]>(positions > 1 ? "replay" : "turn");
  const [format, setFormat] = useState<RecordingFormat>("webm");
  const [size, setSize] = useState("640x480");
  const [fps, setFps] = useState(12);
  const [frames, setFrames] = useState(() => Math.min(240, Math.max(2, positions || 48)));
  const [status, setStatus] = useState<Status>({ kind: "idle" });
  const abort = useRef<AbortController | null>(null);
  const ids = useId();
  const id = (k: string) => `${ids}-${k}`;

  // Cancel a recording when the panel goes away; free the last file's URL.
  useEffect(() => () => abort.current?.abort(), []);
  useEffect(() => () => void (status.kind === "done" && URL.revokeObjectURL(status.url)), [status]);

  const start = async () => {
    const [width, height] = size.split("x").map(Number);
    const controller = new AbortController();
    abort.current = controller;
    setStatus({ kind: "running", done: 0, total: frames });
    try {
      const out = await record(
        { what, format, width, height, fps, frames },
        {
          signal: controller.signal,
          onProgress: (done, total) => setStatus({ kind: "running", done, total }),
        },
      );
      const url = URL.createObjectURL(out.blob);
      setStatus({ kind: "done", url, fileName: out.fileName, bytes: out.blob.size, codec: out.codec });
      const a = document.createElement("a");
      a.href = url;
      a.download = out.fileName;
      a.click();
    } catch (err) {
      if ((err as Error).name === "AbortError") setStatus({ kind: "idle" });
      else setStatus({ kind: "error", message: (err as Error).message });
    } finally {
      abort.current = null;
    }
  };

  const running = status.kind === "running";
  return (
    <fieldset className="record-panel" data-testid="record-panel">
      <legend className="replay-visually-hidden">Record</legend>
      <div className="record-fields">
        <label htmlFor={id("what")}>
          record
          <select
            id={id("what")}
            value={what}
            disabled={running}
            data-testid="record-what"
            onChange={(e) => setWhat(e.currentTarget.value as RecordOptions["what"])}
          >
            {positions > 1 && <option value="replay">the replay</option>}
            <option value="turn">a turn around the surface</option>
          </select>
        </label>
        <label htmlFor={id("format")}>
          as
          <select
            id={id("format")}
            value={format}
            disabled={running}
            data-testid="record-format"
            onChange={(e) => setFormat(e.currentTarget.value as RecordingFormat)}
          >
            {FORMATS.map((f) => (
              <option key={f.id} value={f.id}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <label htmlFor={id("size")}>
          size
          <select
            id={id("size")}
            value={size}
            disabled={running}
            data-testid="record-size"
            onChange={(e) => setSize(e.currentTarget.value)}
          >
            {SIZES.map(([w, h]) => (
              <option key={`${w}x${h}`} value={`${w}x${h}`}>
                {w} x {h}
              </option>
            ))}
          </select>
        </label>
        <label htmlFor={id("fps")}>
          frames/s
          <select
            id={id("fps")}
            value={fps}
            disabled={running}
            data-testid="record-fps"
            onChange={(e) => setFps(Number(e.currentTarget.value))}
          >
            {FPS.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label
          htmlFor={id("frames")}
          title="Frames in all (the replay is spread over them; a turn is one full circle)"
        >
          frames
          <input
            id={id("frames")}
            type="number"
            min={RECORD_LIMITS.minFrames}
            max={RECORD_LIMITS.maxFrames}
            value={frames}
            disabled={running}
            data-testid="record-frames"
            onChange={(e) => setFrames(Math.round(Number(e.currentTarget.value)))}
          />
        </label>
        {running ? (
          <button
            type="button"
            className="replay-button replay-text"
            data-testid="record-cancel"
            onClick={() => abort.current?.abort()}
          >
            Cancel
          </button>
        ) : (
          <button
            type="button"
            className="replay-button replay-text record-start"
            data-testid="record-start"
            onClick={() => void start()}
          >
            Start
          </button>
        )}
        <button
          type="button"
          className="replay-button replay-text"
          disabled={running}
          onClick={onClose}
          title="Close the recording options"
        >
          Close
        </button>
      </div>
      {running && (
        <div className="record-progress">
          <progress
            max={status.total}
            value={status.done}
            data-testid="record-progress"
            aria-label="Frames recorded"
          />
          <span>
            {status.done} / {status.total} frames
          </span>
        </div>
      )}
      {status.kind === "done" && (
        <p className="record-status" data-testid="record-done">
          Recorded {(status.bytes / 1024).toFixed(0)} KB ({status.codec}):{" "}
          <a href={status.url} download={status.fileName}>
            {status.fileName}
          </a>
        </p>
      )}
      {status.kind === "error" && (
        <p className="record-status record-error" role="alert" data-testid="record-error">
          {status.message}
        </p>
      )}
    </fieldset>
  );
}
