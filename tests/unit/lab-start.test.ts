import { describe, expect, it, vi } from "vitest";
import { LabHandle } from "../../src/app/lab-handle";
import { Lab, LabStoppedError } from "../../src/compute/lab";
import type { ComputePool } from "../../src/compute/pool";
import { createAppStore } from "../../src/state/store";

/**
 * A stand-in for the worker pool (Node has no web workers): init answers when the test says so,
 * and terminate() rejects whatever is pending with the workers' own "compute worker was stopped",
 * as a real pool does.
 */
function fakePool() {
  let answer: (r: { backend: string; ms: number }) => void = () => {};
  let fail: (err: Error) => void = () => {};
  const stopped = new Promise<never>((_, reject) => {
    fail = reject;
  });
  stopped.catch(() => {});
  const initialized = new Promise<{ backend: string; ms: number }>((resolve) => {
    answer = resolve;
  });
  let check: () => void = () => {};
  const checked = new Promise<{ ok: boolean; error: string }>((resolve) => {
    check = () => resolve({ ok: true, error: "" });
  });
  const pool = {
    size: 1,
    init: vi.fn(() => Promise.race([initialized, stopped])),
    terminate: vi.fn(() => fail(new Error("compute worker was stopped"))),
    primary: {
      api: {
        selfCheck: vi.fn(() => Promise.race([checked, stopped])),
      },
    },
    selectEvaluator: vi.fn(() => Promise.race([Promise.resolve("wasm-kernel"), stopped])),
    selectTrainingPath: vi.fn(() => Promise.race([Promise.resolve("wasm-kernel"), stopped])),
    train: vi.fn(() => Promise.reject(new Error("no training in this test"))),
    heal: vi.fn(() => Promise.resolve(0)),
  };
  return {
    pool: pool as unknown as ComputePool,
    fake: pool,
    /** The workers answer init and the self-check. */
    answer: () => {
      answer({ backend: "wasm", ms: 1 });
      check();
    },
    /** The workers answer init; the self-check stays pending. */
    answerInit: () => answer({ backend: "wasm", ms: 1 }),
    failInit: (message: string) => fail(new Error(message)),
  };
}

function labWith(p: ReturnType<typeof fakePool>) {
  const store = createAppStore();
  const lab = new Lab(store, () => p.pool);
  const errors = () => store.getState().messages.filter((m) => m.level !== "info");
  return { store, lab, errors };
}

describe("Lab.start and terminate", () => {
  it("a start cancelled by terminate() rejects with LabStoppedError and posts no message", async () => {
    const p = fakePool();
    const { lab, errors } = labWith(p);
    const start = lab.start();
    lab.terminate();
    await expect(start).rejects.toBeInstanceOf(LabStoppedError);
    expect(errors()).toEqual([]);
  });

  it("a terminate() after the workers answered still ends the start quietly, before the evaluator", async () => {
    const p = fakePool();
    const { lab, store, errors } = labWith(p);
    p.answerInit();
    const start = lab.start();
    await vi.waitFor(() => expect(p.fake.primary.api.selfCheck).toHaveBeenCalled());
    lab.terminate();
    await expect(start).rejects.toBeInstanceOf(LabStoppedError);
    expect(errors()).toEqual([]);
    expect(store.getState().job.backend).toBeNull();
  });

  it("a start that fails on its own posts the error and rejects with the reason", async () => {
    const p = fakePool();
    const { lab, errors } = labWith(p);
    const start = lab.start();
    p.failInit("backend init did not answer within 60 s");
    await expect(start).rejects.toThrow(/^backend init did not answer within 60 s$/);
    expect(errors().map((m) => [m.level, m.text])).toEqual([
      ["error", "compute workers failed to start: backend init did not answer within 60 s"],
    ]);
    // Stopping it afterwards adds nothing.
    lab.terminate();
    expect(errors()).toHaveLength(1);
  });

  it("a start that succeeds reports the backend and the self-check", async () => {
    const p = fakePool();
    const { lab, store } = labWith(p);
    p.answer();
    await expect(lab.start()).resolves.toEqual({ backend: "wasm", workers: 1, selfCheck: "self-check ok" });
    expect(store.getState().job.backend).toBe("wasm x1 workers");
  });
});

describe("Lab.firstRun", () => {
  it("leaves a run that a person started during start-up alone", async () => {
    const p = fakePool();
    const { lab, store } = labWith(p);
    p.answer();
    await lab.start();
    store.getState().startJob("training"); // e.g. a paths preset picked while the workers started
    await expect(lab.firstRun()).resolves.toBe("skipped");
    expect(p.fake.train).not.toHaveBeenCalled();
  });

  it("leaves an open lesson or a shown landscape alone too", async () => {
    const p = fakePool();
    const { lab, store } = labWith(p);
    p.answer();
    await lab.start();
    store.setState({ lesson: {} as never });
    await expect(lab.firstRun()).resolves.toBe("skipped");
    store.setState({ lesson: null, landscape: {} as never });
    await expect(lab.firstRun()).resolves.toBe("skipped");
    expect(p.fake.train).not.toHaveBeenCalled();
  });

  it("runs the settings (the URL) when nothing was chosen", async () => {
    const p = fakePool();
    const { lab, store } = labWith(p);
    p.answer();
    await lab.start();
    store.getState().set("ep", 7);
    await expect(lab.firstRun()).resolves.toBe("ran");
    expect(p.fake.train).toHaveBeenCalledTimes(1);
    expect((p.fake.train.mock.calls[0] as unknown[])[0]).toMatchObject({ training: { epochs: 7 } });
  });

  it("does nothing once the lab is stopped", async () => {
    const p = fakePool();
    const { lab } = labWith(p);
    lab.terminate();
    await expect(lab.firstRun()).resolves.toBe("skipped");
    expect(p.fake.train).not.toHaveBeenCalled();
  });
});

describe("LabHandle (a preset or lesson picked while the lab starts)", () => {
  const lab = (name: string) => ({ name }) as unknown as Lab;

  it("makes a pick wait for the started lab, past a first lab stopped before it started (StrictMode)", async () => {
    const handle = new LabHandle();
    const first = lab("first");
    const second = lab("second");
    handle.starting(first);
    const waiting = handle.whenStarted();
    handle.stopped(first);
    handle.started(first); // too late: it was stopped
    handle.starting(second);
    handle.started(second);
    await expect(waiting).resolves.toBe(second);
    await expect(handle.whenStarted()).resolves.toBe(second);
  });

  it("gives a pick null when the lab fails to start", async () => {
    const handle = new LabHandle();
    const only = lab("only");
    handle.starting(only);
    const waiting = handle.whenStarted();
    handle.failed(only);
    await expect(waiting).resolves.toBeNull();
  });

  it("holds back the first run (settled) until every pick in flight has settled, failed ones too", async () => {
    const handle = new LabHandle();
    await handle.settled(); // none in flight: at once
    let finishA: () => void = () => {};
    let failB: (err: Error) => void = () => {};
    const a = handle.choose(() => new Promise<void>((r) => (finishA = r)));
    const b = handle.choose(() => new Promise<void>((_, reject) => (failB = reject)));
    let settled = false;
    const idle = handle.settled().then(() => {
      settled = true;
    });
    finishA();
    await a;
    await Promise.resolve();
    expect(settled).toBe(false);
    failB(new Error("preset not found"));
    await expect(b).rejects.toThrow(/preset not found/);
    await idle;
    expect(settled).toBe(true);
  });
});
