/**
 * Training, gradients and Hessian-vector products in the WebAssembly kernel against the tfjs
 * reference and a float64 one: every optimizer, activation and loss, residual or not.
 * "Relative" below is max |a - b| over the vector divided by max |b| (entries near zero are judged
 * on the vector's scale, not their own).
 */
import { describe, expect, it } from "vitest";
import { topEigenpairs } from "../../src/core/curvature/eigen";
import { makeHvp } from "../../src/core/curvature/hvp";
import { makeKernelHvp } from "../../src/core/curvature/kernel-objective";
import { makeDataset } from "../../src/core/data/make";
import { parseDatasetSpec } from "../../src/core/data/spec";
import type { Dataset } from "../../src/core/data/types";
import { MlpTrainKernel } from "../../src/core/kernel/mlp-train-kernel";
import { initParameters } from "../../src/core/model/init";
import { makeArchitecture } from "../../src/core/model/mlp";
import { ACTIVATIONS, type LossKind, type MlpArchitecture } from "../../src/core/model/types";
import { createRng, permutation } from "../../src/core/rng";
import { tf } from "../../src/core/tf";
import type { TrainEngine } from "../../src/core/train/engine";
import { kernelEngine } from "../../src/core/train/kernel-engine";
import { OPTIMIZERS } from "../../src/core/train/optimizers";
import { tfjsEngine } from "../../src/core/train/tfjs-engine";
import { type TrainingSettings, trainModel } from "../../src/core/train/train";
import { withWasmBackend } from "./helpers/backend";
import { f64Gradient, f64Hvp } from "./helpers/f64-gradient";
import { relativeMaxDifference } from "./helpers/relative";

withWasmBackend();

const relative = relativeMaxDifference;

/** A small problem of either task: 5 inputs, hidden 7-7-6 (so the middle layer is residual). */
function problem(
  task: "classification" | "regression",
  activation: MlpArchitecture["activation"],
  residual: boolean,
) {
  const rng = createRng(11);
  const outputs = task === "classification" ? 3 : 2;
  const arch = makeArchitecture(5, outputs, { hiddenSizes: [7, 7, 6], activation, residual });
  const n = 300; // more than one kernel chunk (256 rows)
  const x = Float32Array.from({ length: n * 5 }, () => rng.normal());
  const y =
    task === "classification"
      ? Float32Array.from({ length: n }, () => rng.int(3))
      : Float32Array.from({ length: n * outputs }, () => rng.normal());
  const empty = { x: new Float32Array(0), y: new Float32Array(0), count: 0 };
  const dataset = {
    name: "synthetic",
    task,
    inputSize: 5,
    outputSize: outputs,
    train: { x, y, count: n },
    test: empty,
  } as unknown as Dataset;
  const loss: LossKind = task === "classification" ? "cross-entropy" : "mse";
  const theta = initParameters(arch, "auto", createRng(5));
  return { arch, dataset, loss, theta };
}

const TASKS = ["classification", "regression"] as const;

describe("the kernel's gradient and Hessian-vector product", () => {
  for (const activation of ACTIVATIONS)
    for (const task of TASKS)
      for (const residual of [false, true]) {
        it(`equal tfjs's and a float64 reference: ${activation}, ${task}${residual ? ", residual" : ""}`, () => {
          const { arch, dataset, loss, theta } = problem(task, activation, residual);
          const train = dataset.train;
          const tensorsBefore = tf.memory().numTensors;
          const kernel = new MlpTrainKernel({ arch, loss, dataset, train, optimizer: false });
          kernel.setParameters(theta);
          const value = kernel.lossAndGradient(null);
          const gradient = kernel.gradient();
          const v = Float32Array.from({ length: theta.length }, (_, i) => Math.sin(i + 1));
          const hv = kernel.hvp(v);
          kernel.dispose();
          expect(tf.memory().numTensors).toBe(tensorsBefore);

          const reference = makeHvp({ arch, loss, theta, dataset, train });
          const ref = reference.valueAndGradient();
          const refHv = reference.hvp(v);
          reference.dispose();
          expect(Math.abs(value - ref.value) / ref.value).toBeLessThan(1e-6);
          expect(relative(gradient, ref.gradient)).toBeLessThan(1e-5);
          expect(relative(hv, refHv)).toBeLessThan(1e-5);

          const g64 = f64Gradient(arch, loss, theta, train.x, train.y, train.count);
          expect(relative(gradient, g64)).toBeLessThan(1e-5);
          // Central differences of the float64 gradient (h = 1e-5) with the activations' sides
          // frozen at theta: exact to about 1e-9.
          const hv64 = f64Hvp(arch, loss, theta, v, train.x, train.y, train.count);
          expect(relative(hv, hv64)).toBeLessThan(1e-5);
        });
      }
});

const STEP_SETTINGS = {
  learningRate: 0.05,
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 0,
};

/** Ten steps of batch 32 in a seeded order through an engine; the parameters after each. */
function tenSteps(engine: TrainEngine, n: number): Float32Array[] {
  const order = permutation(n, createRng(21));
  const out: Float32Array[] = [];
  try {
    for (let s = 0; s < 10; s++) {
      engine.step(order.subarray((s * 32) % (n - 32), ((s * 32) % (n - 32)) + 32));
      out.push(engine.parameters());
    }
  } finally {
    engine.dispose();
  }
  return out;
}

