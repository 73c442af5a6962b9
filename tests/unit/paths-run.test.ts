import { beforeAll, describe, expect, it } from "vitest";
import { weightMatching } from "../../src/core/align";
import { parsePathsSettings } from "../../src/core/config/paths-settings";
import { resolveConfig } from "../../src/core/config/resolve";
import {
  type PathsPhase,
  type PathsRunResult,
  pathPointAt,
  pathsFromSnapshots,
  pathsProblem,
  runPaths,
} from "../../src/core/experiment/paths-run";
import { runExperiment } from "../../src/core/experiment/run";
import { defaultEvaluatorFor } from "../../src/core/landscape/evaluators";
import { requireMlp } from "../../src/core/model/architecture";
import { initParameters } from "../../src/core/model/init";
import { curvePoint } from "../../src/core/paths/curves";
import { evaluateCurve, evaluateLinearPath } from "../../src/core/paths/path";
import { curvePlane } from "../../src/core/paths/plane";
import { trainCurve } from "../../src/core/paths/train-curve";
import { createRng } from "../../src/core/rng";
import { snapshotToJsonText } from "../../src/core/snapshot/io";
import type { Snapshot } from "../../src/core/snapshot/schema";
import { checkSnapshot } from "../../src/core/snapshot/validate";
import { tf } from "../../src/core/tf";
import { createPathsApi } from "../../workers/paths-api";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

/**
 * runPaths and pathsFromSnapshots on a tiny setting (moons 64 + 32 samples, MLP 2-8-2 tanh, 42
 * parameters, 10 epochs, a 5-epoch curve, a 5 x 5 plane), so that each run takes well under a
 * second; the mode-connectivity effect itself is tested in paths-effect.test.ts.
 */
const small = {
  seed: 3,
  data: { name: "moons", trainCount: 64, testCount: 32 },
  model: { hiddenSizes: [8], activation: "tanh" },
  training: { epochs: 10 },
  grid: { x: { count: 5 }, y: { count: 5 } },
  paths: { curve: { epochs: 5 } },
};
const now = () => new Date("2026-11-27T10:00:00Z");

let run: PathsRunResult;
let snapshot: Snapshot;

beforeAll(async () => {
  run = await runPaths(resolveConfig(small), { backend: "wasm", now });
  snapshot = run.snapshot;
}, 60_000);

const section = () => {
  if (!snapshot.paths) throw new Error("no paths section");
  return snapshot.paths;
};

