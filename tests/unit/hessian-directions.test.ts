/**
 * Hessian eigenvector axes (curvature/hessian-directions.ts through makePlane): orthonormal, their
 * eigenvalues those of the power iteration on the same problem, and the plotted landscape really
 * curves by lambda along them. A small tanh MLP (2-8-2, 42 parameters; smooth, so finite
 * differences are meaningful) trained on 64 moons points, full batch, to near a minimum.
 */

import { beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import type { ExperimentConfigInput } from "../../src/core/config/schema";
import { smallestEigenpair, topEigenpairs } from "../../src/core/curvature/eigen";
import { hessianDirections } from "../../src/core/curvature/hessian-directions";
import { type CurvatureProblem, makeHvp } from "../../src/core/curvature/hvp";
import { dot, l2norm } from "../../src/core/curvature/vectors";
import {
  landscapeProblem,
  makePlane,
  type PreparedModel,
  prepareModel,
} from "../../src/core/experiment/prepare";
import { buildSnapshot } from "../../src/core/experiment/snapshot-parts";
import { defaultEvaluatorFor } from "../../src/core/landscape/evaluators";
import { sampleLandscape } from "../../src/core/landscape/surfaces";
import { requireMlp } from "../../src/core/model/architecture";
import { parseSnapshot, serializeSnapshot, snapshotToJsonText } from "../../src/core/snapshot/io";
import { summarizeSnapshot } from "../../src/core/snapshot/summary";
import { checkSnapshot } from "../../src/core/snapshot/validate";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

const base = {
  seed: 11,
  data: { name: "moons", trainCount: 64, testCount: 16 },
  model: { hiddenSizes: [8], activation: "tanh" },
  training: { epochs: 150, batchSize: "full", learningRate: 0.05 },
  // h = 0.05 on x: small enough for the quartic term, large enough for float32 losses.
  grid: { x: { min: -0.1, max: 0.1, count: 5 }, y: { min: -0.1, max: 0.1, count: 5 } },
} satisfies ExperimentConfigInput;

const config = (extra: Partial<ExperimentConfigInput> = {}) => resolveConfig({ ...base, ...extra });

let model: PreparedModel;
let problem: CurvatureProblem;

beforeAll(async () => {
  model = await prepareModel(config({ directions: { method: "hessian-top2" } }));
  problem = {
    arch: requireMlp(model.arch, "the Hessian"),
    loss: model.loss,
    theta: model.theta,
    dataset: model.dataset,
    train: model.dataset.train,
  };
}, 60_000);

/** The index of the largest-magnitude entry. */
function argmaxAbs(v: Float32Array): number {
  let k = 0;
  for (let i = 1; i < v.length; i++) if (Math.abs(v[i]) > Math.abs(v[k])) k = i;
  return k;
}

/** (L(x=+h) - 2 L(0) + L(x=-h)) / h^2 along x at y = 0 of a 5 x 5 train-loss surface over [-0.1, 0.1]. */
function secondDifference(loss: Float32Array, axis: "x" | "y"): number {
  const h = 0.05;
  const at = (ix: number, iy: number) => loss[iy * 5 + ix];
  return axis === "x"
    ? (at(3, 2) - 2 * at(2, 2) + at(1, 2)) / (h * h)
    : (at(2, 3) - 2 * at(2, 2) + at(2, 1)) / (h * h);
}

describe("Hessian eigenvector directions", () => {
  it("hessian-top2 gives orthonormal axes whose eigenvalues match topEigenpairs on the same problem", async () => {
    const c = config({ directions: { method: "hessian-top2" } });
    const plane = await makePlane(c, model);
    expect(plane.directions).toHaveLength(2);
    const [x, y] = plane.directions;
    expect(x).toMatchObject({
      label: "x",
      method: "hessian",
      normalization: "none",
      bias: "include",
      which: "top-1",
    });
    expect(y).toMatchObject({
      label: "y",
      method: "hessian",
      normalization: "none",
      bias: "include",
      which: "top-2",
    });
    expect(x.seed).toBe(c.directions.seeds[0]);
    expect(l2norm(x.values)).toBeCloseTo(1, 5);
    expect(l2norm(y.values)).toBeCloseTo(1, 5);
    expect(Math.abs(dot(x.values, y.values))).toBeLessThan(1e-6);
    // Signs: the largest-magnitude entry of each axis is positive.
    for (const d of [x, y]) expect(d.values[argmaxAbs(d.values)]).toBeGreaterThan(0);

    // An independent run: another seed, stopped on the residual instead of the eigenvalue change.
    const op = makeHvp(problem);
    const ref = await topEigenpairs(op, {
      topK: 2,
      seed: 99,
      criterion: "residual",
      tolerance: 1e-4,
      maxIterations: 2000,
    });
    op.dispose();
    const lambda = [x.eigenvalue as number, y.eigenvalue as number];
    expect(lambda[0]).toBeGreaterThan(lambda[1]);
    for (let k = 0; k < 2; k++)
      expect(Math.abs(lambda[k] - ref.values[k]) / ref.values[k]).toBeLessThan(0.02);
    // The same eigenvectors, up to the fixed sign.
    expect(Math.abs(dot(x.values, ref.vectors[0]))).toBeGreaterThan(0.99);
    console.info(
      `hessian-top2: lambda ${lambda.map((v) => v.toPrecision(5)).join(", ")}; reference ${ref.values.map((v) => v.toPrecision(5)).join(", ")}`,
    );
  });

  it("curves the landscape by lambda along each axis: the second difference at the centre is within 3% of the eigenvalue", async () => {
    const plane = await makePlane(config({ directions: { method: "hessian-top2" } }), model);
    const surfaces = await sampleLandscape(
      landscapeProblem(model, plane),
      plane.grid,
      defaultEvaluatorFor("wasm"),
    );
    const loss = surfaces.train_loss as Float32Array;
    for (const [k, axis] of [
      [0, "x"],
      [1, "y"],
    ] as const) {
      const lambda = plane.directions[k].eigenvalue as number;
      const fd = secondDifference(loss, axis);
      console.info(
        `second difference along ${axis}: ${fd.toPrecision(5)}, eigenvalue ${lambda.toPrecision(5)}`,
      );
      expect(Math.abs(fd - lambda) / Math.abs(lambda)).toBeLessThan(0.03);
    }
  });

  it("hessian-top-bottom gives lambda_min <= lambda_max on orthonormal axes, the bottom one matching smallestEigenpair", async () => {
    const plane = await makePlane(config({ directions: { method: "hessian-top-bottom" } }), model);
    const [top, bottom] = plane.directions;
    expect(top.which).toBe("top-1");
    expect(bottom.which).toBe("bottom");
    expect(bottom.eigenvalue as number).toBeLessThanOrEqual(top.eigenvalue as number);
    expect(Math.abs(dot(top.values, bottom.values))).toBeLessThan(1e-6);
    expect(l2norm(bottom.values)).toBeCloseTo(1, 5);
    const op = makeHvp(problem);
    const ref = await smallestEigenpair(op, { method: "lanczos", maxIterations: 42, seed: 5 });
    op.dispose();
    console.info(
      `hessian-top-bottom: lambda ${top.eigenvalue}, ${bottom.eigenvalue}; Lanczos smallest ${ref.value}`,
    );
    // The Rayleigh quotient of the stored bottom axis is the smallest eigenvalue, sign included.
    expect(ref.value).toBeLessThan(0);
    expect(Math.abs((bottom.eigenvalue as number) - ref.value)).toBeLessThan(
      1e-3 * (top.eigenvalue as number),
    );
  });

  it("a 1-D grid takes only the first eigenvector (top-1 in both methods)", async () => {
    for (const method of ["hessian-top2", "hessian-top-bottom"] as const) {
      const c = config({ directions: { method }, grid: { x: { min: -0.1, max: 0.1, count: 5 }, y: null } });
      const plane = await makePlane(c, model);
      expect(plane.directions.map((d) => d.which)).toEqual(["top-1"]);
      expect(plane.grid.axes).toHaveLength(1);
    }
  });

  it("gives the same axes bit for bit for the same config, and leaves no tensor behind", async () => {
    const c = config({ directions: { method: "hessian-top-bottom" } });
    const before = tf.memory().numTensors;
    const a = await makePlane(c, model);
    const b = await makePlane(c, model);
    expect(tf.memory().numTensors).toBe(before);
    for (let k = 0; k < 2; k++) {
      expect(Array.from(a.directions[k].values)).toEqual(Array.from(b.directions[k].values));
      expect(a.directions[k].eigenvalue).toBe(b.directions[k].eigenvalue);
    }
  });

  it("rejects an aborted signal with its reason and leaves no tensor behind", async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    controller.abort(new Error("stop now"));
    await expect(
      makePlane(config({ directions: { method: "hessian-top2" } }), model, { signal: controller.signal }),
    ).rejects.toThrow(/stop now/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("uses a seeded subset of the training set when maxSamples is set, and records the count", async () => {
    const c = config({ directions: { method: "hessian-top2", hessian: { maxSamples: 16 } } });
    expect(c.directions.hessian).toEqual({
      maxIterations: 100,
      tolerance: 1e-3,
      maxSamples: 16,
      smallest: "lanczos",
    });
    const plane = await makePlane(c, model);
    expect(plane.directions[0].samples).toBe(16);
    const r = await hessianDirections(problem, "hessian-top2", 1, { seed: 3, maxSamples: 1000 });
    expect(r.samples).toBe(64);
    expect(r.total).toBe(64);
  });

  it("makes a snapshot that validates without warnings and whose summary names the eigenvalues", async () => {
    const c = config({ directions: { method: "hessian-top-bottom" } });
    const plane = await makePlane(c, model);
    const surfaces = await sampleLandscape(
      landscapeProblem(model, plane),
      plane.grid,
      defaultEvaluatorFor("wasm"),
    );
    const snapshot = buildSnapshot({
      config: model.recordedConfig,
      backend: "wasm",
      createdAt: new Date("2026-11-27T10:00:00Z"),
      model,
      plane,
      surfaces,
      evaluator: "test",
    });
    const warnings: string[] = [];
    const back = parseSnapshot(serializeSnapshot(snapshot), { onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([]);
    expect(back.directions[1].eigenvalue).toBe(snapshot.directions[1].eigenvalue);
    expect(back.directions[1].which).toBe("bottom");
    expect(checkSnapshot(JSON.parse(snapshotToJsonText(snapshot))).ok).toBe(true);
    const summary = summarizeSnapshot(snapshot);
    expect(summary).toMatch(
      /^direction x\s+hessian top-1 \(eigenvalue [0-9.]+\), none normalization, bias include/m,
    );
    expect(summary).toMatch(/^direction y\s+hessian bottom \(eigenvalue -?[0-9.e-]+\), none normalization/m);
  });
});

describe("Hessian direction config", () => {
  it("fills directions.hessian with its defaults for the hessian methods only", () => {
    expect(config({ directions: { method: "hessian-top-bottom" } }).directions.hessian).toEqual({
      maxIterations: 100,
      tolerance: 1e-3,
      smallest: "lanczos",
    });
    expect(config().directions.hessian).toBeUndefined();
  });

  it("refuses hessian settings for another method and bad solver settings, naming the field", () => {
    expect(() => config({ directions: { method: "random", hessian: {} } })).toThrow(
      /directions\.hessian: only used by the hessian methods, but directions\.method is random/,
    );
    expect(() => config({ directions: { method: "hessian-top2", hessian: { maxIterations: 0 } } })).toThrow(
      /directions\.hessian\.maxIterations/,
    );
    expect(() => config({ directions: { method: "hessian-top3" as "hessian-top2" } })).toThrow(
      /directions\.method/,
    );
  });
});
