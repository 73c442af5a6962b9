import { activate, fusedActivation } from "../model/activation";
import { requireMlp } from "../model/architecture";
import { flatToTensors } from "../model/flat";
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
 * Batched evaluation with tfjs: P parameter vectors at once, never one forward pass per point.
 *
 * With C [P, K] the coordinates and, per layer l, W_l(p) = W_l + sum_k C_pk D_lk:
 * - layer 0 is linear in the coordinates: X W_0(p) + b_0(p) = (X W_0 + b_0) + sum_k C_pk (X D_0k + db_0k),
 *   so its pre-activations for all P vectors are one [P, K] x [K, N h0] matMul on products
 *   computed once in prepare();
 * - a later layer computes H_p W_l(p) = H_p W_l + sum_k C_pk (H_p D_lk) as ONE plain matMul
 *   [P N, in] x [in, (K+1) out] against the kernels concatenated [W_l | D_l1 | ... | D_lK], then
 *   weights the K+1 blocks by (1, C_p1, ..., C_pK). That is K+1 times the multiply-adds of a
 *   batched [P, N, in] x [P, in, out] matMul, yet faster in tfjs-wasm, whose 2-D matMul runs
 *   XNNPACK while its batched matMul does not (measured about 2.5x on the reference MLP).
 * Loss and accuracy reduce over the last two axes, giving [P].
 */
export const tfjsBatchedEvaluator: LandscapeEvaluator = {
  name: "tfjs-batched",
  prepare(problem: SubspaceProblem): PreparedEvaluation {
    checkProblem(problem);
    const arch = requireMlp(problem.arch, 'evaluator "tfjs-batched"');
    const { layout } = problem;
    const k = problem.directions.length;
    const widths = layerWidths(arch);
    const layers = widths.length - 1;
    const n = problem.split.count;
    const data = dataTensors(problem.split, problem.dataset);

    const held = tf.tidy(() => {
      const theta = flatToTensors(problem.origin, layout);
      const dirs = problem.directions.map((d) => flatToTensors(d, layout));
      // Bias of every layer as [K, out] stacked over the directions.
      const biases = layout.map((_, i) =>
        i % 2 === 1 ? (tf.stack(dirs.map((d) => d[i])) as tf.Tensor2D) : undefined,
      );
      // Kernels of layers >= 1 concatenated along the output axis: [in, (K+1) out].
      const kernels = layout.map((_, i) =>
        i % 2 === 0 && i > 0
          ? (tf.concat([theta[i], ...dirs.map((d) => d[i])], 1) as tf.Tensor2D)
          : undefined,
      );
      const h0 = widths[1];
      // A fresh rank-1 tensor, not a reshape: tfjs-wasm's fused matMul checks the rank of the
      // bias's underlying data, which a reshape keeps at [N, h0].
      const base0 = tf.tensor1d(
        tf.add(tf.matMul(data.x, theta[0] as tf.Tensor2D), theta[1]).dataSync() as Float32Array,
      );
      // X D_0k + db_0k for every k, as [K, N * h0].
      const first = tf.stack(
        dirs.map((d) => tf.reshape(tf.add(tf.matMul(data.x, d[0] as tf.Tensor2D), d[1]), [n * h0])),
      ) as tf.Tensor2D;
      return { theta, biases, kernels, base0, first };
    });

    const chunk = chunkSize(n, widths);

    const evaluateChunk = (coords: Float32Array, p: number): [Float32Array, Float32Array | null] => {
      return readMetrics(() => {
        const c = tf.tensor2d(coords, [p, k]);
        const weights = tf.reshape(tf.concat([tf.ones([p, 1]), c], 1), [p, 1, k + 1, 1]);
        // Layer 0 for all P vectors: C [P, K] x [K, N h0] + (X W_0 + b_0); activation fused when tfjs has it.
        const fused = layers > 1 ? fusedActivation(arch.activation) : null;
        const pre0 = fused
          ? tf.fused.matMul({ a: c, b: held.first, bias: held.base0, ...fused })
          : tf.add(tf.matMul(c, held.first), held.base0);
        let out = tf.reshape(pre0, [p, n, widths[1]]);
        let h = fused || layers === 1 ? out : activate(out, arch.activation);
        for (let l = 1; l < layers; l++) {
          const [inW, outW] = [widths[l], widths[l + 1]];
          // [P N, in] x [in, (K+1) out], then weight the K+1 output blocks by (1, C_p1, ..., C_pK).
          const blocks = tf.matMul(
            tf.reshape(h, [p * n, inW]) as tf.Tensor2D,
            held.kernels[2 * l] as tf.Tensor2D,
          );
          const combined = tf.sum(tf.mul(tf.reshape(blocks, [p, n, k + 1, outW]), weights), 2);
          const bias = tf.add(tf.matMul(c, held.biases[2 * l + 1] as tf.Tensor2D), held.theta[2 * l + 1]);
          out = tf.add(combined, tf.reshape(bias, [p, 1, outW]));
          if (l < layers - 1) {
            const a = activate(out, arch.activation);
            h = isResidualLayer(arch, l) ? tf.add(h, a) : a;
          }
        }
        return batchMetrics(problem.loss, out, data);
      });
    };

    return chunkedEvaluation(k, chunk, data.labels !== undefined, evaluateChunk, () => {
      disposeDataTensors(data);
      tf.dispose([held.theta, held.base0, held.first]);
      for (const t of [...held.biases, ...held.kernels]) t?.dispose();
    });
  },
};
