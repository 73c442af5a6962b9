/**
 * Records the 3D view: the replay (frame i of F shows the timeline at position i (N - 1) / (F - 1))
 * or a full turn of the camera around a still surface, at the chosen size and frame rate, as
 * WebM or MP4 video or an animated GIF. For each frame it asks the 3D view for a picture
 * (replay-store's frameToken; ReplayScene draws it and notes when it is on screen), composes it
 * with the labels, colour bar, title and legend (compose.ts) and moves it to the recording worker,
 * which encodes it (workers/recording.worker.ts): the page's thread only draws and copies. The
 * replay's position and the camera are put back afterwards; a cancel (signal) stops at the next
 * frame, discards the worker and rejects with an AbortError.
 *
 * @example const file = await record({ what: "replay", format: "gif", width: 480, height: 360, fps: 12, frames: 60 }, { signal });
 */
import { type Remote, transfer, wrap } from "comlink";
import type { RecordingApi, RecordingFormat } from "../../../workers/recording.worker";
import { metricTitle } from "../../scene/format";
import { runAt, short } from "../replay/replay-model";
import { replayStore, sceneLook } from "../replay/replay-store";
import { composeFrame, type LegendRow } from "./compose";

export type { RecordingFormat } from "../../../workers/recording.worker";

export interface RecordOptions {
  what: "replay" | "turn";
  format: RecordingFormat;
  width: number;
  height: number;
  fps: number;
  frames: number;
}

export interface Recording {
  blob: Blob;
  fileName: string;
  /** The codec chosen ("gif" for a GIF). */
  codec: string;
}

const RECORDING_MIME: Record<RecordingFormat, string> = {
  webm: "video/webm",
  mp4: "video/mp4",
  gif: "image/gif",
};

/** Bounds of the recording options. */
export const RECORD_LIMITS = {
  minSize: 64,
  maxSize: 1920,
  minFrames: 2,
  maxFrames: 600,
  minFps: 1,
  maxFps: 60,
};

/** The visible 3D picture of the current landscape, and the element holding its labels. */
function viewElements(): { picture: HTMLCanvasElement; labels: Element | null } {
  const root = document.querySelector('[data-testid="landscape-3d"]');
  const picture = root?.querySelector<HTMLCanvasElement>('[data-testid="landscape-3d-picture"]');
  if (!root || !picture || picture.getClientRects().length === 0 || picture.width === 0) {
    throw new Error("open the 3D surface view to record it");
  }
  return { picture, labels: root };
}

function abortError(): DOMException {
  return new DOMException("the recording was cancelled", "AbortError");
}

/** Resolves once the 3D view has put the frame for `token` on screen. */
function presented(token: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer = 0;
    const done = (err?: Error | DOMException) => {
      unsubscribe();
      window.clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => done(abortError());
    const unsubscribe = replayStore.subscribe((s) => {
      if (s.presentedToken >= token) done();
    });
    signal?.addEventListener("abort", onAbort);
    // The view draws on demand; a hidden or lost view never answers.
    timer = window.setTimeout(
      () => done(new Error("the 3D view did not draw the frame (is it visible?)")),
      30_000,
    );
    if (replayStore.getState().presentedToken >= token) done();
  });
}

/** The title and legend rows of the frame now shown. */
function frameText(what: RecordOptions["what"]): { title: string; rows: LegendRow[] } {
  const s = replayStore.getState();
  const metric = sceneLook.options?.metric ?? "train_loss";
  const log = sceneLook.options?.logScale ? " (log scale)" : "";
  const model = s.model;
  if (!model || (what === "turn" && !s.active)) {
    return {
      title: `${metricTitle(metric)}${log}`,
      rows: [
        { color: "#ffffff", text: "trained point" },
        { color: "#ff3d7f", text: "lowest loss on the grid" },
      ],
    };
  }
  const step = model.steps[s.index] ?? 0;
  const last = model.steps.at(-1) ?? 0;
  const lead = runAt(model.runs[0], step);
  const epoch = Number.isFinite(lead.epoch) ? Math.floor(lead.epoch + 1e-9) : 0;
  const race = model.runs.length > 1;
  const rows = model.runs.map((run) => {
    const st = runAt(run, step);
    let text = `${run.label}  loss ${short(st.loss)}`;
    if (Number.isFinite(st.accuracy)) text += `  acc ${(100 * st.accuracy).toFixed(1)}%`;
    if (race && run.final) text += `  final λmax ${short(run.final.lambdaMax)}`;
    return { color: run.color, text };
  });
  const title =
    what === "turn"
      ? `${metricTitle(metric)}${log}`
      : `${metricTitle(metric)}${log} · step ${step}/${last} · epoch ${epoch}`;
  return { title, rows };
}

