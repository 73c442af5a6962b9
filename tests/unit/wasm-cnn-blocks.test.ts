/**
 * Block mode of the wasm-cnn path (src/core/kernel/cnn-block.as, src/core/landscape/wasm-cnn-blocks.ts):
 * a call's points grouped into blocks of nearby grid points, the second conv's output a quadratic
 * over each block plus per-sample corrections where the first layer's max-pool / relu choice is not
 * certified. It must give the per-point path's surfaces (within 1e-5, as every path) on the digits
 * CNN and on random CNNs of the shapes it takes (relu or no activation after the first pool, bias
 * directions, filter counts of 4, 8 and 12, odd maps cropped by the pool, a third conv, mse), near
 * the centre and far from it (where many choices change), in one sample block and in many, for
 * blocks of any shape (one row, one column, a single x); and it must run where it claims to.
 */
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { landscapeProblem, makePlane, prepareModel } from "../../src/core/experiment/prepare";
import { kernelVariantSupported } from "../../src/core/kernel/kernel-module";
import { MemoryPlan } from "../../src/core/kernel/memory-plan";
import { cnnPlan } from "../../src/core/landscape/cnn-plan";
import type { SubspaceProblem } from "../../src/core/landscape/evaluator";
import type { Grid } from "../../src/core/landscape/grid";
import { naiveEvaluator } from "../../src/core/landscape/naive-evaluator";
import { type LandscapeProblem, sampleLandscape } from "../../src/core/landscape/surfaces";
import { blockRows, blockShape, pointBlocks } from "../../src/core/landscape/wasm-cnn-blocks";
import { createWasmCnnEvaluator } from "../../src/core/landscape/wasm-cnn-evaluator";
import { cnnProgram } from "../../src/core/landscape/wasm-cnn-program";
import type { LayersArchitecture } from "../../src/core/model/layers";
import { layoutOffsets } from "../../src/core/model/layout";
import { tf } from "../../src/core/tf";
import { nodeDataReaders } from "../../src/node/data-files";
import { withWasmBackend } from "./helpers/backend";
import {
  conv,
  dense,
  flatten,
  maxDifference,
  pool,
  preset,
  randomProblem,
  subspace,
} from "./helpers/layers-problems";

withWasmBackend();

const simd = kernelVariantSupported("simd");

const grid = (min: number, max: number, nx: number, ny = nx): Grid => ({
  axes: [
    { label: "x", min, max, count: nx },
    { label: "y", min, max, count: ny },
  ],
});

/** The block shape of a problem's program (null: it runs point by point). */
function shapeOf(problem: LandscapeProblem, k = problem.directions.length) {
  const arch = problem.arch as LayersArchitecture;
  return blockShape(cnnProgram(cnnPlan(arch), arch, layoutOffsets(problem.layout), new MemoryPlan()).ops, k);
}

/**
 * Samples `problem` on `g` with block mode (options as given) and with the per-point path; returns
 * the largest difference and how many points ran in blocks.
 */
async function compare(
  problem: LandscapeProblem,
  g: Grid,
  options: Parameters<typeof createWasmCnnEvaluator>[0] = {},
): Promise<{ diff: number; blockPoints: number }> {
  const evaluator = createWasmCnnEvaluator(options);
  let blockPoints = 0;
  const counting = {
    name: evaluator.name,
    prepare(p: SubspaceProblem) {
      const prepared = evaluator.prepare(p);
      return {
        evaluate(coords: Float32Array) {
          const before = prepared.blockPoints;
          const m = prepared.evaluate(coords);
          blockPoints += prepared.blockPoints - before;
          return m;
        },
        dispose: () => prepared.dispose(),
      };
    },
  };
  const fast = await sampleLandscape(problem, g, counting);
  const ref = await sampleLandscape(problem, g, naiveEvaluator);
  return { diff: maxDifference(fast, ref), blockPoints };
}

