import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { WorkerCall } from "../../src/compute/pool";
import { resolveConfig } from "../../src/core/config/resolve";
import type { ExperimentConfig } from "../../src/core/config/schema";
import {
  connectTrainedEndpoints,
  type EndpointTraining,
  type PathsRunResult,
  pathsProblem,
  pathsSettingsOf,
  runPaths,
  trainEndpoint,
} from "../../src/core/experiment/paths-run";
import { defaultEvaluatorFor } from "../../src/core/landscape/evaluators";
import { snapshotToJsonText } from "../../src/core/snapshot/io";
import { tf } from "../../src/core/tf";
import { createPathsApi, type EndpointResult } from "../../workers/paths-api";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

/**
 * The browser trains the models of a paths run in parallel workers and connects them in another
 * (connectTrainedEndpoints, the worker's runPathsFrom); the CLI trains them one after the other
 * (runPaths). Both must give the same snapshot to the last bit. A tiny setting (moons 64 + 32
 * samples, MLP 2-8-2 tanh, 3 models of 10 epochs, a 5-epoch curve, a 5 x 5 plane) keeps each run
 * well under a second.
 */
const small = {
  seed: 3,
  data: { name: "moons", trainCount: 64, testCount: 32 },
  model: { hiddenSizes: [8], activation: "tanh" },
  training: { epochs: 10 },
  grid: { x: { count: 5 }, y: { count: 5 } },
  paths: { models: 3, curve: { epochs: 5 } },
};
const now = () => new Date("2026-11-27T10:00:00Z");

let config: ExperimentConfig;
let sequential: PathsRunResult;

beforeAll(async () => {
  config = resolveConfig(small);
  sequential = await runPaths(config, { backend: "wasm", now });
}, 60_000);

/** Train model k of the config on its own, as one worker of the pool does. */
const trainModel = (k: number): Promise<EndpointTraining> =>
  trainEndpoint(config, pathsProblem(config), pathsSettingsOf(config).seeds[k]);

describe("connectTrainedEndpoints", () => {
  it("gives runPaths's snapshot exactly from models trained separately, in another order", async () => {
    const [m3, m2, m1] = [await trainModel(2), await trainModel(1), await trainModel(0)];
    const before = tf.memory().numTensors;
    const r = await connectTrainedEndpoints(config, [m1, m2, m3], { backend: "wasm", now });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.snapshot.paths).toEqual(sequential.snapshot.paths);
    expect(r.snapshot.surfaces).toEqual(sequential.snapshot.surfaces);
    expect(r.snapshot.training).toEqual(sequential.snapshot.training);
    // ... and that training record is model 1's (the snapshot's model is theta1).
    expect(r.snapshot.training).toMatchObject({
      steps: m1.training.steps,
      history: { trainLoss: m1.training.history.map((h) => h.trainLoss) },
    });
    expect(snapshotToJsonText(r.snapshot)).toBe(snapshotToJsonText(sequential.snapshot));
    expect(r.warnings).toEqual(sequential.warnings);
  }, 30_000);

  it("refuses models in another order than paths.seeds, or another number of them", async () => {
    const [m1, m2] = [await trainModel(0), await trainModel(1)];
    await expect(connectTrainedEndpoints(config, [m2, m1, m1], { backend: "wasm", now })).rejects.toThrow(
      /model 1 was trained with seed \d+ but paths\.seeds\[0\] is \d+/,
    );
    await expect(connectTrainedEndpoints(config, [m1, m2], { backend: "wasm", now })).rejects.toThrow(
      /paths\.models is 3 but 2 trained models were given/,
    );
  }, 30_000);
});

describe("the worker's runPathsFrom (workers/paths-api.ts, with an in-process job table)", () => {
  const api = createPathsApi({
    withJob: (_id, work) => work(new AbortController().signal),
    controls: new Map(),
    backendName: async () => "wasm",
    evaluatorFor: (backend) => defaultEvaluatorFor(backend),
  });

  it("connects trainEndpoints results that crossed a thread boundary into runPaths's numbers", async () => {
    // Each model trained in its own job (as in its own worker), then copied as postMessage would.
    const trained: EndpointResult[] = [];
    for (const k of [1, 2, 0]) trained[k] = structuredClone(await api.trainEndpoints(10 + k, small, k));
    const r = await api.runPathsFrom(20, small, trained);
    expect(r.snapshot.paths).toEqual(sequential.snapshot.paths);
    expect(r.snapshot.surfaces).toEqual(sequential.snapshot.surfaces);
    // Model 1's whole training record (history columns, status, steps) is the snapshot's.
    expect(r.snapshot.training).toEqual(sequential.snapshot.training);
    expect(r.snapshot.model.parameters).toEqual(sequential.snapshot.model.parameters);
    await expect(api.runPathsFrom(21, small, [trained[1], trained[0], trained[2]])).rejects.toThrow(
      /endpoint 0 is model k = 1: pass the models in order of k/,
    );
  }, 30_000);

  it("carries a diverged model's divergence record across, for the snapshot's training section", async () => {
    // The setting of training.test.ts's divergence test: ReLU regression, SGD at learning rate 1e4.
    const wild = {
      ...small,
      data: { name: "sine", trainCount: 64, testCount: 0 },
      model: { hiddenSizes: [16], activation: "relu" },
      training: { epochs: 50, optimizer: "sgd", learningRate: 1e4, batchSize: "full" },
    };
    const r = await api.trainEndpoints(30, wild, 0);
    expect(r.status).toBe("diverged");
    expect(r.message).toMatch(/diverged at epoch \d+/);
    expect(r.diverged?.epoch).toBeLessThan(50);
  });
});