/**
 * Records (see the module comment). `onProgress` hears the frames encoded so far.
 */
export async function record(
  o: RecordOptions,
  opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<Recording> {
  const { signal, onProgress } = opts;
  const L = RECORD_LIMITS;
  const bad = (name: string, v: number, lo: number, hi: number) =>
    !Number.isInteger(v) || v < lo || v > hi
      ? `${name} must be an integer in [${lo}, ${hi}], got ${v}`
      : null;
  const problem =
    bad("width", o.width, L.minSize, L.maxSize) ??
    bad("height", o.height, L.minSize, L.maxSize) ??
    bad("frames", o.frames, L.minFrames, L.maxFrames) ??
    bad("fps", o.fps, L.minFps, L.maxFps);
  if (problem) throw new Error(problem);
  // Video encoders want even sizes.
  const width = o.format === "gif" ? o.width : o.width & ~1;
  const height = o.format === "gif" ? o.height : o.height & ~1;
  const view = viewElements();
  const store = replayStore.getState();
  if (o.what === "replay" && !store.model) throw new Error("this landscape has no training to replay");
  const before = { index: store.index, active: store.active };
  store.pause();

  const worker = new Worker(new URL("../../../workers/recording.worker.ts", import.meta.url), {
    type: "module",
    name: "recording",
  });
  const api: Remote<RecordingApi> = wrap<RecordingApi>(worker);
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener("error", (e) => {
      e.preventDefault();
      reject(new Error(`the recording worker failed: ${e.message || "script error"}`));
    });
  });
  const call = <T>(p: Promise<T>) => Promise.race([p, failed]);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("no 2-D canvas context");
  try {
    const codec = await call(api.begin({ format: o.format, width, height, fps: o.fps, frames: o.frames }));
    const model = store.model;
    for (let i = 0; i < o.frames; i++) {
      if (signal?.aborted) throw abortError();
      const token = replayStore.getState().frameToken + 1;
      if (o.what === "replay" && model) {
        const index = Math.round((i * (model.steps.length - 1)) / Math.max(1, o.frames - 1));
        replayStore.getState().seek(index);
        replayStore.setState({ frameToken: token });
      } else {
        replayStore.setState({ frameToken: token, turn: (2 * Math.PI * i) / o.frames });
      }
      await presented(token, signal);
      const text = frameText(o.what);
      composeFrame(ctx, {
        picture: view.picture,
        labels: view.labels,
        title: text.title,
        rows: text.rows,
        scale: sceneLook.scale,
        colormap: sceneLook.options?.colormap ?? "viridis",
        metric: sceneLook.options?.metric ?? "train_loss",
      });
      const bitmap = await createImageBitmap(canvas);
      await call(api.add(transfer(bitmap, [bitmap])));
      onProgress?.(i + 1, o.frames);
    }
    if (signal?.aborted) throw abortError();
    const bytes = await call(api.finish());
    const name = o.what === "replay" ? "replay" : "turn";
    return {
      blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: RECORDING_MIME[o.format] }),
      fileName: `loss-landscape-${name}-${width}x${height}.${o.format}`,
      codec,
    };
  } catch (err) {
    void api.cancel().catch(() => {});
    throw err;
  } finally {
    worker.terminate();
    const s = replayStore.getState();
    replayStore.setState({ turn: null, frameToken: s.frameToken + 1 });
    if (o.what === "replay") {
      s.seek(before.index);
      if (!before.active) s.close();
    }
  }
}
