/**
 * Snapshots any program can write: a document with only the contract's fields (here the ones
 * public/examples/write_snapshot.py wrote: python.snapshot.json with numpy only, and
 * python-torch.snapshot.json with torch 2.13 installed, its weights from an nn.Sequential's
 * state_dict) validates, the lab's own fields are derived and named as warnings, its surfaces are
 * recomputed to the same numbers, and a field that cannot be derived is named.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lossAtOrigin, trainPlaneProblem } from "../../src/core/diagnose/origin-loss";
import { reviewLandscape } from "../../src/core/diagnose/review";
import { naiveEvaluator } from "../../src/core/landscape/naive-evaluator";
import { fillContractFields } from "../../src/core/snapshot/contract-fields";
import { parseSnapshot } from "../../src/core/snapshot/io";
import { checkSnapshot } from "../../src/core/snapshot/validate";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

const FIXTURE = new URL("../fixtures/python.snapshot.json", import.meta.url);
const text = () => readFileSync(FIXTURE, "utf8");
const FIXTURES = ["python.snapshot.json", "python-torch.snapshot.json"];
const fixtureText = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");

describe("snapshots written to the contract alone", () => {
  it.each(FIXTURES)("has none of the lab's own fields in the Python example's output %s", (name) => {
    const raw = JSON.parse(fixtureText(name));
    expect(raw.model.architecture.residual).toBeUndefined();
    for (const key of ["task", "inputSize", "outputSize"]) expect(raw.data[key]).toBeUndefined();
  });

  it.each(FIXTURES)("validates %s, and says which fields it derived and from what", (name) => {
    const warnings: string[] = [];
    const s = parseSnapshot(fixtureText(name), { source: name, onWarning: (w) => warnings.push(w) });
    expect(s.model.architecture).toMatchObject({ kind: "mlp", residual: false });
    expect(s.data).toMatchObject({ task: "classification", inputSize: 2, outputSize: 2, classes: 2 });
    expect(warnings).toEqual([
      "derived model.architecture.residual: false (not written; the contract's MLP has no skip connections)",
      "derived data.task: classification (from model.loss cross-entropy)",
      "derived data.inputSize: 2 (from model.architecture.inputSize)",
      "derived data.outputSize: 2 (from model.architecture.outputSize)",
    ]);
  });

  it.each(FIXTURES)(
    "computes %s: the lab's evaluation of its plane gives the surfaces numpy wrote",
    (name) => {
      const s = parseSnapshot(fixtureText(name));
      const prepared = naiveEvaluator.prepare(trainPlaneProblem(s));
      try {
        const [nx] = [s.grid.axes[0].count];
        const at = (ix: number, iy: number) => [-1 + (2 * ix) / 10, -1 + (2 * iy) / 10];
        const points = [
          [0, 0],
          [5, 5],
          [10, 3],
          [2, 9],
        ];
        const metrics = prepared.evaluate(Float32Array.from(points.flatMap(([ix, iy]) => at(ix, iy))));
        points.forEach(([ix, iy], k) => {
          const want = s.surfaces.train_loss[iy * nx + ix];
          expect(Math.abs(metrics.loss[k] - want)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want)));
          expect(metrics.accuracy?.[k]).toBeCloseTo(s.surfaces.train_accuracy[iy * nx + ix], 6);
        });
      } finally {
        prepared.dispose();
      }
    },
  );

  it("passes `landscape check`'s review: the origin is the model's own loss, the torch model's minimum is off the plot", () => {
    const numpy = parseSnapshot(fixtureText("python.snapshot.json"));
    expect(reviewLandscape(numpy, { originLoss: lossAtOrigin(numpy) })).toEqual([]);
    // An untrained nn.Sequential: its lowest loss on the plane lies at the grid's edge, and the review says so.
    const torch = parseSnapshot(fixtureText("python-torch.snapshot.json"));
    expect(reviewLandscape(torch, { originLoss: lossAtOrigin(torch) }).map((f) => f.check)).toEqual([
      "minimum-at-edge",
    ]);
  });

  it("derives sizes from the layout and the data when the architecture does not give them", () => {
    const raw = JSON.parse(text());
    delete raw.model.architecture.inputSize;
    delete raw.model.architecture.outputSize;
    delete raw.data.classes;
    const { derived, value } = fillContractFields(raw);
    expect(derived).toContain("data.inputSize: 2 (from the first layout tensor)");
    expect(derived).toContain("data.outputSize: 2 (from the last layout kernel)");
    // data.classes is the contract's own field: not derived, so its absence is still a problem.
    expect((value as { data: { classes?: number } }).data.classes).toBeUndefined();
    expect(checkSnapshot(value).ok).toBe(false);
    expect((value as { data: { inputSize: number } }).data.inputSize).toBe(2);
    // The input document is not changed.
    expect(raw.data.inputSize).toBeUndefined();
  });

  it("names a field that cannot be derived: the task without a loss", () => {
    const raw = JSON.parse(text());
    delete raw.model.loss;
    const check = checkSnapshot(raw);
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.problems.some((p) => p.startsWith("model.loss"))).toBe(true);
      expect(check.problems.some((p) => p.startsWith("data.task"))).toBe(true);
    }
  });

  it("leaves a snapshot the lab wrote as it is, with no warning", () => {
    const filled = parseSnapshot(text());
    const again = fillContractFields(
      JSON.parse(JSON.stringify({ ...filled, model: { ...filled.model, parameters: [] } })),
    );
    expect(again.derived).toEqual([]);
  });
});
