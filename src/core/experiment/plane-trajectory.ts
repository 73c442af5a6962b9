/**
 * The trained runs' replay trajectories on a landscape's plane (replay.ts does the projecting),
 * shared by every direction method: a plane of a trained model carries its runs' paths.
 */
import type { PlaneModel, Trajectory } from "./plane";
import { parametersFit, trajectoryRuns } from "./replay";

/** `{ trajectory }` when there is one, else nothing (so that the key is absent, not undefined). */
export function withTrajectory(trajectory: Trajectory | undefined): { trajectory?: Trajectory } {
  return trajectory ? { trajectory } : {};
}

/** The replay rule as recorded, with whether the parameters were stored. */
export function replayRecord(model: PlaneModel, parametersStored: boolean): Trajectory["replay"] {
  const plan = model.replay?.plan ?? { maxCheckpoints: 0, every: 0, trainEvery: 0 };
  return { plan, parametersStored };
}

/**
 * Every trained run's replay checkpoints on the plane theta + span(directions) (replay.ts), or
 * undefined when nothing was trained (a model taken from a snapshot, imported weights, zero epochs).
 *
 * @example const trajectory = replayTrajectory(model, [dx, dy], "projection");
 */
export function replayTrajectory(
  model: PlaneModel,
  directions: readonly Float32Array[],
  method: Trajectory["method"],
): Trajectory | undefined {
  const runs = model.runs;
  if (!runs || !model.replay) return undefined;
  if (model.initial === undefined && runs.every((r) => r.checkpoints.length < 2)) return undefined;
  const store = model.replay.storeParameters && parametersFit(runs, model.theta.length);
  const trajectory: Trajectory = {
    method,
    runs: trajectoryRuns(runs, model.theta, directions, store),
    replay: replayRecord(model, store),
  };
  if (model.initial) trajectory.initial = model.initial;
  return trajectory;
}
