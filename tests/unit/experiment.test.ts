import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { runExperiment } from "../../src/core/experiment/run";
import { requireMlp } from "../../src/core/model/architecture";
import { parseSnapshot, serializeSnapshot } from "../../src/core/snapshot/io";
import { summarizeSnapshot } from "../../src/core/snapshot/summary";
import { checkSnapshot } from "../../src/core/snapshot/validate";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";
import { referenceLoss } from "./helpers/reference-mlp";

withWasmBackend();

const now = () => new Date("2026-11-27T10:00:00Z");
const small = {
  seed: 3,
  data: { name: "moons", trainCount: 80, testCount: 40 },
  model: { hiddenSizes: [10, 10] },
  training: { epochs: 6, batchSize: 20 },
  grid: { x: { count: 7 }, y: { count: 5, min: -0.5, max: 0.5 } },
};

describe("runExperiment", () => {
  it("gives the same snapshot twice for the same config and seed", async () => {
    const a = await runExperiment(resolveConfig(small), { backend: "wasm", now });
    const b = await runExperiment(resolveConfig(small), { backend: "wasm", now });
    const bytes = (s: typeof a.snapshot) => serializeSnapshot(s, { arrays: "base64" });
    expect(Buffer.from(bytes(a.snapshot)).equals(Buffer.from(bytes(b.snapshot)))).toBe(true);
    const c = await runExperiment(resolveConfig({ ...small, seed: 4 }), { backend: "wasm", now });
    expect(Array.from(c.snapshot.model.parameters)).not.toEqual(Array.from(a.snapshot.model.parameters));
  });

  it("writes a snapshot with every required field that validates and reads back with the same numbers", async () => {
    const { snapshot } = await runExperiment(resolveConfig(small), { backend: "wasm", now });
    for (const key of [
      "format",
      "version",
      "createdAt",
      "producer",
      "config",
      "model",
      "data",
      "directions",
      "grid",
      "surfaces",
    ]) {
      expect(snapshot).toHaveProperty(key);
    }
    expect(Object.keys(snapshot.surfaces).sort()).toEqual([
      "test_accuracy",
      "test_loss",
      "train_accuracy",
      "train_loss",
    ]);
    expect(snapshot.surfaces.train_loss).toHaveLength(35);
    expect(snapshot.directions.map((d) => d.label)).toEqual(["x", "y"]);
    expect(checkSnapshot(JSON.parse(new TextDecoder().decode(serializeSnapshot(snapshot)))).ok).toBe(true);
    for (const arrays of ["base64", "plain"] as const) {
      const back = parseSnapshot(serializeSnapshot(snapshot, { arrays, gzip: arrays === "plain" }));
      expect(Array.from(back.surfaces.train_loss)).toEqual(Array.from(snapshot.surfaces.train_loss));
      expect(Array.from(back.model.parameters)).toEqual(Array.from(snapshot.model.parameters));
      expect(Array.from(back.directions[1].values)).toEqual(Array.from(snapshot.directions[1].values));
    }
  });

  it("records numbers anyone can recompute from the snapshot alone: the centre is the loss of theta", async () => {
    const { snapshot } = await runExperiment(
      resolveConfig({ ...small, grid: { x: { count: 5 }, y: { count: 5 } } }),
      {
        backend: "wasm",
        now,
      },
    );
    const { architecture, loss, parameters } = snapshot.model;
    const ref = referenceLoss(
      requireMlp(architecture, "the reference loss"),
      loss,
      parameters,
      snapshot.data.train.x,
      snapshot.data.train.y,
      snapshot.data.train.count,
    );
    expect(snapshot.surfaces.train_loss[12]).toBeCloseTo(ref.loss, 5);
    expect(snapshot.surfaces.train_accuracy[12]).toBeCloseTo(ref.accuracy, 6);
  });

  it("leaves no tensor behind after training, direction making and sampling", async () => {
    const before = tf.memory().numTensors;
    await runExperiment(resolveConfig(small), { backend: "wasm", now });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("reports progress for training and for the landscape, ending at done = total", async () => {
    const seen: Record<string, { done: number; total: number }> = {};
    await runExperiment(resolveConfig(small), {
      backend: "wasm",
      now,
      onProgress: (p) => (seen[p.phase] = p),
    });
    expect(seen.train).toMatchObject({ done: 6, total: 6 });
    expect(seen.landscape).toMatchObject({ done: 35, total: 35 });
  });

  it("takes model, parameters and data from a snapshot with from, and skips training", async () => {
    const first = await runExperiment(resolveConfig(small), { backend: "wasm", now });
    const second = await runExperiment(resolveConfig({ ...small, grid: { x: { count: 3 }, y: null } }), {
      backend: "wasm",
      now,
      from: first.snapshot,
    });
    expect(second.training).toBeUndefined();
    expect(second.snapshot.training).toBeUndefined();
    expect(Array.from(second.snapshot.model.parameters)).toEqual(Array.from(first.snapshot.model.parameters));
    expect(Array.from(second.snapshot.data.train.x)).toEqual(Array.from(first.snapshot.data.train.x));
    expect(second.snapshot.grid.axes).toHaveLength(1);
    expect(second.snapshot.surfaces.train_loss).toHaveLength(3);
    expect(second.snapshot.config).toMatchObject({ source: { kind: "snapshot" } });
    // The centre of the 1-D line is theta: the same loss as the centre of the first plane.
    expect(second.snapshot.surfaces.train_loss[1]).toBeCloseTo(first.snapshot.surfaces.train_loss[17], 5);
  });

  it("keeps non-finite grid values as data and reports them in the summary", async () => {
    const { snapshot } = await runExperiment(
      resolveConfig({ ...small, grid: { x: { min: -1e30, max: 1e30, count: 3 }, y: { count: 3 } } }),
      { backend: "wasm", now },
    );
    const nonFinite = Array.from(snapshot.surfaces.train_loss).filter((v) => !Number.isFinite(v)).length;
    expect(nonFinite).toBeGreaterThan(0);
    expect(summarizeSnapshot(snapshot)).toMatch(new RegExp(`train_loss .*${nonFinite} non-finite`));
    const back = parseSnapshot(serializeSnapshot(snapshot, { arrays: "plain" }));
    expect(Array.from(back.surfaces.train_loss).filter((v) => !Number.isFinite(v)).length).toBe(nonFinite);
  });

  it("still makes a landscape after training diverges, and records the divergence", async () => {
    const result = await runExperiment(
      resolveConfig({
        data: { name: "sine", trainCount: 64, testCount: 16 },
        model: { hiddenSizes: [16] },
        training: { optimizer: "sgd", learningRate: 1e4, batchSize: "full", epochs: 30 },
        grid: { x: { count: 3 }, y: { count: 3 } },
      }),
      { backend: "wasm", now },
    );
    expect(result.warnings.join()).toMatch(/training diverged at epoch/);
    expect(result.snapshot.training).toMatchObject({ status: "diverged" });
    expect(result.snapshot.model.parameters.every(Number.isFinite)).toBe(true);
    expect(result.snapshot.surfaces.train_accuracy).toBeUndefined(); // regression: no accuracy
  });

  it("samples the PCA plane of the training trajectory with the path inside the grid", async () => {
    const { snapshot } = await runExperiment(
      resolveConfig({
        ...small,
        training: { epochs: 12, batchSize: 20, checkpointEvery: 2 },
        directions: { method: "pca" },
      }),
      { backend: "wasm", now },
    );
    const t = snapshot.trajectory as {
      x: number[];
      y: number[];
      epochs: number[];
      explained: number[];
      loss: number[];
    };
    expect(t.epochs).toEqual([0, 2, 4, 6, 8, 10, 12]);
    expect(t.explained[0]).toBeGreaterThan(t.explained[1]);
    expect(snapshot.directions.map((d) => d.method)).toEqual(["pca", "pca"]);
    const [ax, ay] = snapshot.grid.axes;
    for (let i = 0; i < t.x.length; i++) {
      expect(t.x[i]).toBeGreaterThan(ax.min);
      expect(t.x[i]).toBeLessThan(ax.max);
      expect(t.y[i]).toBeGreaterThan(ay.min);
      expect(t.y[i]).toBeLessThan(ay.max);
    }
    // The final checkpoint is theta itself: its coordinates are (0, 0) and its loss is the trained loss.
    expect(t.x.at(-1)).toBeCloseTo(0, 6);
    expect(t.loss.at(-1)).toBeCloseTo(
      (snapshot.training as { history: { trainLoss: number[] } }).history.trainLoss.at(-1) ?? 0,
      6,
    );
  });

  it("refuses PCA directions without a training run", async () => {
    const first = await runExperiment(resolveConfig(small), { backend: "wasm", now });
    await expect(
      runExperiment(
        resolveConfig({
          ...small,
          training: { epochs: 6, checkpointEvery: 2 },
          directions: { method: "pca" },
        }),
        { backend: "wasm", now, from: first.snapshot },
      ),
    ).rejects.toThrow(/pca needs a training run/);
  });

  it("can be cancelled and leaves no tensor behind", async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const run = runExperiment(resolveConfig(small), {
      backend: "wasm",
      now,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === "landscape" && p.done > 0) controller.abort(new Error("cancelled by the test"));
      },
    });
    await expect(run).rejects.toThrow(/cancelled by the test/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
