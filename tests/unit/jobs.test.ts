/**
 * The lab's jobs share one shape: a paths run reports through a JobSink as an experiment job
 * does (no store in sight), and a lesson's order of work is one function (core/lessons/sequence)
 * that the CLI's runLesson and the app's lesson job both follow.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import type { JobSink } from "../../src/compute/job-sink";
import { LessonJob } from "../../src/compute/lesson-job";
import { PathsJob } from "../../src/compute/paths-job";
import type { ComputePool } from "../../src/compute/pool";
import { evaluateChecks } from "../../src/core/lessons/checks";
import { parseAnyLesson } from "../../src/core/lessons/parse";
import { type LessonMetrics, parseLesson } from "../../src/core/lessons/schema";
import { lessonSequence } from "../../src/core/lessons/sequence";
import type { Snapshot } from "../../src/core/snapshot/schema";
import { configOrigin, runOrigin } from "../../src/state/origin";
import { createAppStore } from "../../src/state/store";

/** A sink that records every call, by name, with its arguments. */
function recordingSink(): { sink: JobSink; calls: [string, ...unknown[]][] } {
  const calls: [string, ...unknown[]][] = [];
  const sink = new Proxy({} as JobSink, {
    get:
      (_, key: string) =>
      (...args: unknown[]) => {
        calls.push([key, ...args]);
        return key === "keepView" ? () => {} : undefined;
      },
  });
  return { sink, calls };
}

/** The smallest snapshot a paths run hands back: a 2 x 2 plane with one path. */
const planeSnapshot = {
  grid: { axes: [{ count: 2 }, { count: 2 }] },
  paths: { paths: [{ kind: "linear" }] },
  producer: { evaluator: "wasm-kernel" },
  // A model kind with no data-plot picture (model-picture.ts answers null without a worker).
  model: { parameters: new Float32Array(3), architecture: { kind: "layers" } },
  training: { history: { epoch: [1, 2], step: [4, 8], trainLoss: [0.5, 0.25] } },
} as unknown as Snapshot;

/**
 * A stand-in pool: each model's training reports one epoch, the connecting call reports its
 * phases and answers `planeSnapshot` (or waits until the signal aborts, with `hang`).
 */
function fakePool(hang = false) {
  const api = {
    trainEndpoints: vi.fn(async (_job: number, _config: unknown, k: number, _f: unknown, onEpoch) => {
      onEpoch({ epoch: 1, step: 1, trainLoss: 1 + k });
      return { k };
    }),
    runPathsFrom: vi.fn(async (_job: number, _config: unknown, _endpoints: unknown, onProgress) => {
      for (const phase of ["paths", "curve", "align", "landscape"])
        onProgress({ phase, done: 1, total: 1, detail: phase });
      return { snapshot: planeSnapshot, warnings: ["a warning of the run"] };
    }),
  };
  const pool = {
    runParallel: (_signal: AbortSignal, calls: ((a: typeof api, id: number) => Promise<unknown>)[]) =>
      Promise.all(calls.map((call, id) => call(api, id))),
    onPrimary: (signal: AbortSignal, call: (a: typeof api, id: number) => Promise<unknown>) =>
      hang
        ? new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)))
        : call(api, 0),
  };
  return { pool: pool as unknown as ComputePool, api };
}

const config = { seed: 1, training: { epochs: 3 }, paths: { models: 2 } };
const origin = () => runOrigin(createAppStore().getState().settings);

describe("a paths run reports through a JobSink", () => {
  it("starts, reports every phase under its label, shows the plane and its history, and ends done", async () => {
    const { sink, calls } = recordingSink();
    const { pool } = fakePool();
    const job = new PathsJob(() => pool, sink);
    const snapshot = await job.run(config, { preset: "mode-connectivity", origin: origin() });
    expect(snapshot).toBe(planeSnapshot);
    const names = calls.map((c) => c[0]);
    expect(names[0]).toBe("start");
    expect(calls[0][1]).toMatchObject({ optimizer: expect.any(String), learningRate: expect.any(Number) });
    const labels = calls.filter((c) => c[0] === "progress").map((c) => (c[1] as { label?: string }).label);
    expect(new Set(labels)).toEqual(
      new Set(["training models", "scoring paths", "training the curve", "aligning", "sampling the plane"]),
    );
    // Training and sampling phases as an experiment job has them, then the plane, its history, done.
    // (models, paths, curve, align: training; the plane: sampling)
    expect(calls.filter((c) => c[0] === "phase").map((c) => c[1])).toEqual([
      "training",
      "training",
      "training",
      "training",
      "sampling",
      "done",
    ]);
    expect(calls.find((c) => c[0] === "warn")?.[1]).toBe("a warning of the run");
    const landscape = calls.find((c) => c[0] === "landscape")?.[1] as { snapshot: Snapshot; preset?: string };
    expect(landscape.snapshot).toBe(planeSnapshot);
    expect(landscape.preset).toBe("mode-connectivity");
    const history = calls.find((c) => c[0] === "history")?.[1] as { trainLoss: number[] };
    expect(Array.from(history.trainLoss)).toEqual([0.5, 0.25]);
    const last = calls.filter((c) => c[0] === "progress").at(-1)?.[1] as { detail: string };
    expect(last.detail).toMatch(/^1 paths and the 4-point plane in .* s \(wasm-kernel\)$/);
  });

  it("a cancelled run reports cancelled; a stopped one reports nothing more", async () => {
    const a = recordingSink();
    const cancelled = new PathsJob(() => fakePool(true).pool, a.sink);
    const run = cancelled.run(config, { origin: origin() });
    await vi.waitFor(() => expect(cancelled.running).toBe(true));
    await new Promise((r) => setTimeout(r, 10));
    cancelled.cancel();
    expect(await run).toBeNull();
    expect(a.calls.at(-1)).toEqual(["phase", "cancelled"]);

    const b = recordingSink();
    const stopped = new PathsJob(() => fakePool(true).pool, b.sink);
    const run2 = stopped.run(config, { origin: origin() });
    await new Promise((r) => setTimeout(r, 10));
    const before = b.calls.length;
    stopped.stop();
    expect(await run2).toBeNull();
    expect(b.calls.length).toBe(before);
  });

  it("bad input fails before any report", async () => {
    const { sink, calls } = recordingSink();
    const job = new PathsJob(() => fakePool().pool, sink);
    expect(await job.run({ training: { epochs: -1 } }, { origin: origin() })).toBeNull();
    expect(calls.map((c) => c[0])).toEqual(["phase"]);
    expect(calls[0][1]).toBe("error");
    expect(String(calls[0][2])).toMatch(/epochs/);
  });
});

