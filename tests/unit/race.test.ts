import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { requireMlpModel, resolveConfig } from "../../src/core/config/resolve";
import type { ExperimentConfig } from "../../src/core/config/schema";
import { datasetFromSnapshot, prepareModel } from "../../src/core/experiment/prepare";
import { runExperiment } from "../../src/core/experiment/run";
import { initModelParameters, requireMlp } from "../../src/core/model/architecture";
import { createRng } from "../../src/core/rng";
import { parseSnapshot, serializeSnapshot } from "../../src/core/snapshot/io";
import type { Snapshot } from "../../src/core/snapshot/schema";
import { reviewSnapshot } from "../../src/core/snapshot/semantics";
import type { TrajectorySection } from "../../src/core/snapshot/trajectory-section";
import { SharpnessTracker } from "../../src/core/train/sharpness";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

const now = () => new Date("2026-11-27T10:00:00Z");
const preset = JSON.parse(
  readFileSync(new URL("../../public/presets/optimizer-race.json", import.meta.url), "utf8"),
) as Record<string, Record<string, unknown>>;
/** The race preset, shortened (30 full-batch steps) on a small grid, so the test stays quick. */
const quick = {
  ...preset,
  training: { ...preset.training, epochs: 30 },
  grid: { x: { count: 7 }, y: { count: 7 } },
};

describe("the optimizer race preset", () => {
  let config: ExperimentConfig;
  let snapshot: Snapshot;
  let t: TrajectorySection;

  beforeAll(async () => {
    config = resolveConfig(quick);
    ({ snapshot } = await runExperiment(config, { backend: "wasm", now }));
    t = snapshot.trajectory as TrajectorySection;
  }, 120_000);

  it("trains every optimizer from one initialization: identical starting parameters in the snapshot", () => {
    const runs = t.runs ?? [];
    expect(runs.map((r) => r.label)).toEqual(["SGD", "Momentum", "Adam", "SAM"]);
    const initial = t.initial as Float32Array;
    // The one draw from model.seed, recorded once and as every run's first checkpoint.
    const drawn = initModelParameters(
      snapshot.model.architecture,
      requireMlpModel(config.model, "the race").init,
      createRng(config.model.seed),
    );
    expect(Array.from(initial)).toEqual(Array.from(drawn));
    for (const run of runs) {
      expect(run.epochs[0]).toBe(0);
      expect(Array.from(run.parameters?.[0] ?? [])).toEqual(Array.from(initial));
      expect([run.x[0], run.y?.[0]]).toEqual([runs[0].x[0], runs[0].y?.[0]]);
    }
    // ... and the runs end in different places.
    const ends = runs.map((r) => r.parameters?.at(-1) as Float32Array);
    for (let a = 0; a < ends.length; a++)
      for (let b = a + 1; b < ends.length; b++) {
        const d = Math.hypot(...Array.from(ends[a], (v, j) => v - ends[b][j]));
        expect(d, `${runs[a].label} vs ${runs[b].label}`).toBeGreaterThan(1e-3);
      }
  });

  it("samples one plane, centred at run 1's end point, that holds every run's end point's projection", () => {
    const runs = t.runs ?? [];
    expect(t.method).toBe("pca");
    expect(snapshot.directions.map((d) => d.method)).toEqual(["pca", "pca"]);
    expect(Array.from(snapshot.model.parameters)).toEqual(Array.from(runs[0].parameters?.at(-1) ?? []));
    expect([runs[0].x.at(-1), runs[0].y?.at(-1), runs[0].offPlane.at(-1)]).toEqual([0, 0, 0]);
    const [ax, ay] = snapshot.grid.axes;
    for (const run of runs) {
      for (let k = 0; k < run.x.length; k++) {
        expect(run.x[k], `${run.label} x[${k}]`).toBeGreaterThan(ax.min);
        expect(run.x[k]).toBeLessThan(ax.max);
        expect(run.y?.[k]).toBeGreaterThan(ay.min);
        expect(run.y?.[k]).toBeLessThan(ay.max);
      }
    }
  });

  it("records each run's settings, trajectory and final loss, accuracy and lambda_max", async () => {
    const runs = t.runs ?? [];
    expect(runs.map((r) => [r.settings?.optimizer, r.settings?.learningRate])).toEqual([
      ["sgd", 0.5],
      ["momentum", 0.1],
      ["adam", 0.02],
      ["sgd", 0.5],
    ]);
    expect(runs[3].settings?.sam).toEqual({ rho: 0.05 });
    expect(runs[0].settings?.sam).toBeUndefined();
    for (const run of runs) {
      // Full batch: every step is a checkpoint.
      expect(run.steps).toEqual(Array.from({ length: 31 }, (_, i) => i));
      const f = run.final;
      expect(f?.status).toBe("completed");
      expect(f?.trainLoss).toBe(run.loss.at(-1));
      expect(f?.trainAccuracy).toBe(run.accuracy?.at(-1));
      expect(f?.testAccuracy).toBeGreaterThan(0.5);
      expect(f?.lambdaMax).toBeGreaterThan(0);
    }
    // Run 1 is the snapshot's training section.
    const history = snapshot.training as { history: { trainLoss: number[] } };
    expect(history.history.trainLoss).toEqual(runs[0].loss);
    // lambda_max is recomputable from the snapshot: the same measurement at the stored end point.
    const tracker = new SharpnessTracker({
      arch: requireMlp(snapshot.model.architecture, "test"),
      loss: snapshot.model.loss,
      dataset: datasetFromSnapshot(snapshot),
      theta: snapshot.model.parameters,
      samples: config.training.sharpnessSamples,
      weightDecay: 0,
      seed: config.training.seed,
    });
    try {
      const e = await tracker.measure(runs[3].parameters?.at(-1) as Float32Array, 30, 30);
      expect(e.lambdaMax).toBeCloseTo(runs[3].final?.lambdaMax ?? Number.NaN, 6);
    } finally {
      tracker.dispose();
    }
  });

  it("validates and survives a write and a read", () => {
    expect(reviewSnapshot(snapshot).problems).toEqual([]);
    const back = parseSnapshot(serializeSnapshot(snapshot));
    expect(back.trajectory).toStrictEqual(snapshot.trajectory);
    expect((back.config.race as { runs: unknown[] }).runs).toHaveLength(4);
  });

  it("teaches what its description says: Adam ends lowest and sharpest, SAM flattest", async () => {
    // The full preset's training (150 full-batch steps per run), without the landscape.
    const model = await prepareModel(resolveConfig(preset), {});
    const finals = Object.fromEntries((model.runs ?? []).map((r) => [r.label, r.final]));
    const loss = (label: string) => finals[label]?.trainLoss ?? Number.NaN;
    const sharp = (label: string) => finals[label]?.lambdaMax ?? Number.NaN;
    expect(loss("Adam")).toBeLessThan(Math.min(loss("SGD"), loss("Momentum"), loss("SAM")));
    expect(loss("Momentum")).toBeLessThan(loss("SGD"));
    expect(sharp("Adam")).toBeGreaterThan(Math.max(sharp("SGD"), sharp("Momentum"), sharp("SAM")));
    expect(sharp("SAM")).toBeLessThan(Math.min(sharp("SGD"), sharp("Momentum"), sharp("Adam")));
  }, 120_000);
});

