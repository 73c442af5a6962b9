import { beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import {
  DEFAULT_REPLAY_CHECKPOINTS,
  projectOntoPlane,
  REPLAY_STORED_FLOATS,
  replayPlan,
  splitCheckpoints,
} from "../../src/core/experiment/replay";
import { runExperiment } from "../../src/core/experiment/run";
import { createRng } from "../../src/core/rng";
import { parseSnapshot, serializeSnapshot } from "../../src/core/snapshot/io";
import type { Snapshot } from "../../src/core/snapshot/schema";
import { reviewSnapshot } from "../../src/core/snapshot/semantics";
import {
  type TrajectorySection,
  trajectoryProblems,
  trajectoryRunsOf,
  trajectorySectionSchema,
} from "../../src/core/snapshot/trajectory-section";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

const now = () => new Date("2026-11-27T10:00:00Z");
const tiny = {
  seed: 5,
  data: { name: "moons", trainCount: 48, testCount: 16 },
  model: { hiddenSizes: [6] },
  training: { epochs: 8, batchSize: 16 },
  grid: { x: { count: 5 }, y: { count: 5 } },
};

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

describe("the replay rule", () => {
  it("keeps every epoch of a short run and thins a long one to at most the asked number", () => {
    expect(replayPlan({ epochs: 150, checkpointEvery: 10, parameters: 354, runs: 4 })).toEqual({
      maxCheckpoints: DEFAULT_REPLAY_CHECKPOINTS,
      every: 1,
      trainEvery: 1,
    });
    for (const [epochs, every, wanted] of [
      [400, 10, 200],
      [1000, 7, 200],
      [5000, 0, 50],
      [300, 1, 100],
      [12, 5, 4],
    ]) {
      const plan = replayPlan({
        epochs,
        checkpointEvery: every,
        parameters: 100,
        runs: 1,
        checkpoints: wanted,
      });
      const kept = 1 + Math.floor(epochs / plan.every) + (epochs % plan.every === 0 ? 0 : 1);
      expect(kept, `${epochs} epochs, ${wanted} asked`).toBeLessThanOrEqual(wanted);
      // One set of training checkpoints serves both: the intervals divide one another.
      if (every > 0) expect(plan.every % every === 0 || every % plan.every === 0).toBe(true);
      expect(plan.trainEvery).toBe(every > 0 ? Math.min(plan.every, every) : plan.every);
    }
  });

  it("holds fewer checkpoints of a model too large for them all", () => {
    const plan = replayPlan({ epochs: 1000, checkpointEvery: 0, parameters: 1_000_000, runs: 2 });
    expect(plan.maxCheckpoints).toBe(4); // 2^23 floats / (2 runs x 1e6 parameters)
    expect(replayPlan({ epochs: 10, checkpointEvery: 0, parameters: 1e8, runs: 1 }).maxCheckpoints).toBe(2);
    expect(() =>
      replayPlan({ epochs: 10, checkpointEvery: 0, parameters: 10, runs: 1, checkpoints: 1 }),
    ).toThrow(/trajectory\.checkpoints must be an integer >= 2, got 1/);
  });

  it("gives back the config's own checkpoints and the replay's from one training", () => {
    const checkpoints = [0, 2, 4, 6, 7].map((epoch) => ({
      epoch,
      step: epoch * 3,
      parameters: new Float32Array(1),
    }));
    const plan = { maxCheckpoints: 4, every: 4, trainEvery: 2 };
    const { kept, replay } = splitCheckpoints({ checkpoints, status: "completed", epochs: 7 }, 6, plan);
    expect(kept.map((c) => c.epoch)).toEqual([0, 6, 7]);
    expect(replay.map((c) => c.epoch)).toEqual([0, 4, 7]);
  });
});

describe("projection on a plane", () => {
  const rng = createRng(3);
  const n = 40;
  const origin = Float32Array.from({ length: n }, () => rng.normal());
  const d1 = Float32Array.from({ length: n }, () => rng.normal());
  // Not orthogonal to d1 and of another length: the least-squares coordinates differ from dot products.
  const d2 = Float32Array.from(d1, (v) => 0.6 * v + 0.5 * rng.normal());

  it("recovers the coordinates of points in the plane exactly, with distance 0", () => {
    const ab = [
      [1.5, -2],
      [0, 0],
      [-0.25, 3],
    ];
    const points = ab.map(([a, b]) => Float32Array.from(origin, (o, j) => o + a * d1[j] + b * d2[j]));
    const { coords, offPlane } = projectOntoPlane(points, origin, [d1, d2]);
    ab.forEach(([a, b], i) => {
      expect(coords[0][i]).toBeCloseTo(a, 4);
      expect(coords[1][i]).toBeCloseTo(b, 4);
      expect(offPlane[i]).toBeLessThan(1e-4);
    });
  });

  it("leaves a residual orthogonal to both directions, whose length is the distance", () => {
    const p = Float32Array.from({ length: n }, () => rng.normal());
    const { coords, offPlane } = projectOntoPlane([p], origin, [d1, d2]);
    const r = Float64Array.from(p, (v, j) => v - origin[j] - coords[0][0] * d1[j] - coords[1][0] * d2[j]);
    expect(Math.abs(dot(r, d1)) / Math.sqrt(dot(d1, d1))).toBeLessThan(1e-4);
    expect(Math.abs(dot(r, d2)) / Math.sqrt(dot(d2, d2))).toBeLessThan(1e-4);
    expect(offPlane[0]).toBeCloseTo(Math.sqrt(dot(r, r)), 4);
  });

  it("projects on a line and survives a zero direction", () => {
    const p = Float32Array.from(origin, (o, j) => o + 2 * d1[j]);
    expect(projectOntoPlane([p], origin, [d1]).coords[0][0]).toBeCloseTo(2, 5);
    const zero = new Float32Array(n);
    const r = projectOntoPlane([p], origin, [d1, zero]);
    expect([r.coords[0][0], r.coords[1][0]]).toEqual([expect.closeTo(2, 5), 0]);
    expect(() => projectOntoPlane([p], origin, [])).toThrow(/1 or 2 directions/);
  });
});

describe("the trajectory section of a trained model", () => {
  let snapshot: Snapshot;
  let pca: Snapshot;

  beforeAll(async () => {
    ({ snapshot } = await runExperiment(resolveConfig(tiny), { backend: "wasm", now }));
    ({ snapshot: pca } = await runExperiment(
      resolveConfig({
        ...tiny,
        training: { ...tiny.training, checkpointEvery: 2 },
        directions: { method: "pca" },
      }),
      { backend: "wasm", now },
    ));
  }, 60_000);

  it("replays every epoch of a random plane's run: coordinates, distance, loss, accuracy, parameters", () => {
    const t = snapshot.trajectory as TrajectorySection;
    expect(t.method).toBe("projection");
    expect(t.explained).toBeUndefined();
    expect(t.replay).toEqual({
      maxCheckpoints: DEFAULT_REPLAY_CHECKPOINTS,
      every: 1,
      parametersStored: true,
      storedFloatsBound: REPLAY_STORED_FLOATS,
    });
    const [run] = t.runs ?? [];
    expect(run.label).toBe("training");
    expect(run.epochs).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(run.steps).toEqual(run.epochs.map((e) => 3 * e)); // 48 samples in batches of 16
    const history = snapshot.training as { history: { trainLoss: number[]; trainAccuracy: number[] } };
    expect(run.loss).toEqual(history.history.trainLoss);
    expect(run.accuracy).toEqual(history.history.trainAccuracy);
    // The last checkpoint is theta: at the origin, on the plane.
    expect(run.x.at(-1)).toBe(0);
    expect(run.y?.at(-1)).toBe(0);
    expect(run.offPlane.at(-1)).toBe(0);
    expect(Array.from(run.parameters?.at(-1) ?? [])).toEqual(Array.from(snapshot.model.parameters));
    // Every coordinate is the least-squares projection of the stored parameters.
    const [dx, dy] = snapshot.directions.map((d) => d.values);
    const again = projectOntoPlane(run.parameters ?? [], snapshot.model.parameters, [dx, dy]);
    run.x.forEach((x, i) => {
      expect(x).toBeCloseTo(again.coords[0][i], 10);
      expect(run.y?.[i]).toBeCloseTo(again.coords[1][i], 10);
      expect(run.offPlane[i]).toBeCloseTo(again.offPlane[i], 10);
    });
    expect(trajectoryProblems(t, snapshot.model.parameters.length, 2)).toEqual([]);
  });

  it("survives a write and a read, base64 and plain, and validates", () => {
    for (const arrays of ["base64", "plain"] as const) {
      for (const s of [snapshot, pca]) {
        const back = parseSnapshot(serializeSnapshot(s, { arrays }));
        expect(back.trajectory).toStrictEqual(s.trajectory);
        expect(reviewSnapshot(back).problems).toEqual([]);
      }
    }
  });

  it("keeps the PCA columns of earlier versions beside the replay, on the same coordinates", () => {
    const t = pca.trajectory as TrajectorySection;
    expect(t.method).toBe("pca");
    expect(t.explained?.[0]).toBeGreaterThan(t.explained?.[1] ?? 1);
    expect(t.epochs).toEqual([0, 2, 4, 6, 8]);
    const run = (t.runs ?? [])[0];
    expect(run.epochs).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    t.epochs?.forEach((epoch, i) => {
      const k = run.epochs.indexOf(epoch);
      expect(run.x[k]).toBeCloseTo(t.x?.[i] ?? Number.NaN, 5);
      expect(run.y?.[k]).toBeCloseTo(t.y?.[i] ?? Number.NaN, 5);
    });
  });

  it("is written for a 1-D landscape with x only, and not when nothing was trained", async () => {
    const line = await runExperiment(resolveConfig({ ...tiny, grid: { x: { count: 5 }, y: null } }), {
      backend: "wasm",
      now,
    });
    const run = line.snapshot.trajectory?.runs?.[0];
    expect(run?.y).toBeUndefined();
    expect(run?.x).toHaveLength(9);
    const from = await runExperiment(resolveConfig(tiny), { backend: "wasm", now, from: snapshot });
    expect(from.snapshot.trajectory).toBeUndefined();
  });

  it("leaves the parameters out beyond the stored-float bound, or when the config says so", async () => {
    const off = await runExperiment(resolveConfig({ ...tiny, trajectory: { parameters: false } }), {
      backend: "wasm",
      now,
    });
    expect(off.snapshot.trajectory?.runs?.[0].parameters).toBeUndefined();
    expect(off.snapshot.trajectory?.replay?.parametersStored).toBe(false);
    // 2-256-256-2 has 66,818 parameters: 9 checkpoints are more than 524,288 floats.
    const big = await runExperiment(
      resolveConfig({
        ...tiny,
        model: { hiddenSizes: [256, 256] },
        grid: { x: { count: 2 }, y: { count: 2 } },
      }),
      { backend: "wasm", now },
    );
    expect(big.snapshot.trajectory?.runs?.[0].parameters).toBeUndefined();
    expect(big.snapshot.trajectory?.runs?.[0].offPlane).toHaveLength(9);
    // trajectory.checkpoints thins the replay: every ceil(8 / 2) = 4 epochs, rounded up to 5, a
    // divisor of training.checkpointEvery (10), so one set of training checkpoints serves both.
    const thin = await runExperiment(resolveConfig({ ...tiny, trajectory: { checkpoints: 4 } }), {
      backend: "wasm",
      now,
    });
    expect(thin.snapshot.trajectory?.runs?.[0].epochs).toEqual([0, 5, 8]);
  });
});

describe("the trajectory section schema", () => {
  const run = {
    label: "training",
    epochs: [0, 1, 2],
    steps: [0, 4, 8],
    x: [1, 0.5, 0],
    y: [2, null, 0],
    offPlane: [0.3, 0.1, 0],
    loss: [0.7, 0.4, 0.2],
  };

  it("reads an earlier version's PCA-only section and draws it as one run", () => {
    const legacy = {
      method: "pca",
      explained: [0.9, 0.1],
      epochs: [0, 5],
      steps: [0, 40],
      x: [1, 0],
      y: [2, 0],
      loss: [0.7, 0.2],
    };
    const t = trajectorySectionSchema.parse(legacy);
    const runs = trajectoryRunsOf(t);
    expect(runs).toHaveLength(1);
    expect(Array.from(runs[0].x)).toEqual([1, 0]);
    expect(runs[0].steps).toEqual([0, 40]);
  });

  it("reads runs with a null (non-finite) value as NaN and keeps unknown fields", () => {
    const t = trajectorySectionSchema.parse({
      method: "projection",
      runs: [{ ...run, note: "kept" }],
      future: 1,
    });
    expect(Number.isNaN(trajectoryRunsOf(t)[0].y?.[1])).toBe(true);
    expect((t as Record<string, unknown>).future).toBe(1);
    expect((t.runs ?? [])[0] as Record<string, unknown>).toMatchObject({ note: "kept" });
  });

  it("rejects columns of another length, decreasing steps and an unknown method, naming the field", () => {
    const issues = (value: unknown) => {
      const r = trajectorySectionSchema.safeParse(value);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    expect(issues({ method: "projection", runs: [{ ...run, loss: [1] }] })).toEqual([
      "runs.0.loss: expected 3 entries (one per checkpoint, as epochs), got 1",
    ]);
    expect(issues({ method: "projection", runs: [{ ...run, steps: [0, 8, 4] }] })).toEqual([
      "runs.0.steps.2: steps must not decrease",
    ]);
    expect(issues({ method: "pca", epochs: [0, 1], x: [0] })).toEqual([
      "x: expected 2 entries (one per checkpoint, as epochs), got 1",
    ]);
    expect(issues({ method: "sideways" })[0]).toMatch(/^method: /);
  });

  it("finds parameter vectors of the wrong length and runs without y on a 2-D grid", () => {
    const t = trajectorySectionSchema.parse({
      method: "projection",
      runs: [
        {
          ...run,
          y: undefined,
          parameters: [
            [1, 2],
            [1, 2],
            [1, 2],
          ],
        },
      ],
      initial: [1, 2, 3],
    });
    expect(trajectoryProblems(t, 3, 2)).toEqual([
      "trajectory.runs[0].parameters: expected 3 values per checkpoint (model.parameters), got 2",
      "trajectory.runs[0].y: a 2-D landscape's runs need y coordinates",
    ]);
  });
});
