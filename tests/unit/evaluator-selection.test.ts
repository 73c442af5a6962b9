import { describe, expect, it } from "vitest";
import { evaluationText } from "../../src/app/StatusBar";
import { randomDirection } from "../../src/core/directions/random";
import { calibrateEvaluators } from "../../src/core/landscape/calibrate";
import {
  availableEvaluators,
  EVALUATOR_NAMES,
  evaluatorByName,
  isEvaluatorName,
} from "../../src/core/landscape/evaluators";
import type { Grid } from "../../src/core/landscape/grid";
import { type LandscapeProblem, sampleLandscape } from "../../src/core/landscape/surfaces";
import { maxRelativeDifference, timeEvaluator } from "../../src/core/landscape/timing";
import { initParameters } from "../../src/core/model/init";
import { makeArchitecture, mlpLayout } from "../../src/core/model/mlp";
import { createRng } from "../../src/core/rng";
import { tf } from "../../src/core/tf";
import { createAppStore } from "../../src/state/store";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

function smallProblem(): LandscapeProblem {
  const rng = createRng(5);
  const n = 40;
  const arch = makeArchitecture(2, 3, { hiddenSizes: [8], activation: "tanh" });
  const layout = mlpLayout(arch);
  const theta = initParameters(arch, "he", rng);
  return {
    arch,
    loss: "cross-entropy",
    layout,
    theta,
    directions: [1, 2].map((seed) =>
      randomDirection(theta, layout, { normalization: "filter", bias: "zero", seed }),
    ),
    dataset: { task: "classification", inputSize: 2, outputSize: 3 },
    train: {
      x: Float32Array.from({ length: 2 * n }, () => rng.normal()),
      y: Float32Array.from({ length: n }, () => rng.int(3)),
      count: n,
    },
  };
}

const grid: Grid = {
  axes: [
    { label: "x", min: -1, max: 1, count: 5 },
    { label: "y", min: -1, max: 1, count: 4 },
  ],
};

describe("choosing an evaluation path by name", () => {
  it("finds every path that can run here, and the wasm kernel is one of them in Node 20", () => {
    expect(availableEvaluators()).toContain("wasm-kernel");
    for (const name of availableEvaluators()) expect(evaluatorByName(name).name).toBe(name);
  });

  it("refuses an unknown name with a message that lists the paths", () => {
    expect(() => evaluatorByName("gpu-magic")).toThrow(
      /evaluator "gpu-magic" is not an evaluation path; available: .*wasm-kernel/,
    );
    expect(isEvaluatorName("toString")).toBe(false);
    expect(isEvaluatorName(EVALUATOR_NAMES[0])).toBe(true);
  });
});

describe("timing an evaluation path", () => {
  it("returns the same surface as sampling it directly, and a positive time", async () => {
    const problem = smallProblem();
    const direct = await sampleLandscape(problem, grid, evaluatorByName("naive"));
    const before = tf.memory().numTensors;
    const timed = await timeEvaluator(problem, grid, evaluatorByName("tfjs-gemm"), 2);
    expect(tf.memory().numTensors).toBe(before);
    expect(timed.ms).toBeGreaterThan(0);
    expect(maxRelativeDifference(timed.trainLoss, direct.train_loss as Float32Array)).toBeLessThan(1e-5);
  });

  it("refuses zero repeats", async () => {
    await expect(timeEvaluator(smallProblem(), grid, evaluatorByName("naive"), 0)).rejects.toThrow(
      /repeats must be an integer >= 1, got 0/,
    );
  });

  it("counts a point that is finite on one side only, or a length mismatch, as an infinite difference", () => {
    const ref = Float32Array.of(1, 2, Number.NaN);
    expect(maxRelativeDifference(Float32Array.of(1, 2, Number.NaN), ref)).toBe(0);
    expect(maxRelativeDifference(Float32Array.of(1, 2.2, Number.NaN), ref)).toBeCloseTo(0.1, 6);
    expect(maxRelativeDifference(Float32Array.of(1, Number.NaN, Number.NaN), ref)).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(maxRelativeDifference(Float32Array.of(1, 2), ref)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("the first-use calibration of the evaluation path", () => {
  it("times every path that runs here, all agree, and the choice is the fastest of them", () => {
    const before = tf.memory().numTensors;
    const result = calibrateEvaluators("wasm");
    expect(tf.memory().numTensors).toBe(before);
    const timings = Object.entries(result.evaluatorTimings);
    expect(timings.map(([n]) => n).sort()).toEqual([...availableEvaluators()].sort());
    for (const [name, ms] of timings) expect(typeof ms, `${name}: ${ms}`).toBe("number");
    const fastest = Math.min(...timings.map(([, ms]) => ms as number));
    expect(result.evaluatorTimings[result.evaluator]).toBe(fastest);
    expect(result.pointsPerSecond).toBeCloseTo((64 / fastest) * 1000, 6);
  });
});

function current(store: ReturnType<typeof createAppStore>) {
  const e = store.getState().job.evaluation;
  if (!e) throw new Error("no evaluation info in the store");
  return e;
}

describe("the evaluation path in the store and on the status line", () => {
  it("keeps the speed while the path stays and forgets it when the path changes", () => {
    const store = createAppStore();
    store.getState().setEvaluation({ name: "wasm-kernel", source: "default" });
    store.getState().setEvaluation({ pointsPerSecond: 9270.4 });
    expect(store.getState().job.evaluation).toEqual({
      name: "wasm-kernel",
      source: "default",
      pointsPerSecond: 9270.4,
    });
    expect(evaluationText(current(store))).toBe("· evaluation path wasm-kernel (default), 9,270 points/s");
    store.getState().setEvaluation({ name: "wasm-kernel", source: "calibrated" });
    expect(store.getState().job.evaluation?.pointsPerSecond).toBe(9270.4);
    store.getState().setEvaluation({ name: "tfjs-gemm", source: "calibrated" });
    expect(store.getState().job.evaluation).toEqual({
      name: "tfjs-gemm",
      source: "calibrated",
      pointsPerSecond: null,
    });
    expect(evaluationText(current(store))).toBe("· evaluation path tfjs-gemm (calibrated)");
  });

  it("survives a new job", () => {
    const store = createAppStore();
    store.getState().setEvaluation({ name: "naive", source: "default", pointsPerSecond: 10 });
    store.getState().startJob("training");
    expect(store.getState().job.evaluation?.name).toBe("naive");
  });
});
