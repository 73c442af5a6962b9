/**
 * The WebAssembly path for layers models ("wasm-cnn", src/core/landscape/wasm-cnn-evaluator.ts,
 * src/core/kernel/cnn-kernel.as) gives the per-point path's surfaces (every surface name, within
 * 1e-5 absolute, relative for losses above 1) on the digits CNN and on random models that run
 * every op of the kernel: Winograd convs (partial 2x2 blocks, filter counts that are not a
 * multiple of 4, tile counts that are not a multiple of 3, more than 9 tiles, every activation,
 * fused with a 2x2 pool or not), direct convs, BatchNorm with and without gamma / beta, pools
 * with "same" padding, the first layer's combination pooled in one pass (with and without its
 * relu), Dense-only models, one and three directions, mse on regression and on classification.
 * Sample counts are never a multiple of four (padded lanes), and the samples go in several chunks
 * and cache blocks too, far from the centre as well; it leaves no tensor behind, holds memory
 * until dispose() and refuses what it cannot run with a message that says why.
 */
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { landscapeProblem, makePlane, prepareModel } from "../../src/core/experiment/prepare";
import { kernelVariantSupported } from "../../src/core/kernel/kernel-module";
import { MemoryPlan } from "../../src/core/kernel/memory-plan";
import { cnnPlan } from "../../src/core/landscape/cnn-plan";
import type { Metrics } from "../../src/core/landscape/evaluator";
import type { Grid } from "../../src/core/landscape/grid";
import { naiveEvaluator } from "../../src/core/landscape/naive-evaluator";
import { type LandscapeProblem, type Surfaces, sampleLandscape } from "../../src/core/landscape/surfaces";
import { createWasmCnnEvaluator, wasmCnnEvaluator } from "../../src/core/landscape/wasm-cnn-evaluator";
import { cnnProgram } from "../../src/core/landscape/wasm-cnn-program";
import type { LayerSpec, LayersArchitecture } from "../../src/core/model/layers";
import { layoutOffsets } from "../../src/core/model/layout";
import { makeArchitecture, mlpLayout } from "../../src/core/model/mlp";
import { tf } from "../../src/core/tf";
import { nodeDataReaders } from "../../src/node/data-files";
import { withWasmBackend } from "./helpers/backend";
import {
  batchNorm,
  conv,
  dense,
  farGrid,
  flatten,
  maxDifference,
  pool,
  preset,
  RANDOM_MODELS,
  randomProblem,
  subspace,
} from "./helpers/layers-problems";

withWasmBackend();

/** Floats of S_0..S_K per sample (what `budget` counts). */
function perSample(problem: LandscapeProblem): number {
  return (problem.directions.length + 1) * cnnPlan(problem.arch as LayersArchitecture).firstSize;
}

/**
 * Options that put the samples in chunks of `chunk` samples (S recomputed at every evaluate())
 * and cache blocks of `block` samples (multiples of 4).
 */
function small(problem: LandscapeProblem, chunk: number, block: number) {
  return { budget: perSample(problem) * chunk, cacheBytes: perSample(problem) * 4 * block };
}

/**
 * The kernel program of a model, one name per op record (the OP_ codes of cnn-kernel.as):
 * "winograd+pool" for a Winograd conv with the 2x2 pool fused, "combinePool+relu" for the first
 * layer's combination pooled with its relu fused.
 */
function programOf(problem: LandscapeProblem): string[] {
  const arch = problem.arch as LayersArchitecture;
  const { ops } = cnnProgram(cnnPlan(arch), arch, layoutOffsets(problem.layout), new MemoryPlan());
  return ops.map((r) => {
    switch (r[0]) {
      case 1:
        return "act";
      case 2:
        return "pool";
      case 3:
        return "conv";
      case 4:
        return r[15] ? "winograd+pool" : "winograd";
      case 5:
        return "dense";
      case 6:
        return "batchNorm";
      case 7:
        return r[12] ? "combinePool+relu" : "combinePool";
      default:
        return `op ${r[0]}`;
    }
  });
}

/** The metrics of one split as surfaces (to compare them with maxDifference). */
const asSurfaces = (m: Metrics): Surfaces =>
  m.accuracy ? { train_loss: m.loss, train_accuracy: m.accuracy } : { train_loss: m.loss };

