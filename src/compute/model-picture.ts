/**
 * What a model does on its data, for the data plot: the decision boundary (class probabilities
 * over the data's box) or the regression curve. Computed in a worker.
 */
import type { Snapshot } from "../core/snapshot/schema";
import type { DecisionBoundary } from "../state/store";
import type { ComputePool } from "./pool";

export type ModelPicture = DecisionBoundary;

/** The data's bounding box with a relative margin: [xmin, xmax, ymin, ymax]. */
export function dataBox(data: Snapshot["data"], margin = 0.1): [number, number, number, number] {
  const box = [
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ];
  const d = data.inputSize;
  for (const split of [data.train, data.test]) {
    if (!split) continue;
    for (let i = 0; i < split.count; i++) {
      const x = split.x[i * d];
      const y = d > 1 ? split.x[i * d + 1] : data.task === "regression" ? split.y[i] : 0;
      box[0] = Math.min(box[0], x);
      box[1] = Math.max(box[1], x);
      box[2] = Math.min(box[2], y);
      box[3] = Math.max(box[3], y);
    }
  }
  if (!Number.isFinite(box[0])) return [-1, 1, -1, 1];
  const mx = margin * Math.max(box[1] - box[0], 1e-6);
  const my = margin * Math.max(box[3] - box[2], 1e-6);
  return [box[0] - mx, box[1] + mx, box[2] - my, box[3] + my];
}

/** The picture of the model with `parameters` (theta, or any point of the landscape). */
export async function boundaryFor(
  pool: ComputePool,
  s: Snapshot,
  parameters: Float32Array,
): Promise<ModelPicture | null> {
  const arch = s.model.architecture;
  const bounds = dataBox(s.data);
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
