/**
 * curvatureReport (experiment/curvature-report.ts): every figure is the routine it wraps, run with the seed
 * the section records; the figures agree with the explicit Hessian of a 42-parameter MLP; the
 * section validates inside a snapshot and `info` prints it; bad settings fail by name.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { spectralDensity } from "../../src/core/curvature/density";
import { smallestEigenpair, topEigenpairs } from "../../src/core/curvature/eigen";
import { type CurvatureProblem, makeHvp } from "../../src/core/curvature/hvp";
import { mlpObjective } from "../../src/core/curvature/kernel-objective";
import { epsilonSharpness, samSharpness } from "../../src/core/curvature/sharpness";
import { hutchinsonTrace } from "../../src/core/curvature/trace";
import { l2norm } from "../../src/core/curvature/vectors";
import { moons } from "../../src/core/data/classification2d";
import { symmetricEigen } from "../../src/core/directions/pca";
import { curvatureReport, snapshotCurvatureProblem } from "../../src/core/experiment/curvature-report";
import { runExperiment } from "../../src/core/experiment/run";
import { initParameters } from "../../src/core/model/init";
import { makeArchitecture } from "../../src/core/model/mlp";
import { createRng, deriveSeed } from "../../src/core/rng";
import { parseSnapshot, serializeSnapshot } from "../../src/core/snapshot/io";
import type { Snapshot } from "../../src/core/snapshot/schema";
import { reviewSnapshot } from "../../src/core/snapshot/semantics";
import { summarizeSnapshot } from "../../src/core/snapshot/summary";
import { tf } from "../../src/core/tf";
import { trainModel } from "../../src/core/train/train";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

/** MLP 2-8-2 tanh (42 parameters) on 64 moons points, trained 100 full-batch Adam steps. */
const arch = makeArchitecture(2, 2, { hiddenSizes: [8], activation: "tanh" });
const dataset = {
  name: "moons",
  task: "classification" as const,
  inputSize: 2,
  outputSize: 2,
  classes: 2,
  train: moons(64, { noise: 0.1 }, createRng(3)),
  test: { x: new Float32Array(0), y: new Float32Array(0), count: 0 },
};
let problem: CurvatureProblem;
/** Eigenvalues (descending) and trace of the explicit Hessian. */
let exact: { values: Float64Array; trace: number };

beforeAll(async () => {
  const trained = await trainModel({
    arch,
    loss: "cross-entropy",
    dataset,
    initial: initParameters(arch, "auto", createRng(4)),
    settings: {
      optimizer: "adam",
      learningRate: 0.05,
      momentum: 0.9,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0,
      batchSize: "full",
      epochs: 100,
      checkpointEvery: 0,
      seed: 1,
    },
  });
  problem = { arch, loss: "cross-entropy", theta: trained.parameters, dataset, train: dataset.train };
  const op = makeHvp(problem);
  const n = op.dimension;
  const h = new Float64Array(n * n);
  const e = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    e.fill(0);
    e[i] = 1;
    const column = op.hvp(e);
    for (let j = 0; j < n; j++) h[j * n + i] = column[j];
  }
  op.dispose();
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++) h[i * n + j] = h[j * n + i] = (h[i * n + j] + h[j * n + i]) / 2;
  let trace = 0;
  for (let i = 0; i < n; i++) trace += h[i * n + i];
  exact = { values: symmetricEigen(h, n).values, trace };
}, 60_000);

const full = {
  seed: 4,
  topK: 2,
  traceSamples: 40,
  density: true,
  densitySteps: 42,
  densityBins: 500,
  epsSharpness: [1e-3, 5e-4],
  averageRadius: [0.1],
  samRho: [0.05],
  samSteps: 2,
  vectors: true,
};

