/**
 * The one app store (zustand): settings from the property table, the running job, training
 * history, landscapes, the picked point, the data plot's boundary and user-visible messages.
 * No compute here: the compute bridge reads settings and writes results through the actions.
 *
 * Large arrays (history columns, surfaces) are updated in place; a version counter says when,
 * so views subscribe to the counter instead of copying arrays on every epoch or tile.
 *
 * @example appStore.getState().set("lr", 0.02); const cfg = appStore.getState().toExperimentConfig();
 */

import { useStore } from "zustand";
import { createStore, type StoreApi } from "zustand/vanilla";
import type { MeasuredSpeed } from "../core/config/cost";
import type { ExperimentConfigInput } from "../core/config/schema";
import type { HistoryEntry } from "../core/train/history";
import { fromExperimentConfig, toExperimentConfig, toViewOptions } from "./config-map";
import { emptyHistory, type HistoryColumns, type StabilitySettings } from "./history";
import { type LandscapeOrigin, type Route, surfaceFileOrigin, withView } from "./origin";
import {
  defaultSettings,
  type SettingKey,
  type Settings,
  type SettingsPatch,
  sameSettings,
} from "./properties";
import type {
  DrawnLandscape,
  ImportedLandscapeView,
  LandscapeView,
  LessonView,
  PathProbe,
  PickedPoint,
  SurfaceViewOptions,
} from "./types";
import { applyValues } from "./validate";

export { emptyHistory, type HistoryColumns, type HistoryStability, type StabilitySettings } from "./history";

export type JobPhase = "idle" | "training" | "sampling" | "done" | "error" | "cancelled";

export interface JobProgress {
  /** What is running, in words the progress bar shows ("training", "sampling", "tile 3/12"...). */
  phase: string;
  done: number;
  /** 0 while the amount of work is not known yet (the bar then shows no count). */
  total: number;
  /** What done/total count ("epochs", "grid points"), when it says more than the phase. */
  unit?: string;
  detail: string | null;
}

interface JobState {
  phase: JobPhase;
  progress: JobProgress | null;
  error: string | null;
  /** The tfjs backend that ran the job ("wasm", "webgl", ...). */
  backend: string | null;
  /** Date.now() when the job started. */
  startedAt: number | null;
  /** The evaluation path the workers sample with, how it was chosen, and its last measured speed. */
  evaluation: EvaluationInfo | null;
}

export interface EvaluationInfo {
  /** "wasm-kernel", "tfjs-gemm", ... */
  name: string;
  /** "calibrated": measured fastest on this device and remembered; "default": the backend's default. */
  source: "calibrated" | "default" | "model";
  /** Grid points per second of the last finished landscape (null before one finished). */
  pointsPerSecond: number | null;
}

/**
 * What the data plot draws behind the points: class probabilities on a regular grid over
 * `bounds` (classification), or the network's curve (1-D regression).
 */
export type DecisionBoundary =
  | {
      kind: "classes";
      bounds: { x: [number, number]; y: [number, number] };
      /** Grid points per side. */
      resolution: number;
      classes: number;
      /** [resolution * resolution, classes] row-major, x fastest. */
      probabilities: Float32Array;
    }
  | { kind: "curve"; curve: { x: Float32Array; y: Float32Array } };

type MessageLevel = "info" | "warn" | "error";

export interface Message {
  id: number;
  level: MessageLevel;
  text: string;
  /** Date.now() when posted. */
  at: number;
}

type SetResult = { ok: true } | { ok: false; message: string };

export interface AppState {
  /** The value of every property-table entry, by URL key. */
  settings: Settings;
  /** The preset last applied; null once a setting is changed by hand. */
  presetName: string | null;
  job: JobState;
  history: HistoryColumns;
  /** Bumped whenever `history` changes (its arrays grow in place). */
  historyVersion: number;
  landscape: LandscapeView | null;
  /** Bumped when the landscape is replaced or its surfaces are filled in place. */
  landscapeVersion: number;
  /** A surface imported from another tool's file, drawn while `landscape` is null (selectShownLandscape). */
  imported: ImportedLandscapeView | null;
  /** A second landscape for side-by-side comparison. */
  compare: LandscapeView | null;
  /** The open lesson (its two runs are `compare` and `landscape`), or null. */
  lesson: LessonView | null;
  picked: PickedPoint | null;
  boundary: DecisionBoundary | null;
  /** Newest last; at most MAX_MESSAGES. */
  messages: Message[];
  /** A lesson or preset the URL asks to open (`#lesson=ID`, `#preset=NAME`); the app opens it. */
  requestedRoute: Route | null;
  /** Presentation mode (`#present=1`): the views fill the screen, the controls are hidden. */
  presenting: boolean;
  /**
   * Fields whose typed text is not a value they can take, with the message they show: Run
   * refuses to start while there are any (it would run the previous, stale values).
   */
  draftProblems: Partial<Record<SettingKey, string>>;
  /** The speeds of the last finished run on this device (a new run's estimate, core/config/cost.ts). */
  measuredSpeed: MeasuredSpeed | null;