describe("runPaths", () => {
  it("produces a snapshot that validates after a write and a read", () => {
    const result = checkSnapshot(JSON.parse(snapshotToJsonText(snapshot)));
    expect(result.ok && result.warnings).toEqual([]);
    expect(run.warnings).toEqual([]);
  });

  it("connects model 1 and 2 by a linear path, a trained Bezier curve and an aligned line, plus init -> model 1", () => {
    const s = section();
    expect(s.paths.map((p) => p.kind)).toEqual(["linear", "init-to-solution", "bezier", "linear-aligned"]);
    expect(s.models?.map((m) => m.label)).toEqual(["theta1", "theta2"]);
    expect(s.paths[2].training?.epochs).toBe(5);
    expect(s.paths[2].training?.history.epoch).toEqual([1, 2, 3, 4, 5]);
    expect(s.paths[3].alignment?.permutations[0]).toHaveLength(8);
  });

  it("scores every path at 61 t values and gives finite barriers of loss and error", () => {
    for (const p of section().paths) {
      expect(p.t).toHaveLength(61);
      for (const v of Object.values(p.values)) expect(v).toHaveLength(61);
      for (const name of ["train_loss", "train_error", "test_loss", "test_error"] as const) {
        const b = p.barriers[name];
        expect(b, `${p.kind} ${name}`).toBeDefined();
        for (const key of ["linearExcess", "midpointMean", "start", "end"] as const) {
          expect(Number.isFinite(b?.[key])).toBe(true);
        }
      }
    }
  });

  it("puts theta1 at (0, 0) and theta2 on the u axis of the plane, at the distance between them", () => {
    const s = section();
    const plane = s.plane;
    if (!plane) throw new Error("no plane");
    const k = plane.points.length / 2;
    expect(k).toBe(3);
    expect([plane.points[0], plane.points[1]]).toEqual([0, 0]);
    const distance = s.paths[0].length;
    expect(plane.points[2 * (k - 1)]).toBeCloseTo(distance, 4);
    expect(Math.abs(plane.points[2 * (k - 1) + 1])).toBeLessThan(1e-5 * distance);
    // The bend is off the u axis (a trained curve bends).
    expect(Math.abs(plane.points[3])).toBeGreaterThan(0);
  });

  it("makes the plane the snapshot's landscape: model 1 at the centre, the directions u and v", () => {
    const s = section();
    const plane = s.plane;
    if (!plane) throw new Error("no plane");
    expect(plane.landscape).toBe(true);
    expect(snapshot.model.parameters).toEqual(plane.origin);
    expect(snapshot.model.parameters).toEqual(s.models?.[0].parameters);
    expect(snapshot.directions.map((d) => [d.method, d.normalization, d.bias])).toEqual([
      ["plane", "none", "include"],
      ["plane", "none", "include"],
    ]);
    expect(snapshot.directions[0].values).toEqual(plane.directions[0]);
    expect(snapshot.grid.axes.map((a) => [a.min, a.max, a.count])).toEqual([
      [plane.range.x[0], plane.range.x[1], 5],
      [plane.range.y[0], plane.range.y[1], 5],
    ]);
    expect(snapshot.surfaces.train_loss).toHaveLength(25);
  });

  it("records the resolved settings, with every seed explicit, in the config and the section", () => {
    const recorded = snapshot.config.paths as { seeds: number[]; curve: { seed: number; epochs: number } };
    expect(recorded.seeds).toHaveLength(2);
    expect(Number.isInteger(recorded.curve.seed)).toBe(true);
    expect(recorded.curve.epochs).toBe(5);
    expect(section().settings).toEqual(snapshot.config.paths);
    expect(snapshot.config.directions).toBeUndefined();
  });

  it("gives identical numbers for the same config, also when re-run from the recorded config", async () => {
    const again = await runPaths(resolveConfig(small), { backend: "wasm", now });
    expect(snapshotToJsonText(again.snapshot)).toBe(snapshotToJsonText(snapshot));
    const rerun = await runPaths(resolveConfig(snapshot.config), { backend: "wasm", now });
    expect(rerun.snapshot.paths).toEqual(snapshot.paths);
    expect(rerun.snapshot.surfaces).toEqual(snapshot.surfaces);
  }, 30_000);

  it("connects model 1 to every further model by a linear path", async () => {
    const r = await runPaths(
      resolveConfig({ ...small, paths: { models: 3, align: false, curve: { epochs: 2 } } }),
      {
        backend: "wasm",
        now,
      },
    );
    const paths = r.snapshot.paths?.paths ?? [];
    expect(paths.map((p) => [p.kind, p.between])).toEqual([
      ["linear", [0, 1]],
      ["init-to-solution", undefined],
      ["bezier", [0, 1]],
      ["linear", [0, 2]],
    ]);
    expect(paths[3].points[1]).toEqual(r.snapshot.paths?.models?.[2].parameters);
  }, 30_000);

  it("needs paths.plane.count when the config's grid is 1-D", async () => {
    await expect(
      runPaths(resolveConfig({ ...small, grid: { y: null } }), { backend: "wasm", now }),
    ).rejects.toThrow(/paths\.plane\.count: needed when the grid is 1-D/);
  });

  for (const phase of ["train", "curve", "landscape"] as PathsPhase[]) {
    it(`cancels during ${phase} and leaves no tensor behind`, async () => {
      const before = tf.memory().numTensors;
      const controller = new AbortController();
      const seen: string[] = [];
      await expect(
        runPaths(resolveConfig(small), {
          backend: "wasm",
          now,
          signal: controller.signal,
          onProgress: (p) => {
            seen.push(p.phase);
            if (p.phase === phase) controller.abort(new Error("cancelled by the test"));
          },
        }),
      ).rejects.toThrow(/cancelled by the test/);
      expect(seen).toContain(phase);
      expect(seen).not.toContain(phase === "landscape" ? "never" : "landscape");
      expect(tf.memory().numTensors).toBe(before);
    }, 30_000);
  }
});

