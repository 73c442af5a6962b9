/**
 * Direction method "random": one Gaussian direction d ~ N(0, I) per grid axis, each from its own
 * seed (config.directions.seeds), normalized against theta as the config says (filter
 * normalization by default, Li et al. 2018: every filter of d scaled to the norm of theta's
 * filter), on the config's grid. Any model kind, 1 or 2 axes.
 */
import { randomDirection } from "../directions/random";
import { AXIS_LABELS, type DirectionMethodSpec } from "./plane";
import { replayTrajectory, withTrajectory } from "./plane-trajectory";

export const randomDirections: DirectionMethodSpec = {
  models: "any",
  axes: [1, 2],
  async make(config, model, grid) {
    const directions = config.directions.seeds.map((seed, i) => ({
      label: AXIS_LABELS[i],
      method: "random",
      normalization: config.directions.normalization,
      bias: config.directions.bias,
      seed,
      values: randomDirection(model.theta, model.layout, { ...config.directions, seed }),
    }));
    const trajectory = replayTrajectory(
      model,
      directions.map((d) => d.values),
      "projection",
    );
    return { directions, grid, ...withTrajectory(trajectory) };
  },
};