/**
 * Samples `problem` with naive and with wasm-cnn (default options with tiles of 7 points, so
 * evaluate() runs several times; chunks of 12 samples in blocks of 8; one chunk in blocks of 4)
 * on `grid`; checks that no tensor is left and returns the largest difference.
 */
async function compareOnGrid(problem: LandscapeProblem, grid: Grid): Promise<number> {
  const ref = await sampleLandscape(problem, grid, naiveEvaluator);
  const before = tf.memory().numTensors;
  const runs = [
    await sampleLandscape(problem, grid, wasmCnnEvaluator, { tilePoints: 7 }),
    await sampleLandscape(problem, grid, createWasmCnnEvaluator(small(problem, 12, 8))),
    await sampleLandscape(problem, grid, createWasmCnnEvaluator({ cacheBytes: perSample(problem) * 16 }), {
      tilePoints: 3,
    }),
  ];
  expect(tf.memory().numTensors).toBe(before);
  expect(Object.keys(ref).length).toBe(problem.dataset.task === "classification" ? 4 : 2);
  return Math.max(...runs.map((r) => maxDifference(r, ref)));
}

/** The convs wasm-cnn reports for a problem (prepared on its train split, then disposed). */
function convsOf(problem: LandscapeProblem): readonly string[] {
  const prepared = wasmCnnEvaluator.prepare(subspace(problem));
  try {
    return prepared.convs;
  } finally {
    prepared.dispose();
  }
}

interface BranchModel {
  what: string;
  make: () => LandscapeProblem;
  /** The kernel ops the model runs (programOf) and how its convs run. */
  program: string[];
  convs: string[];
}

/** A Dense or Conv2D layer without its bias. */
const noBias = (layer: LayerSpec): LayerSpec => ({ ...layer, useBias: false }) as LayerSpec;