  /** Set one value; rejected values leave the state unchanged and say why. */
  set<K extends SettingKey>(key: K, value: Settings[K]): SetResult;
  /** Set several values (by key); invalid ones are skipped and posted as warnings. Returns the problems. */
  setMany(values: SettingsPatch | Readonly<Record<string, unknown>>, source?: string): string[];
  /** The defaults plus `values` (what a URL hash describes). Returns the problems, also posted. */
  resetSettings(values?: SettingsPatch, source?: string): string[];
  /**
   * Map an experiment config (a public/presets/*.json) onto the settings; view settings stay.
   * `name` names it in messages and, unless `pickerName` says otherwise (null: none, a lesson's
   * run), in the preset picker.
   */
  applyPreset(name: string, config: unknown, pickerName?: string | null): string[];
  /**
   * Give the controls the experiment settings of what is now shown (a landscape's origin,
   * origin.ts): no checks (they came from the table), view settings stay, the preset picker names
   * `presetName` (null: none).
   */
  adoptSettings(settings: Settings, presetName: string | null): void;
  /** The experiment config input of the current settings; resolveConfig accepts it. */
  toExperimentConfig(): ExperimentConfigInput;

  startJob(phase?: "training" | "sampling"): void;
  setJobPhase(phase: JobPhase): void;
  setProgress(progress: JobProgress | null): void;
  setBackend(backend: string | null): void;
  /** Merge into the evaluation info (a new path resets the speed unless one is given). */
  setEvaluation(info: Partial<EvaluationInfo> & { name?: string }): void;
  /** End the job: done, error (with its message) or cancelled. */
  finishJob(phase: "done" | "error" | "cancelled", error?: string): void;
  /** No job: back to "ready" (a Reset), keeping which backend and evaluation path run. */
  clearJob(): void;

  /**
   * Empty the history for a new job; its stability bound comes from `training` (default: the
   * current settings, which are the job's when it starts).
   */
  resetHistory(training?: StabilitySettings): void;
  /** Append rows to the history columns in place. */
  appendHistory(entries: readonly HistoryEntry[]): void;
  /** Replace the history (a shown snapshot's, snapshot-history.ts). */
  setHistory(history: HistoryColumns): void;

  /** Replace the landscape (clears the picked point and an imported surface). */
  setLandscape(view: LandscapeView | null): void;
  /** Show an imported surface instead of the landscape (which becomes null: it has no model). */
  showImported(view: ImportedLandscapeView): void;
  /** Surfaces were written in place: record how many points are done and bump the version. */
  landscapeUpdated(done?: number): void;
  setCompare(view: LandscapeView | null): void;
  /** Open (or close, with null) a lesson. */
  setLesson(lesson: LessonView | null): void;
  /** Merge into the open lesson (no-op when none is open). */
  updateLesson(patch: Partial<LessonView>): void;
  setPicked(point: PickedPoint | null): void;
  /** Mark the paths panel's w(t) on the current landscape (null: none); no redraw of its surfaces. */
  setPathProbe(probe: PathProbe | null): void;
  setBoundary(boundary: DecisionBoundary | null): void;

  setMeasuredSpeed(speed: MeasuredSpeed): void;
  /** A field's typed text cannot be stored (`message`), or it can again (null). */
  setDraftProblem(key: SettingKey, message: string | null): void;
  /** Ask the app to open a lesson or preset (null: nothing asked). */
  requestRoute(route: Route | null): void;
  /** Enter or leave presentation mode (the URL's `present` key follows). */
  setPresenting(on: boolean): void;
  /** Post a user-visible message; returns its id. */
  notify(text: string, level?: MessageLevel): number;
  dismiss(id: number): void;
  clearMessages(): void;
}

export const MAX_MESSAGES = 50;

