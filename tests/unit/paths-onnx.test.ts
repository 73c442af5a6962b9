/**
 * Paths between a researcher's two models (issue 16, item 3): two CNNs with BatchNorm of one graph,
 * trained by PyTorch from two seeds (tests/fixtures/onnx/make_pair.py: cnn_pair_a.onnx,
 * cnn_pair_b.onnx, 96 images in cnn-pair-x.npy / cnn-pair-y.npy). The straight line, the trained
 * Bezier curve and the line after weight matching are scored with the per-point evaluator, with the
 * BN running statistics interpolated between the models (default: the line's ends are the two
 * models, within 1e-5 of each one's own loss) or model A's at every point; both policies agree with
 * PyTorch's losses along the line. The aligned model computes B's function; graphs that differ are
 * refused naming the difference; the snapshot validates and the CLI runs the same from files.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onnxWeightMatching } from "../../src/core/align/onnx-spec";
import { parsePathsSettings } from "../../src/core/config/paths-settings";
import { parseNpy } from "../../src/core/data/npy";
import type { Dataset } from "../../src/core/data/types";
import { ALIGN_SEED } from "../../src/core/experiment/paths-connect";
import { onnxGraphDifferences, pathsBetweenOnnxModels } from "../../src/core/experiment/paths-onnx";
import { bnStatisticsAt } from "../../src/core/model/bn-statistics";
import type { OnnxArchitecture } from "../../src/core/onnx/graph";
import { onnxForward } from "../../src/core/onnx/interpret";
import { importOnnxModel, onnxParameterTensors } from "../../src/core/onnx/load";
import { runningStatisticsNames, statisticsOf } from "../../src/core/paths/running-statistics";
import { parseSnapshot, snapshotToJsonText } from "../../src/core/snapshot/io";
import { pathsSummaryLines, type SectionPath } from "../../src/core/snapshot/paths-section";
import { checkSnapshot } from "../../src/core/snapshot/validate";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";
import { cli, ROOT } from "./helpers/cli";

withWasmBackend();

const fixtures = path.join(ROOT, "tests", "fixtures", "onnx");
const fixture = (name: string) => path.join(fixtures, name);
const model = (name: string) => importOnnxModel(new Uint8Array(readFileSync(fixture(name))));
const torch = JSON.parse(readFileSync(fixture("cnn_pair.json"), "utf8")) as {
  count: number;
  lossA: number;
  lossB: number;
  pathTorch: { t: number[]; loss: number[] };
  pathTorchInterpolated: { t: number[]; loss: number[] };
};

type Imported = ReturnType<typeof model>;
let a: Imported;
let b: Imported;
// After withWasmBackend's beforeAll: importing runs a forward pass.
beforeAll(() => {
  a = model("cnn_pair_a.onnx");
  b = model("cnn_pair_b.onnx");
});

/** All 96 images for training (the PyTorch figures are over all of them), no test split. */
function pairData(): Dataset {
  const x = parseNpy(new Uint8Array(readFileSync(fixture("cnn-pair-x.npy"))));
  const y = parseNpy(new Uint8Array(readFileSync(fixture("cnn-pair-y.npy"))));
  const count = y.shape[0];
  return {
    name: "cnn-pair",
    task: "classification",
    inputSize: 64,
    outputSize: 3,
    classes: 3,
    inputShape: [1, 8, 8],
    train: { x: Float32Array.from(x.values), y: Float32Array.from(y.values), count },
    test: { x: new Float32Array(0), y: new Float32Array(0), count: 0 },
  };
}

const dataset = pairData();
const small = { curve: { epochs: 4 }, count: 41, plane: { count: 5 } };

function run(
  policy?: "interpolated" | "model-a",
  extra: Record<string, unknown> = {},
  archA: OnnxArchitecture = a.arch,
) {
  const settings = parsePathsSettings({ ...small, ...extra, runningStatistics: policy }, 0);
  return pathsBetweenOnnxModels(
    { arch: archA, parameters: a.parameters, source: "cnn_pair_a.onnx" },
    { arch: b.arch, parameters: b.parameters, source: "cnn_pair_b.onnx" },
    {
      backend: "wasm",
      dataset,
      loss: "cross-entropy",
      settings,
      counts: [5, 5],
      names: ["cnn_pair_a.onnx", "cnn_pair_b.onnx"],
      recordedConfig: { seed: 0 },
      now: () => new Date("2026-01-01T00:00:00Z"),
    },
  );
}

/** The value of a path's metric at t (one of its t values). */
function at(p: SectionPath, t: number, metric: "train_loss" | "train_accuracy" = "train_loss"): number {
  const i = Array.from(p.t).findIndex((v) => Math.abs(v - t) < 1e-6);
  expect(i, `t = ${t} is one of the path's t values`).toBeGreaterThanOrEqual(0);
  return (p.values[metric] as Float32Array)[i];
}

