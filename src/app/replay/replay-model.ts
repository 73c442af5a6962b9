/**
 * The replay of a snapshot's trajectory section as the timeline plays it: every run (one, or
 * every run of an optimizer race) with its colour, and one time axis over optimizer steps (the
 * union of the runs' checkpoint steps), so runs of different lengths stay in step. Pure functions
 * (no React, no three); the same colours as the CLI's `animate` (core/export/animate.ts).
 *
 * @example const model = replayModelOf(snapshot); const s = runAt(model.runs[0], model.steps[10]);
 */
import type { Snapshot } from "../../core/snapshot/schema";
import {
  type DrawnTrajectoryRun,
  type RunState,
  runStateAt,
  trajectoryRunsOf,
} from "../../core/snapshot/trajectory-section";

export type { RunState };

/** Run colours, in race order (as `landscape animate` draws them). */
export const REPLAY_COLORS = [
  "#ffffff",
  "#ff453a",
  "#5adcff",
  "#aaff3c",
  "#ff37c8",
  "#ff9f0a",
  "#ff96b4",
  "#8296ff",
] as const;

export interface ReplayRun extends DrawnTrajectoryRun {
  color: string;
}

export interface ReplayModel {
  runs: ReplayRun[];
  /** Sorted distinct checkpoint steps of all runs: the timeline's positions. */
  steps: number[];
  /** 1 or 2: the landscape's axes. */
  dims: number;
}

/**
 * The replay of `snapshot`, or null when it has nothing to replay (no trajectory section, no run
 * with two finite checkpoints, or runs without y on a 2-D grid).
 */
export function replayModelOf(snapshot: Snapshot | null | undefined): ReplayModel | null {
  if (!snapshot) return null;
  const dims = snapshot.grid.axes.length;
  if (dims !== 1 && dims !== 2) return null;
  const runs = trajectoryRunsOf(snapshot.trajectory)
    .filter((r) => r.x.length >= 2 && (dims === 1 || r.y !== undefined))
    .map((r, i) => ({ ...r, color: REPLAY_COLORS[i % REPLAY_COLORS.length] }));
  if (runs.length === 0) return null;
  const steps = [...new Set(runs.flatMap((r) => r.steps))].sort((a, b) => a - b);
  if (steps.length < 2) return null;
  return { runs, steps, dims };
}

/** The state of `run` at step t (clamped to its first and last checkpoints). */
export const runAt = runStateAt;

/** The parameters of `run`'s checkpoint at or before step t, when the section stores them. */
export function parametersAt(run: DrawnTrajectoryRun, t: number): Float32Array | null {
  if (!run.parameters || run.parameters.length === 0) return null;
  return run.parameters[runAt(run, t).k] ?? null;
}

/** Short text of a number: 3 significant digits, exponent form when very large or small. */
export function short(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1).replace("e+", "e");
  return String(Number(v.toPrecision(3)));
}
