/**
 * `landscape compute` on the user's own model and data, end to end as a user runs it (a child
 * process): --data (CSV, or .npy features with --labels) and --model (a tfjs model.json saved by
 * tfjs in this test), or the same as config keys with paths relative to the config file; and the
 * clear errors for missing or bad files, with nothing written.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng } from "../../src/core/rng";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const MAIN = path.join(ROOT, "src", "cli", "main.ts");

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;

/** Runs the CLI in the test's folder (so file arguments are relative to it). */
function cli(...args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      TSX,
      [MAIN, ...args],
      { cwd: dir, env: { ...process.env, NO_COLOR: "1" }, timeout: 60_000, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(new Error(`CLI did not exit normally (${error.message}); stderr:\n${stderr}`));
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** A .npy version 1.0 file of little-endian float32 ("<f4") or int64 ("<i8") values. */
function npy(descr: "<f4" | "<i8" | "<f2", shape: number[], values: number[]): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  header += " ".repeat((64 - ((11 + header.length) % 64)) % 64);
  header += "\n";
  const size = descr === "<i8" ? 8 : descr === "<f4" ? 4 : 2;
  const out = new Uint8Array(10 + header.length + values.length * size);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0]);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const view = new DataView(out.buffer, 10 + header.length);
  values.forEach((v, i) => {
    if (descr === "<i8") view.setBigInt64(i * 8, BigInt(v), true);
    else if (descr === "<f4") view.setFloat32(i * 4, v, true);
  });
  return out;
}

