/**
 * "Is my plot right?": the review finds nothing in a landscape computed here, and each of its
 * findings in a snapshot crafted to have that one fault.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { lossAtOrigin } from "../../src/core/diagnose/origin-loss";
import {
  type Finding,
  REVIEW_CHECKS,
  type ReviewCheck,
  reviewLandscape,
} from "../../src/core/diagnose/review";
import { runExperiment } from "../../src/core/experiment/run";
import type { Snapshot } from "../../src/core/snapshot/schema";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

let good: Snapshot;
let own = 0;

beforeAll(async () => {
  const config = {
    seed: 3,
    data: { name: "moons", trainCount: 80, testCount: 40 },
    model: { hiddenSizes: [10, 10] },
    training: { epochs: 30, batchSize: 20 },
    grid: { x: { count: 9 }, y: { count: 9 } },
  };
  good = (await runExperiment(resolveConfig(config), { backend: "wasm" })).snapshot;
  own = lossAtOrigin(good);
}, 120_000);

/** A copy of the good snapshot with `change` applied. */
function crafted(change: (s: Snapshot) => void): Snapshot {
  const s = structuredClone(good);
  change(s);
  return s;
}

const checks = (findings: Finding[]) => findings.map((f) => f.check);

describe("reviewLandscape", () => {
  it("finds nothing in a landscape computed here, whose origin is the model's own loss", () => {
    expect(own).toBeGreaterThan(0);
    const at = (good.surfaces.train_loss.length - 1) / 2; // 9 x 9: the centre is (0, 0)
    expect(Math.abs(good.surfaces.train_loss[at] - own)).toBeLessThanOrEqual(1e-6 * own);
    expect(reviewLandscape(good, { originLoss: own })).toEqual([]);
  });

  it("computes the origin's loss without leaking tensors", () => {
    const before = tf.memory().numTensors;
    lossAtOrigin(good);
    expect(tf.memory().numTensors).toBe(before);
  });

  const cases: [ReviewCheck, (s: Snapshot) => void, RegExp][] = [
    [
      "origin-loss",
      (s) => {
        s.surfaces.train_loss = s.surfaces.train_loss.map((v) => v * 1.5 + 0.1);
      },
      /the surface at the origin is .* but the model's own train loss at theta is/,
    ],
    [
      "no-origin",
      (s) => (s.grid.axes[0] = { ...s.grid.axes[0], min: 0.25, max: 1.25 }),
      /does not reach the origin/,
    ],
    [
      "normalization",
      (s) => (s.directions[0].normalization = "none"),
      /direction x \(random\) is not normalized/,
    ],
    ["bias", (s) => (s.directions[1].bias = "include"), /direction y perturbs the biases \(bias include\)/],
    [
      "wide-range",
      (s) => (s.grid.axes[1] = { ...s.grid.axes[1], min: -3, max: 3 }),
      /reaches \+-3 along filter-normalized directions/,
    ],
    [
      "minimum-at-edge",
      (s) => (s.surfaces.train_loss[8] = -1),
      /the lowest train loss \(-1\) is on the grid's edge at x=1, y=-1/,
    ],
    [
      "coarse-grid",
      (s) => (s.curvature = { top: { values: [1e6] } } as unknown as Snapshot["curvature"]),
      /a grid step along x moves the weights by .* more than 1\/sqrt\(lambda_max\) = 0\.001 \(lambda_max 1000000\)/,
    ],
    [
      "holes",
      (s) => (s.surfaces.test_loss[3] = Number.NaN),
      /test_loss: 1 of 81 grid points are NaN or Infinity/,
    ],
    [
      "accuracy-units",
      (s) => {
        s.surfaces.train_accuracy = s.surfaces.train_accuracy.map((v) => v * 100);
      },
      /train_accuracy reaches .*: accuracies are fractions in \[0, 1\] here, so these look like percent/,
    ],
    [
      "off-plane",
      (s) => {
        for (const d of s.directions) d.method = "hessian";
        s.trajectory = {
          method: "projection",
          runs: [
            {
              label: "A",
              epochs: [0, 1, 2],
              steps: [0, 1, 2],
              x: [0, 0.1, 0.2],
              y: [0, 0, 0.1],
              offPlane: [0, 50, 80],
              loss: [0.7, 0.5, 0.4],
            },
          ],
        };
      },
      /run A lies mostly off the plane: its checkpoints are a median [\d.]+ times farther/,
    ],
  ];

  it.each(cases)("finds %s, and only it", (check, change, message) => {
    const s = crafted(change);
    const findings = reviewLandscape(s, { originLoss: own });
    expect(findings[0]?.check).toBe(check);
    expect(findings[0].message).toMatch(message);
    // One finding per axis for coarse-grid; moving the grid off 0 may leave the minimum on an edge.
    const alsoAllowed = check === "no-origin" ? ["minimum-at-edge"] : [];
    for (const other of checks(findings)) expect([check, ...alsoAllowed]).toContain(other);
  });

  it("names a PCA plane that explains under half of the checkpoints' variance", () => {
    const s = crafted(
      (c) => (c.trajectory = { method: "pca", explained: [0.3, 0.1] } as unknown as Snapshot["trajectory"]),
    );
    const findings = reviewLandscape(s);
    expect(checks(findings)).toEqual(["off-plane"]);
    expect(findings[0].message).toMatch(/the PCA plane explains 40% of the checkpoints' variance/);
  });

  it("does not call a random plane's trajectory off the plane (it always is: Li et al. 2018, section 7)", () => {
    expect(good.directions.every((d) => d.method === "random")).toBe(true);
    expect(good.trajectory).toBeDefined();
    expect(checks(reviewLandscape(good))).not.toContain("off-plane");
  });

  it("reviews a bare surface file (no model, no directions) with the checks that need none", () => {
    const view = {
      grid: { axes: good.grid.axes },
      surfaces: {
        train_loss: good.surfaces.train_loss,
        train_accuracy: good.surfaces.train_accuracy.map((v) => v * 100),
      },
    };
    expect(checks(reviewLandscape(view))).toEqual(["accuracy-units"]);
  });

  it("lists its checks in a fixed order", () => {
    expect(REVIEW_CHECKS).toHaveLength(10);
  });
});
