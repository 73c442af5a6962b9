/**
 * Direction methods "hessian-top2" and "hessian-top-bottom": unit Hessian eigenvectors of the
 * mean training loss at theta (curvature/hessian-directions.ts), each axis carrying its
 * eigenvalue, on the config's grid. Normalization "none", so a coordinate is a distance in
 * parameter space and the landscape along axis k near the centre is
 * L(theta) + g.d_k t + lambda_k t^2 / 2. MLPs and ONNX models (whose interpreter differentiates
 * twice); tfjs layers models are refused. 1 or 2 axes (a line takes the top eigenvector).
 */
import { type HessianDirectionMethod, hessianDirections } from "../curvature/hessian-directions";
import type { MlpArchitecture } from "../model/types";
import type { OnnxArchitecture } from "../onnx/graph";
import { AXIS_LABELS, type DirectionMethodSpec } from "./plane";
import { replayTrajectory, withTrajectory } from "./plane-trajectory";

/**
 * The spec of one Hessian method; the solvers are seeded with the first direction seed.
 *
 * @example const spec = hessianDirectionMethod("hessian-top-bottom");
 */
export function hessianDirectionMethod(
  method: HessianDirectionMethod,
): DirectionMethodSpec<MlpArchitecture | OnnxArchitecture> {
  return {
    models: ["mlp", "onnx"],
    axes: [1, 2],
    async make(config, model, grid, options) {
      const seed = config.directions.seeds[0];
      const settings = { ...config.directions.hessian, seed };
      // The progress bar's total in H v products: an estimate, so `done` is clamped to it.
      const budget =
        (settings.maxIterations ?? 100) * (grid.axes.length + (method === "hessian-top2" ? 0 : 1));
      const r = await hessianDirections(
        {
          arch: model.arch,
          loss: model.loss,
          theta: model.theta,
          dataset: model.dataset,
          train: model.dataset.train,
        },
        method,
        grid.axes.length,
        settings,
        {
          signal: options.signal,
          onProgress: (done, estimate) =>
            options.onProgress?.({
              phase: "directions",
              done: Math.min(done, budget),
              total: budget,
              detail: `Hessian eigenvectors: ${done} H v products, estimate ${estimate.toPrecision(4)}`,
            }),
        },
      );
      return {
        directions: r.directions.map((d, i) => ({
          label: AXIS_LABELS[i],
          method: "hessian",
          normalization: "none" as const,
          bias: "include" as const,
          seed,
          which: d.which,
          eigenvalue: d.eigenvalue,
          residual: d.residual,
          iterations: d.iterations,
          converged: d.converged,
          samples: r.samples,
          values: d.values,
        })),
        grid,
        ...withTrajectory(
          replayTrajectory(
            model,
            r.directions.map((d) => d.values),
            "projection",
          ),
        ),
      };
    },
  };
}
