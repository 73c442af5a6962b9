import { MlpTrainKernel } from "../kernel/mlp-train-kernel";
import { requireMlp } from "../model/architecture";
import type { TrainEngine } from "./engine";
import type { EngineArgs } from "./tfjs-engine";

/**
 * The WebAssembly kernel engine for MLPs (kernel/mlp-train-kernel.ts): the same step as the
 * tfjs engine (gradient of the mean batch loss, SAM's perturbed gradient when on, then the
 * optimizer update op for op as optimizers.ts rounds it), with no tensors at all. The data and
 * the optimizer state live in the kernel's memory, which goes with dispose().
 */
export function kernelEngine(args: EngineArgs): TrainEngine {
  const { settings } = args;
  const rho = settings.sam?.rho;
  const kernel = new MlpTrainKernel({
    arch: requireMlp(args.arch, "the wasm-kernel training path"),
    loss: args.loss,
    dataset: args.dataset,
    train: args.dataset.train,
    test: args.dataset.test.count > 0 ? args.dataset.test : null,
  });
  kernel.setParameters(args.initial);
  let t = 0;
  return {
    path: "wasm-kernel",
    step(rows) {
      const loss = kernel.lossAndGradient(rows);
      if (!Number.isFinite(loss)) return loss;
      if (rho !== undefined) kernel.samGradient(rows, rho);
      t += 1;
      kernel.optimizerStep(settings, t);
      return loss;
    },
    metrics: (split) => kernel.evaluate(split),
    parameters: () => kernel.parameters(),
    dispose: () => kernel.dispose(),
  };
}