/** The same on raw coordinates [P, 2] of the train split (grids need two values per axis). */
function compareCoords(
  problem: LandscapeProblem,
  coords: Float32Array,
  options: Parameters<typeof createWasmCnnEvaluator>[0] = {},
): { diff: number; blockPoints: number } {
  const fast = createWasmCnnEvaluator(options).prepare(subspace(problem));
  const ref = naiveEvaluator.prepare(subspace(problem));
  try {
    const a = fast.evaluate(coords);
    const b = ref.evaluate(coords);
    let diff = 0;
    for (const [x, y] of [
      [a.loss, b.loss],
      [a.accuracy, b.accuracy],
    ]) {
      expect(x === null).toBe(y === null);
      if (x && y) {
        for (let i = 0; i < x.length; i++)
          diff = Math.max(diff, Math.abs(x[i] - y[i]) / Math.max(1, Math.abs(y[i])));
      }
    }
    return { diff, blockPoints: fast.blockPoints };
  } finally {
    fast.dispose();
    ref.dispose?.();
  }
}

/** Random CNNs of the shapes block mode takes. */
const BLOCK_MODELS: [string, () => LandscapeProblem][] = [
  [
    "10x10: relu conv 8 + pool, relu conv 8 + pool (5x5 cropped to 4x4), dense relu, softmax",
    () =>
      randomProblem(
        [
          conv("c0", 8, 3, "relu"),
          pool("p0"),
          conv("c1", 8, 3, "relu"),
          pool("p1"),
          flatten(),
          dense("h", 5, "relu"),
          dense("out", 3, "softmax"),
        ],
        [10, 10, 1],
        3,
        "classification",
        31,
        { trainCount: 57, testCount: 22 },
      ),
  ],
  [
    "12x12x2: valid linear conv 4 + pool (no relu: affine everywhere but the pool), sigmoid conv 12 + pool, mse",
    () =>
      randomProblem(
        [
          conv("c0", 4, 3, "linear", "valid"),
          pool("p0"),
          conv("c1", 12, 3, "sigmoid"),
          pool("p1"),
          flatten(),
          dense("out", 2),
        ],
        [12, 12, 2],
        2,
        "regression",
        32,
        { trainCount: 45, testCount: 0 },
      ),
  ],
  [
    "16x16x3: relu conv 4 + pool, tanh conv 4 + pool, a third (Winograd) relu conv 8, dense softmax",
    () =>
      randomProblem(
        [
          conv("c0", 4, 3, "relu"),
          pool("p0"),
          conv("c1", 4, 3, "tanh"),
          pool("p1"),
          conv("c2", 8, 3, "relu"),
          flatten(),
          dense("out", 4, "softmax"),
        ],
        [16, 16, 3],
        4,
        "classification",
        33,
        { trainCount: 38, testCount: 10 },
      ),
  ],
];

