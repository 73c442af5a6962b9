import { describe, expect, it } from "vitest";
import { randomDirection } from "../../src/core/directions/random";
import { pointInSubspace } from "../../src/core/directions/vector";
import type { SubspaceProblem } from "../../src/core/landscape/evaluator";
import {
  axisValue,
  type Grid,
  splitBlocks,
  splitTiles,
  tileCoordinates,
  tilePointCount,
} from "../../src/core/landscape/grid";
import { naiveEvaluator } from "../../src/core/landscape/naive-evaluator";
import { type LandscapeProblem, sampleLandscape } from "../../src/core/landscape/surfaces";
import { tfjsBatchedEvaluator } from "../../src/core/landscape/tfjs-batched-evaluator";
import { tfjsGemmEvaluator } from "../../src/core/landscape/tfjs-gemm-evaluator";
import { initParameters } from "../../src/core/model/init";
import { layoutOffsets } from "../../src/core/model/layout";
import { makeArchitecture, mlpLayout } from "../../src/core/model/mlp";
import { ACTIVATIONS, type Activation } from "../../src/core/model/types";
import { createRng } from "../../src/core/rng";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";
import { referenceLoss } from "./helpers/reference-mlp";

withWasmBackend();

function relClose(a: number, b: number, tol: number): boolean {
  return (
    Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b)) || Math.abs(a - b) / Math.abs(b) <= tol
  );
}

function classificationProblem(
  activation: Activation,
  opts: { residual?: boolean; n?: number; classes?: number } = {},
) {
  const rng = createRng(21);
  const n = opts.n ?? 40;
  const classes = opts.classes ?? 3;
  const x = new Float32Array(n * 2).map(() => rng.normal());
  const y = new Float32Array(n).map(() => rng.int(classes));
  const arch = makeArchitecture(2, classes, { hiddenSizes: [6, 6], activation, residual: opts.residual });
  const layout = mlpLayout(arch);
  const theta = initParameters(arch, "auto", rng);
  for (let i = 0; i < theta.length; i++) if (theta[i] === 0) theta[i] = 0.05 * rng.normal();
  const d1 = randomDirection(theta, layout, { normalization: "filter", bias: "zero", seed: 1 });
  const d2 = randomDirection(theta, layout, { normalization: "filter", bias: "copy", seed: 2 });
  return {
    arch,
    layout,
    theta,
    directions: [d1, d2],
    split: { x, y, count: n },
    dataset: { task: "classification" as const, inputSize: 2, outputSize: classes },
  };
}

function regressionProblem() {
  const rng = createRng(4);
  const n = 30;
  const x = new Float32Array(n).map(() => rng.next() * 2 - 1);
  const y = x.map((v) => Math.sin(3 * v));
  const arch = makeArchitecture(1, 1, { hiddenSizes: [10], activation: "tanh" });
  const layout = mlpLayout(arch);
  const theta = initParameters(arch, "auto", rng);
  const d1 = randomDirection(theta, layout, { normalization: "layer", bias: "copy", seed: 1 });
  return {
    arch,
    layout,
    theta,
    directions: [d1],
    split: { x, y, count: n },
    dataset: { task: "regression" as const, inputSize: 1, outputSize: 1 },
  };
}