/** Random models, each running some of the kernel's branches; sample counts not a multiple of 4. */
const BRANCH_MODELS: BranchModel[] = [
  {
    what: "Winograd on an odd 7x9 map, 5 filters, 20 tiles (partial blocks, no pool fusion), after a tanh first conv",
    make: () =>
      randomProblem(
        [conv("c0", 3, 3, "tanh"), conv("c1", 5, 3, "relu"), flatten(), dense("out", 3, "softmax")],
        [7, 9, 2],
        3,
        "classification",
        41,
        { trainCount: 37, testCount: 22 },
      ),
    program: ["act", "winograd", "dense"],
    convs: ["winograd"],
  },
  {
    what: "a valid 3x3 conv (8x8, 6 filters) fused with its 2x2 pool (no padding), a dense elu layer",
    make: () =>
      randomProblem(
        [
          conv("c0", 4, 3, "relu"),
          conv("c1", 6, 3, "relu", "valid"),
          pool("p1"),
          flatten(),
          dense("h", 9, "elu"),
          dense("out", 4),
        ],
        [10, 10, 1],
        4,
        "classification",
        42,
        { trainCount: 45, testCount: 19 },
      ),
    program: ["act", "winograd+pool", "dense", "dense"],
    convs: ["winograd"],
  },
  {
    what: "a 10x10 map: Winograd with 8 filters on 25 tiles, then one with 4 filters fused with its pool, regression",
    make: () =>
      randomProblem(
        [
          conv("c0", 3, 1, "linear"),
          conv("c1", 8, 3, "relu"),
          conv("c2", 4, 3, "linear"),
          pool("p2"),
          flatten(),
          dense("out", 2),
        ],
        [10, 10, 2],
        2,
        "regression",
        43,
        { trainCount: 38, testCount: 21 },
      ),
    program: ["winograd", "winograd+pool", "dense"],
    convs: ["winograd", "winograd"],
  },
  {
    what: "Winograd convs with tanh, sigmoid (fused with a pool), elu (4 tiles) and softplus (valid, 1 tile)",
    make: () =>
      randomProblem(
        [
          conv("c0", 3, 3, "relu"),
          conv("c1", 4, 3, "tanh"),
          conv("c2", 4, 3, "sigmoid"),
          pool("p2"),
          conv("c3", 3, 3, "elu"),
          conv("c4", 2, 3, "softplus", "valid"),
          flatten(),
          dense("out", 3, "softmax"),
        ],
        [8, 8, 2],
        3,
        "classification",
        44,
        { trainCount: 41, testCount: 26 },
      ),
    program: ["act", "winograd", "winograd+pool", "winograd", "winograd", "dense"],
    convs: ["winograd", "winograd", "winograd", "winograd"],
  },
  {
    what: "direct convs: 5x5 stride 1 with 10 filters (8 + 2), 3x3 stride 2, 2x2 valid",
    make: () =>
      randomProblem(
        [
          conv("c0", 3, 3, "linear"),
          conv("c1", 10, 5, "relu"),
          conv("c2", 5, 3, "tanh", "same", 2),
          conv("c3", 4, 2, "elu", "valid"),
          flatten(),
          dense("out", 3),
        ],
        [9, 9, 2],
        3,
        "classification",
        45,
        { trainCount: 33, testCount: 18 },
      ),
    program: ["conv", "conv", "conv", "dense"],
    convs: ["direct", "direct", "direct"],
  },
  {
    what: "BatchNorm after the first conv (gamma, beta), after a cropped Winograd conv (beta only), after dense layers (neither; gamma only)",
    make: () =>
      randomProblem(
        [
          conv("c0", 4, 3, "linear"),
          batchNorm("bn0", 4),
          { type: "activation", name: "a0", activation: "relu" },
          conv("c1", 6, 3, "linear"),
          batchNorm("bn1", 6, false, true),
          pool("p1"),
          { type: "activation", name: "a1", activation: "elu" },
          flatten(),
          dense("h", 7, "tanh"),
          batchNorm("bn2", 7, false, false),
          dense("h2", 5, "relu"),
          batchNorm("bn3", 5, true, false),
          dense("out", 3, "softmax"),
        ],
        [7, 7, 2],
        3,
        "classification",
        46,
        { trainCount: 39, testCount: 23 },
      ),
    program: [
      "batchNorm",
      "act",
      "winograd",
      "batchNorm",
      "pool",
      "act",
      "dense",
      "batchNorm",
      "dense",
      "batchNorm",
      "dense",
    ],
    convs: ["winograd"],
  },
  {
    what: "3x3 / stride-2 'same' pools: the first layer's combination pooled with its relu (top padding 1), then after a Winograd conv",
    make: () =>
      randomProblem(
        [
          conv("c0", 3, 3, "linear"),
          pool("p0", 3, "same", 2),
          { type: "activation", name: "a0", activation: "relu" },
          conv("c1", 4, 3, "tanh"),
          pool("p1", 3, "same", 2),
          flatten(),
          dense("out", 3),
        ],
        [9, 9, 2],
        3,
        "classification",
        47,
        { trainCount: 35, testCount: 17 },
      ),
    program: ["combinePool+relu", "winograd", "pool", "dense"],
    convs: ["winograd"],
  },
  {
    what: "a 2x2 / stride-2 'same' pool of the first layer's 7x7 output (the last window clipped), relu fused",
    make: () =>
      randomProblem(
        [conv("c0", 3, 3, "relu"), pool("p0", 2, "same"), flatten(), dense("out", 3)],
        [7, 7, 1],
        3,
        "classification",
        52,
        {
          trainCount: 30,
          testCount: 14,
        },
      ),
    program: ["combinePool+relu", "dense"],
    convs: [],
  },
  {
    what: "the first layer's combination pooled 2x2 with its relu (the two-direction fast case), mse on classification",
    make: () =>
      randomProblem(
        [conv("c0", 4, 3, "relu"), pool("p0"), flatten(), dense("out", 3)],
        [6, 6, 1],
        3,
        "classification",
        50,
        {
          trainCount: 34,
          testCount: 22,
          loss: "mse",
        },
      ),
    program: ["combinePool+relu", "dense"],
    convs: [],
  },
  {
    what: "Dense layers only (flatten, tanh, sigmoid, softmax)",
    make: () =>
      randomProblem(
        [flatten(), dense("h", 6, "tanh"), dense("h2", 5, "sigmoid"), dense("out", 3, "softmax")],
        [3, 4, 2],
        3,
        "classification",
        48,
        {
          trainCount: 43,
          testCount: 25,
        },
      ),
    program: ["act", "dense", "dense"],
    convs: [],
  },
  {
    what: "no biases: the first conv, a Winograd conv, a Dense layer on the last axis of a map (36 positions), a direct conv",
    make: () =>
      randomProblem(
        [
          noBias(conv("c0", 3, 3, "relu")),
          noBias(conv("c1", 4, 3, "tanh")),
          noBias(dense("h", 5, "relu")),
          noBias(conv("c2", 3, 2, "linear", "valid", 2)),
          flatten(),
          noBias(dense("out", 3)),
        ],
        [6, 6, 2],
        3,
        "classification",
        55,
        { trainCount: 31, testCount: 13 },
      ),
    program: ["act", "winograd", "dense", "conv", "dense"],
    convs: ["winograd", "direct"],
  },
  {
    what: "a single Dense layer (an empty program), regression",
    make: () =>
      randomProblem([flatten(), dense("out", 4)], [2, 5], 4, "regression", 49, {
        trainCount: 31,
        testCount: 14,
      }),
    program: [],
    convs: [],
  },
];

