import { describe, expect, it } from "vitest";
import { barrier, errorOf } from "../../src/core/paths/barrier";
import { parseSnapshot, serializeSnapshot, snapshotToJsonText } from "../../src/core/snapshot/io";
import { barrierRecord, type PathsSection, type SectionPath } from "../../src/core/snapshot/paths-section";
import type { Snapshot } from "../../src/core/snapshot/schema";
import { summarizeSnapshot } from "../../src/core/snapshot/summary";
import { checkSnapshot } from "../../src/core/snapshot/validate";

/**
 * The snapshot's `paths` section on a hand-made fixture: MLP 2-3-2 (17 parameters), a linear path
 * over 5 alphas, a one-bend Bezier over 5 t values with its training record, an aligned line and
 * the curve's plane. Barriers are computed from the literal values with paths/barrier.ts.
 */
const N = 17;
const vector = (f: (i: number) => number) => Float32Array.from({ length: N }, (_, i) => f(i));
const theta1 = vector((i) => 0.1 * Math.sin(i + 1));
const theta2 = vector((i) => 0.2 * Math.cos(i + 1));
const bend = vector((i) => 0.05 * (i % 3) - 0.04);

function barriersOf(t: Float32Array, v: SectionPath["values"]): SectionPath["barriers"] {
  return {
    train_loss: barrierRecord(barrier(t, v.train_loss)),
    train_error: barrierRecord(barrier(t, errorOf(v.train_accuracy as Float32Array))),
    test_loss: barrierRecord(barrier(t, v.test_loss as Float32Array)),
    test_error: barrierRecord(barrier(t, errorOf(v.test_accuracy as Float32Array))),
  };
}

function linearPath(kind: "linear" | "linear-aligned"): SectionPath {
  const t = Float32Array.of(-0.5, 0, 0.5, 1, 1.5);
  const values = {
    train_loss: Float32Array.of(2, 0.1, 0.9, 0.3, 2.5),
    train_accuracy: Float32Array.of(0.5, 1, 0.75, 1, 0.25),
    test_loss: Float32Array.of(2.2, 0.2, 1.1, 0.4, 2.6),
    test_accuracy: Float32Array.of(0.5, 1, 0.5, 1, 0.5),
  };
  const path: SectionPath = {
    kind,
    bends: 0,
    labels: ["theta1", kind === "linear" ? "theta2" : "theta2 aligned"],
    between: [0, 1],
    points: [theta1.slice(), theta2.slice()],
    t,
    values,
    barriers: barriersOf(t, values),
    length: 1.25,
    evaluator: "naive",
  };
  if (kind === "linear-aligned") {
    path.alignment = {
      method: "weight-matching",
      permutations: [[2, 0, 1]],
      objective: [0.5, 0.75, 0.75],
      sweeps: 2,
      converged: true,
      seed: 0,
    };
  }
  return path;
}

function curvePath(): SectionPath {
  const t = Float32Array.of(0, 0.25, 0.5, 0.75, 1);
  const values = {
    train_loss: Float32Array.of(0.1, 0.15, 0.2, 0.25, 0.3),
    train_accuracy: Float32Array.of(1, 1, 1, 1, 1),
    test_loss: Float32Array.of(0.2, 0.22, 0.3, 0.35, 0.4),
    test_accuracy: Float32Array.of(1, 1, 0.5, 1, 1),
  };
  return {
    kind: "bezier",
    bends: 1,
    labels: ["theta1", "bend1", "theta2"],
    between: [0, 1],
    points: [theta1.slice(), bend.slice(), theta2.slice()],
    t,
    values,
    barriers: barriersOf(t, values),
    length: 1.5,
    evaluator: "naive",
    training: {
      status: "completed",
      epochs: 2,
      steps: 4,
      settings: { optimizer: "adam", learningRate: 0.01, batchSize: 2, epochs: 2, seed: 3, l2: 0 },
      history: { epoch: [1, 2], step: [2, 4], loss: [0.5, null] },
    },
  };
}

function section(): PathsSection {
  return {
    models: [
      {
        label: "theta1",
        seed: 1,
        parameters: theta1.slice(),
        training: { status: "completed", epochs: 2, steps: 4, trainLoss: 0.1 },
      },
      { label: "theta2", seed: 2, parameters: theta2.slice() },
    ],
    paths: [linearPath("linear"), curvePath(), linearPath("linear-aligned")],
    plane: {
      path: 1,
      bendIndex: 0,
      landscape: false,
      normalization: "none",
      origin: theta1.slice(),
      directions: [vector((i) => (i === 0 ? 1 : 0)), vector((i) => (i === 1 ? 1 : 0))],
      labels: ["theta1", "bend1", "theta2"],
      points: Float32Array.of(0, 0, 0.4, 0.3, 1.25, 0),
      pointsOffPlane: Float32Array.of(0, 0, 0),
      curve: {
        t: Float32Array.of(0, 0.5, 1),
        coords: Float32Array.of(0, 0, 0.5, 0.15, 1.25, 0),
        offPlane: Float32Array.of(0, 0.01, 0),
      },
      segment: Float32Array.of(0, 0, 0.625, 0, 1.25, 0),
      range: { x: [-0.3, 1.55], y: [-0.3, 0.6] },
    },
    settings: { models: 2, count: 5 },
  };
}