describe("curvatureReport", () => {
  it("gives each figure exactly as the routine it wraps, seeded with deriveSeed(seed, step)", async () => {
    const r = await curvatureReport(problem, full);
    // The objective the report takes (the kernel's where it runs, as here).
    const op = mlpObjective(problem);
    const top = await topEigenpairs(op, { topK: 2, seed: deriveSeed(4, "top") });
    expect(r.top.values).toEqual(top.values);
    expect(r.top.iterations).toEqual(top.iterations);
    expect(r.top.vectors?.map((v) => Array.from(v))).toEqual(top.vectors.map((v) => Array.from(v)));
    const low = await smallestEigenpair(op, { method: "lanczos", seed: deriveSeed(4, "smallest") });
    expect(r.smallest.value).toBe(low.value);
    expect(r.smallest.shift).toBe(low.shift);
    const trace = await hutchinsonTrace(op, { maxIterations: 40, seed: deriveSeed(4, "trace") });
    expect(r.trace?.value).toBe(trace.trace);
    expect(r.trace?.ci95).toEqual(trace.ci95);
    const density = await spectralDensity(op, { steps: 42, bins: 500, seed: deriveSeed(4, "density") });
    expect(r.density?.density).toEqual(Array.from(density.density));
    const eps = await epsilonSharpness(op, { epsilon: 5e-4, seed: deriveSeed(4, "eps-sharpness") });
    expect(r.epsSharpness[1].sharpness).toBe(eps.sharpness);
    const sam = await samSharpness(op, { rho: 0.05, steps: 2 });
    expect(r.samSharpness[0].sharpness).toBe(sam.sharpness);
    op.dispose();
    expect(r.settings).toMatchObject({ ...full, maxIterations: 100, tolerance: 1e-3, smallest: "lanczos" });
    expect(r.objective).toEqual({
      split: "train",
      samples: 64,
      total: 64,
      loss: r.objective.loss,
      weightDecay: 0,
    });
  });

  it("agrees with the explicit Hessian: lambda_max, lambda_min, the trace within its interval, the density's range", async () => {
    const r = await curvatureReport(problem, { ...full, topK: 1, traceSamples: 100 });
    const n = exact.values.length;
    const lambdaMax = exact.values[0];
    const lambdaMin = exact.values[n - 1];
    console.info(
      `explicit: lambda_max ${lambdaMax.toPrecision(5)}, lambda_min ${lambdaMin.toPrecision(5)}, trace ${exact.trace.toPrecision(5)}; ` +
        `report: ${r.top.values[0].toPrecision(5)}, ${r.smallest.value.toPrecision(5)}, ` +
        `${r.trace?.value.toPrecision(5)} [${r.trace?.ci95.map((v) => v?.toPrecision(4))}] (${r.trace?.samples} samples), ` +
        `eps-sharpness ${r.epsSharpness.map((e) => e.sharpness?.toPrecision(4))}, ${r.hvps} H v products`,
    );
    expect(Math.abs(r.top.values[0] - lambdaMax) / lambdaMax).toBeLessThan(0.01);
    expect(r.smallest.value).toBeLessThanOrEqual(r.top.values[0]);
    // Lanczos (the default) finds the bottom of a cluster around 0, sign included.
    expect(Math.abs(r.smallest.value - lambdaMin)).toBeLessThan(1e-3 * lambdaMax);
    // The reference's shift trick is available, and lands in that cluster (within 5% of lambda_max).
    const shifted = await curvatureReport(problem, { traceSamples: 0, smallest: "shift" });
    expect(shifted.smallest.method).toBe("shift");
    expect(shifted.smallest.shift).toBeCloseTo(0.51 * shifted.top.values[0], 6);
    expect(Math.abs(shifted.smallest.value - lambdaMin)).toBeLessThan(0.05 * lambdaMax);
    const [lo, hi] = (r.trace as NonNullable<typeof r.trace>).ci95 as [number, number];
    expect(lo).toBeLessThanOrEqual(exact.trace);
    expect(hi).toBeGreaterThanOrEqual(exact.trace);
    const d = r.density as NonNullable<typeof r.density>;
    const dx = d.grid[1] - d.grid[0];
    expect(d.density.reduce((s, v) => s + v, 0) * dx).toBeCloseTo(1, 6);
    expect(d.grid[0]).toBeLessThan(lambdaMin);
    expect(d.grid[d.grid.length - 1]).toBeGreaterThan(lambdaMax);
    // Sharpness figures are increases of the loss: eps-sharpness never negative, and larger boxes are sharper.
    expect(r.epsSharpness[0].sharpness as number).toBeGreaterThanOrEqual(
      r.epsSharpness[1].sharpness as number,
    );
    expect(r.epsSharpness[1].sharpness as number).toBeGreaterThanOrEqual(0);
    expect(r.epsSharpness[0].solver).toBe("projected sign-gradient ascent");
  });

  it("gives identical sections for the same settings and another trace for another seed", async () => {
    const settings = { topK: 1, traceSamples: 20, averageRadius: [0.2], seed: 9 };
    const [a, b, c] = [
      await curvatureReport(problem, settings),
      await curvatureReport(problem, settings),
      await curvatureReport(problem, { ...settings, seed: 10 }),
    ];
    expect(a).toStrictEqual(b);
    expect(c.trace?.values).not.toEqual(a.trace?.values);
  });

  it("stores unit eigenvectors only when asked, skips the trace at traceSamples 0 and the optional figures by default", async () => {
    const bare = await curvatureReport(problem, { traceSamples: 0 });
    expect(bare.top.vectors).toBeUndefined();
    expect(bare.smallest.vector).toBeUndefined();
    expect(bare.trace).toBeUndefined();
    expect(bare.density).toBeUndefined();
    expect([bare.epsSharpness, bare.averageSharpness, bare.samSharpness]).toEqual([[], [], []]);
    expect(bare.settings.seed).toBe(0);
    const withVectors = await curvatureReport(problem, { traceSamples: 0, vectors: true, topK: 2 });
    expect(withVectors.top.vectors).toHaveLength(2);
    for (const v of [...(withVectors.top.vectors ?? []), withVectors.smallest.vector as Float32Array]) {
      expect(v).toHaveLength(42);
      expect(l2norm(v)).toBeCloseTo(1, 5);
    }
  });

  it("uses a seeded subset of maxSamples training samples", async () => {
    const a = await curvatureReport(problem, { traceSamples: 0, maxSamples: 20, seed: 2 });
    const b = await curvatureReport(problem, { traceSamples: 0, maxSamples: 20, seed: 2 });
    expect(a.objective).toMatchObject({ samples: 20, total: 64 });
    expect(a.top.values).toEqual(b.top.values);
    const all = await curvatureReport(problem, { traceSamples: 0, seed: 2 });
    expect(a.top.values[0]).not.toBe(all.top.values[0]);
  });

  it("leaves tf.memory().numTensors unchanged, also when aborted", async () => {
    const before = tf.memory().numTensors;
    await curvatureReport(problem, { ...full, traceSamples: 10 });
    expect(tf.memory().numTensors).toBe(before);
    const controller = new AbortController();
    const pending = curvatureReport(problem, full, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done >= 2) controller.abort(new Error("enough"));
      },
    });
    await expect(pending).rejects.toThrow(/enough/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("reports progress as steps done out of the steps the settings ask for", async () => {
    const seen: { done: number; total: number; detail: string }[] = [];
    await curvatureReport(
      problem,
      { traceSamples: 10, epsSharpness: [1e-3] },
      { onProgress: (p) => seen.push(p) },
    );
    expect(seen.every((p) => p.total === 4)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ done: 4, detail: "eps 0.001 done" });
    expect(seen.some((p) => /^trace, samples \d+: /.test(p.detail))).toBe(true);
  });

  it("refuses bad settings with the setting's name", async () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ topK: 0 }, /curvature\.topK: .*got 0/],
      [{ epsSharpness: [-1] }, /curvature\.epsSharpness\[0\]: .*got -1/],
      [{ averageRadius: [0] }, /curvature\.averageRadius\[0\]/],
      [{ traceSamples: 1 }, /curvature\.traceSamples: must be 0 \(skip\) or at least 2/],
      [{ tolerance: Number.NaN }, /curvature\.tolerance/],
      [{ topk: 2 }, /Unrecognized key.*topk/i],
      [{ topK: 43 }, /curvature\.topK: 43 eigenpairs asked, but the model has 42 parameters/],
    ];
    for (const [settings, message] of bad)
      await expect(curvatureReport(problem, settings)).rejects.toThrow(message);
  });
});

