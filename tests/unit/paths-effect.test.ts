import { beforeAll, describe, expect, it } from "vitest";
import { weightMatching } from "../../src/core/align";
import { makeDataset } from "../../src/core/data/make";
import { parseDatasetSpec } from "../../src/core/data/spec";
import { initParameters } from "../../src/core/model/init";
import { makeArchitecture } from "../../src/core/model/mlp";
import { evaluateCurve, evaluateLinearPath, type PathResult } from "../../src/core/paths/path";
import { trainCurve } from "../../src/core/paths/train-curve";
import { createRng } from "../../src/core/rng";
import { tf } from "../../src/core/tf";
import { type TrainingSettings, trainModel } from "../../src/core/train/train";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

/**
 * The mode-connectivity effect, end to end: two ReLU MLPs (2 -> 64 -> 64 -> 2) trained from
 * different seeds on two spirals (256 training points) reach low loss, yet the straight line
 * between them crosses a loss barrier; a trained quadratic Bezier curve (Garipov et al. 2018)
 * connects them with almost none, and permuting B's hidden units by weight matching (Ainsworth et
 * al. 2023) shrinks the straight-line barrier. Measured on this setting (wasm backend): linear
 * barrier about 0.58, Bezier about 0.007, after matching about 0.07; over init seed pairs
 * (1,2) .. (9,10) the linear barrier ranged 0.55-0.84, the curve's 0.007-0.014 and the matched
 * 0.07-0.21, so the thresholds below hold with margin. The whole file runs in about 10 s.
 */
const dataset = makeDataset(parseDatasetSpec({ name: "spirals", trainCount: 256, testCount: 256 }), 1);
const arch = makeArchitecture(2, 2, { hiddenSizes: [64, 64], activation: "relu" });
const model = { arch, loss: "cross-entropy" as const, dataset };
const training = (seed: number): TrainingSettings => ({
  optimizer: "adam",
  learningRate: 0.01,
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 0,
  batchSize: 64,
  epochs: 200,
  checkpointEvery: 0,
  seed,
});

let linear: PathResult;
let curve: PathResult;
let aligned: PathResult;
let endLosses: number[];
let tensorsBefore = 0;
let tensorsAfter = 0;

beforeAll(async () => {
  tensorsBefore = tf.memory().numTensors;
  const trained = [];
  for (const seed of [1, 2]) {
    const initial = initParameters(arch, "auto", createRng(seed));
    trained.push(
      await trainModel({ arch, loss: "cross-entropy", dataset, initial, settings: training(seed) }),
    );
  }
  const [a, b] = trained.map((r) => r.parameters);
  endLosses = trained.map((r) => r.history.at(-1)?.trainLoss ?? Number.NaN);
  linear = evaluateLinearPath(model, a, b, { min: 0, max: 1, count: 21 });
  const r = await trainCurve({
    model,
    endpoints: [a, b],
    kind: "bezier",
    bends: 1,
    settings: { optimizer: "adam", learningRate: 0.01, batchSize: 64, epochs: 200, seed: 3 },
  });
  curve = evaluateCurve(model, r.curve);
  const matching = weightMatching(arch, a, b, { seed: 0 });
  aligned = evaluateLinearPath(model, a, matching.apply(b), { min: 0, max: 1, count: 21 });
  tensorsAfter = tf.memory().numTensors;
  console.info(
    `paths effect (spirals, 2-64-64-2 relu): end losses ${endLosses.map((l) => l.toFixed(4)).join(", ")}; ` +
      `train-loss barrier (linear-excess / midpoint-mean): linear ${linear.barriers.train_loss.linearExcess.toFixed(4)} / ` +
      `${linear.barriers.train_loss.midpointMean.toFixed(4)}, bezier ${curve.barriers.train_loss.linearExcess.toFixed(4)} / ` +
      `${curve.barriers.train_loss.midpointMean.toFixed(4)}, matched ${aligned.barriers.train_loss.linearExcess.toFixed(4)} / ` +
      `${aligned.barriers.train_loss.midpointMean.toFixed(4)} (${matching.sweeps} sweeps); ` +
      `test-error barrier: linear ${linear.barriers.test_error?.linearExcess.toFixed(4)}, ` +
      `bezier ${curve.barriers.test_error?.linearExcess.toFixed(4)}, matched ${aligned.barriers.test_error?.linearExcess.toFixed(4)}`,
  );
}, 120_000);

describe("mode connectivity on two spirals", () => {
  it("both networks train to low loss", () => {
    for (const l of endLosses) expect(l).toBeLessThan(0.05);
  });

  it("the straight line between the two minima crosses a loss barrier above 0.2", () => {
    expect(linear.barriers.train_loss.linearExcess).toBeGreaterThan(0.2);
    expect(linear.barriers.train_loss.midpointMean).toBeGreaterThan(0.2);
  });

  it("a trained Bezier curve connects them with a loss barrier below 0.05", () => {
    expect(curve.barriers.train_loss.linearExcess).toBeLessThan(0.05);
    expect(curve.barriers.train_loss.midpointMean).toBeLessThan(0.05);
    // It bends: longer than the straight segment.
    expect(curve.length).toBeGreaterThan(linear.length);
  });

  it("weight matching at least halves the straight-line barrier", () => {
    expect(aligned.barriers.train_loss.linearExcess).toBeLessThan(
      0.5 * linear.barriers.train_loss.linearExcess,
    );
    // The matched endpoint is the same function: the path ends at the same loss.
    expect(aligned.barriers.train_loss.end).toBeCloseTo(linear.barriers.train_loss.end, 4);
  });

  it("leaves no tensor behind after training, curve training and evaluation", () => {
    expect(tensorsAfter).toBe(tensorsBefore);
  });
});
