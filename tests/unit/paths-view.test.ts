import { beforeAll, describe, expect, it } from "vitest";
import { barrierRows, pathChartData, pathLabel } from "../../src/app/views/path-chart";
import { resolveConfig } from "../../src/core/config/resolve";
import { runPaths } from "../../src/core/experiment/paths-run";
import { defaultEvaluatorFor } from "../../src/core/landscape/evaluators";
import { curvePoint } from "../../src/core/paths/curves";
import { pathPointAt } from "../../src/core/paths/point";
import type { PathsSection, SectionPath } from "../../src/core/snapshot/paths-section";
import type { Snapshot } from "../../src/core/snapshot/schema";
import { planeOverlay } from "../../src/scene/path-lines";
import { metricAt, pathTRange, planeCoordinates, probeChoices } from "../../src/state/path-probe";
import { historyEntries } from "../../src/state/snapshot-history";
import { createPathsApi } from "../../workers/paths-api";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

const f32 = (...v: number[]) => Float32Array.from(v);
const barrier = (linearExcess: number, midpointMean: number) => ({
  linearExcess,
  linearExcessAt: 0.5,
  midpointMean,
  midpointMeanAt: 0.5,
  start: 0,
  end: 0,
});

/** A hand-made section: a line over alpha [-0.5, 1.5], a Bezier curve over [0, 1], an aligned line. */
function fixture(): PathsSection {
  const a = f32(0, 0, 0);
  const b = f32(2, 0, 0);
  const bend = f32(1, 1, 0);
  const linear: SectionPath = {
    kind: "linear",
    bends: 0,
    labels: ["theta1", "theta2"],
    between: [0, 1],
    points: [a, b],
    t: f32(-0.5, 0, 0.5, 1, 1.5),
    values: {
      train_loss: f32(3, 0.1, 0.9, 0.1, 4),
      train_accuracy: f32(0.5, 1, 0.6, 1, 0.5),
      test_loss: f32(3, 0.2, 1, 0.2, 4),
      test_accuracy: f32(0.5, 0.9, 0.5, 0.9, 0.4),
    },
    barriers: { train_loss: barrier(0.8, 0.8), train_error: barrier(0.4, 0.4) },
    length: 2,
    evaluator: "naive",
  };
  const curve: SectionPath = {
    ...linear,
    kind: "bezier",
    bends: 1,
    labels: ["theta1", "bend1", "theta2"],
    points: [a, bend, b],
    t: f32(0, 0.5, 1),
    values: { train_loss: f32(0.1, Number.NaN, 0.1), train_accuracy: f32(1, 1, 1) },
    barriers: { train_loss: barrier(0.01, 0.01) },
  };
  const aligned: SectionPath = { ...linear, kind: "linear-aligned", points: [a, f32(2, 0, 1)] };
  const third: SectionPath = { ...linear, between: [0, 2] };
  return {
    paths: [linear, curve, third, aligned],
    plane: {
      path: 1,
      bendIndex: 0,
      landscape: true,
      normalization: "none",
      origin: a,
      directions: [f32(1, 0, 0), f32(0, 1, 0)],
      labels: ["theta1", "bend1", "theta2"],
      points: f32(0, 0, 1, 1, 2, 0),
      pointsOffPlane: f32(0, 0, 0),
      curve: { t: f32(0, 0.5, 1), coords: f32(0, 0, 1, 0.5, 2, 0), offPlane: f32(0, 0, 0) },
      segment: f32(0, 0, 1, 0, Number.NaN, 0),
      range: { x: [-0.5, 2.5], y: [-0.5, 1.5] },
    },
  };
}

const grid2 = { axes: [{}, {}] };