describe("wasm-cnn block mode", () => {
  it("groups a call's points into blocks of nearby grid points, each point once", () => {
    const coordsOf = (nx: number, ny: number, x0 = 0) => {
      const c: number[] = [];
      for (let iy = 0; iy < ny; iy++) for (let ix = 0; ix < nx; ix++) c.push((x0 + ix) * 0.1, iy * 0.2 - 1);
      return new Float32Array(c);
    };
    const once = (b: { blocks: number[][]; single: number[] }, p: number) =>
      expect([...b.blocks.flat(), ...b.single].sort((a, c) => a - c)).toEqual(
        Array.from({ length: p }, (_, i) => i),
      );
    // A 14x14 tile: four 7x7 blocks.
    const square = pointBlocks(coordsOf(14, 14), 7, 12);
    expect(square.blocks.map((b) => b.length)).toEqual([49, 49, 49, 49]);
    once(square, 196);
    // A 2-row strip of a 51-wide grid: three blocks of 2 x 17 (at most 3 x 7 columns, evenly).
    const strip = pointBlocks(coordsOf(51, 2), 7, 12);
    expect(strip.blocks.map((b) => b.length)).toEqual([34, 34, 34]);
    once(strip, 102);
    // The CLI's 5-row tiles: 5 x 11 blocks, the last 5 x 7.
    const cli = pointBlocks(coordsOf(51, 5), 7, 12);
    expect(cli.blocks.map((b) => b.length)).toEqual([55, 55, 55, 55, 35]);
    expect(cli.single).toHaveLength(0);
    once(cli, 255);
    // The app's 11 x 11 tiles (splitBlocks): 6 x 11 and 5 x 11.
    expect(pointBlocks(coordsOf(11, 11), 7, 12).blocks.map((b) => b.length)).toEqual([66, 55]);
    // A single row or column too short for a block: point by point.
    expect(pointBlocks(coordsOf(5, 1), 7, 12)).toEqual({ blocks: [], single: [0, 1, 2, 3, 4] });
    // Scattered points share no block.
    const scattered = new Float32Array(Array.from({ length: 40 }, (_, i) => Math.sin(i * 7.3)));
    expect(pointBlocks(scattered, 7, 12).blocks).toEqual([]);
    // A block's points are those of one rectangle of rows and columns.
    for (const block of square.blocks) {
      const xs = new Set(block.map((v) => Math.round(coordsOf(14, 14)[2 * v] * 10)));
      expect(Math.max(...xs) - Math.min(...xs)).toBe(6);
    }
    // A block's rows (block mode works row by row): by increasing y, each by increasing x, in
    // whatever order the points came.
    const shuffled = new Float32Array([0.2, 0.5, 0.1, -0.5, 0.1, 0.5, 0.3, -0.5, 0.2, -0.5, 0.1, 0]);
    expect(blockRows(shuffled, [0, 1, 2, 3, 4, 5])).toEqual([[1, 4, 3], [5], [2, 0]]);
    expect(blockRows(shuffled, [3, 0])).toEqual([[3], [0]]);
  });

  it("takes the digits CNN and the shapes above, and refuses what it cannot run (one or three directions, a filter count not a multiple of 4, a conv not followed by its 2x2 pool, tanh after the first pool)", async () => {
    const config = resolveConfig({
      ...preset("digits-cnn"),
      data: { name: "digits", trainCount: 40, testCount: 8 },
      training: { ...preset("digits-cnn").training, epochs: 1 },
    });
    const model = await prepareModel(config, { files: nodeDataReaders() });
    const digits = landscapeProblem(model, await makePlane(config, model));
    expect(shapeOf(digits)).toEqual({
      m0: 7 * 7 * 8,
      positions: 36,
      co: 16,
      ci: 8,
      // The first conv's kernel (3 x 3 x 1 x 8) and bias (8) come first in the layout.
      kernelOff: 80,
      biasOff: 80 + 3 * 3 * 8 * 16,
    });
    for (const [, make] of BLOCK_MODELS) expect(shapeOf(make())).not.toBeNull();
    expect(shapeOf(digits, 1)).toBeNull();
    expect(shapeOf(digits, 3)).toBeNull();
    const refused = (layers: Parameters<typeof randomProblem>[0]) =>
      shapeOf(randomProblem(layers, [10, 10, 1], 3, "classification", 5));
    expect(
      refused([
        conv("c0", 4, 3, "relu"),
        pool("p0"),
        conv("c1", 6, 3, "relu"),
        pool("p1"),
        flatten(),
        dense("out", 3),
      ]),
    ).toBeNull();
    expect(
      refused([conv("c0", 4, 3, "relu"), pool("p0"), conv("c1", 8, 3, "relu"), flatten(), dense("out", 3)]),
    ).toBeNull();
    expect(
      refused([
        conv("c0", 4, 3, "tanh"),
        pool("p0"),
        conv("c1", 8, 3, "relu"),
        pool("p1"),
        flatten(),
        dense("out", 3),
      ]),
    ).toBeNull();
    expect(
      refused([
        conv("c0", 4, 3, "relu"),
        pool("p0"),
        conv("c1", 8, 5, "relu"),
        pool("p1"),
        flatten(),
        dense("out", 3),
      ]),
    ).toBeNull();
  });

  it.runIf(simd)(
    "gives the per-point surfaces on the digits CNN near the centre and far from it, in one sample block and in many, and leaves no tensor",
    async () => {
      const config = resolveConfig({
        ...preset("digits-cnn"),
        data: { name: "digits", trainCount: 150, testCount: 50 },
        training: { ...preset("digits-cnn").training, epochs: 1 },
      });
      const model = await prepareModel(config, { files: nodeDataReaders() });
      const problem = landscapeProblem(model, await makePlane(config, model));
      const before = tf.memory().numTensors;
      for (const [label, g, options] of [
        ["9x9 over [-1, 1]", grid(-1, 1, 9), {}],
        ["8x8 over [-4, 4]", grid(-4, 4, 8), {}],
        ["9x9, 16-sample cache blocks", grid(-1, 1, 9), { cacheBytes: 3 * 1568 * 4 * 16 }],
        ["a 15x2 strip", grid(-0.5, 0.5, 15, 2), {}],
      ] as const) {
        const { diff, blockPoints } = await compare(problem, g, options);
        console.log(
          `digits CNN, ${label}: ${blockPoints} points in blocks, max difference ${diff.toExponential(2)}`,
        );
        expect(blockPoints, label).toBeGreaterThanOrEqual(24);
        expect(diff, label).toBeLessThan(1e-5);
      }
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it.runIf(simd).each(BLOCK_MODELS)("gives the per-point surfaces on a random model: %s", async (_, make) => {
    const problem = make();
    for (const [label, g, options] of [
      ["7x7 over [-1, 1]", grid(-1, 1, 7), {}],
      ["6x6 over [-4, 4]", grid(-4, 4, 6), {}],
      // Blocks of 4 points, 2 x 2: boxes of every shape, samples in chunks of 8 and blocks of 4.
      [
        "2x2 blocks, chunks",
        grid(-2, 2, 6),
        { blocks: { side: 2, minPoints: 2 }, budget: 3 * 400 * 8, cacheBytes: 3 * 400 * 4 * 4 },
      ],
    ] as const) {
      const { diff, blockPoints } = await compare(problem, g, options);
      expect(blockPoints, label).toBeGreaterThan(0);
      expect(diff, label).toBeLessThan(1e-5);
    }
    // One column (hx = 0) and one row (hy = 0) of 13 points: blocks of 4 (or 12) and of a single point.
    const line = (axis: 0 | 1) =>
      new Float32Array(26).map((_, i) => ((i & 1) === axis ? -1 + (i >> 1) / 6 : 0.3));
    // A 5x5 patch in shuffled order (rows interleaved in the call).
    const patch = Array.from({ length: 25 }, (_, i) => [-0.6 + 0.3 * (i % 5), 0.9 - 0.3 * Math.floor(i / 5)]);
    const order = Array.from({ length: 25 }, (_, i) => (i * 7) % 25);
    const shuffled = new Float32Array(order.flatMap((i) => patch[i]));
    for (const [label, coords] of [
      ["one column", line(1)],
      ["one row", line(0)],
      ["a shuffled 5x5 patch", shuffled],
    ] as const) {
      const { diff, blockPoints } = compareCoords(problem, coords, { blocks: { side: 4, minPoints: 1 } });
      expect(blockPoints, label).toBe(coords.length / 2);
      expect(diff, label).toBeLessThan(1e-5);
    }
  });

  it.runIf(simd)(
    "runs point by point where it does not apply, and when turned off, with the same surfaces",
    async () => {
      const [, make] = BLOCK_MODELS[0];
      const problem = make();
      const off = createWasmCnnEvaluator({ blocks: false }).prepare(subspace(problem));
      const on = createWasmCnnEvaluator().prepare(subspace(problem));
      expect(off.blockMode).toBe(false);
      expect(on.blockMode).toBe(true);
      const coords = new Float32Array(2 * 49).map((_, i) =>
        i % 2 === 0 ? ((i >> 1) % 7) * 0.1 : Math.floor((i >> 1) / 7) * 0.1,
      );
      const a = on.evaluate(coords);
      const b = off.evaluate(coords);
      expect(on.blockPoints).toBe(49);
      expect(off.blockPoints).toBe(0);
      for (let i = 0; i < 49; i++) expect(Math.abs(a.loss[i] - b.loss[i])).toBeLessThan(1e-5);
      // Scattered points: no block.
      const before = on.blockPoints;
      on.evaluate(new Float32Array([0.1, 0.2, -0.7, 0.4, 0.9, -0.3]));
      expect(on.blockPoints).toBe(before);
      on.dispose();
      off.dispose();
    },
  );
});