describe("race configs", () => {
  const runs = [
    { label: "a", optimizer: "sgd" },
    { label: "b", optimizer: "adam", learningRate: 0.05 },
  ];

  it("fill each run's optimizer settings from the training section", () => {
    const c = resolveConfig({ training: { learningRate: 0.2, momentum: 0.5 }, race: { runs } });
    expect(c.race?.runs).toEqual([
      {
        label: "a",
        optimizer: "sgd",
        learningRate: 0.2,
        momentum: 0.5,
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
        weightDecay: 0,
      },
      {
        label: "b",
        optimizer: "adam",
        learningRate: 0.05,
        momentum: 0.5,
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
        weightDecay: 0,
      },
    ]);
  });

  it("are refused with the field named: one run, twin labels, paths, training.sam, a CNN", () => {
    const refused: [unknown, RegExp][] = [
      [{ race: { runs: runs.slice(0, 1) } }, /race\.runs: .*2/],
      [
        { race: { runs: [runs[0], { ...runs[1], label: "a" }] } },
        /race\.runs: every run needs its own label/,
      ],
      [{ race: { runs }, paths: {} }, /race: cannot be combined with paths/],
      [{ race: { runs }, training: { sam: { rho: 0.1 } } }, /training\.sam: a race sets SAM per run/],
      [{ race: { runs: [{ label: "a", optimizer: "lbfgs" }, runs[1]] } }, /race\.runs\[0\]\.optimizer/],
      [
        {
          data: { name: "digits" },
          model: { kind: "cnn", conv: [{ filters: 2, kernel: 3 }] },
          race: { runs },
        },
        /race: works on MLPs only/,
      ],
    ];
    for (const [config, message] of refused) expect(() => resolveConfig(config)).toThrow(message);
  });

  it("cannot take the model of a snapshot (--from): a race trains its runs", async () => {
    const small = { data: { name: "moons", trainCount: 16, testCount: 0 }, model: { hiddenSizes: [3] } };
    const base = await runExperiment(
      resolveConfig({ ...small, training: { epochs: 1 }, grid: { x: { count: 2 }, y: { count: 2 } } }),
      { backend: "wasm", now },
    );
    await expect(
      prepareModel(resolveConfig({ ...small, race: { runs } }), { from: base.snapshot }),
    ).rejects.toThrow(/race: a race trains its runs, so it cannot take its model from a snapshot/);
  });
});