describe("w(t) on a path (the t slider)", () => {
  const section = fixture();

  it("is (1 - t) p0 + t p1 on a straight line, also beyond its ends", () => {
    expect(Array.from(pathPointAt(section.paths[0], 0.25))).toEqual([0.5, 0, 0]);
    expect(Array.from(pathPointAt(section.paths[0], 1.5))).toEqual([3, 0, 0]);
  });

  it("is the Bezier point on a curve, as the core computes it, with t clamped into [0, 1]", () => {
    const curve = section.paths[1];
    const core = curvePoint({ kind: "bezier", points: curve.points }, 0.3);
    expect(Array.from(pathPointAt(curve, 0.3))).toEqual(Array.from(core));
    expect(Array.from(pathPointAt(curve, 0.5))).toEqual([1, 0.5, 0]);
    expect(Array.from(pathPointAt(curve, 1.7))).toEqual([2, 0, 0]);
  });

  it("rejects a t that is not finite and a line without two points", () => {
    expect(() => pathPointAt(section.paths[0], Number.NaN)).toThrow(/t must be finite/);
    expect(() => pathPointAt({ kind: "linear", points: [f32(1)] }, 0.5)).toThrow(/has 2 points, got 1/);
  });

  it("has plane coordinates <w - origin, u>, <w - origin, v> and a distance from the plane", () => {
    expect(planeCoordinates(section.plane as NonNullable<PathsSection["plane"]>, f32(1, 2, 2))).toEqual({
      x: 1,
      y: 2,
      offPlane: 2,
    });
    expect(() => planeCoordinates(section.plane as NonNullable<PathsSection["plane"]>, f32(1, 2))).toThrow(
      /the point has 2 values, the plane's origin 3/,
    );
  });

  it("reads stored metrics between t values, NaN outside them or when missing", () => {
    const line = section.paths[0];
    expect(metricAt(line, "train_loss", 0.25)).toBeCloseTo(0.5, 6);
    expect(metricAt(line, "train_loss", 1)).toBeCloseTo(0.1, 6);
    expect(metricAt(line, "train_loss", 2)).toBeNaN();
    expect(metricAt(section.paths[1], "test_loss", 0.5)).toBeNaN();
  });

  it("slides over the stored t range (a line's alpha range, a curve's [0, 1])", () => {
    expect(pathTRange(section.paths[0])).toEqual([-0.5, 1.5]);
    expect(pathTRange(section.paths[1])).toEqual([0, 1]);
  });

  it("offers the straight line between models 1 and 2, the curve and the aligned line", () => {
    expect(probeChoices(section.paths).map((c) => [c.index, c.kind])).toEqual([
      [0, "linear"],
      [1, "bezier"],
      [3, "linear-aligned"],
    ]);
  });
});

describe("the path overlay of the plane views", () => {
  it("has the segment, the curve, theta1, the bend and theta2 in grid coordinates, leaving out non-finite pairs", () => {
    const overlay = planeOverlay({ grid: grid2, paths: fixture() });
    expect(overlay?.points).toEqual([
      { role: "theta1", label: "theta1", x: 0, y: 0 },
      { role: "bend", label: "bend1", x: 1, y: 1 },
      { role: "theta2", label: "theta2", x: 2, y: 0 },
    ]);
    expect(Array.from(overlay?.segment ?? [])).toEqual([0, 0, 1, 0]);
    expect(Array.from(overlay?.curve ?? [])).toEqual([0, 0, 1, 0.5, 2, 0]);
  });

  it("is absent without a plane, when the plane is not the landscape, or on a 1-D grid", () => {
    const section = fixture();
    expect(planeOverlay({ grid: grid2 })).toBeNull();
    expect(planeOverlay(null)).toBeNull();
    expect(planeOverlay({ grid: { axes: [{}] }, paths: section })).toBeNull();
    const plane = section.plane as NonNullable<PathsSection["plane"]>;
    expect(planeOverlay({ grid: grid2, paths: { plane: { ...plane, landscape: false } } })).toBeNull();
  });
});

describe("the paths chart and barrier table", () => {
  it("puts every path's train and test values on one t axis, null where a path has none", () => {
    const data = pathChartData(fixture(), "loss", null);
    expect(data.x).toEqual([-0.5, 0, 0.5, 1, 1.5]);
    expect(data.series.map((s) => s.label)).toEqual([
      "straight line, train",
      "straight line, test",
      "curve (Bezier), train",
      "straight line \u03b81 \u2192 \u03b83, train",
      "straight line \u03b81 \u2192 \u03b83, test",
      "aligned straight line, train",
      "aligned straight line, test",
    ]);
    const curve = data.columns[2].map((v) => (v === null ? null : Number(v.toFixed(4))));
    // NaN stays a gap; t = -0.5 and 1.5 are not on the curve.
    expect(curve).toEqual([null, 0.1, null, 0.1, null]);
  });

  it("keeps only t in the range when one is given, and shows error as 1 - accuracy", () => {
    const data = pathChartData(fixture(), "error", [0, 1]);
    expect(data.x).toEqual([0, 0.5, 1]);
    expect(data.columns[0].map((v) => (v === null ? null : Number(v.toFixed(4))))).toEqual([0, 0.4, 0]);
  });

  it("lists both barrier definitions of loss and error per path, null where not stored", () => {
    const rows = barrierRows(fixture(), "train");
    expect(rows.map((r) => [r.kind, r.loss?.linearExcess, r.error?.midpointMean ?? null])).toEqual([
      ["linear", 0.8, 0.4],
      ["bezier", 0.01, null],
      ["linear", 0.8, 0.4],
      ["linear-aligned", 0.8, 0.4],
    ]);
    expect(barrierRows(fixture(), "test")[0].loss).toBeNull();
    expect(rows.map((r) => r.label)).toEqual(["straight", "curve", "\u03b81 \u2192 \u03b83", "aligned"]);
    expect(pathLabel({ kind: "init-to-solution" })).toBe("init \u2192 \u03b81");
  });
});

