import type { Dataset } from "../data/types";
import { type ModelArchitecture, modelLayout } from "../model/architecture";
import { batchNormModel, withStatisticsAt } from "../model/bn-statistics";
import { flatToTensors, tensorsToFlat } from "../model/flat";
import { modelForward } from "../model/forward";
import { type DataTensors, dataTensors, disposeDataTensors, meanAccuracy, meanLoss } from "../model/loss";
import type { LossKind } from "../model/types";
import { tf } from "../tf";
import type { TrainEngine } from "./engine";
import { Optimizer, type OptimizerSettings } from "./optimizers";
import { samGradients } from "./sam";

export interface EngineArgs {
  arch: ModelArchitecture;
  loss: LossKind;
  dataset: Dataset;
  initial: Float32Array;
  settings: OptimizerSettings & { sam?: { rho: number } };
}

/**
 * The tfjs engine: parameters as tf.Variables, gradients by tf.variableGrads through
 * modelForward (any model kind), optimizers.ts's updates, SAM by sam.ts. The reference the
 * kernel engine is tested against.
 */
export function tfjsEngine(args: EngineArgs): TrainEngine {
  const { arch, loss, dataset, settings } = args;
  const layout = modelLayout(arch);
  const rho = settings.sam?.rho;
  const vars = flatToTensors(args.initial, layout).map((t) => {
    const v = tf.variable(t, true);
    t.dispose();
    return v;
  });
  const train = dataTensors(dataset.train, dataset);
  const test = dataset.test.count > 0 ? dataTensors(dataset.test, dataset) : null;
  const optimizer = new Optimizer(settings, vars);
  // A BN model (ONNX graph or layers model) trains in train mode (batch statistics, modelForward
  // "train"); its metrics are taken in eval mode with the running statistics of the current weights
  // (update_bn over the training data).
  const bn = batchNormModel(arch);
  const evalArch = () => (bn ? withStatisticsAt(bn, vars, train.x as tf.Tensor2D) : arch);
  const splitMetrics = (d: DataTensors) =>
    tf.tidy(() => {
      const out = modelForward(evalArch(), vars, d.x);
      const l = meanLoss(loss, out, d.target).dataSync()[0];
      const a = d.labels ? meanAccuracy(out, d.labels).dataSync()[0] : undefined;
      return a === undefined ? { loss: l } : { loss: l, accuracy: a };
    });
  return {
    path: "tfjs",
    step(rows) {
      return tf.tidy(() => {
        const ids = tf.tensor1d(rows, "int32");
        const xb = tf.gather(train.x, ids);
        const tb = tf.gather(train.target, ids);
        const batchLoss = () => meanLoss(loss, modelForward(arch, vars, xb, "train"), tb) as tf.Scalar;
        const { value, grads } = tf.variableGrads(batchLoss, vars);
        const v = value.dataSync()[0];
        if (Number.isFinite(v)) {
          const plain = vars.map((w) => grads[w.name]);
          optimizer.step(rho === undefined ? plain : samGradients(batchLoss, vars, plain, rho));
        }
        return v;
      });
    },
    metrics(split) {
      if (split === "train") return splitMetrics(train);
      if (!test) throw new Error("training metrics: there is no test split");
      return splitMetrics(test);
    },
    parameters: () => tensorsToFlat(vars, layout),
    dispose() {
      optimizer.dispose();
      tf.dispose(vars);
      disposeDataTensors(train);
      if (test) disposeDataTensors(test);
    },
  };
}
