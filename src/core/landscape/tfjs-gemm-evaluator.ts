import { activate, fusedActivation } from "../model/activation";
import { requireMlp } from "../model/architecture";
import { layoutOffsets } from "../model/layout";
import { dataTensors, disposeDataTensors } from "../model/loss";
import { isResidualLayer, layerWidths } from "../model/mlp";
import { tf } from "../tf";
import { batchMetrics, chunkedEvaluation, chunkSize, readMetrics } from "./chunked";
import {
  checkProblem,
  type LandscapeEvaluator,
  type PreparedEvaluation,
  type SubspaceProblem,
} from "./evaluator";

/**
 * One XNNPACK GEMM per vector and layer, everything else shared (the fastest tfjs path on
 * CPU backends).
 *
 * tfjs-wasm runs a 2-D matMul [N, in] x [in, out] in XNNPACK (about 20 GFLOP/s here) but a
 * batched matMul [P, N, in] x [P, in, out] in a plain loop (about 2 GFLOP/s), and its slice is
 * slow. So for each vector p the kernels W_l + sum_k C_pk D_lk are formed in JavaScript (in out
 * values, negligible next to the N in out multiply-adds) and run as fused GEMMs (bias and
 * activation fused where tfjs has the activation): exactly 1x the multiply-adds. The data stay
 * on the backend from prepare(); the loss and accuracy of all P vectors are reduced at once
 * over the stacked outputs [P, N, C], with one read-back per chunk instead of one per vector.
 */
export const tfjsGemmEvaluator: LandscapeEvaluator = {
  name: "tfjs-gemm",
  prepare(problem: SubspaceProblem): PreparedEvaluation {
    checkProblem(problem);
    const arch = requireMlp(problem.arch, 'evaluator "tfjs-gemm"');
    const { layout, origin, directions } = problem;
    const k = directions.length;
    const widths = layerWidths(arch);
    const layers = widths.length - 1;
    const n = problem.split.count;
    const offsets = layoutOffsets(layout);
    const data = dataTensors(problem.split, problem.dataset);
    const fused = fusedActivation(arch.activation);

    const chunk = chunkSize(n, widths);
    // One vector's parameters of a layer, W_l(p) or b_l(p), in a fresh array: the cpu and webgl
    // backends keep the array a tensor is made from, so a shared scratch let b_l(p) overwrite
    // W_l(p) before its matMul ran (wrong numbers on the cpu backend).
    const layerParam = (i: number, c: Float32Array): Float32Array => {
      const from = offsets[i];
      const size = offsets[i + 1] - from;
      const out = origin.slice(from, from + size);
      for (let j = 0; j < k; j++) {
        const cj = c[j];
        if (cj === 0) continue;
        const d = directions[j];
        for (let q = 0; q < size; q++) out[q] += cj * d[from + q];
      }
      return out;
    };

    const evaluateChunk = (coords: Float32Array, p: number): [Float32Array, Float32Array | null] => {
      return readMetrics(() => {
        const outs: tf.Tensor[] = [];
        for (let v = 0; v < p; v++) {
          const cv = coords.subarray(v * k, (v + 1) * k);
          let h = data.x;
          for (let l = 0; l < layers; l++) {
            const w = tf.tensor2d(layerParam(2 * l, cv), [widths[l], widths[l + 1]]);
            const b = tf.tensor1d(layerParam(2 * l + 1, cv));
            const last = l === layers - 1;
            const act = last ? { activation: "linear" as const } : fused;
            let z = tf.fused.matMul({ a: h, b: w, bias: b, ...(act ?? { activation: "linear" as const }) });
            if (last) {
              outs.push(z);
            } else {
              if (!act) z = activate(z, arch.activation) as tf.Tensor2D;
              h = (isResidualLayer(arch, l) ? tf.add(h, z) : z) as tf.Tensor2D;
            }
          }
        }
        return batchMetrics(problem.loss, tf.stack(outs), data);
      });
    };

    return chunkedEvaluation(k, chunk, data.labels !== undefined, evaluateChunk, () => {
      disposeDataTensors(data);
    });
  },
};