describe("a kernel training step", () => {
  for (const optimizer of OPTIMIZERS)
    for (const activation of ACTIVATIONS)
      for (const task of TASKS)
        for (const residual of [false, true]) {
          it(`equals tfjs's over 10 steps: ${optimizer}, ${activation}, ${task}${residual ? ", residual" : ""}`, () => {
            const { arch, dataset, loss, theta } = problem(task, activation, residual);
            const settings = { ...STEP_SETTINGS, optimizer };
            const args = { arch, loss, dataset, initial: theta, settings };
            const tensorsBefore = tf.memory().numTensors;
            const fast = tenSteps(kernelEngine(args), dataset.train.count);
            expect(tf.memory().numTensors).toBe(tensorsBefore);
            const ref = tenSteps(tfjsEngine(args), dataset.train.count);
            for (let s = 0; s < 10; s++) expect(relative(fast[s], ref[s])).toBeLessThan(1e-5);
            expect(relative(ref[9], theta)).toBeGreaterThan(1e-3); // the steps moved the parameters
          });
        }

  for (const optimizer of OPTIMIZERS)
    it(`equals tfjs's with weight decay and SAM: ${optimizer}`, () => {
      const { arch, dataset, loss, theta } = problem("classification", "tanh", true);
      const settings = { ...STEP_SETTINGS, optimizer, weightDecay: 5e-3, sam: { rho: 0.05 } };
      const args = { arch, loss, dataset, initial: theta, settings };
      const fast = tenSteps(kernelEngine(args), dataset.train.count);
      const ref = tenSteps(tfjsEngine(args), dataset.train.count);
      const plain = tenSteps(kernelEngine({ ...args, settings: { ...settings, sam: undefined } }), 300);
      for (let s = 0; s < 10; s++) expect(relative(fast[s], ref[s])).toBeLessThan(1e-5);
      expect(relative(fast[9], plain[9])).toBeGreaterThan(1e-4); // SAM changed the steps
    });
});

describe("a whole training run on the kernel path", () => {
  const dataset = makeDataset(parseDatasetSpec({ name: "moons", trainCount: 256, testCount: 64 }), 3);
  const arch = makeArchitecture(2, 2, { hiddenSizes: [16, 16], activation: "tanh" });
  const initial = initParameters(arch, "auto", createRng(4));
  const settings: TrainingSettings = {
    optimizer: "adam",
    learningRate: 0.01,
    momentum: 0.9,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    weightDecay: 0,
    batchSize: 32,
    epochs: 20,
    checkpointEvery: 0,
    seed: 8,
    sharpnessEvery: 40,
    sharpnessSamples: 256,
  };
  const run = (path: "wasm-kernel" | "tfjs") =>
    trainModel({ arch, loss: "cross-entropy", dataset, initial, settings, path });

  it("ends at the loss and lambda_max of the tfjs path within 2%, names its path, and leaks no tensor", async () => {
    const before = tf.memory().numTensors;
    const fast = await run("wasm-kernel");
    expect(tf.memory().numTensors).toBe(before);
    const ref = await run("tfjs");
    expect(fast.path).toBe("wasm-kernel");
    expect(ref.path).toBe("tfjs");
    expect(fast.steps).toBe(ref.steps);
    const last = (r: typeof fast) => r.history[r.history.length - 1];
    expect(last(fast).trainLoss).toBeLessThan(0.5 * last(fast).trainLoss + 0.5 * fast.history[0].trainLoss);
    expect(Math.abs(last(fast).trainLoss - last(ref).trainLoss) / last(ref).trainLoss).toBeLessThan(0.02);
    expect(
      Math.abs((last(fast).testLoss ?? 0) - (last(ref).testLoss ?? 0)) / (last(ref).testLoss ?? 1),
    ).toBeLessThan(0.02);
    const lambda = (r: typeof fast) => r.sharpness?.entries.at(-1)?.lambdaMax ?? Number.NaN;
    expect(Math.abs(lambda(fast) - lambda(ref)) / lambda(ref)).toBeLessThan(0.02);
    expect(fast.sharpness?.entries.length).toBe(ref.sharpness?.entries.length);
  });
});

describe("curvature on the kernel", () => {
  it("finds the top eigenvalues of tfjs's objective within 1e-4, with weight decay", async () => {
    const { arch, dataset, loss, theta } = problem("classification", "softplus", true);
    const train = dataset.train;
    const args = { arch, loss, theta, dataset, train };
    const fast = makeKernelHvp(args, { weightDecay: 1e-3 });
    const ref = makeHvp(args, { weightDecay: 1e-3 });
    try {
      const a = await topEigenpairs(fast, { topK: 2, seed: 3, maxIterations: 300, tolerance: 1e-7 });
      const b = await topEigenpairs(ref, { topK: 2, seed: 3, maxIterations: 300, tolerance: 1e-7 });
      for (let i = 0; i < 2; i++)
        expect(Math.abs(a.values[i] - b.values[i]) / Math.abs(b.values[i])).toBeLessThan(1e-4);
      expect(Math.abs(fast.loss() - ref.loss()) / ref.loss()).toBeLessThan(1e-6);
      expect(relative(fast.gradient(), ref.gradient())).toBeLessThan(1e-5);
    } finally {
      fast.dispose();
      ref.dispose();
    }
  });
});
