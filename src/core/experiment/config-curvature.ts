import type { ExperimentConfig } from "../config/schema";
import { requireMlp } from "../model/architecture";
import type { CurvatureSection } from "../snapshot/curvature-section";
import { curvatureReport } from "./curvature-report";
import type { PreparedModel } from "./prepare";
import type { ExperimentProgress } from "./progress";

/**
 * The config's curvature report at the trained point (its `curvature` section), on the training
 * data; undefined when the config asks for none. The one step `compute` and `plan` share after
 * the plane is made. MLPs, GCNs and layers models (CNNs) only (requireMlp names the model kind
 * otherwise).
 */
export function configCurvature(
  config: ExperimentConfig,
  model: PreparedModel,
  options: { signal?: AbortSignal; onProgress?: (p: ExperimentProgress) => void },
): Promise<CurvatureSection> | undefined {
  if (!config.curvature) return undefined;
  return curvatureReport(
    {
      // A GCN and a layers model (CNN) differentiate twice (curvature/model-objective.ts).
      arch:
        model.arch.kind === "gcn" || model.arch.kind === "layers"
          ? model.arch
          : requireMlp(model.arch, "the curvature report"),
      loss: model.loss,
      theta: model.theta,
      dataset: model.dataset,
      train: model.dataset.train,
    },
    config.curvature,
    { signal: options.signal, onProgress: options.onProgress },
  );
}