describe("the curvature section in a snapshot", () => {
  const config = {
    seed: 5,
    data: { name: "moons", trainCount: 48, testCount: 16 },
    model: { hiddenSizes: [6], activation: "tanh" },
    training: { epochs: 10 },
    grid: { x: { count: 3 }, y: { count: 3 } },
    curvature: {
      topK: 2,
      traceSamples: 12,
      epsSharpness: [1e-3],
      averageRadius: [0.1],
      samRho: [0.05],
      vectors: true,
    },
  };
  let snapshot: Snapshot;

  beforeAll(async () => {
    ({ snapshot } = await runExperiment(resolveConfig(config), { backend: "wasm" }));
  }, 60_000);

  it("is written by runExperiment when the config has a curvature section, with the seed derived from the config's", () => {
    const c = snapshot.curvature as NonNullable<Snapshot["curvature"]>;
    expect(c.settings.seed).toBe(deriveSeed(5, "curvature"));
    expect((snapshot.config.curvature as { seed: number }).seed).toBe(deriveSeed(5, "curvature"));
    expect(c.top.values).toHaveLength(2);
    expect(c.objective.samples).toBe(48);
  });

  it("survives a write and a read (base64 and plain) and validates; info prints its figures", async () => {
    for (const arrays of ["base64", "plain"] as const) {
      const back = parseSnapshot(serializeSnapshot(snapshot, { arrays }));
      expect(back.curvature).toStrictEqual(snapshot.curvature);
    }
    const c = snapshot.curvature as NonNullable<Snapshot["curvature"]>;
    const info = summarizeSnapshot(snapshot);
    expect(info).toMatch(/^curvature\s+48 of 48 train samples, loss \S+, \d+ H v products, seed \d+$/m);
    expect(info).toMatch(/^top eigenvalues\s+\S+, \S+ \(power iteration, \d\/2 converged\)$/m);
    expect(info).toContain(`${Number(c.top.values[0].toPrecision(4))}`);
    expect(info).toMatch(/^smallest eigenvalue\s+\S+ \(lanczos, (not )?converged\)$/m);
    expect(info).toMatch(/^trace\s+\S+, 95% CI \[\S+, \S+\] \(Hutchinson, \d+ samples\)$/m);
    expect(info).toMatch(/^eps-sharpness\s+eps 0\.001: \S+$/m);
    expect(info).toMatch(/^average sharpness\s+r 0\.1: \S+ \+- \S+$/m);
    expect(info).toMatch(/^SAM sharpness\s+rho 0\.05: \S+$/m);
    expect(info).toMatch(/^extensions\s+training, trajectory, curvature$/m);
  });

  it("is checked: a malformed section or one that contradicts the snapshot is a problem", () => {
    const c = snapshot.curvature as NonNullable<Snapshot["curvature"]>;
    const broken: Snapshot = {
      ...snapshot,
      curvature: { ...c, top: { ...c.top, vectors: [new Float32Array(3)] } },
    };
    expect(reviewSnapshot(broken).problems).toEqual([
      "curvature.top.vectors: expected 2 vectors (one per eigenvalue), got 1",
      "curvature.top.vectors[0]: expected 32 values (one per parameter), got 3",
    ]);
    const wire = JSON.parse(new TextDecoder().decode(serializeSnapshot(snapshot, { arrays: "plain" })));
    wire.curvature.top.values = "12";
    delete wire.curvature.settings.seed;
    expect(() => parseSnapshot(JSON.stringify(wire))).toThrow(
      /curvature\.settings\.seed: missing[\s\S]*curvature\.top\.values: expected array, got "12"|curvature\.top\.values: expected array, got "12"[\s\S]*curvature\.settings\.seed: missing/,
    );
  });

  it("recomputes the same section from the snapshot alone", async () => {
    const c = snapshot.curvature as NonNullable<Snapshot["curvature"]>;
    const again = await curvatureReport(snapshotCurvatureProblem(snapshot), c.settings);
    expect(again).toStrictEqual(c);
  });

  it("refuses a snapshot without training samples", () => {
    const empty = {
      ...snapshot,
      data: { ...snapshot.data, train: { x: new Float32Array(0), y: new Float32Array(0), count: 0 } },
    };
    expect(() => snapshotCurvatureProblem(empty)).toThrow(/no training samples/);
  });
});
