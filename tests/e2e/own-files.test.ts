/**
 * Bring your own model and data in the app: a tfjs LayersModel (model.json + weights.bin) saved
 * by tfjs here and a CSV dataset, picked together, give the landscape of that model on that
 * data; a ragged CSV fails with a message naming the line and leaves the view as it was. An ONNX
 * model exported by PyTorch (tests/fixtures/onnx) with .npy data does the same.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { tf } from "../../src/core/tf";
import { initNodeBackend } from "../../src/node/tf-node";
import { openBrowser, unexpectedProblems } from "./browser";
import { HIDE_WEBGPU_SCRIPT, waitForDone } from "./lab-page";

const skipReason = inject("e2eSkipReason");
const dir = join(dirname(fileURLToPath(import.meta.url)), "artifacts", "own-files");

/** A small classifier saved the way tfjs saves models: model.json plus one weights file. */
async function saveModel(): Promise<void> {
  await initNodeBackend();
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [2], units: 8, activation: "relu" }),
      tf.layers.dense({ units: 2, activation: "softmax" }),
    ],
  });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      writeFileSync(
        join(dir, "model.json"),
        JSON.stringify({
          modelTopology: a.modelTopology,
          format: a.format,
          generatedBy: a.generatedBy,
          weightsManifest: [{ paths: ["weights.bin"], weights: a.weightSpecs }],
        }),
      );
      writeFileSync(join(dir, "weights.bin"), new Uint8Array(a.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  model.dispose();
}

describe.skipIf(skipReason !== "")("your own model and data", () => {
  it("shows the landscape of a picked LayersModel on a picked CSV; a ragged CSV changes nothing", async () => {
    mkdirSync(dir, { recursive: true });
    await saveModel();
    const rows = ["x1,x2,label"];
    for (let i = 0; i < 120; i++) {
      const a = Math.cos(i * 0.7) * (1 + (i % 3) * 0.1);
      const b = Math.sin(i * 1.3);
      rows.push(`${a.toFixed(4)},${b.toFixed(4)},${a + b > 0 ? 1 : 0}`);
    }
    writeFileSync(join(dir, "points.csv"), `${rows.join("\n")}\n`);
    writeFileSync(join(dir, "ragged.csv"), "x1,x2,label\n0.1,0.2,1\n0.3,0\n");

    const session = await openBrowser(inject("chromiumPath"));
    try {
      const { page } = session;
      await page.addInitScript(HIDE_WEBGPU_SCRIPT);
      await page.goto(`${inject("e2eBaseUrl")}#ep=3&gx=-1,1,11&gy=-1,1,11`);
      await waitForDone(page, 90_000);
      await page
        .getByTestId("import-own-files")
        .setInputFiles([join(dir, "model.json"), join(dir, "weights.bin"), join(dir, "points.csv")]);
      const shown = () =>
        page.evaluate(() => {
          const s = globalThis.lossLandscapeLab?.store.getState().landscape?.snapshot;
          return s
            ? {
                data: s.data.name,
                kind: s.model.architecture.kind,
                train: s.data.train.count,
                createdAt: s.createdAt,
              }
            : null;
        });
      // The job may pass through training in a moment (the model is not trained further).
      await expect.poll(async () => (await shown())?.kind, { timeout: 120_000 }).toBe("layers");
      await waitForDone(page, 120_000);
      const first = await shown();
      expect(first?.kind).toBe("layers");
      expect(first?.data).toBe("points.csv");
      expect(first?.train).toBe(96); // 120 rows, the default test fraction 0.2
      expect(await page.getByTestId("messages").textContent()).toContain(
        "running the model model.json as trained",
      );

      await page.getByTestId("import-own-files").setInputFiles([join(dir, "ragged.csv")]);
      await expect
        .poll(async () => page.getByTestId("messages").textContent(), { timeout: 30_000 })
        .toMatch(/ragged\.csv.*line 3/);
      expect(await shown()).toEqual(first);
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  }, 300_000);

  it("shows the landscape of a picked ONNX model (exported by PyTorch) on picked .npy data", async () => {
    const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "onnx");
    const session = await openBrowser(inject("chromiumPath"));
    try {
      const { page } = session;
      await page.addInitScript(HIDE_WEBGPU_SCRIPT);
      await page.goto(`${inject("e2eBaseUrl")}#ep=3&gx=-1,1,11&gy=-1,1,11`);
      await waitForDone(page, 90_000);
      await page
        .getByTestId("import-own-files")
        .setInputFiles([
          join(fixtures, "mlp.onnx"),
          join(fixtures, "mlp-x.npy"),
          join(fixtures, "mlp-y.npy"),
        ]);
      const shown = () =>
        page.evaluate(() => {
          const s = globalThis.lossLandscapeLab?.store.getState().landscape?.snapshot;
          return s ? { kind: s.model.architecture.kind, layout: s.model.layout.map((e) => e.name) } : null;
        });
      await expect.poll(async () => (await shown())?.kind, { timeout: 120_000 }).toBe("onnx");
      await waitForDone(page, 120_000);
      // The parameters keep their PyTorch state_dict names.
      expect((await shown())?.layout.every((name) => /\.(weight|bias)$/.test(name))).toBe(true);
      expect(await page.getByTestId("messages").textContent()).toContain(
        "running the ONNX model mlp.onnx as trained",
      );
      const finite = await page.evaluate(() => {
        const loss = globalThis.lossLandscapeLab?.store.getState().landscape?.snapshot.surfaces.train_loss;
        return loss ? Array.from(loss).every(Number.isFinite) : false;
      });
      expect(finite).toBe(true);
      expect(unexpectedProblems(session.problems)).toEqual([]);
    } finally {
      await session.close();
    }
  }, 300_000);
});