function fixture(): Snapshot {
  return {
    format: "loss-landscape-snapshot",
    version: 1,
    createdAt: "2026-11-27T10:00:00Z",
    producer: { name: "loss-landscape-lab", version: "0.1.0", backend: "cpu" },
    config: { seed: 7 },
    model: {
      architecture: {
        kind: "mlp",
        inputSize: 2,
        hiddenSizes: [3],
        outputSize: 2,
        activation: "relu",
        residual: false,
      },
      loss: "cross-entropy",
      layout: [
        { name: "dense_0/kernel", shape: [2, 3] },
        { name: "dense_0/bias", shape: [3] },
        { name: "dense_1/kernel", shape: [3, 2] },
        { name: "dense_1/bias", shape: [2] },
      ],
      parameters: theta1.slice(),
    },
    data: {
      name: "spirals",
      task: "classification",
      inputSize: 2,
      outputSize: 2,
      classes: 2,
      train: { x: Float32Array.of(0.1, 0.2, -0.3, 0.4), y: Float32Array.of(0, 1), count: 2 },
      test: { x: Float32Array.of(1.5, -2.5), y: Float32Array.of(1), count: 1 },
    },
    directions: [
      {
        label: "x",
        method: "plane",
        normalization: "none",
        bias: "include",
        values: vector((i) => (i === 0 ? 1 : 0)),
      },
      {
        label: "y",
        method: "plane",
        normalization: "none",
        bias: "include",
        values: vector((i) => (i === 1 ? 1 : 0)),
      },
    ],
    grid: {
      axes: [
        { label: "x", min: -1, max: 1, count: 2 },
        { label: "y", min: -1, max: 1, count: 2 },
      ],
    },
    surfaces: { train_loss: Float32Array.of(0.5, 0.6, 0.7, 0.8) },
    paths: section(),
  };
}

/** The fixture as plain JSON, ready to be broken. */
// biome-ignore lint/suspicious/noExplicitAny: a test breaks arbitrary fields of the wire form
function wire(): any {
  return JSON.parse(snapshotToJsonText(fixture(), { arrays: "plain" }));
}

function problemsOf(json: unknown): string[] {
  const result = checkSnapshot(json);
  if (result.ok) throw new Error("expected the snapshot to be rejected");
  return result.problems;
}

