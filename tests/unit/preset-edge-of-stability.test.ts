import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { prepareModel } from "../../src/core/experiment/prepare";
import type { TrainResult } from "../../src/core/train/train";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

/**
 * The preset "full-batch gradient descent" (public/presets/circles-full-batch-gd.json) shows the
 * edge of stability (Cohen et al. 2021): under plain GD at learning rate lr the top Hessian
 * eigenvalue lambda_max of the training loss rises from well below 2/lr ("progressive
 * sharpening"), reaches 2/lr and then hovers there while the loss goes on falling, not
 * monotonically, and the model ends above 95% train accuracy. The test runs the preset file
 * itself, with its own sharpness tracking, as the app and `landscape compute` do.
 *
 * Measured (wasm): at the preset's seed 1, lambda_max starts at 0.53 x 2/lr, overshoots to 1.68 x
 * 2/lr at step 100 and stays within 0.97 to 1.04 x 2/lr over the last third (steps 270 to 400),
 * train accuracy 0.977. Over seeds 1 to 8 the claim (last third within 10%, accuracy > 0.95)
 * holds for 7 of 8: seed 5 sits at 1.03 to 1.12 x 2/lr. PRESET_EOS_SEEDS=1,2,3,4,5,6,7,8 reruns
 * the test with those seeds in place of the preset's (a few seconds each).
 */
const PRESET = "circles-full-batch-gd.json";
const preset = JSON.parse(readFileSync(new URL(`../../public/presets/${PRESET}`, import.meta.url), "utf8"));
const SEEDS = process.env.PRESET_EOS_SEEDS?.split(",").map(Number) ?? [preset.seed as number];

const runs = new Map<number, Promise<TrainResult>>();

/** Train the preset (with its seed replaced) exactly as the app and the CLI prepare it; once per seed. */
function trainPreset(seed: number): Promise<TrainResult> {
  let run = runs.get(seed);
  if (!run) {
    run = prepareModel(resolveConfig({ ...preset, seed })).then(({ training }) => {
      if (!training) throw new Error("the preset did not train");
      return training;
    });
    runs.set(seed, run);
  }
  return run;
}

/** Steps from which the last third of a run of `steps` steps counts. */
const lastThirdFrom = (steps: number) => Math.ceil((2 / 3) * steps);

describe(`the preset ${PRESET}`, () => {
  it("is plain full-batch gradient descent with sharpness tracking on, so the app draws lambda_max and 2/lr", () => {
    const { training } = resolveConfig(preset);
    expect(training.optimizer).toBe("sgd");
    expect(training.batchSize).toBe("full");
    expect(training.weightDecay).toBe(0);
    expect(training.sam).toBeUndefined();
    expect(training.sharpnessEvery).toBeGreaterThan(0);
    // At least ten measurements fall in the last third, so the hover is sampled, not guessed.
    expect(training.epochs / 3 / training.sharpnessEvery).toBeGreaterThanOrEqual(10);
  });

  for (const seed of SEEDS) {
    it(`sharpens to 2/lr and hovers within 10% of it over the last third, ending above 95% train accuracy (seed ${seed})`, async () => {
      const run = await trainPreset(seed);
      expect(run.status).toBe("completed");
      const steps = run.steps;
      expect(steps).toBe(preset.training.epochs);
      const track = run.sharpness;
      if (!track) throw new Error("the preset measured no sharpness");
      const bound = 2 / preset.training.learningRate;
      expect(track.bound).toBeCloseTo(bound, 10);
      const ratios = track.entries.map((e) => ({ step: e.step, ratio: e.lambdaMax / bound }));

      // The rise is real: GD starts well inside the stable region.
      expect(ratios[0].step).toBe(0);
      expect(ratios[0].ratio).toBeLessThan(0.6);

      // Every measurement of the last third is within 10% of 2/lr (listed, so a failure shows them).
      const lastThird = ratios.filter((r) => r.step >= lastThirdFrom(steps));
      expect(lastThird.length).toBeGreaterThanOrEqual(10);
      expect(lastThird.at(-1)?.step).toBe(steps);
      const outside = lastThird.filter((r) => !(Math.abs(r.ratio - 1) <= 0.1));
      expect(outside).toEqual([]);

      // The model a teacher shows fits the data.
      const history = run.history;
      expect(history).toHaveLength(steps + 1);
      const final = history.at(-1);
      expect(final?.step).toBe(steps);
      expect(final?.trainAccuracy).toBeGreaterThan(0.95);

      // The loss keeps falling overall, also over the last third (history[k] is after k steps).
      const loss = history.map((h) => h.trainLoss);
      const from = lastThirdFrom(steps);
      expect(Math.min(...loss.slice(from))).toBeLessThan(Math.min(...loss.slice(0, from)));
      expect(loss[steps]).toBeLessThan(0.9 * loss[from]);
    });
  }

  it("at its own seed the loss falls non-monotonically over the last third, as GD oscillates across the sharpest direction", async () => {
    const run = await trainPreset(preset.seed);
    const loss = run.history.map((h) => h.trainLoss);
    const from = lastThirdFrom(run.steps);
    let rises = 0;
    for (let k = from; k < run.steps; k++) if (loss[k + 1] > loss[k]) rises++;
    // 46 of the last 133 steps go up at seed 1 (by at most 3e-4: a small period-2 wiggle).
    expect(rises).toBeGreaterThanOrEqual(10);
  });
});
