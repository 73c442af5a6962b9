/**
 * The small CNN next to the MLP on the shipped digits: both presets (public/presets/digits-*.json)
 * train with the ordinary training loop to well above chance (10 %) on the test digits; the CNN's
 * landscape centre is its trained loss; configs a CNN cannot run are refused up front.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config/resolve";
import { landscapeProblem, makePlane, prepareModel } from "../../src/core/experiment/prepare";
import { naiveEvaluator } from "../../src/core/landscape/naive-evaluator";
import { sampleLandscape } from "../../src/core/landscape/surfaces";
import { layersLayout } from "../../src/core/model/layers";
import { makeCnnArchitecture } from "../../src/core/model/layers-cnn";
import { tf } from "../../src/core/tf";
import { nodeDataReaders } from "../../src/node/data-files";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

const preset = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../public/presets/${name}.json`, import.meta.url), "utf8"));

describe("a small CNN and an MLP on the digits", () => {
  it("both presets train to well above chance on the test digits", async () => {
    const accuracies: Record<string, number> = {};
    for (const name of ["digits-mlp", "digits-cnn"]) {
      const t0 = performance.now();
      const config = resolveConfig(preset(name));
      const model = await prepareModel(config, { files: nodeDataReaders() });
      const last = model.training?.history.at(-1);
      accuracies[name] = last?.testAccuracy ?? 0;
      expect(model.training?.status).toBe("completed");
      expect(last?.testAccuracy).toBeGreaterThan(0.8);
      // Each preset trains in well under the 30 s a preset may take here.
      expect(performance.now() - t0).toBeLessThan(30_000);
      if (name === "digits-cnn") {
        expect(model.arch.kind).toBe("layers");
        // The landscape's centre (on the naive path) is the trained model's own test loss.
        const plane = await makePlane(
          { ...config, grid: { x: { min: -1, max: 1, count: 3 }, y: { min: -1, max: 1, count: 3 } } },
          model,
        );
        const before = tf.memory().numTensors;
        const s = await sampleLandscape(landscapeProblem(model, plane), plane.grid, naiveEvaluator);
        expect(tf.memory().numTensors).toBe(before);
        const centre = (s.test_loss as Float32Array)[4];
        expect(Math.abs(centre - (last?.testLoss ?? 0)) / (last?.testLoss ?? 1)).toBeLessThan(1e-5);
        expect((s.test_accuracy as Float32Array)[4]).toBeCloseTo(last?.testAccuracy ?? 0, 5);
      }
    }
    console.log(`test accuracy: ${JSON.stringify(accuracies)}`);
  }, 60_000);

  it("builds the CNN of the config with tfjs shapes: conv kernels [kh, kw, in, out], pooling, a linear output", () => {
    const arch = makeCnnArchitecture([14, 14, 1], 10, {
      conv: [
        { filters: 8, kernel: 3 },
        { filters: 16, kernel: 3, pool: 2 },
      ],
      dense: [32],
      activation: "relu",
    });
    expect(layersLayout(arch).map((e) => `${e.name} [${e.shape.join(", ")}]`)).toEqual([
      "conv2d_0/kernel [3, 3, 1, 8]",
      "conv2d_0/bias [8]",
      "conv2d_1/kernel [3, 3, 8, 16]",
      "conv2d_1/bias [16]",
      "dense_0/kernel [144, 32]",
      "dense_0/bias [32]",
      "dense_out/kernel [32, 10]",
      "dense_out/bias [10]",
    ]);
    expect(arch.layers.at(-1)).toMatchObject({ type: "dense", activation: "linear", units: 10 });
  });

  it("refuses up front what a CNN cannot run: vectors for data, too many poolings, the MLP-only features", () => {
    const cnn = { kind: "cnn", conv: [{ filters: 4, kernel: 3 }] };
    expect(() => resolveConfig({ data: { name: "moons" }, model: cnn })).toThrow(
      /model\.kind "cnn" needs image data/,
    );
    expect(() =>
      resolveConfig({
        data: { name: "digits" },
        model: { kind: "cnn", conv: [1, 2, 3, 4].map(() => ({ filters: 2, kernel: 3 })) },
      }),
    ).toThrow(/model: layer 7 \("max_pooling2d_3", maxPooling2d\): a 2x2 window does not fit the 1x1 input/);
    expect(() =>
      resolveConfig({ data: { name: "digits" }, model: cnn, directions: { method: "hessian-top2" } }),
    ).toThrow(/directions\.method hessian-top2: works on MLPs only; model\.kind is "cnn"/);
    expect(() =>
      resolveConfig({ data: { name: "digits" }, model: cnn, training: { sharpnessEvery: 10 } }),
    ).toThrow(/training\.sharpnessEvery: works on MLPs only; model\.kind is "cnn"/);
    // The curvature report takes CNNs (model/layers-twice.ts; tests/unit/cnn-curvature.test.ts).
    expect(resolveConfig({ data: { name: "digits" }, model: cnn, curvature: {} }).curvature).toBeDefined();
    expect(() => resolveConfig({ data: { name: "digits" }, model: { kind: "resnet" } })).toThrow(
      /unknown model kind "resnet"; expected "mlp" \(the default\), "cnn", "layers", "onnx" or "gcn"/,
    );
    const ok = resolveConfig({ data: { name: "digits" }, model: cnn });
    expect(ok.model).toMatchObject({ kind: "cnn", dense: [], activation: "relu" });
  });
});