describe("a lesson's order of work (core/lessons/sequence.ts)", () => {
  const lesson = parseLesson(JSON.parse(readFileSync("public/lessons/learning-rate.json", "utf8")));
  const metricsOf = (lambdaMax: number): LessonMetrics =>
    ({
      trainLoss: 0.1,
      testLoss: 0.2,
      trainAccuracy: 0.9,
      testAccuracy: 0.8,
      gap: 0.1,
      lambdaMax,
      trace: lambdaMax * 3,
      epsSharpness: null,
    }) as LessonMetrics;
  const snapshotOf = (i: number) => ({ surfaces: { train_loss: new Float32Array([i, 1, 2, 3]) } }) as never;

  it("runs every run, then measures each, then checks", async () => {
    const order: string[] = [];
    const metrics = [metricsOf(40), metricsOf(4)];
    const outcome = await lessonSequence(lesson, {
      run: async (i) => {
        order.push(`run ${i}`);
        return snapshotOf(i);
      },
      measuring: () => order.push("measuring"),
      measure: async (_, i) => {
        order.push(`measure ${i}`);
        return metrics[i];
      },
      measured: (m) => order.push(`measured ${m.length}`),
    });
    expect(order).toEqual([
      "run 0",
      "run 1",
      "measuring",
      "measure 0",
      "measured 1",
      "measure 1",
      "measured 2",
    ]);
    expect(outcome?.metrics).toEqual(metrics);
    const surfaces = [snapshotOf(0), snapshotOf(1)].map(
      (s: Snapshot) => s.surfaces.train_loss as Float32Array,
    );
    expect(outcome?.checks).toEqual(evaluateChecks(lesson, metrics, surfaces));
  });

  it("a run that does not finish ends the lesson before any measuring", async () => {
    const measure = vi.fn();
    const outcome = await lessonSequence(lesson, {
      run: async (i) => (i === 0 ? snapshotOf(0) : null),
      measure,
    });
    expect(outcome).toBeNull();
    expect(measure).not.toHaveBeenCalled();
  });
});

describe("a lesson's runs in the controls (compute/lesson-job.ts)", () => {
  /** A lesson job whose experiment runs end at once without a snapshot (nothing is computed). */
  function lessonJob() {
    const store = createAppStore();
    const experiment = { run: vi.fn(async () => null), cancel: vi.fn(), running: false };
    const job = new LessonJob(store, {
      experiment: () => experiment as never,
      paths: { stop: vi.fn(), cancel: vi.fn() } as never,
      pool: () => ({}) as never,
      origin: (lesson, config) =>
        configOrigin("lesson", lesson.title, config, store.getState().settings, {
          key: "lesson",
          value: lesson.id,
        }),
    });
    return { store, job };
  }
  const lessonFile = (id: string) =>
    parseAnyLesson(JSON.parse(readFileSync(`public/lessons/${id}.json`, "utf8")));

  it("a lesson the controls cannot hold (a CNN on the digits) says so once, not once per control", async () => {
    const { store, job } = lessonJob();
    await job.open(lessonFile("cnn-vs-mlp"));
    const messages = store.getState().messages.map((m) => `${m.level}: ${m.text}`);
    expect(messages).toEqual([
      expect.stringMatching(
        /^info: lesson "A convolution's inductive bias" runs as written: the controls cannot show all of it/,
      ),
    ]);
    expect(store.getState().lesson?.status).toBe("cancelled");
  });

  it("a lesson the controls hold gives them its settings without a notice", async () => {
    const { store, job } = lessonJob();
    await job.open(lessonFile("learning-rate"));
    expect(store.getState().messages).toEqual([]);
    const lesson = lessonFile("learning-rate") as unknown as {
      runs: { config: { training: { learningRate: number } } }[];
    };
    // The first run ends at once (nothing is computed), so the controls hold its settings.
    expect(store.getState().settings.lr).toBe(lesson.runs[0].config.training.learningRate);
  });
});