const IDLE_JOB: JobState = {
  phase: "idle",
  progress: null,
  error: null,
  backend: null,
  startedAt: null,
  evaluation: null,
};

/** A new store; the app uses the `appStore` singleton, tests make their own. */
export function createAppStore(initial?: { settings?: Settings }): StoreApi<AppState> {
  let nextMessageId = 1;
  return createStore<AppState>()((setState, get) => {
    const post = (texts: readonly string[], level: MessageLevel, source?: string) => {
      for (const text of texts) get().notify(source ? `${source}: ${text}` : text, level);
    };
    return {
      settings: initial?.settings ?? defaultSettings(),
      presetName: null,
      job: IDLE_JOB,
      history: emptyHistory(),
      historyVersion: 0,
      landscape: null,
      landscapeVersion: 0,
      imported: null,
      compare: null,
      lesson: null,
      picked: null,
      boundary: null,
      messages: [],
      requestedRoute: null,
      presenting: false,
      draftProblems: {},
      measuredSpeed: null,

      set(key, value) {
        const result = applyValues(get().settings, { [key]: value });
        if (result.problems.length > 0) return { ok: false, message: result.problems.join("; ") };
        if (result.changed.length > 0) setState({ settings: result.settings, presetName: null });
        return { ok: true };
      },
      setMany(values, source) {
        const result = applyValues(get().settings, values);
        if (result.changed.length > 0) setState({ settings: result.settings, presetName: null });
        post(result.problems, "warn", source);
        return result.problems;
      },
      resetSettings(values = {}, source) {
        const result = applyValues(defaultSettings(), values);
        if (!sameSettings(get().settings, result.settings))
          setState({ settings: result.settings, presetName: null });
        post(result.problems, "warn", source);
        return result.problems;
      },
      applyPreset(name, config, pickerName = name) {
        const mapped = fromExperimentConfig(config);
        if (Object.keys(mapped.values).length === 0) {
          post(mapped.problems, "error", `preset "${name}"`);
          return mapped.problems;
        }
        const result = applyValues(get().settings, mapped.values);
        const problems = [...mapped.problems, ...result.problems];
        setState({ settings: result.settings, presetName: pickerName });
        post(problems, "warn", `preset "${name}"`);
        return problems;
      },
      adoptSettings(settings, presetName) {
        const next = withView(settings, get().settings);
        setState((s) => ({ settings: sameSettings(s.settings, next) ? s.settings : next, presetName }));
      },
      toExperimentConfig() {
        return toExperimentConfig(get().settings);
      },

      startJob(phase = "training") {
        setState((s) => ({
          job: { ...s.job, phase, progress: null, error: null, startedAt: Date.now() },
        }));
      },
      setJobPhase(phase) {
        setState((s) => ({ job: { ...s.job, phase } }));
      },
      setProgress(progress) {
        setState((s) => ({ job: { ...s.job, progress } }));
      },
      setBackend(backend) {
        setState((s) => ({ job: { ...s.job, backend } }));
      },
      setEvaluation(info) {
        setState((s) => {
          const previous = s.job.evaluation;
          const renamed = info.name !== undefined && info.name !== previous?.name;
          const evaluation: EvaluationInfo = {
            name: info.name ?? previous?.name ?? "?",
            source: info.source ?? previous?.source ?? "default",
            pointsPerSecond: info.pointsPerSecond ?? (renamed ? null : (previous?.pointsPerSecond ?? null)),
          };
          return { job: { ...s.job, evaluation } };
        });
      },
      clearJob() {
        setState((s) => ({ job: { ...IDLE_JOB, backend: s.job.backend, evaluation: s.job.evaluation } }));
      },
      finishJob(phase, error) {
        setState((s) => ({
          job: { ...s.job, phase, error: phase === "error" ? (error ?? "failed") : null },
        }));
      },

      resetHistory(training) {
        const { opt, lr, mom } = get().settings;
        const job = training ?? { optimizer: opt, learningRate: lr, momentum: mom };
        setState((s) => ({ history: emptyHistory(job), historyVersion: s.historyVersion + 1 }));
      },
      appendHistory(entries) {
        if (entries.length === 0) return;
        const h = get().history;
        for (const e of entries) {
          h.epoch.push(e.epoch);
          h.step.push(e.step);
          h.trainLoss.push(e.trainLoss);
          h.testLoss.push(e.testLoss ?? null);
          h.trainAccuracy.push(e.trainAccuracy ?? null);
          h.testAccuracy.push(e.testAccuracy ?? null);
          for (const m of e.sharpness ?? []) {
            h.sharpnessEpoch.push(m.epoch);
            h.lambdaMax.push(Number.isFinite(m.lambdaMax) ? m.lambdaMax : null);
          }
        }
        setState((s) => ({ historyVersion: s.historyVersion + 1 }));
      },
      setHistory(history) {
        setState((s) => ({ history, historyVersion: s.historyVersion + 1 }));
      },

      setLandscape(view) {
        setState((s) => ({
          landscape: view,
          imported: null,
          landscapeVersion: s.landscapeVersion + 1,
          picked: null,
        }));
      },
      showImported(view) {
        setState((s) => ({
          landscape: null,
          imported: view,
          landscapeVersion: s.landscapeVersion + 1,
          picked: null,
          boundary: null,
        }));
      },
      landscapeUpdated(done) {
        setState((s) => ({
          landscape: s.landscape && done !== undefined ? { ...s.landscape, done } : s.landscape,
          landscapeVersion: s.landscapeVersion + 1,
        }));
      },
      setCompare(view) {
        setState({ compare: view });
      },
      setLesson(lesson) {
        setState({ lesson });
      },
      updateLesson(patch) {
        setState((s) => (s.lesson ? { lesson: { ...s.lesson, ...patch } } : {}));
      },
      setPicked(point) {
        setState({ picked: point });
      },
      setPathProbe(probe) {
        setState((s) => (s.landscape ? { landscape: { ...s.landscape, pathProbe: probe } } : {}));
      },
      setBoundary(boundary) {
        setState({ boundary });
      },

      setMeasuredSpeed(speed) {
        setState({ measuredSpeed: speed });
      },
      setDraftProblem(key, message) {
        const current = get().draftProblems;
        if ((current[key] ?? null) === message) return;
        const next = { ...current };
        if (message === null) delete next[key];
        else next[key] = message;
        setState({ draftProblems: next });
      },
      requestRoute(route) {
        setState({ requestedRoute: route });
      },
      setPresenting(on) {
        if (get().presenting !== on) setState({ presenting: on });
      },
      notify(text, level = "info") {
        const id = nextMessageId++;
        setState((s) => ({
          messages: [...s.messages, { id, level, text, at: Date.now() }].slice(-MAX_MESSAGES),
        }));
        return id;
      },
      dismiss(id) {
        setState((s) => ({ messages: s.messages.filter((m) => m.id !== id) }));
      },
      clearMessages() {
        setState({ messages: [] });
      },
    };
  });
}

