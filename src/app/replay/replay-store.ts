/**
 * The replay timeline's own state (a small zustand store beside the app's): which snapshot it
 * replays, where it is (an index into the model's steps), whether it plays and how fast, and
 * which run the data plot follows. The 3D markers, the chart cursors and the recorder read it.
 * `presented` is the index whose frame the 3D view last put on screen (the recorder waits for it).
 *
 * @example replayStore.getState().step(1);
 */
import { useStore } from "zustand";
import { createStore } from "zustand/vanilla";
import type { Snapshot } from "../../core/snapshot/schema";
import type { SurfaceScale } from "../../scene/scale";
import type { SurfaceViewOptions } from "../../state/types";
import { type ReplayModel, replayModelOf } from "./replay-model";

/** Playback speeds offered (x checkpoints per second at 1x). */
export const REPLAY_SPEEDS = [0.25, 0.5, 1, 2, 4] as const;
/** Timeline positions per second at speed 1. */
export const BASE_RATE = 12;

interface ReplayState {
  snapshot: Snapshot | null;
  model: ReplayModel | null;
  /** Index into model.steps. */
  index: number;
  playing: boolean;
  speed: number;
  /** Markers, trails, cursors and the data plot follow the timeline (after a first use; a race at once). */
  active: boolean;
  /** The run the data plot shows (index into model.runs). */
  follow: number;
  /** Index whose 3D frame is on screen (-1: none yet). */
  presented: number;
  /** Bumped by every frame the 3D view presents with the replay drawn. */
  presentedCount: number;
  /** The recorder's frame request: bumped per frame it wants drawn (ReplayScene draws one). */
  frameToken: number;
  /** The frameToken of the last frame on screen. */
  presentedToken: number;
  /** Recording a turn: the camera's angle (radians) around the vertical axis from where it was; null: as the user left it. */
  turn: number | null;
  load(snapshot: Snapshot | null): void;
  seek(index: number): void;
  step(direction: 1 | -1): void;
  play(): void;
  pause(): void;
  playPause(): void;
  setSpeed(speed: number): void;
  setFollow(run: number): void;
  close(): void;
}

export const replayStore = createStore<ReplayState>()((set, get) => ({
  snapshot: null,
  model: null,
  index: 0,
  playing: false,
  speed: 1,
  active: false,
  follow: 0,
  presented: -1,
  presentedCount: 0,
  frameToken: 0,
  presentedToken: 0,
  turn: null,
  load(snapshot) {
    if (snapshot === get().snapshot) return;
    const model = replayModelOf(snapshot);
    // A race is shown at once, at its end: every run's whole path on the one plane.
    const race = (model?.runs.length ?? 0) > 1;
    set({
      snapshot,
      model,
      index: race && model ? model.steps.length - 1 : 0,
      playing: false,
      active: race,
      follow: 0,
      presented: -1,
    });
  },
  seek(index) {
    const model = get().model;
    if (!model) return;
    const i = Math.max(0, Math.min(model.steps.length - 1, Math.round(index)));
    set({ index: i, active: true });
  },
  step(direction) {
    const { model, index } = get();
    if (!model) return;
    set({ playing: false });
    get().seek(index + direction);
  },
  play() {
    const { model, index } = get();
    if (!model) return;
    // Played from the end: start again.
    const from = index >= model.steps.length - 1 ? 0 : index;
    set({ playing: true, active: true, index: from });
  },
  pause() {
    set({ playing: false });
  },
  playPause() {
    if (get().playing) get().pause();
    else get().play();
  },
  setSpeed(speed) {
    set({ speed });
  },
  setFollow(run) {
    set({ follow: run, active: true });
  },
  close() {
    set({ active: false, playing: false });
  },
}));

export function useReplay<T>(selector: (s: ReplayState) => T): T {
  return useStore(replayStore, selector);
}

/** What the 3D view draws with (its colour scale and view options), for the recorder's colour bar. */
export const sceneLook: { scale: SurfaceScale | null; options: SurfaceViewOptions | null } = {
  scale: null,
  options: null,
};