describe("the WebAssembly path for layers models (wasm-cnn)", () => {
  it("gives the per-point surfaces on the digits CNN, in one chunk, in chunks and in small cache blocks, and leaves no tensor", async () => {
    const config = resolveConfig({
      ...preset("digits-cnn"),
      data: { name: "digits", trainCount: 150, testCount: 50 },
      training: { ...preset("digits-cnn").training, epochs: 1 },
      grid: { x: { min: -4, max: 4, count: 5 }, y: { min: -4, max: 4, count: 4 } },
    });
    const model = await prepareModel(config, { files: nodeDataReaders() });
    const plane = await makePlane(config, model);
    const problem = landscapeProblem(model, plane);
    expect(programOf(problem)).toEqual(["combinePool+relu", "winograd+pool", "dense", "dense"]);
    expect(convsOf(problem)).toEqual(["winograd"]);
    const ref = await sampleLandscape(problem, plane.grid, naiveEvaluator);
    const before = tf.memory().numTensors;
    const fast = await sampleLandscape(problem, plane.grid, wasmCnnEvaluator);
    // Chunks of 40 samples (S computed again at every evaluate(), tiles of 6 points), then cache blocks of 12.
    const chunked = await sampleLandscape(
      problem,
      plane.grid,
      createWasmCnnEvaluator({ budget: perSample(problem) * 40 }),
      {
        tilePoints: 6,
      },
    );
    const blocked = await sampleLandscape(
      problem,
      plane.grid,
      createWasmCnnEvaluator({ cacheBytes: perSample(problem) * 4 * 12 }),
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(ref).sort()).toEqual(["test_accuracy", "test_loss", "train_accuracy", "train_loss"]);
    const diffs = [fast, chunked, blocked].map((s) => maxDifference(s, ref));
    console.log(
      `digits CNN: max differences (default, chunks, blocks) ${diffs.map((d) => d.toExponential(2)).join(", ")}`,
    );
    expect(Math.max(...diffs)).toBeLessThan(1e-5);
    // The far corners are far indeed: their loss is well above the one next to the centre (0, -4/3).
    const loss = ref.train_loss as Float32Array;
    expect(loss[0]).toBeGreaterThan(2 * loss[7]);
  }, 60_000);

  it.each(RANDOM_MODELS)("gives the per-point surfaces on a random model: %s", async (what, make) => {
    const diff = await compareOnGrid(make(), farGrid);
    console.log(`${what.split(":")[0]}: max difference to the per-point path ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-5);
  });

  it.each(BRANCH_MODELS.map((m) => [m.what, m] as const))(
    "gives the per-point surfaces on %s",
    async (_, m) => {
      const problem = m.make();
      expect(programOf(problem)).toEqual(m.program);
      expect(convsOf(problem)).toEqual(m.convs);
      const diff = await compareOnGrid(problem, farGrid);
      console.log(`${m.what.slice(0, 60)}: max difference to the per-point path ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(1e-5);
    },
  );

  it("gives the per-point surfaces with one direction (a 1-D grid), the first layer's combination pooled without relu", async () => {
    const problem = randomProblem(
      [conv("c0", 3, 3, "elu"), pool("p0"), conv("c1", 4, 3, "relu"), pool("p1"), flatten(), dense("out", 3)],
      [8, 8, 1],
      3,
      "classification",
      51,
      { directions: 1, trainCount: 29, testCount: 15 },
    );
    expect(programOf(problem)).toEqual(["combinePool", "act", "winograd+pool", "dense"]);
    const line: Grid = { axes: [{ label: "x", min: -4, max: 4, count: 9 }] };
    const diff = await compareOnGrid(problem, line);
    console.log(`one direction: max difference to the per-point path ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-5);
  });

  it("gives the per-point metrics with three directions (the generic combination, pooled and not), in chunks too", () => {
    const problems = [
      randomProblem(
        [conv("c0", 4, 3, "relu"), pool("p0"), conv("c1", 5, 3, "tanh"), flatten(), dense("out", 3)],
        [6, 6, 2],
        3,
        "classification",
        53,
        { directions: 3, trainCount: 33, testCount: 0 },
      ),
      randomProblem([flatten(), dense("h", 6, "relu"), dense("out", 2)], [3, 3, 2], 2, "regression", 54, {
        directions: 3,
        trainCount: 27,
        testCount: 0,
      }),
    ];
    expect(programOf(problems[0])).toEqual(["combinePool+relu", "winograd", "dense"]);
    expect(programOf(problems[1])).toEqual(["act", "dense"]);
    // Eleven points [P, 3], the origin and far ones, evaluated in two calls.
    const coords = Float32Array.from({ length: 33 }, (_, i) => (((i * 7) % 9) - 4) * (i % 3 === 2 ? 0.5 : 1));
    coords.fill(0, 0, 3);
    for (const problem of problems) {
      const sub = subspace(problem);
      const naive = naiveEvaluator.prepare(sub);
      const ref = naive.evaluate(coords);
      naive.dispose();
      const before = tf.memory().numTensors;
      for (const evaluator of [wasmCnnEvaluator, createWasmCnnEvaluator(small(problem, 8, 4))]) {
        const prepared = evaluator.prepare(sub);
        const a = prepared.evaluate(coords.subarray(0, 15));
        const b = prepared.evaluate(coords.subarray(15));
        prepared.dispose();
        const joined: Metrics = {
          loss: Float32Array.from([...a.loss, ...b.loss]),
          accuracy: a.accuracy && b.accuracy ? Float32Array.from([...a.accuracy, ...b.accuracy]) : null,
        };
        const diff = maxDifference(asSurfaces(joined), asSurfaces(ref));
        console.log(`three directions, ${problem.dataset.task}: max difference ${diff.toExponential(2)}`);
        expect(diff).toBeLessThan(1e-5);
      }
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it("reports its variant, convs and memory; refuses evaluate() after dispose(); simd explicitly gives the same numbers", async () => {
    const problem = BRANCH_MODELS[4].make(); // three direct convs (then a model of four Winograd ones)
    const sub = subspace(problem);
    const prepared = createWasmCnnEvaluator({ variant: "simd" }).prepare(sub);
    expect(prepared.variant).toBe("simd");
    expect(prepared.convs).toEqual(["direct", "direct", "direct"]);
    expect(prepared.memoryBytes).toBeGreaterThan(0);
    const coords = new Float32Array([0, 0, 1, -2, -4, 4]);
    const metrics = prepared.evaluate(coords);
    prepared.dispose();
    expect(prepared.memoryBytes).toBe(0);
    expect(() => prepared.evaluate(coords)).toThrow(/wasm-cnn: evaluate\(\) after dispose\(\)/);
    const naive = naiveEvaluator.prepare(sub);
    const ref = naive.evaluate(coords);
    naive.dispose();
    expect(maxDifference(asSurfaces(metrics), asSurfaces(ref))).toBeLessThan(1e-5);
    expect(convsOf(BRANCH_MODELS[3].make())).toEqual(["winograd", "winograd", "winograd", "winograd"]);
  });

  it("runs relaxed SIMD where the runtime has it (same numbers), else refuses it", async () => {
    const problem = BRANCH_MODELS[1].make();
    const relaxed = createWasmCnnEvaluator({ variant: "relaxed-simd" });
    if (kernelVariantSupported("relaxed-simd")) {
      const ref = await sampleLandscape(problem, farGrid, naiveEvaluator);
      const prepared = relaxed.prepare(subspace(problem));
      expect(prepared.variant).toBe("relaxed-simd");
      prepared.dispose();
      expect(maxDifference(await sampleLandscape(problem, farGrid, relaxed), ref)).toBeLessThan(1e-5);
    } else {
      expect(() => relaxed.prepare(subspace(problem))).toThrow(/cannot run the "relaxed-simd" kernel/);
    }
  });

  it("refuses other kinds, BN statistics recomputed per point, BN with parameters before the first layer, no Dense / Conv2D layer, cross-entropy on regression, bad labels, bad options", () => {
    const arch = makeArchitecture(2, 2, { hiddenSizes: [3], activation: "relu" });
    const layout = mlpLayout(arch);
    const theta = new Float32Array(layout.reduce((s, e) => s + e.shape.reduce((a, b) => a * b, 1), 0));
    expect(() =>
      wasmCnnEvaluator.prepare({
        arch,
        loss: "cross-entropy",
        layout,
        origin: theta,
        directions: [theta],
        split: { x: new Float32Array(2), y: new Float32Array(1), count: 1 },
        dataset: { task: "classification", inputSize: 2, outputSize: 2 },
      }),
    ).toThrow(
      /evaluator "wasm-cnn" works on layers models \(CNNs, imported tfjs models\) only; this model is kind "mlp"/,
    );

    const withBn = BRANCH_MODELS[5].make();
    const recompute = {
      ...subspace(withBn),
      arch: {
        ...(withBn.arch as LayersArchitecture),
        batchNorm: { statistics: "recompute" as const, batchSize: 128 },
      },
    };
    expect(() => wasmCnnEvaluator.prepare(recompute)).toThrow(
      /evaluator "wasm-cnn" cannot run this model: its BatchNorm statistics are recomputed at every point/,
    );
    const bnFirst = randomProblem(
      [batchNorm("bn", 2), conv("c0", 3, 3, "relu"), flatten(), dense("out", 2)],
      [4, 4, 2],
      2,
      "classification",
      61,
      {
        trainCount: 5,
        testCount: 0,
      },
    );
    expect(() => wasmCnnEvaluator.prepare(subspace(bnFirst))).toThrow(
      /evaluator "wasm-cnn" cannot run this model: layer 0 "bn" is a BatchNormalization with parameters before the first Dense or Conv2D layer/,
    );
    const noLinear = randomProblem([pool("p0"), flatten()], [2, 2, 3], 3, "classification", 62, {
      trainCount: 5,
      testCount: 0,
    });
    expect(() => wasmCnnEvaluator.prepare(subspace(noLinear))).toThrow(
      /wasm-cnn: the model has no Dense or Conv2D layer/,
    );

    const regression = BRANCH_MODELS[2].make();
    expect(() => wasmCnnEvaluator.prepare({ ...subspace(regression), loss: "cross-entropy" })).toThrow(
      /wasm-cnn: cross-entropy needs classification labels/,
    );

    const classification = BRANCH_MODELS[0].make();
    const sub = subspace(classification);
    for (const [label, text] of [
      [3, "label 3 of sample 5 is not a class index in \\[0, 3\\)"],
      [-1, "label -1 of sample 5 is not a class index"],
      [1.5, "label 1.5 of sample 5 is not a class index"],
    ] as const) {
      const y = Float32Array.from(sub.split.y);
      y[5] = label;
      expect(() => wasmCnnEvaluator.prepare({ ...sub, split: { ...sub.split, y } })).toThrow(
        new RegExp(`wasm-cnn: ${text}`),
      );
    }

    for (const [name, value] of [
      ["budget", 0],
      ["budget", 2.5],
      ["cacheBytes", 0],
      ["cacheBytes", 1000.5],
      ["budget", -4],
    ] as const) {
      expect(() => createWasmCnnEvaluator({ [name]: value })).toThrow(
        `wasm-cnn: ${name} must be a positive integer, got ${value}`,
      );
    }
  });
});