export const appStore = createAppStore();

/**
 * Read the app store from React; re-renders when the selected value changes (Object.is).
 * Selectors must return stable references: pick fields, or use the memoized selectors below.
 *
 * @example const lr = useAppStore((s) => s.settings.lr);
 */
export function useAppStore<T>(selector: (state: AppState) => T): T {
  return useStore(appStore, selector);
}

let lastView: SurfaceViewOptions | null = null;

/** The surface view options, the same object while none of them changes. */
export function selectViewOptions(state: Pick<AppState, "settings">): SurfaceViewOptions {
  const view = toViewOptions(state.settings);
  if (lastView && (Object.keys(view) as (keyof SurfaceViewOptions)[]).every((k) => view[k] === lastView?.[k]))
    return lastView;
  lastView = view;
  return view;
}

/** The landscape the views draw: the computed or imported snapshot, else an imported surface file. */
export function selectShownLandscape(state: Pick<AppState, "landscape" | "imported">): DrawnLandscape | null {
  return state.landscape ?? state.imported;
}

const surfaceOrigins = new WeakMap<ImportedLandscapeView, LandscapeOrigin>();

/**
 * Where the shown landscape came from: the computed or imported snapshot's origin, or an
 * imported surface file's (the same object while that file is shown). Null when nothing is shown.
 */
export function selectShownOrigin(
  state: Pick<AppState, "landscape" | "imported" | "settings">,
): LandscapeOrigin | null {
  if (state.landscape) return state.landscape.origin;
  const imported = state.imported;
  if (!imported) return null;
  let origin = surfaceOrigins.get(imported);
  if (!origin) {
    origin = surfaceFileOrigin(imported.snapshot.source, state.settings);
    surfaceOrigins.set(imported, origin);
  }
  return origin;
}