function logits(arch: OnnxArchitecture, theta: Float32Array): Float32Array {
  return tf.tidy(() => {
    const params = onnxParameterTensors(arch, theta);
    const x = tf.tensor2d(dataset.train.x, [dataset.train.count, arch.inputSize]);
    return onnxForward(arch, params, x).dataSync() as Float32Array;
  });
}

const maxAbsDifference = (u: ArrayLike<number>, v: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < u.length; i++) m = Math.max(m, Math.abs(u[i] - v[i]));
  return m;
};

describe("paths between two ONNX models of one graph", () => {
  it("connect the two CNNs: the line's ends are the two models (interpolated statistics), the aligned line and the curve have barriers, no tensor left", async () => {
    const before = tf.memory().numTensors;
    const { snapshot, warnings } = await run();
    expect(tf.memory().numTensors).toBe(before);
    expect(warnings).toEqual([]);
    const section = snapshot.paths;
    if (!section) throw new Error("no paths section");
    expect(snapshot.model.architecture.kind).toBe("onnx");
    expect(section.runningStatistics).toMatchObject({
      policy: "interpolated",
      names: ["bn1.running_mean", "bn1.running_var"],
    });
    expect(section.runningStatistics?.description).toMatch(/^running statistics: interpolated/);
    expect(section.paths.map((p) => p.kind)).toEqual(["linear", "bezier", "linear-aligned"]);
    const [line, curve, aligned] = section.paths;

    // Each model's own loss (its own statistics) is PyTorch's, and the line's ends are those models.
    const [ownA, ownB] = (section.models ?? []).map((m) => m.metrics?.train_loss as number);
    expect(Math.abs(ownA - torch.lossA)).toBeLessThan(1e-5);
    expect(Math.abs(ownB - torch.lossB)).toBeLessThan(1e-5);
    expect(Math.abs(at(line, 0) - ownA)).toBeLessThan(1e-5);
    expect(Math.abs(at(line, 1) - ownB)).toBeLessThan(1e-5);
    // Along the line: PyTorch with the whole state_dict interpolated (buffers included).
    torch.pathTorchInterpolated.t.forEach((t, i) => {
      const want = torch.pathTorchInterpolated.loss[i];
      expect(Math.abs(at(line, t) - want), `t = ${t}`).toBeLessThan(1e-5 + 1e-5 * want);
    });
    // Its statistics vectors are the models'.
    const names = runningStatisticsNames(a.arch);
    expect(line.statistics?.map((v) => Array.from(v))).toEqual(
      [a.arch, b.arch].map((g) => Array.from(statisticsOf(g, names))),
    );

    // Weight matching: the aligned B is B's function; the aligned line ends at B's own loss.
    const m = onnxWeightMatching(a.arch, a.parameters, b.parameters, { seed: ALIGN_SEED });
    const alignedArch = m.applyConstants(b.arch);
    expect(Array.from(aligned.points[1])).toEqual(Array.from(m.apply(b.parameters)));
    expect(
      maxAbsDifference(logits(alignedArch, aligned.points[1]), logits(b.arch, b.parameters)),
    ).toBeLessThan(1e-5);
    expect(Array.from(aligned.statistics?.[1] ?? [])).toEqual(Array.from(statisticsOf(alignedArch, names)));
    expect(Math.abs(at(aligned, 1) - ownB)).toBeLessThan(1e-5);
    expect(aligned.alignment?.groups).toEqual([{ name: "conv1.weight axis 0", size: 4 }]);
    expect([...(aligned.alignment?.permutations[0] ?? [])].sort()).toEqual([0, 1, 2, 3]);

    // Barriers of loss and error, before and after matching, and along the trained curve.
    for (const p of [line, aligned, curve]) {
      expect(Number.isFinite(p.barriers.train_loss.linearExcess)).toBe(true);
      expect(Number.isFinite(p.barriers.train_error?.linearExcess)).toBe(true);
    }
    expect(line.barriers.train_loss.linearExcess).toBeGreaterThan(1);
    expect(curve.training?.epochs).toBe(4);
    expect(curve.barriers.train_loss.linearExcess as number).toBeLessThan(
      line.barriers.train_loss.linearExcess as number,
    );
    expect(pathsSummaryLines(section).map(([k]) => k)).toContain("path statistics");

    // The snapshot validates after a round trip through its JSON (base64 arrays).
    const check = checkSnapshot(JSON.parse(snapshotToJsonText(snapshot)));
    expect(check.ok ? [] : check.problems).toEqual([]);
    const back = parseSnapshot(snapshotToJsonText(snapshot));
    expect(back.paths?.paths[2].alignment?.groups).toEqual([{ name: "conv1.weight axis 0", size: 4 }]);
  });

  it('with "model-a" statistics: A\'s at every point, as PyTorch computes it; the end at t = 1 is not model B and a warning says so', async () => {
    const { snapshot, warnings } = await run("model-a", { align: false, curve: { epochs: 1 } });
    const section = snapshot.paths;
    if (!section) throw new Error("no paths section");
    expect(section.runningStatistics?.description).toBe("running statistics: model A's, not recomputed");
    const line = section.paths[0];
    expect(line.statistics).toBeUndefined();
    torch.pathTorch.t.forEach((t, i) => {
      const want = torch.pathTorch.loss[i];
      expect(Math.abs(at(line, t) - want), `t = ${t}`).toBeLessThan(1e-5 + 1e-5 * want);
    });
    const ownB = section.models?.[1].metrics?.train_loss as number;
    expect(at(line, 1) - ownB).toBeGreaterThan(1);
    expect(warnings.join("\n")).toMatch(
      /linear theta1 -> theta2: at t = 1 the train loss is 6\.94\d*, but theta2's own is 0\.000\d+ \(running statistics: model A's, not recomputed\)/,
    );
    const check = checkSnapshot(JSON.parse(snapshotToJsonText(snapshot)));
    expect(check.ok ? [] : check.problems).toEqual([]);
  });

  it("with statistics recomputed at every point (update_bn): each point's loss is the loss at its own recomputed statistics, far below the stale ones", async () => {
    const recompute: OnnxArchitecture = { ...a.arch, batchNorm: { statistics: "recompute", batchSize: 32 } };
    const { snapshot } = await run(undefined, { align: false, curve: { epochs: 1 } }, recompute);
    const stale = (await run("model-a", { align: false, curve: { epochs: 1 } })).snapshot;
    const section = snapshot.paths;
    if (!section) throw new Error("no paths section");
    expect(section.runningStatistics?.policy).toBe("recomputed");
    expect(section.runningStatistics?.description).toMatch(/recomputed at every point/);
    const line = section.paths[0];
    const staleLine = stale.paths?.paths[0] as SectionPath;
    // Independently: w(t) = (1 - t) theta_A + t theta_B, its statistics recomputed over the data
    // (model/bn-statistics.ts, batches of 32), then one forward pass.
    const lossAt = (t: number) => {
      const w = a.parameters.map((v, i) => (1 - t) * v + t * b.parameters[i]);
      const arch = bnStatisticsAt(recompute, w, dataset.train);
      const out = logits(arch, w);
      let total = 0;
      for (let r = 0; r < dataset.train.count; r++) {
        const row = Array.from(out.subarray(r * 3, r * 3 + 3));
        const m = Math.max(...row);
        total += m + Math.log(row.reduce((acc, v) => acc + Math.exp(v - m), 0)) - row[dataset.train.y[r]];
      }
      return total / dataset.train.count;
    };
    for (const t of [0, 0.5, 1]) expect(Math.abs(at(line, t) - lossAt(t)), `t = ${t}`).toBeLessThan(1e-4);
    // Where it matters: at t = 1 A's statistics are stale for B's weights.
    console.log(
      `cnn pair, t = 1: loss with A's statistics ${at(staleLine, 1).toFixed(4)}, recomputed ${at(line, 1).toFixed(4)}`,
    );
    expect(at(staleLine, 1) - at(line, 1)).toBeGreaterThan(1);
    const check = checkSnapshot(JSON.parse(snapshotToJsonText(snapshot)));
    expect(check.ok ? [] : check.problems).toEqual([]);
  });

  it("refuses two graphs that differ, naming the nodes, shapes or constants", async () => {
    const mlp = model("mlp.onnx");
    const mlpBn = model("mlp_bn.onnx");
    expect(onnxGraphDifferences(mlp.arch, mlpBn.arch)).toContain(
      "nodes: 3 in A (Gemm Relu Gemm), 4 in B (Gemm BatchNormalization Relu Gemm)",
    );
    const padded = structuredClone(a.arch);
    padded.nodes[0].attributes.pads = [0, 0, 0, 0];
    expect(onnxGraphDifferences(a.arch, padded, ["a.onnx", "b.onnx"])).toEqual([
      'nodes[0] ("/conv1/Conv").attributes: {"dilations":[1,1],"group":1,"kernel_shape":[3,3],"pads":[1,1,1,1],"strides":[1,1]} in a.onnx, {"dilations":[1,1],"group":1,"kernel_shape":[3,3],"pads":[0,0,0,0],"strides":[1,1]} in b.onnx',
    ]);
    // Running statistics may differ (each model has its own); other constants may not.
    expect(onnxGraphDifferences(a.arch, b.arch)).toEqual([]);
    const before = tf.memory().numTensors;
    await expect(
      pathsBetweenOnnxModels(
        { arch: a.arch, parameters: a.parameters, source: "a" },
        { arch: mlpBn.arch, parameters: mlpBn.parameters, source: "b" },
        {
          backend: "wasm",
          dataset,
          loss: "cross-entropy",
          settings: parsePathsSettings(small, 0),
          counts: [5, 5],
          recordedConfig: {},
        },
      ),
    ).rejects.toThrow(
      /cannot connect A and B: paths need two models of the same ONNX graph[\s\S]*inputShape: \[1,8,8\] in A, \[4\] in B/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("landscape paths --from a.onnx --from b.onnx", () => {
  let dir = "";
  let config = "";
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "paths-onnx-"));
    config = path.join(dir, "config.json");
    await writeFile(config, JSON.stringify({ paths: small }));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("connects two .onnx files on .npy data, prints the barriers and the statistics policy, and writes a valid snapshot", async () => {
    const out = path.join(dir, "pair.json");
    const r = await cli(
      "paths",
      "--config",
      config,
      "--from",
      fixture("cnn_pair_a.onnx"),
      "--from",
      fixture("cnn_pair_b.onnx"),
      "--data",
      fixture("cnn-pair-x.npy"),
      "--labels",
      fixture("cnn-pair-y.npy"),
      "--out",
      out,
      "--no-progress",
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*pair\.json \(wasm, naive, /);
    for (const kind of ["linear", "bezier", "linear-aligned"])
      expect(r.stdout).toMatch(
        new RegExp(
          `^ {2}${kind} +theta1 -> theta2.*: train-loss barrier \\S+, train-error barrier \\S+$`,
          "m",
        ),
      );
    expect(r.stdout).toMatch(/^ {2}running statistics: interpolated between the models'/m);
    expect(r.stdout).toMatch(
      /^ {2}own train loss \(each model with its own statistics\): theta1 \S+, theta2 \S+$/m,
    );
    const validate = await cli("validate", out);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toMatch(/valid loss-landscape snapshot/);
    const info = await cli("info", out);
    expect(info.stdout).toMatch(/^path statistics +running statistics: interpolated/m);
  });

  it("connects two snapshots of model kind onnx (compute --model) with the same paths as the files", async () => {
    const grid = path.join(dir, "grid.json");
    await writeFile(grid, JSON.stringify({ grid: { x: { count: 3 }, y: { count: 3 } } }));
    const snapshots = await Promise.all(
      ["a", "b"].map(async (k) => {
        const out = path.join(dir, `${k}.json`);
        const r = await cli(
          "compute",
          "--config",
          grid,
          "--model",
          fixture(`cnn_pair_${k}.onnx`),
          "--data",
          fixture("cnn-pair-x.npy"),
          "--labels",
          fixture("cnn-pair-y.npy"),
          "--out",
          out,
          "--no-progress",
        );
        expect(r.code, r.stderr).toBe(0);
        return out;
      }),
    );
    const out = path.join(dir, "from-snapshots.json");
    const r = await cli(
      "paths",
      "--config",
      config,
      "--from",
      snapshots[0],
      "--from",
      snapshots[1],
      "--out",
      out,
      "--no-progress",
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const fromFiles = parseSnapshot(readFileSync(path.join(dir, "pair.json"), "utf8"));
    const fromSnapshots = parseSnapshot(readFileSync(out, "utf8"));
    expect(fromSnapshots.paths?.runningStatistics?.policy).toBe("interpolated");
    expect(fromSnapshots.paths?.paths.map((p) => p.barriers.train_loss.linearExcess)).toEqual(
      fromFiles.paths?.paths.map((p) => p.barriers.train_loss.linearExcess),
    );
    expect(fromSnapshots.paths?.models?.map((m) => m.source)).toEqual([
      expect.stringMatching(/a\.json \(created /),
      expect.stringMatching(/b\.json \(created /),
    ]);
  });

  it("refuses graphs that differ, and one .onnx file with one snapshot", async () => {
    const r = await cli(
      "paths",
      "--from",
      fixture("cnn_pair_a.onnx"),
      "--from",
      fixture("strided.onnx"),
      "--data",
      fixture("cnn-pair-x.npy"),
      "--labels",
      fixture("cnn-pair-y.npy"),
      "--out",
      path.join(dir, "bad.json"),
      "--no-progress",
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /the graphs differ in\n {2}inputShape: \[1,8,8\] in \S+cnn_pair_a\.onnx, \[2,7,7\] in \S+strided\.onnx/,
    );
    const mixed = await cli(
      "paths",
      "--from",
      fixture("cnn_pair_a.onnx"),
      "--from",
      path.join(dir, "pair.json"),
      "--out",
      path.join(dir, "mixed.json"),
    );
    expect(mixed.code).not.toBe(0);
    expect(mixed.stderr).toMatch(/give two \.onnx models \(with --data\) or two snapshots, not one of each/);
  });
});