/** Writes a tfjs model as model.save("file://folder") does: model.json and weights.bin. */
async function saveModel(model: tf.LayersModel, folder: string, weightsName = "weights.bin"): Promise<void> {
  await mkdir(folder, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const json = {
        modelTopology: a.modelTopology,
        format: a.format,
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy,
        weightsManifest: [{ paths: [weightsName], weights: a.weightSpecs }],
      };
      await writeFile(path.join(folder, "model.json"), JSON.stringify(json));
      await writeFile(path.join(folder, weightsName), new Uint8Array(a.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
}

interface SnapshotJson {
  config: { data: Record<string, unknown>; model: Record<string, unknown> };
  model: { architecture: { kind: string; layers?: { type: string }[]; hiddenSizes?: number[] } };
  data: { name: string; classes?: number; train: { count: number }; test?: { count: number } };
  producer: { evaluator: string };
  training?: unknown;
}

async function readJson(file: string): Promise<SnapshotJson> {
  return JSON.parse(await readFile(path.join(dir, file), "utf8"));
}

const SMALL = { training: { epochs: 3, batchSize: 16 }, grid: { x: { count: 5 }, y: { count: 5 } } };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cli-import-"));
  // Three separated blobs of 20 points each, labelled by name.
  const rng = createRng(3);
  const centres = [
    [-2, 0],
    [2, 0],
    [0, 2],
  ];
  const x: number[] = [];
  const y: number[] = [];
  const rows: string[] = ["f1,f2,kind"];
  for (let i = 0; i < 60; i++) {
    const c = i % 3;
    const p = [centres[c][0] + 0.3 * rng.normal(), centres[c][1] + 0.3 * rng.normal()];
    x.push(...p);
    y.push(c);
    rows.push(`${p[0].toFixed(4)},${p[1].toFixed(4)},${["a", "b", "c"][c]}`);
  }
  await writeFile(path.join(dir, "blobs.csv"), `${rows.join("\n")}\n`);
  await writeFile(path.join(dir, "ragged.csv"), "f1,f2,kind\n1,2,a\n3,b\n");
  await writeFile(path.join(dir, "x.npy"), npy("<f4", [60, 2], x));
  await writeFile(path.join(dir, "y.npy"), npy("<i8", [60], y));
  await writeFile(path.join(dir, "half.npy"), npy("<f2", [60, 2], []));
  await writeFile(path.join(dir, "small.json"), JSON.stringify(SMALL));
  await writeFile(
    path.join(dir, "digits.json"),
    JSON.stringify({ ...SMALL, data: { name: "digits", trainCount: 50, testCount: 10 } }),
  );
  const good = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [2], units: 8, activation: "relu" }),
      tf.layers.dense({ units: 3, activation: "softmax" }),
    ],
  });
  await saveModel(good, path.join(dir, "model"));
  await saveModel(good, path.join(dir, "lost"), "gone.bin");
  await rm(path.join(dir, "lost", "gone.bin"));
  const bad = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [2], units: 4 }),
      tf.layers.layerNormalization({ name: "norm" }),
      tf.layers.dense({ units: 3 }),
    ],
  });
  await saveModel(bad, path.join(dir, "bad"));
  good.dispose();
  bad.dispose();
  await mkdir(path.join(dir, "configs"));
  await writeFile(
    path.join(dir, "configs", "run.json"),
    JSON.stringify({
      ...SMALL,
      data: { name: "file", path: "../x.npy", labels: "../y.npy", testFraction: 0.25 },
      model: { kind: "layers", file: "../model/model.json" },
    }),
  );
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("landscape compute on your own model and data", () => {
  it("trains an MLP on a CSV (--data), on .npy features with --labels, and imports a model (--model)", async () => {
    const [csv, arrays, imported] = await Promise.all([
      cli(
        "compute",
        "--config",
        "small.json",
        "--data",
        "blobs.csv",
        "--out",
        "csv.json",
        "--arrays",
        "plain",
        "--no-progress",
      ),
      cli(
        "compute",
        "--config",
        "small.json",
        "--data",
        "x.npy",
        "--labels",
        "y.npy",
        "--out",
        "npy.json",
        "--no-progress",
      ),
      cli(
        "compute",
        "--config",
        "small.json",
        "--data",
        "blobs.csv",
        "--model",
        "model/model.json",
        "--out",
        "imported.json",
        "--no-progress",
      ),
    ]);
    for (const r of [csv, arrays, imported]) expect(r.stderr).toBe("");
    expect([csv.code, arrays.code, imported.code]).toEqual([0, 0, 0]);
    const a = await readJson("csv.json");
    expect(a.data).toMatchObject({ name: "blobs.csv", classes: 3 });
    expect([a.data.train.count, a.data.test?.count]).toEqual([48, 12]);
    expect(a.config.data).toMatchObject({ name: "file", path: "blobs.csv", testFraction: 0.2 });
    expect(a.model.architecture.kind).toBe("mlp");
    const b = await readJson("npy.json");
    expect(b.config.data).toMatchObject({ path: "x.npy", labels: "y.npy" });
    expect(b.data.classes).toBe(3);
    const c = await readJson("imported.json");
    expect(c.model.architecture.kind).toBe("layers");
    expect(c.model.architecture.layers?.map((l) => l.type)).toEqual(["dense", "dense"]);
    expect(c.config.model).toEqual({
      kind: "layers",
      file: "model/model.json",
      train: false,
      seed: expect.any(Number),
      bnStatistics: "file",
      bnBatchSize: 128,
    });
    expect(c.producer.evaluator).toBe("wasm-cnn");
    expect(imported.stdout).toMatch(/wrote imported\.json \(wasm, wasm-cnn, /);
    expect(c.training).toBeUndefined();
    const check = await cli("validate", "imported.json");
    expect(check.code).toBe(0);
  }, 120_000);

  it("reads the same files from config keys, relative to the config file's folder", async () => {
    const r = await cli(
      "compute",
      "--config",
      "configs/run.json",
      "--out",
      "configs/out.json",
      "--no-progress",
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const s = await readJson("configs/out.json");
    expect(s.model.architecture.kind).toBe("layers");
    expect(s.data).toMatchObject({ name: "x.npy", classes: 3 });
    expect([s.data.train.count, s.data.test?.count]).toEqual([45, 15]);
  });

  it("stops with a clear error and writes nothing for missing or bad files", async () => {
    const cases: [string[], RegExp][] = [
      [["--data", "missing.csv"], /cannot read data file missing\.csv: no such file/],
      [["--data", "ragged.csv"], /ragged\.csv: line 3 has 2 fields, expected 3 \(as line 1\)/],
      [["--data", "half.npy", "--labels", "y.npy"], /half\.npy: unsupported dtype float16 \("<f2"\)/],
      [
        ["--data", "blobs.csv", "--model", "nowhere/model.json"],
        /cannot read model file nowhere\/model\.json: no such file/,
      ],
      [
        ["--data", "blobs.csv", "--model", "lost/model.json"],
        /cannot read weight file \(named by lost\/model\.json\) lost\/gone\.bin: no such file/,
      ],
      [
        ["--data", "blobs.csv", "--model", "bad/model.json"],
        /layer 1 "norm" is a LayerNormalization, which is not supported/,
      ],
      [
        ["--data", "blobs.csv", "--model", "model/model.json", "--evaluator", "tfjs-gemm"],
        /evaluator "tfjs-gemm" works on MLPs only/,
      ],
      [
        ["--model", "model/model.json"],
        /model\/model\.json: the model has 3 outputs, the data "spirals" have 2 classes/,
      ],
      [
        ["--config", "digits.json", "--model", "model/model.json"],
        /model\/model\.json: the model takes 2 inputs per sample \(\[2\]\), the data "digits" have 196 \(\[14, 14, 1\]\)/,
      ],
      [["--labels", "y.npy"], /--labels needs --data/],
      [[], /compute needs --config FILE, or --data FILE and\/or --model FILE/],
      [["--data", "x.dat"], /data\.format: cannot tell the format of "x\.dat"/],
    ];
    const results = await Promise.all(
      cases.map(([args], i) => cli("compute", ...args, "--out", `bad-${i}.json`, "--no-progress")),
    );
    results.forEach((r, i) => {
      expect(r.code, `case ${i}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(cases[i][1]);
      expect(existsSync(path.join(dir, `bad-${i}.json`))).toBe(false);
    });
  }, 120_000);
});