/**
 * A real paths run on a tiny setting, through the worker API the browser calls, as the page
 * calls it (compute/paths-job.ts): every model by trainEndpoints, then runPathsFrom.
 */
describe("a paths run through the worker API", () => {
  const small = {
    seed: 3,
    data: { name: "moons", trainCount: 64, testCount: 32 },
    model: { hiddenSizes: [8], activation: "tanh" },
    training: { epochs: 6 },
    paths: { curve: { epochs: 4 }, count: 11, plane: { count: 5 } },
  };
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
  let snapshot: Snapshot;
  const phases: string[] = [];

  beforeAll(async () => {
    const models = resolveConfig(small).paths?.models ?? 0;
    const endpoints = [];
    for (let k = 0; k < models; k++) endpoints.push(await api.trainEndpoints(10 + k, small, k));
    const r = await api.runPathsFrom(1, small, endpoints, (p) => {
      if (phases.at(-1) !== p.phase) phases.push(p.phase);
    });
    snapshot = r.snapshot;
  }, 60_000);

  it("reports every phase after the models' training and returns the same snapshot as runPaths", async () => {
    expect(phases).toEqual(["paths", "curve", "paths", "align", "landscape"]);
    const core = await runPaths(resolveConfig(small), { backend: "wasm" });
    expect(snapshot.surfaces.train_loss).toEqual(core.snapshot.surfaces.train_loss);
    expect(snapshot.paths?.paths.map((p) => p.barriers.train_loss)).toEqual(
      core.snapshot.paths?.paths.map((p) => p.barriers.train_loss),
    );
  });

  it("puts w(t) where the core's plane puts the curve, and theta2 at (|theta2 - theta1|, 0)", () => {
    const section = snapshot.paths as PathsSection;
    const plane = section.plane as NonNullable<PathsSection["plane"]>;
    const curve = section.paths[plane.path];
    for (const [i, t] of Array.from(plane.curve.t).entries()) {
      const w = pathPointAt(curve, t);
      expect(Array.from(w)).toEqual(Array.from(pathPointAt(curve, t)));
      const at = planeCoordinates(plane, w);
      expect(at.x).toBeCloseTo(plane.curve.coords[2 * i], 4);
      expect(at.y).toBeCloseTo(plane.curve.coords[2 * i + 1], 4);
    }
    const theta2 = planeCoordinates(plane, section.models?.[1].parameters as Float32Array);
    expect(theta2.x).toBeCloseTo(plane.points[plane.points.length - 2], 4);
    expect(Math.abs(theta2.y)).toBeLessThan(1e-4);
    const overlay = planeOverlay(snapshot);
    expect(overlay?.points.map((p) => p.role)).toEqual(["theta1", "bend", "theta2"]);
  });

  it("gives the training charts model 1's history, one entry per epoch", () => {
    const entries = historyEntries(snapshot.training);
    expect(entries.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(entries.every((e) => Number.isFinite(e.trainLoss) && e.testLoss !== undefined)).toBe(true);
    expect(historyEntries(undefined)).toEqual([]);
    expect(historyEntries({ history: { epoch: [1], trainLoss: [null] } })[0].trainLoss).toBeNaN();
  });

  it("stops with the cancel reason when its job is cancelled", async () => {
    // Long enough to be under way when the abort comes (the kernel trains 6 epochs in a millisecond).
    const run = api.trainEndpoints(2, { ...small, training: { epochs: 100_000 } }, 0);
    await new Promise((resolve) => setTimeout(resolve, 0)); // the job registers after the backend check
    jobs.get(2)?.abort(new Error("cancelled"));
    await expect(run).rejects.toThrow(/cancelled/);
  });
});