describe("pathsFromSnapshots", () => {
  const compute = async (extra: Record<string, unknown>) => {
    const { paths: _paths, ...rest } = small;
    return (await runExperiment(resolveConfig({ ...rest, ...extra }), { backend: "wasm", now })).snapshot;
  };

  it("connects the models of two compute snapshots, with init -> solution regenerated from A's config", async () => {
    const a = await compute({ seed: 11 });
    const b = await compute({
      seed: 11,
      model: { ...small.model, seed: 99 },
      training: { epochs: 10, seed: 98 },
    });
    const r = await pathsFromSnapshots(a, b, { backend: "wasm", now, names: ["a.json", "b.json"] });
    expect(r.warnings).toEqual([]);
    const result = checkSnapshot(JSON.parse(snapshotToJsonText(r.snapshot)));
    expect(result.ok).toBe(true);
    const s = r.snapshot.paths;
    expect(s?.paths.map((p) => p.kind)).toEqual(["linear", "init-to-solution", "bezier", "linear-aligned"]);
    expect(r.snapshot.model.parameters).toEqual(a.model.parameters);
    expect(s?.models?.[1].parameters).toEqual(b.model.parameters);
    expect(s?.models?.[0].source).toMatch(/^a\.json/);
    const model = a.config.model as { seed: number };
    const init = initParameters(requireMlp(a.model.architecture, "init"), "auto", createRng(model.seed));
    expect(s?.paths[1].points[0]).toEqual(init);
    // The plane is sized like A's grid.
    expect(r.snapshot.grid.axes.map((x) => x.count)).toEqual([5, 5]);
    expect((r.snapshot.config.source as { kind: string }).kind).toBe("snapshots");
  }, 30_000);

  it("refuses models of different architectures, naming what differs", async () => {
    const a = await compute({ seed: 11 });
    const b = await compute({ seed: 11, model: { hiddenSizes: [6], activation: "tanh" } });
    await expect(pathsFromSnapshots(a, b, { backend: "wasm", now })).rejects.toThrow(
      /model\.architecture\.hiddenSizes: \[8\] in A, \[6\] in B/,
    );
  }, 30_000);

  it("refuses models trained on different data, naming the split", async () => {
    const a = await compute({ seed: 11 });
    const b = await compute({ seed: 12 });
    await expect(pathsFromSnapshots(a, b, { backend: "wasm", now })).rejects.toThrow(
      /data\.train\.x: the values differ \(first at index 0/,
    );
  }, 30_000);
});

describe("pathPointAt", () => {
  it("interpolates the two-point kinds (also outside [0, 1]) and evaluates curves", () => {
    const a = Float32Array.of(0, 2);
    const b = Float32Array.of(4, 6);
    const bend = Float32Array.of(1, -1);
    expect(pathPointAt({ kind: "linear", points: [a, b] }, 0.25)).toEqual(Float32Array.of(1, 3));
    expect(pathPointAt({ kind: "init-to-solution", points: [a, b] }, 1.5)).toEqual(Float32Array.of(6, 8));
    expect(pathPointAt({ kind: "bezier", points: [a, bend, b] }, 0.5)).toEqual(
      curvePoint({ kind: "bezier", points: [a, bend, b] }, 0.5),
    );
    expect(() => pathPointAt({ kind: "linear", points: [a] }, 0.5)).toThrow(/has 2 points, got 1/);
  });
});

describe("the config's paths section", () => {
  it("fills defaults that reproduce the effect test's curve settings and derives the seeds", () => {
    const p = resolveConfig({ paths: {} }).paths;
    expect(p).toMatchObject({
      models: 2,
      align: true,
      alphaRange: [-0.5, 1.5],
      count: 61,
      plane: { margin: 0.25 },
      curve: {
        kind: "bezier",
        bends: 1,
        epochs: 200,
        learningRate: 0.01,
        batchSize: 64,
        l2: 0,
        optimizer: "adam",
      },
    });
    expect(p?.seeds).toHaveLength(2);
    expect(p?.seeds[0]).not.toBe(p?.seeds[1]);
    expect(resolveConfig({ paths: { seeds: [1, 2], curve: { seed: 3 } } }).paths).toMatchObject({
      seeds: [1, 2],
      curve: { seed: 3 },
    });
  });

  it("rejects bad settings, each naming its field", () => {
    expect(() => resolveConfig({ paths: { models: 3, seeds: [1, 2] } })).toThrow(
      /paths\.seeds: expected 3 seeds \(one per model, paths\.models\), got 2/,
    );
    expect(() => resolveConfig({ paths: { seeds: [4, 4] } })).toThrow(/paths\.seeds: seeds must differ/);
    expect(() => resolveConfig({ paths: { alphaRange: [0.2, 1] } })).toThrow(
      /paths\.alphaRange: must contain \[0, 1\] \(both endpoints\), got \[0\.2, 1\]/,
    );
    expect(() => resolveConfig({ paths: { models: 6 } })).toThrow(/paths\.models/);
    expect(() => resolveConfig({ paths: { curve: { kind: "spline" } } })).toThrow(/paths\.curve\.kind/);
    expect(() => resolveConfig({ paths: { curve: { epoch: 3 } } })).toThrow(/paths\.curve/);
  });
});

describe("the worker's paths API (workers/paths-api.ts, with an in-process job table)", () => {
  const jobs = new Map<number, AbortController>();
  const api = createPathsApi({
    withJob: (id, work) => {
      const controller = new AbortController();
      jobs.set(id, controller);
      return work(controller.signal).finally(() => jobs.delete(id));
    },
    controls: new Map(),
    backendName: async () => "wasm",
    evaluatorFor: (backend) => defaultEvaluatorFor(backend),
  });
  const model = () => pathsProblem(resolveConfig(small));

  it("trains model k as runPaths does, streaming every epoch", async () => {
    const epochs: number[] = [];
    const r = await api.trainEndpoints(1, small, 1, undefined, (entry) => epochs.push(entry.epoch));
    expect(epochs).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(r.parameters).toEqual(section().models?.[1].parameters);
    expect(r.seed).toBe((snapshot.config.paths as { seeds: number[] }).seeds[1]);
  });

  it("trains a curve, scores paths, aligns and gives points along a path, as runPaths does", async () => {
    // Curve training and path scores are core functions (the worker API has only what the app calls).
    const s = section();
    const [p1, p2] = [s.models?.[0].parameters, s.models?.[1].parameters] as [Float32Array, Float32Array];
    const seed = (snapshot.config.paths as { curve: { seed: number } }).curve.seed;
    const settings = parsePathsSettings({ curve: { epochs: 5, seed } }, 0, "paths").curve;
    const progress: number[] = [];
    const curve = (
      await trainCurve({
        model: model(),
        endpoints: [p1, p2],
        kind: settings.kind,
        bends: settings.bends,
        settings: { ...settings },
        onProgress: (p) => progress.push(p.epoch),
      })
    ).curve;
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    expect(curve.points).toEqual(s.paths[2].points);
    const evaluator = defaultEvaluatorFor("wasm");
    const scored = evaluateCurve(model(), curve, { count: 61, evaluator });
    expect(scored.values.train_loss).toEqual(s.paths[2].values.train_loss);
    expect(scored.barriers.train_loss.linearExcess).toBe(s.paths[2].barriers.train_loss.linearExcess);
    expect(curvePlane(curve, { count: 61 }).points).toEqual(s.plane?.points);
    const aligned = weightMatching(requireMlp(model().arch, "weight matching"), p1, p2, { seed: 0 }).apply(
      p2,
    );
    expect(aligned).toEqual(s.paths[3].points[1]);
    const line = evaluateLinearPath(model(), p1, aligned, {
      min: -0.5,
      max: 1.5,
      count: 61,
      evaluator,
    });
    expect(line.t).toHaveLength(61);
    expect(line.barriers.train_loss.linearExcess).toBe(s.paths[3].barriers.train_loss.linearExcess);
    expect(pathPointAt({ kind: "bezier", points: curve.points }, 1)).toEqual(p2);
  });

  it("cancels curve training and leaves no tensor behind", async () => {
    const s = section();
    const before = tf.memory().numTensors;
    const ends = [s.models?.[0].parameters, s.models?.[1].parameters] as [Float32Array, Float32Array];
    const controller = new AbortController();
    await expect(
      trainCurve({
        model: model(),
        endpoints: ends,
        kind: "bezier",
        settings: { epochs: 10_000 },
        signal: controller.signal,
        onProgress: () => controller.abort(new Error("cancelled")),
      }),
    ).rejects.toThrow(/cancelled/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
