/**
 * Curve training (Garipov et al.'s bends between two minima) on the WebAssembly kernel against
 * the tfjs reference: the same steps within float32 rounding, for every optimizer and both
 * curve kinds, and a whole run through trainCurve on either path.
 */
import { describe, expect, it } from "vitest";
import { makeDataset } from "../../src/core/data/make";
import { parseDatasetSpec } from "../../src/core/data/spec";
import { setTrainingPath } from "../../src/core/kernel/training-path";
import { initParameters } from "../../src/core/model/init";
import { makeArchitecture } from "../../src/core/model/mlp";
import { type CurveStepper, kernelCurveStepper, tfjsCurveStepper } from "../../src/core/paths/curve-steppers";
import { CURVE_KINDS, curveCoefficients, initialBends } from "../../src/core/paths/curves";
import { trainCurve } from "../../src/core/paths/train-curve";
import { createRng, permutation } from "../../src/core/rng";
import { tf } from "../../src/core/tf";
import { OPTIMIZERS } from "../../src/core/train/optimizers";
import { withWasmBackend } from "./helpers/backend";
import { relativeMaxDifference } from "./helpers/relative";

withWasmBackend();

const relative = relativeMaxDifference;

const dataset = makeDataset(parseDatasetSpec({ name: "moons", trainCount: 200, testCount: 0 }), 2);
const arch = makeArchitecture(2, 2, { hiddenSizes: [12, 12], activation: "tanh", residual: true });
const model = { arch, loss: "cross-entropy" as const, dataset };
const theta1 = initParameters(arch, "auto", createRng(1));
const theta2 = initParameters(arch, "auto", createRng(2));

function steps(stepper: CurveStepper, kind: (typeof CURVE_KINDS)[number], bends: number): Float32Array[][] {
  const rng = createRng(7);
  const order = permutation(200, rng);
  const coeffs = new Float64Array(bends + 2);
  const out: Float32Array[][] = [];
  try {
    for (let s = 0; s < 10; s++) {
      curveCoefficients(kind, bends, rng.next(), coeffs);
      stepper.step(order.subarray(s * 16, s * 16 + 32), coeffs);
      out.push(stepper.bends());
    }
  } finally {
    stepper.dispose();
  }
  return out;
}

describe("a curve-training step on the kernel", () => {
  for (const optimizer of OPTIMIZERS)
    for (const kind of CURVE_KINDS)
      it(`equals tfjs's over 10 steps: ${optimizer}, ${kind}`, () => {
        const bends = kind === "polychain" ? 2 : 1;
        const settings = {
          optimizer,
          learningRate: 0.05,
          momentum: 0.9,
          beta1: 0.9,
          beta2: 0.999,
          epsilon: 1e-8,
          l2: 1e-3,
        };
        const args = { model, theta1, theta2, initial: initialBends(theta1, theta2, bends), settings };
        const before = tf.memory().numTensors;
        const fast = steps(kernelCurveStepper(args), kind, bends);
        expect(tf.memory().numTensors).toBe(before);
        const ref = steps(tfjsCurveStepper(args), kind, bends);
        for (let s = 0; s < 10; s++)
          for (let j = 0; j < bends; j++) expect(relative(fast[s][j], ref[s][j])).toBeLessThan(1e-5);
        expect(relative(ref[9][0], args.initial[0])).toBeGreaterThan(1e-3);
      });
});

describe("trainCurve on either path", () => {
  it("ends with bends within 1e-3 of each other and the same losses within 2%", async () => {
    const run = async (path: "wasm-kernel" | "tfjs") => {
      setTrainingPath(path);
      try {
        return await trainCurve({
          model,
          endpoints: [theta1, theta2],
          kind: "bezier",
          settings: { epochs: 5, batchSize: 32, seed: 3 },
        });
      } finally {
        setTrainingPath("auto");
      }
    };
    const fast = await run("wasm-kernel");
    const ref = await run("tfjs");
    expect(fast.steps).toBe(ref.steps);
    expect(relative(fast.curve.points[1], ref.curve.points[1])).toBeLessThan(1e-3);
    const lastLoss = (r: typeof fast) => r.history[r.history.length - 1].loss;
    expect(Math.abs(lastLoss(fast) - lastLoss(ref)) / lastLoss(ref)).toBeLessThan(0.02);
  });
});
