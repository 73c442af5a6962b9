import { pointInSubspace } from "../directions/vector";
import { type BnArchitecture, batchNormModel, withStatisticsAt } from "../model/bn-statistics";
import { flatToTensors } from "../model/flat";
import { modelForward } from "../model/forward";
import { dataTensors, disposeDataTensors, meanAccuracy, meanLoss } from "../model/loss";
import { tf } from "../tf";
import {
  checkCoords,
  checkProblem,
  type LandscapeEvaluator,
  type PreparedEvaluation,
  type SubspaceProblem,
} from "./evaluator";

/** The model when its BN statistics are recomputed at every point (its batchNorm policy), else null. */
function recomputesBn(arch: SubspaceProblem["arch"]): BnArchitecture | null {
  const bn = batchNormModel(arch);
  return bn?.batchNorm?.statistics === "recompute" ? bn : null;
}

/**
 * One full forward pass per parameter vector, as the Python reference tools do: build
 * theta + sum_k c_k d_k, upload it, run the network over the whole split. The baseline the
 * batched paths are checked and benchmarked against, and the path for every model kind (the
 * others take MLPs only): layers models (conv nets, imported tfjs models) run through modelForward.
 */
export const naiveEvaluator: LandscapeEvaluator = {
  name: "naive",
  prepare(problem: SubspaceProblem): PreparedEvaluation {
    checkProblem(problem);
    const data = dataTensors(problem.split, problem.dataset);
    // BN statistics recomputed at every point (update_bn) from the training rows, uploaded once.
    const bnArch = recomputesBn(problem.arch);
    const bn = bnArch
      ? { arch: bnArch, x: dataTensors(problem.statistics ?? problem.split, problem.dataset) }
      : null;
    const k = problem.directions.length;
    const point = new Float32Array(problem.origin.length);
    return {
      evaluate(coords) {
        const p = checkCoords(coords, k);
        const loss = new Float32Array(p);
        const accuracy = data.labels ? new Float32Array(p) : null;
        for (let i = 0; i < p; i++) {
          pointInSubspace(problem.origin, problem.directions, coords.subarray(i * k, (i + 1) * k), point);
          const [l, a] = tf.tidy(() => {
            const params = flatToTensors(point, problem.layout);
            const arch = bn ? withStatisticsAt(bn.arch, params, bn.x.x as tf.Tensor2D) : problem.arch;
            const out = modelForward(arch, params, data.x);
            const lv = meanLoss(problem.loss, out, data.target).dataSync()[0];
            const av = data.labels ? meanAccuracy(out, data.labels).dataSync()[0] : Number.NaN;
            return [lv, av];
          });
          loss[i] = l;
          if (accuracy) accuracy[i] = a;
        }
        return { loss, accuracy };
      },
      dispose() {
        disposeDataTensors(data);
        if (bn) disposeDataTensors(bn.x);
      },
    };
  },
};