/**
 * Fake compute workers for pool.runParallel (no Worker in Node): `work(jobId, ms, value)` answers
 * `value@w<n>` after ms milliseconds or rejects at once on cancel(jobId); `failing` makes the next
 * workers' init reject. The pool is made to see 2 cores: a pool of 1 worker, as on this machine.
 */
const fake = { log: [] as string[], started: 0, alive: 0, failing: false };
function fakeWorker() {
  const n = ++fake.started;
  fake.alive++;
  let dead = false;
  let fail: (err: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = (err) => {
      if (dead) return;
      dead = true;
      fake.alive--;
      reject(err);
    };
  });
  failed.catch(() => {});
  const cancels = new Map<number, () => void>();
  const api = {
    init: async () => {
      if (fake.failing) throw new Error("no wasm here");
      return { backend: "wasm" };
    },
    selectEvaluator: async (name: string) => name,
    cancel: async (jobId: number) => {
      fake.log.push(`cancel job ${jobId} on w${n}`);
      cancels.get(jobId)?.();
    },
    work: (jobId: number, ms: number, value: string) =>
      new Promise<string>((resolve, reject) => {
        fake.log.push(`${value} on w${n}`);
        const timer = setTimeout(() => resolve(`${value}@w${n}`), ms);
        cancels.set(jobId, () => {
          clearTimeout(timer);
          reject(new Error("cancelled"));
        });
      }),
  };
  return {
    api,
    failed,
    get dead() {
      return dead;
    },
    terminate() {
      fake.log.push(`terminate w${n}`);
      fail(new Error("compute worker was stopped"));
    },
  };
}
vi.mock("../../src/compute/bridge", () => ({
  startComputeWorker: () => fakeWorker(),
  withWorkerGuard: (w: { failed: Promise<never> }, p: Promise<unknown>) => Promise.race([p, w.failed]),
}));

describe("pool.runParallel (fake workers)", () => {
  beforeAll(() => {
    vi.stubGlobal("navigator", { hardwareConcurrency: 2 });
  });
  afterAll(() => {
    vi.unstubAllGlobals();
  });
  type FakeApi = ReturnType<typeof fakeWorker>["api"];
  const work =
    (ms: number, value: string): WorkerCall<string> =>
    (api, jobId) =>
      (api as unknown as FakeApi).work(jobId, ms, value);
  const newPool = async () => {
    const { ComputePool } = await import("../../src/compute/pool");
    const pool = new ComputePool();
    await pool.init();
    fake.log.length = 0;
    return pool;
  };

  it("runs the calls on the pool's worker and a temporary one, in order, and stops the temporary one", async () => {
    const pool = await newPool();
    const aliveBefore = fake.alive;
    const results = await pool.runParallel(undefined, [work(30, "a"), work(10, "b"), work(10, "c")]);
    // b ends first, so its worker (the temporary w2 of this pool) takes c.
    expect(results.map((r) => r.split("@")[0])).toEqual(["a", "b", "c"]);
    expect(results[1].split("@")[1]).toBe(results[2].split("@")[1]);
    expect(pool.lastParallelWorkers).toBe(2);
    expect(fake.log.at(-1)).toMatch(/^terminate w\d+$/);
    expect(fake.alive).toBe(aliveBefore);
  });

  it("cancels every running call in its worker on abort, and rejects with the abort's reason", async () => {
    const pool = await newPool();
    const aliveBefore = fake.alive;
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("cancelled by the test")), 20);
    await expect(pool.runParallel(controller.signal, [work(10_000, "a"), work(10_000, "b")])).rejects.toThrow(
      /cancelled by the test/,
    );
    expect(fake.log.filter((l) => l.startsWith("cancel"))).toHaveLength(2);
    expect(fake.alive).toBe(aliveBefore);
  });

  it("rejects with a worker's failure and cancels the other calls", async () => {
    const pool = await newPool();
    const broken: WorkerCall<string> = async () => {
      throw new Error("model 2 failed");
    };
    await expect(pool.runParallel(undefined, [work(10_000, "a"), broken])).rejects.toThrow(/model 2 failed/);
    expect(fake.log.filter((l) => l.startsWith("cancel"))).toHaveLength(1);
  });

  it("says which temporary worker did not start, and stops it", async () => {
    const pool = await newPool();
    const aliveBefore = fake.alive;
    fake.failing = true;
    try {
      await expect(pool.runParallel(undefined, [work(10, "a"), work(10, "b")])).rejects.toThrow(
        /temporary compute worker 1 of 1 did not start: no wasm here/,
      );
    } finally {
      fake.failing = false;
    }
    expect(fake.log).toEqual([expect.stringMatching(/^terminate w\d+$/)]);
    expect(fake.alive).toBe(aliveBefore);
  });
});