describe("landscape evaluation", () => {
  const coords = new Float32Array([0, 0, 0.5, -0.25, -1, 1, 0.3, 0.7, 1, 1]);

  for (const activation of ACTIVATIONS) {
    it(`matches an independent float64 reference for ${activation} (every evaluation path, 1e-5 relative)`, () => {
      const p = classificationProblem(activation);
      const problem: SubspaceProblem = { ...p, loss: "cross-entropy", origin: p.theta };
      for (const evaluator of [tfjsBatchedEvaluator, tfjsGemmEvaluator, naiveEvaluator]) {
        const prepared = evaluator.prepare(problem);
        const m = prepared.evaluate(coords);
        prepared.dispose();
        for (let i = 0; i < coords.length / 2; i++) {
          const point = pointInSubspace(p.theta, p.directions, [coords[2 * i], coords[2 * i + 1]]);
          const ref = referenceLoss(p.arch, "cross-entropy", point, p.split.x, p.split.y, p.split.count);
          expect(
            relClose(m.loss[i], ref.loss, 1e-5),
            `${evaluator.name} loss at point ${i}: ${m.loss[i]} vs ${ref.loss}`,
          ).toBe(true);
          expect(m.accuracy?.[i]).toBeCloseTo(ref.accuracy, 6);
        }
      }
    });
  }

  it("handles residual hidden layers as the architecture states", () => {
    const p = classificationProblem("tanh", { residual: true });
    const problem: SubspaceProblem = { ...p, loss: "cross-entropy", origin: p.theta };
    const point = pointInSubspace(p.theta, p.directions, [0.5, -0.25]);
    const ref = referenceLoss(p.arch, "cross-entropy", point, p.split.x, p.split.y, p.split.count);
    const plain = referenceLoss(
      { ...p.arch, residual: false },
      "cross-entropy",
      point,
      p.split.x,
      p.split.y,
      p.split.count,
    );
    expect(Math.abs(ref.loss - plain.loss)).toBeGreaterThan(1e-4); // the skip connection matters here
    for (const evaluator of [tfjsBatchedEvaluator, tfjsGemmEvaluator, naiveEvaluator]) {
      const prepared = evaluator.prepare(problem);
      const m = prepared.evaluate(coords);
      prepared.dispose();
      expect(relClose(m.loss[1], ref.loss, 1e-5), evaluator.name).toBe(true);
    }
  });

  it("computes mse for regression and no accuracy", () => {
    const p = regressionProblem();
    const problem: SubspaceProblem = { ...p, loss: "mse", origin: p.theta };
    const c1 = new Float32Array([0, 0.5, -2]);
    for (const evaluator of [tfjsBatchedEvaluator, tfjsGemmEvaluator, naiveEvaluator]) {
      const prepared = evaluator.prepare(problem);
      const m = prepared.evaluate(c1);
      prepared.dispose();
      expect(m.accuracy).toBeNull();
      c1.forEach((c, i) => {
        const ref = referenceLoss(
          p.arch,
          "mse",
          pointInSubspace(p.theta, p.directions, [c]),
          p.split.x,
          p.split.y,
          p.split.count,
        );
        expect(relClose(m.loss[i], ref.loss, 1e-5)).toBe(true);
      });
    }
  });

  it("gives the batched paths the same numbers as the per-point path on many vectors at once (1e-5 relative)", () => {
    const p = classificationProblem("relu", { n: 200 });
    const problem: SubspaceProblem = { ...p, loss: "cross-entropy", origin: p.theta };
    const rng = createRng(3);
    const many = new Float32Array(2 * 300).map(() => 2 * rng.next() - 1);
    const b = naiveEvaluator.prepare(problem);
    const mb = b.evaluate(many);
    b.dispose();
    for (const evaluator of [tfjsBatchedEvaluator, tfjsGemmEvaluator]) {
      const a = evaluator.prepare(problem);
      const ma = a.evaluate(many);
      a.dispose();
      for (let i = 0; i < 300; i++) {
        expect(
          relClose(ma.loss[i], mb.loss[i], 1e-5),
          `${evaluator.name} point ${i}: ${ma.loss[i]} vs ${mb.loss[i]}`,
        ).toBe(true);
        expect(ma.accuracy?.[i]).toBe(mb.accuracy?.[i]);
      }
    }
  });

  it("leaves no tensor behind after prepare, evaluate and dispose", () => {
    const p = classificationProblem("elu");
    const before = tf.memory().numTensors;
    for (const evaluator of [tfjsBatchedEvaluator, tfjsGemmEvaluator, naiveEvaluator]) {
      const prepared = evaluator.prepare({ ...p, loss: "cross-entropy", origin: p.theta });
      prepared.evaluate(coords);
      prepared.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("rejects coordinates that do not fit the number of directions", () => {
    const p = classificationProblem("relu");
    const prepared = tfjsBatchedEvaluator.prepare({ ...p, loss: "cross-entropy", origin: p.theta });
    expect(() => prepared.evaluate(new Float32Array(3))).toThrow(/not a multiple of K = 2/);
    prepared.dispose();
  });

  it("keeps non-finite losses as data instead of throwing", () => {
    const p = classificationProblem("relu");
    for (const evaluator of [tfjsBatchedEvaluator, tfjsGemmEvaluator, naiveEvaluator]) {
      const prepared = evaluator.prepare({ ...p, loss: "cross-entropy", origin: p.theta });
      const m = prepared.evaluate(new Float32Array([1e30, 1e30, 0, 0]));
      prepared.dispose();
      expect(Number.isFinite(m.loss[0]), evaluator.name).toBe(false);
      expect(Number.isFinite(m.loss[1]), evaluator.name).toBe(true);
    }
  });
});

describe("grids and tiles", () => {
  const grid: Grid = {
    axes: [
      { label: "x", min: -1, max: 1, count: 5 },
      { label: "y", min: 0, max: 2, count: 3 },
    ],
  };

  it("places coordinate k at min + k (max - min) / (count - 1)", () => {
    expect(axisValue(grid.axes[0], 0)).toBe(-1);
    expect(axisValue(grid.axes[0], 2)).toBe(0);
    expect(axisValue(grid.axes[0], 4)).toBe(1);
  });

  it("splits a grid into tiles that cover every point once, in row-major order", () => {
    for (const maxPoints of [1, 2, 4, 5, 7, 15, 100]) {
      const tiles = splitTiles(grid, maxPoints);
      const seen = new Array(15).fill(0);
      for (const t of tiles) {
        expect(tilePointCount(t)).toBeLessThanOrEqual(maxPoints);
        for (let iy = t.iy0; iy < t.iy1; iy++) for (let ix = t.ix0; ix < t.ix1; ix++) seen[iy * 5 + ix]++;
      }
      expect(seen.every((s) => s === 1)).toBe(true);
    }
  });

  it("splits a grid into near-square tiles (the app's pool) that cover every point once", () => {
    const big: Grid = {
      axes: [
        { label: "x", min: -1, max: 1, count: 51 },
        { label: "y", min: -1, max: 1, count: 51 },
      ],
    };
    const tiles = splitBlocks(big, 128);
    expect(tiles).toHaveLength(25);
    expect(tiles[0]).toEqual({ ix0: 0, ix1: 11, iy0: 0, iy1: 11 });
    expect(tiles[4]).toEqual({ ix0: 44, ix1: 51, iy0: 0, iy1: 11 });
    expect(tiles[24]).toEqual({ ix0: 44, ix1: 51, iy0: 44, iy1: 51 });
    for (const [g, n] of [
      [grid, 15],
      [big, 51 * 51],
    ] as const) {
      for (const maxPoints of [1, 2, 4, 5, 7, 15, 100, 128, 256]) {
        const seen = new Array(n).fill(0);
        const nx = g.axes[0].count;
        for (const t of splitBlocks(g, maxPoints)) {
          expect(tilePointCount(t)).toBeLessThanOrEqual(maxPoints);
          for (let iy = t.iy0; iy < t.iy1; iy++) for (let ix = t.ix0; ix < t.ix1; ix++) seen[iy * nx + ix]++;
        }
        expect(seen.every((s) => s === 1)).toBe(true);
      }
    }
    expect(() => splitBlocks(grid, 0)).toThrow(/maxPoints must be a positive integer/);
  });

  it("lists a tile's coordinates with x fastest", () => {
    const coords = tileCoordinates(grid, { ix0: 1, ix1: 3, iy0: 1, iy1: 3 });
    expect(Array.from(coords)).toEqual([-0.5, 1, 0, 1, -0.5, 2, 0, 2]);
  });

  it("stores surfaces row-major with x fastest: index = iy * nx + ix", async () => {
    const p = classificationProblem("relu");
    const problem: LandscapeProblem = { ...p, loss: "cross-entropy", train: p.split };
    const surfaces = await sampleLandscape(problem, grid, tfjsBatchedEvaluator, { tilePoints: 4 });
    const loss = surfaces.train_loss as Float32Array;
    expect(loss.length).toBe(15);
    for (const [ix, iy] of [
      [0, 0],
      [4, 0],
      [1, 2],
      [3, 1],
    ]) {
      const point = pointInSubspace(p.theta, p.directions, [
        axisValue(grid.axes[0], ix),
        axisValue(grid.axes[1], iy),
      ]);
      const ref = referenceLoss(p.arch, "cross-entropy", point, p.split.x, p.split.y, p.split.count);
      expect(relClose(loss[iy * 5 + ix], ref.loss, 1e-5)).toBe(true);
    }
    expect(surfaces.test_loss).toBeUndefined();
  });

  it("gives the loss of theta itself at the grid point (0, 0)", async () => {
    const p = classificationProblem("tanh");
    const centred: Grid = {
      axes: [
        { label: "x", min: -1, max: 1, count: 3 },
        { label: "y", min: -2, max: 2, count: 5 },
      ],
    };
    const s = await sampleLandscape(
      { ...p, loss: "cross-entropy", train: p.split, test: p.split },
      centred,
      tfjsBatchedEvaluator,
    );
    const ref = referenceLoss(p.arch, "cross-entropy", p.theta, p.split.x, p.split.y, p.split.count);
    expect(relClose((s.train_loss as Float32Array)[2 * 3 + 1], ref.loss, 1e-5)).toBe(true);
    expect((s.test_accuracy as Float32Array)[2 * 3 + 1]).toBeCloseTo(ref.accuracy, 6);
  });

  it("computes any tile alone with the same numbers as the whole grid", async () => {
    const p = classificationProblem("relu");
    const problem: LandscapeProblem = { ...p, loss: "cross-entropy", train: p.split };
    const whole = (await sampleLandscape(problem, grid, tfjsBatchedEvaluator)).train_loss as Float32Array;
    const { prepareLandscape } = await import("../../src/core/landscape/surfaces");
    const prepared = prepareLandscape(problem, tfjsBatchedEvaluator);
    const part = prepared.computeTile(grid, { ix0: 2, ix1: 4, iy0: 1, iy1: 2 }).train_loss as Float32Array;
    prepared.dispose();
    expect(Array.from(part)).toEqual([whole[7], whole[8]]);
  });

  it("can be cancelled between tiles and leaves no tensor behind", async () => {
    const p = classificationProblem("relu");
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const run = sampleLandscape({ ...p, loss: "cross-entropy", train: p.split }, grid, tfjsBatchedEvaluator, {
      tilePoints: 2,
      signal: controller.signal,
      onTile: (_t, done) => {
        if (done >= 4) controller.abort(new Error("stop here"));
      },
    });
    await expect(run).rejects.toThrow(/stop here/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("rejects bad grids with a message naming the field", async () => {
    const p = classificationProblem("relu");
    const problem: LandscapeProblem = { ...p, loss: "cross-entropy", train: p.split };
    const bad = (axis: object) => ({
      axes: [{ label: "x", min: -1, max: 1, count: 5, ...axis }, grid.axes[1]],
    });
    await expect(sampleLandscape(problem, bad({ count: 1 }), tfjsBatchedEvaluator)).rejects.toThrow(
      /axes\[0\]\.count: must be an integer >= 2/,
    );
    await expect(sampleLandscape(problem, bad({ min: 1 }), tfjsBatchedEvaluator)).rejects.toThrow(
      /min \(1\) must be less than max/,
    );
    await expect(sampleLandscape(problem, bad({ max: Number.NaN }), tfjsBatchedEvaluator)).rejects.toThrow(
      /finite/,
    );
    await expect(
      sampleLandscape(
        problem,
        {
          axes: [
            { label: "x", min: -1, max: 1, count: 2001 },
            { label: "y", min: -1, max: 1, count: 2001 },
          ],
        },
        tfjsBatchedEvaluator,
      ),
    ).rejects.toThrow(/too large/);
  });
});

describe("scale invariance (Dinh et al. 2017; Li et al. 2018)", () => {
  it("leaves the filter-normalized surface of a rescaled ReLU network unchanged, but not the raw one", async () => {
    const p = classificationProblem("relu", { n: 60 });
    const c = 4;
    const offsets = layoutOffsets(p.layout);
    const scaled = p.theta.slice();
    // Layer 0 kernel and bias times c, layer 1 kernel divided by c: the same function.
    for (let i = offsets[0]; i < offsets[2]; i++) scaled[i] *= c;
    for (let i = offsets[2]; i < offsets[3]; i++) scaled[i] /= c;
    const grid: Grid = {
      axes: [
        { label: "x", min: -1, max: 1, count: 5 },
        { label: "y", min: -1, max: 1, count: 5 },
      ],
    };
    const surface = async (theta: Float32Array, normalization: "filter" | "none") => {
      const directions = [7, 8].map((seed) =>
        randomDirection(theta, p.layout, { normalization, bias: "zero", seed }),
      );
      const s = await sampleLandscape(
        { ...p, theta, directions, loss: "cross-entropy", train: p.split },
        grid,
        tfjsBatchedEvaluator,
      );
      return s.train_loss as Float32Array;
    };
    const a = await surface(p.theta, "filter");
    const b = await surface(scaled, "filter");
    for (let i = 0; i < a.length; i++)
      expect(relClose(a[i], b[i], 1e-4), `point ${i}: ${a[i]} vs ${b[i]}`).toBe(true);
    const ra = await surface(p.theta, "none");
    const rb = await surface(scaled, "none");
    const maxDiff = Math.max(...Array.from(ra, (v, i) => Math.abs(v - rb[i]) / Math.abs(v)));
    expect(maxDiff).toBeGreaterThan(0.01);
    expect(ra[12]).toBeCloseTo(rb[12], 4); // the centre is the same function either way
  });
});