describe("the snapshot's paths section", () => {
  it("round-trips through serialize and parse with base64 arrays, exactly", () => {
    const bytes = serializeSnapshot(fixture(), { arrays: "base64" });
    const text = new TextDecoder().decode(bytes);
    expect(JSON.parse(text).paths.paths[1].points[1]).toHaveProperty("dtype", "float32");
    const back = parseSnapshot(bytes);
    expect(back.paths).toEqual(section());
  });

  it("round-trips through serialize and parse with plain arrays, nulls standing for non-finite numbers", () => {
    const text = snapshotToJsonText(fixture(), { arrays: "plain", indent: 1 });
    const json = JSON.parse(text);
    expect(Array.isArray(json.paths.paths[0].t)).toBe(true);
    expect(json.paths.paths[1].training.history.loss).toEqual([0.5, null]);
    const back = parseSnapshot(text);
    expect(back.paths).toEqual(section());
  });

  it("is accepted by validate with no warnings, and a snapshot without it still is", () => {
    const ok = checkSnapshot(wire());
    expect(ok.ok && ok.warnings).toEqual([]);
    const json = wire();
    delete json.paths;
    expect(checkSnapshot(json).ok).toBe(true);
  });

  it("keeps fields it does not know on read and write", () => {
    const json = wire();
    json.paths.note = "kept";
    json.paths.paths[0].comment = { by: "someone" };
    const back = parseSnapshot(JSON.stringify(json));
    const again = JSON.parse(snapshotToJsonText(back, { arrays: "plain" }));
    expect(again.paths.note).toBe("kept");
    expect(again.paths.paths[0].comment).toEqual({ by: "someone" });
  });

  it("rejects a point with the wrong number of parameters, naming the path and the point", () => {
    const json = wire();
    json.paths.paths[1].points[1].pop();
    expect(problemsOf(json)).toContain(
      "paths.paths[1].points[1]: expected 17 values (one per parameter, as model.parameters), got 16",
    );
  });

  it("rejects a values array whose length is not the number of t values", () => {
    const json = wire();
    json.paths.paths[0].values.test_loss.pop();
    expect(problemsOf(json)).toContain(
      "paths.paths[0].values.test_loss: expected 5 values (one per t), got 4",
    );
  });

  it("rejects a model whose parameters have the wrong length and a non-finite point", () => {
    const json = wire();
    json.paths.models[1].parameters.push(1);
    json.paths.paths[0].points[0][3] = null;
    const problems = problemsOf(json);
    expect(problems).toContain(
      "paths.models[1].parameters: expected 17 values (one per parameter, as model.parameters), got 18",
    );
    expect(problems).toContain("paths.paths[0].points[0]: value NaN at index 3 is not finite");
  });

  it("rejects a barrier figure that is neither a number nor null, naming the field", () => {
    const json = wire();
    json.paths.paths[0].barriers.train_loss.linearExcess = "high";
    expect(problemsOf(json).join("\n")).toMatch(/paths\.paths\[0\]\.barriers\.train_loss\.linearExcess/);
  });

  it("accepts null barrier figures (non-finite in JSON)", () => {
    const json = wire();
    json.paths.paths[0].barriers.test_error.midpointMeanAt = null;
    expect(checkSnapshot(json).ok).toBe(true);
  });

  it("rejects an unknown kind and a wrong number of points for the kind", () => {
    const json = wire();
    json.paths.paths[0].kind = "spline";
    expect(problemsOf(json).join("\n")).toMatch(/paths\.paths\[0\]\.kind/);
    const two = wire();
    two.paths.paths[1].points.pop();
    two.paths.paths[1].labels.pop();
    expect(problemsOf(two)).toContain(
      'paths.paths[1].points: a "bezier" curve has bends + 2 points (at least 3), got 2 points and bends 1',
    );
  });

  it("rejects t values that are unsorted, miss an endpoint, or leave [0, 1] on a curve", () => {
    const unsorted = wire();
    unsorted.paths.paths[0].t = [-0.5, 0.5, 0, 1, 1.5];
    expect(problemsOf(unsorted).join("\n")).toMatch(/paths\.paths\[0\]\.t: must be sorted/);
    const noEnd = wire();
    noEnd.paths.paths[1].t = [0, 0.25, 0.5, 0.75, 0.9];
    expect(problemsOf(noEnd).join("\n")).toMatch(/paths\.paths\[1\]\.t: must include both endpoints 0 and 1/);
    const outside = wire();
    outside.paths.paths[1].t = [0, 0.25, 0.5, 1, 1.5];
    expect(problemsOf(outside).join("\n")).toMatch(
      /paths\.paths\[1\]\.t: a curve is defined for t in \[0, 1\]/,
    );
  });

  it("rejects an alignment that is not a permutation of a hidden layer", () => {
    const json = wire();
    json.paths.paths[2].alignment.permutations = [[0, 0, 1]];
    expect(problemsOf(json)).toContain(
      "paths.paths[2].alignment.permutations[0]: expected a permutation of 0..2 (hidden layer 0 has 3 units)",
    );
  });

  it("rejects plane arrays that do not fit the curve, and a plane pointing at a linear path", () => {
    const json = wire();
    json.paths.plane.points.pop();
    json.paths.plane.segment.pop();
    const problems = problemsOf(json);
    expect(problems).toContain(
      "paths.plane.points: expected 6 values ([3, 2]: two coordinates per point of paths[1]), got 5",
    );
    expect(problems).toContain(
      "paths.plane.segment: expected 6 values ([3, 2]: two coordinates per t), got 5",
    );
    const linear = wire();
    linear.paths.plane.path = 0;
    expect(problemsOf(linear).join("\n")).toMatch(/paths\.plane\.path: paths\[0\] is a "linear" path/);
  });

  it("with landscape true, requires the snapshot's directions and centre to be the plane's", () => {
    const json = wire();
    json.paths.plane.landscape = true;
    expect(checkSnapshot(json).ok).toBe(true);
    json.directions[1].values[1] = 0.5;
    json.model.parameters[0] += 1;
    const problems = problemsOf(json);
    expect(problems).toContain(
      "paths.plane.landscape: true, but directions[1].values differ from paths.plane.directions[1]",
    );
    expect(problems).toContain(
      "paths.plane.landscape: true, but model.parameters (the landscape's centre) differ from paths.plane.origin",
    );
  });

  it("warns when a stored barrier does not follow from the stored values", () => {
    const json = wire();
    json.paths.paths[0].barriers.train_loss.linearExcess = 0.01;
    const result = checkSnapshot(json);
    expect(result.ok).toBe(true);
    expect(result.ok && result.warnings.join("\n")).toMatch(
      /paths\.paths\[0\]\.barriers\.train_loss\.linearExcess: 0\.01 does not match 0\.7/,
    );
  });

  it("is summarized by info: each path with its barriers, and the plane", () => {
    const text = summarizeSnapshot(fixture());
    expect(text).toMatch(/paths +3 paths between 2 models \(theta1, theta2\)/);
    // linear: L(0.5) = 0.9 against the chord 0.2 and the mean 0.2: both barriers 0.7.
    expect(text).toMatch(
      /path 0 linear +theta1 -> theta2: barrier \(linear-excess \/ midpoint-mean\) train loss 0\.7 \/ 0\.7/,
    );
    expect(text).toMatch(/path 1 bezier +theta1 -> theta2, 1 bend: .*trained 2 epochs \(completed\)/);
    expect(text).toMatch(/path 2 linear-aligned .*weight matching 2 sweeps/);
    expect(text).toMatch(/path plane +through theta1, bend1, theta2 of path 1/);
  });
});
