import { describe, expect, it } from "vitest";
import { parametersAt, REPLAY_COLORS, replayModelOf, runAt, short } from "../../src/app/replay/replay-model";
import type { Snapshot } from "../../src/core/snapshot/schema";

/** A snapshot with just what the replay reads: the grid and a trajectory section. */
function snapshotWith(trajectory: unknown, axes = 2): Snapshot {
  const axis = { label: "x", min: -1, max: 1, count: 3 };
  return {
    grid: { axes: axes === 2 ? [axis, { ...axis, label: "y" }] : [axis] },
    trajectory,
  } as unknown as Snapshot;
}

const run = (label: string, steps: number[]) => ({
  label,
  epochs: steps,
  steps,
  x: steps.map((s) => s / 10),
  y: steps.map((s) => -s / 10),
  offPlane: steps.map(() => 0),
  loss: steps.map((s) => 1 / (1 + s)),
  accuracy: steps.map(() => 0.5),
  parameters: steps.map((s) => new Float32Array([s])),
});

describe("the replay model", () => {
  it("puts every run of a race on one time axis, the union of their checkpoint steps, in the CLI's colours", () => {
    const m = replayModelOf(
      snapshotWith({ method: "pca", runs: [run("a", [0, 2, 4]), run("b", [0, 3, 6])] }),
    );
    expect(m?.steps).toEqual([0, 2, 3, 4, 6]);
    expect(m?.runs.map((r) => [r.label, r.color])).toEqual([
      ["a", REPLAY_COLORS[0]],
      ["b", REPLAY_COLORS[1]],
    ]);
  });

  it("interpolates a run between its checkpoints and holds it after its end", () => {
    const r = run("a", [0, 2, 4]);
    const m = replayModelOf(snapshotWith({ method: "pca", runs: [r] }));
    const drawn = m?.runs[0];
    if (!drawn) throw new Error("no run");
    const at = (t: number) => runAt(drawn, t);
    expect(at(1)).toMatchObject({ k: 0, x: 0.1, y: -0.1, epoch: 1 });
    expect(at(6)).toMatchObject({ k: 2, x: 0.4, epoch: 4 });
    expect(parametersAt(drawn, 3)?.[0]).toBe(2);
  });

  it("has nothing to replay without a trajectory, with one checkpoint, or without y on a 2-D grid", () => {
    expect(replayModelOf(null)).toBeNull();
    expect(replayModelOf(snapshotWith(undefined))).toBeNull();
    expect(replayModelOf(snapshotWith({ method: "pca", runs: [run("a", [0])] }))).toBeNull();
    const { y: _y, ...noY } = run("a", [0, 1]);
    expect(replayModelOf(snapshotWith({ method: "projection", runs: [noY] }))).toBeNull();
    expect(replayModelOf(snapshotWith({ method: "projection", runs: [noY] }, 1))?.dims).toBe(1);
  });

  it("writes numbers short", () => {
    expect([short(0.123456), short(12345), short(Number.NaN), short(null), short(0)]).toEqual([
      "0.123",
      "1.2e4",
      "–",
      "–",
      "0",
    ]);
  });
});
