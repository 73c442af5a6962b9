/**
 * `landscape compute --model net.onnx` as a user runs it (a child process): a PyTorch export and
 * .npy data give a snapshot of model kind "onnx" whose landscape at (0, 0) is the model's own loss,
 * `curvature` analyses it, `hdf5-directions` writes each direction by state_dict name in PyTorch's
 * shape, and an unsupported operator is refused naming the operator and its node.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSnapshot } from "../../src/core/snapshot/io";
import { cli, ROOT } from "./helpers/cli";

const fixtures = path.join(ROOT, "tests", "fixtures", "onnx");
let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cli-onnx-"));
  await writeFile(
    path.join(dir, "small.json"),
    JSON.stringify({ grid: { x: { min: -1, max: 1, count: 3 }, y: { min: -1, max: 1, count: 3 } } }),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("landscape compute --model net.onnx", () => {
  it("computes a landscape of a PyTorch export on .npy data, analyses its curvature and exports its directions", async () => {
    const out = path.join(dir, "mlp.json");
    const run = await cli(
      "compute",
      "--config",
      path.join(dir, "small.json"),
      "--model",
      path.join(fixtures, "mlp.onnx"),
      "--data",
      path.join(fixtures, "mlp-x.npy"),
      "--labels",
      path.join(fixtures, "mlp-y.npy"),
      "--out",
      out,
      "--no-progress",
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const snapshot = parseSnapshot(await readFile(out, "utf8"));
    expect(snapshot.model.architecture.kind).toBe("onnx");
    expect(snapshot.config.model).toMatchObject({ kind: "onnx" });
    expect(snapshot.model.layout.map((e) => `${e.name} [${e.shape}]`)).toEqual([
      "fc1.weight [8,4]",
      "fc1.bias [8]",
      "fc2.weight [3,8]",
      "fc2.bias [3]",
    ]);

    const curvature = await cli("curvature", "--from", out, "--out", path.join(dir, "mlp.curvature.json"));
    expect(curvature.code).toBe(0);
    expect(curvature.stdout + curvature.stderr).toMatch(/top eigenvalue/);

    const h5 = path.join(dir, "mlp-dirs.h5");
    const exported = await cli("export", out, "--to", "hdf5-directions", "--out", h5);
    expect(exported.code).toBe(0);
    expect((await readFile(h5)).length).toBeGreaterThan(0);
  });

  it("refuses an unsupported operator naming it and its node", async () => {
    const run = await cli(
      "compute",
      "--config",
      path.join(dir, "small.json"),
      "--model",
      path.join(fixtures, "unsupported.onnx"),
      "--data",
      path.join(fixtures, "mlp-x.npy"),
      "--labels",
      path.join(fixtures, "mlp-y.npy"),
      "--out",
      path.join(dir, "bad.json"),
      "--no-progress",
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/unsupported\.onnx: ONNX operator "Sin" \(node "\/Sin"\) is not supported/);
  });
});
