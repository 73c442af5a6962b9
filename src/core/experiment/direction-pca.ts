/**
 * Direction method "pca" (Li et al. 2018): the plane of the training trajectory. The directions
 * are the top two principal components of the checkpoints' offsets theta_i - theta (unit vectors,
 * normalization "none"; bias entries zeroed when directions.bias is "zero"), so a checkpoint's
 * plane coordinates are exact projections, and the grid's ranges are refitted around the
 * projected path (the counts stay the config's). A race's plane is that of every run's
 * checkpoints together, around run 1's end point, and its grid holds every run's replay path.
 * Any model kind; a 2-D grid only.
 */
import { rangeAround, trajectoryPca } from "../directions/pca";
import { AXIS_LABELS, type DirectionMethodSpec, type Trajectory } from "./plane";
import { replayRecord, replayTrajectory } from "./plane-trajectory";
import type { TrajectoryRun } from "./replay";

export const pcaDirections: DirectionMethodSpec = {
  models: "any",
  axes: [2],
  async make(config, model, grid) {
    const race = model.initial !== undefined && model.runs !== undefined;
    // The config's checkpoints (every training.checkpointEvery epochs, Li et al.): of the run, or
    // of every run of a race together (the Gram matrix of PCA grows with their square).
    const source = race ? (model.runs ?? []).flatMap((r) => r.kept) : (model.training?.checkpoints ?? []);
    if (!model.training || source.length < 3) {
      throw new Error(
        "directions.method pca needs a training run with at least 3 checkpoints (set training.checkpointEvery)",
      );
    }
    const pca = trajectoryPca(
      source.map((c) => c.parameters),
      model.theta,
      model.layout,
      config.directions.bias === "zero",
    );
    const values = pca.directions;
    const trajectory = replayTrajectory(model, values, "pca");
    // As earlier versions wrote it: run 1's checkpoints among those the plane came from.
    const t = model.training;
    const byEpoch = new Map(t.history.map((h) => [h.epoch, h.trainLoss]));
    const legacy: NonNullable<Trajectory["pca"]> = {
      epochs: t.checkpoints.map((c) => c.epoch),
      steps: t.checkpoints.map((c) => c.step),
      coords: pca.coords.slice(0, 2 * t.checkpoints.length),
      loss: Float32Array.from(t.checkpoints, (c) => byEpoch.get(c.epoch) ?? Number.NaN),
    };
    // A race's grid holds every run's path; a single run's, as before, the checkpoints of its PCA.
    const range = race && trajectory ? rangeAround(runCoords(trajectory.runs)) : rangeAround(pca.coords);
    grid.axes[0] = { ...grid.axes[0], min: range.x[0], max: range.x[1] };
    grid.axes[1] = { ...grid.axes[1], min: range.y[0], max: range.y[1] };
    return {
      directions: values.map((v, i) => ({
        label: AXIS_LABELS[i],
        method: "pca",
        normalization: "none" as const,
        bias: config.directions.bias,
        values: v,
      })),
      grid,
      trajectory: {
        ...(trajectory ?? { method: "pca", runs: [], replay: replayRecord(model, false) }),
        explained: pca.explained,
        pca: legacy,
      },
    };
  },
};

/** [n, 2] row-major plane coordinates of every checkpoint of every run (2-D runs). */
function runCoords(runs: readonly TrajectoryRun[]): Float32Array {
  const n = runs.reduce((k, r) => k + r.x.length, 0);
  const out = new Float32Array(n * 2);
  let i = 0;
  for (const r of runs) {
    r.x.forEach((x, j) => {
      out[2 * i] = x;
      out[2 * i + 1] = r.y?.[j] ?? 0;
      i++;
    });
  }
  return out;
}
