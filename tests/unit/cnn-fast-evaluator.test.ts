/**
 * The fast path for layers models ("tfjs-cnn-batched", src/core/landscape/tfjs-cnn-evaluator.ts)
 * gives the per-point path's surfaces (every surface name, within 1e-5 absolute, relative for
 * losses above 1) on the digits CNN and on random CNNs that exercise its rewrites (pooling before
 * the activation, a conv cropped to what its pooling reads, blocks of samples), also far from the
 * centre; it leaves no tensor behind, and it is the default path for layers models.
 */
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { randomDirection } from "../../src/core/directions/random";
import { landscapeProblem, makePlane, prepareModel } from "../../src/core/experiment/prepare";
import { runExperiment } from "../../src/core/experiment/run";
import { cnnPlan } from "../../src/core/landscape/cnn-plan";
import {
  availableEvaluators,
  checkEvaluatorFor,
  defaultEvaluatorFor,
  EVALUATORS,
  evaluatorByName,
} from "../../src/core/landscape/evaluators";
import { naiveEvaluator } from "../../src/core/landscape/naive-evaluator";
import { type Surfaces, sampleLandscape } from "../../src/core/landscape/surfaces";
import { createTfjsCnnEvaluator, tfjsCnnEvaluator } from "../../src/core/landscape/tfjs-cnn-evaluator";
import { type LayersArchitecture, makeLayersArchitecture } from "../../src/core/model/layers";
import { makeCnnArchitecture } from "../../src/core/model/layers-cnn";
import { makeArchitecture, mlpLayout } from "../../src/core/model/mlp";
import { createRng } from "../../src/core/rng";
import { tf } from "../../src/core/tf";
import { nodeDataReaders } from "../../src/node/data-files";
import { withWasmBackend } from "./helpers/backend";
import { farGrid, maxDifference, preset, RANDOM_MODELS } from "./helpers/layers-problems";

withWasmBackend();

