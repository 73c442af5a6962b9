/**
 * What a model does on its data, for the data plot: the decision boundary (class probabilities
 * over the data's box) or the regression curve. Computed in a worker.
 */

import type { Snapshot } from "../core/snapshot/schema";
import { dataBounds } from "../core/surface/data-bounds";
import type { DecisionBoundary } from "../state/store";
import type { ComputePool } from "./pool";

export type ModelPicture = DecisionBoundary;

/** The picture of the model with `parameters` (theta, or any point of the landscape). */
export async function boundaryFor(
  pool: ComputePool,
  s: Snapshot,
  parameters: Float32Array,
): Promise<ModelPicture | null> {
  const arch = s.model.architecture;
  // The worker's predictGrid draws MLPs; other model kinds (layers) have no picture yet.
  if (arch.kind !== "mlp") return null;
  // The same box the data plot draws, so the boundary image lines up with the points.
  const bounds = dataBounds(s.data, 0.1);
  if (arch.inputSize === 2 && s.data.task === "classification") {
    const resolution = 96;
    const probabilities = await pool.predictGrid(arch, parameters, "classification", bounds, resolution);
    return {
      kind: "classes",
      bounds: { x: [bounds[0], bounds[1]], y: [bounds[2], bounds[3]] },
      resolution,
      probabilities,
      classes: arch.outputSize,
    };
  }
  if (arch.inputSize === 1 && arch.outputSize === 1) {
    const resolution = 200;
    const y = await pool.predictGrid(arch, parameters, "regression", bounds, resolution);
    const x = Float32Array.from(
      { length: resolution },
      (_, i) => bounds[0] + ((bounds[1] - bounds[0]) * i) / (resolution - 1),
    );
    return { kind: "curve", curve: { x, y } };
  }
  return null;
}