describe("the fast path for layers models", () => {
  it("gives the per-point surfaces on the digits CNN, centre and far points, and leaves no tensor", async () => {
    const config = resolveConfig({
      ...preset("digits-cnn"),
      data: { name: "digits", trainCount: 300, testCount: 100 },
      training: { ...preset("digits-cnn").training, epochs: 1 },
      grid: { x: { min: -4, max: 4, count: 5 }, y: { min: -4, max: 4, count: 4 } },
    });
    const model = await prepareModel(config, { files: nodeDataReaders() });
    const plane = await makePlane(config, model);
    const problem = landscapeProblem(model, plane);
    const ref = await sampleLandscape(problem, plane.grid, naiveEvaluator);
    const before = tf.memory().numTensors;
    const fast = await sampleLandscape(problem, plane.grid, tfjsCnnEvaluator);
    // Several blocks of samples (about 60 each): the block sums must add up to the same means.
    const blocked = await sampleLandscape(
      problem,
      plane.grid,
      createTfjsCnnEvaluator({ budget: 3 * 14 * 14 * 8 * 60 }),
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(ref).sort()).toEqual(["test_accuracy", "test_loss", "train_accuracy", "train_loss"]);
    const diff = Math.max(maxDifference(fast, ref), maxDifference(blocked, ref));
    console.log(`digits CNN: max difference to the per-point path ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-5);
    // The far corners are far indeed: their loss is well above the one next to the centre (0, -4/3).
    const loss = ref.train_loss as Float32Array;
    expect(loss[0]).toBeGreaterThan(2 * loss[7]);
  }, 60_000);

  it.each(RANDOM_MODELS)("gives the per-point surfaces on a random model: %s", async (what, make) => {
    const problem = make();
    const ref = await sampleLandscape(problem, farGrid, naiveEvaluator);
    const before = tf.memory().numTensors;
    const fast = await sampleLandscape(problem, farGrid, tfjsCnnEvaluator, { tilePoints: 7 });
    const blocked = await sampleLandscape(problem, farGrid, createTfjsCnnEvaluator({ budget: 600 }));
    expect(tf.memory().numTensors).toBe(before);
    const diff = Math.max(maxDifference(fast, ref), maxDifference(blocked, ref));
    console.log(`${what.split(":")[0]}: max difference to the per-point path ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-5);
  });

  it("gives the same surfaces on the cpu backend, which keeps the arrays its tensors are made from", async () => {
    const problem = RANDOM_MODELS[0][1]();
    const mlp = (() => {
      const arch = makeArchitecture(2, 3, { hiddenSizes: [5], activation: "tanh" });
      const layout = mlpLayout(arch);
      const rng = createRng(9);
      const theta = Float32Array.from({ length: 33 }, () => rng.normal());
      const x = Float32Array.from({ length: 40 }, () => rng.normal());
      return {
        arch,
        loss: "cross-entropy" as const,
        layout,
        theta,
        directions: [1, 2].map((seed) =>
          randomDirection(theta, layout, { normalization: "filter", bias: "copy", seed }),
        ),
        dataset: { task: "classification" as const, inputSize: 2, outputSize: 3 },
        train: { x, y: Float32Array.from({ length: 20 }, (_, i) => i % 3), count: 20 },
      };
    })();
    const backend = tf.getBackend();
    await tf.setBackend("cpu");
    try {
      const ref = await sampleLandscape(problem, farGrid, naiveEvaluator);
      expect(maxDifference(await sampleLandscape(problem, farGrid, tfjsCnnEvaluator), ref)).toBeLessThan(
        1e-5,
      );
      // tfjs-gemm forms its kernels in JavaScript too (it once reused one scratch array for W and b).
      const mlpRef = await sampleLandscape(mlp, farGrid, naiveEvaluator);
      const gemm = await sampleLandscape(mlp, farGrid, EVALUATORS["tfjs-gemm"]);
      expect(maxDifference(gemm, mlpRef)).toBeLessThan(1e-5);
    } finally {
      await tf.setBackend(backend);
    }
  });

  it("plans the digits CNN with the pooling before the relu and the second conv cropped to 6x6", () => {
    const arch = makeCnnArchitecture([14, 14, 1], 10, preset("digits-cnn").model);
    const plan = cnnPlan(arch);
    expect(plan.first).toMatchObject({
      op: "conv2d",
      pad: "same",
      activation: "linear",
      outShape: [14, 14, 8],
    });
    expect(plan.rest.map((s) => s.op)).toEqual([
      "maxPool",
      "activation",
      "conv2d",
      "maxPool",
      "reshape",
      "dense",
      "dense",
    ]);
    expect(plan.rest[2]).toMatchObject({
      pad: [
        [0, 0],
        [1, 0],
        [1, 0],
        [0, 0],
      ],
      outShape: [6, 6, 16],
    });
    // The random models above crop too: the first conv (9x9 -> 8x8 for its pool), the second
    // (4x4 -> 3x3 for a 3x3 pool), and a stride-2 first conv (6x5 -> 6x4).
    const [m1, m2] = RANDOM_MODELS.map(([, make]) => cnnPlan(make().arch as LayersArchitecture));
    const explicit = (top: number, bottom: number, left: number, right: number) => [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ];
    expect(m1.first).toMatchObject({ pad: explicit(1, 0, 1, 0), outShape: [8, 8, 4] });
    expect(m1.rest.map((s) => s.op)).toEqual([
      "maxPool",
      "activation",
      "activation",
      "conv2d",
      "maxPool",
      "reshape",
      "dense",
      "dense",
    ]);
    expect(m1.rest[3]).toMatchObject({ pad: explicit(1, 0, 1, 0), outShape: [3, 3, 5] });
    expect(m2.first).toMatchObject({ pad: explicit(1, 1, 0, 0), outShape: [6, 4, 3] });
  });

  it("is selectable for layers models on every backend (wasm-cnn is the default where WebAssembly SIMD runs, as in Node here); naive stays selectable; other kinds are refused", () => {
    for (const backend of ["wasm", "cpu", "webgl", "webgpu"]) {
      expect(defaultEvaluatorFor(backend, "layers").name).toBe("wasm-cnn");
    }
    // A layers model without a Dense or Conv2D layer has nothing for wasm-cnn to combine.
    const parameterFree = makeLayersArchitecture([2, 2, 1], 4, [{ type: "flatten", name: "f" }]);
    expect(defaultEvaluatorFor("wasm", parameterFree).name).toBe("tfjs-cnn-batched");
    expect(defaultEvaluatorFor("wasm", "onnx").name).toBe("naive");
    expect(defaultEvaluatorFor("wasm").name).not.toBe("tfjs-cnn-batched");
    expect(availableEvaluators("layers")).toEqual(["naive", "tfjs-cnn-batched", "wasm-cnn"]);
    expect(availableEvaluators()).not.toContain("tfjs-cnn-batched");
    expect(evaluatorByName("naive", "layers").name).toBe("naive");
    expect(evaluatorByName("tfjs-cnn-batched", "layers")).toBe(EVALUATORS["tfjs-cnn-batched"]);
    expect(() => evaluatorByName("tfjs-cnn-batched")).toThrow(
      /evaluator "tfjs-cnn-batched" works on layers models \(CNNs, imported tfjs models\) only; this model is kind "mlp": use the "naive" evaluator/,
    );
    expect(() => checkEvaluatorFor(tfjsCnnEvaluator, "onnx")).toThrow(/this model is kind "onnx"/);
    expect(() => evaluatorByName("tfjs-gemm", "layers")).toThrow(
      /use the "naive" evaluator or "wasm-cnn" \(the default for it\)/,
    );
    const arch = makeArchitecture(2, 2, { hiddenSizes: [3], activation: "relu" });
    const layout = mlpLayout(arch);
    const theta = new Float32Array(layout.reduce((s, e) => s + e.shape.reduce((a, b) => a * b, 1), 0));
    expect(() =>
      tfjsCnnEvaluator.prepare({
        arch,
        loss: "cross-entropy",
        layout,
        origin: theta,
        directions: [theta],
        split: { x: new Float32Array(2), y: new Float32Array(1), count: 1 },
        dataset: { task: "classification", inputSize: 2, outputSize: 2 },
      }),
    ).toThrow(/works on layers models \(CNNs, imported tfjs models\) only; this model is kind "mlp"/);
  });

  it("samples a CNN config with it (or the default wasm-cnn) and names it in the snapshot; --evaluator naive still runs", async () => {
    const config = resolveConfig({
      seed: 3,
      data: { name: "digits", trainCount: 64, testCount: 32 },
      model: { kind: "cnn", conv: [{ filters: 2, kernel: 3 }], dense: [], activation: "relu" },
      training: { epochs: 1, batchSize: 32 },
      grid: { x: { min: -1, max: 1, count: 3 }, y: { min: -1, max: 1, count: 3 } },
    });
    const options = { backend: "wasm", files: nodeDataReaders(), now: () => new Date(0) };
    const fast = await runExperiment(config, { ...options, evaluator: tfjsCnnEvaluator });
    const byDefault = await runExperiment(config, options);
    const naive = await runExperiment(config, { ...options, evaluator: naiveEvaluator });
    expect(fast.snapshot.producer.evaluator).toBe("tfjs-cnn-batched");
    expect(byDefault.snapshot.producer.evaluator).toBe("wasm-cnn");
    expect(naive.snapshot.producer.evaluator).toBe("naive");
    for (const run of [fast, byDefault]) {
      expect(
        maxDifference(run.snapshot.surfaces as Surfaces, naive.snapshot.surfaces as Surfaces),
      ).toBeLessThan(1e-5);
    }
  }, 60_000);
});
