import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "./helpers/cli";

/** A float array as written in a snapshot: plain JSON numbers (null for non-finite) or base64 float32. */
type Wire = (number | null)[] | { dtype: "float32"; base64: string };

interface Axis {
  label: string;
  min: number;
  max: number;
  count: number;
}

interface Split {
  x: Wire;
  y: Wire;
  count: number;
}

/** The parts of snapshot JSON the tests look at. */
interface SnapshotJson {
  format: string;
  version: number;
  createdAt: string;
  config: Record<string, unknown> & { source?: { kind: string } };
  model: {
    architecture: { hiddenSizes: number[] };
    layout: { name: string; shape: number[] }[];
    parameters: Wire;
  };
  data: { name: string; train: Split; test?: Split };
  directions: { label: string; values: Wire }[];
  grid: { axes: Axis[] };
  surfaces: Record<string, Wire>;
  training?: { status: string; message?: string };
}

/** Decoded float32 values of a wire array (null, i.e. a non-finite value, becomes NaN). */
function floats(w: Wire): number[] {
  if (Array.isArray(w)) return w.map((v) => (v === null ? Number.NaN : Math.fround(v)));
  const bytes = Buffer.from(w.base64, "base64");
  const copy = new Uint8Array(bytes); // aligned copy for the Float32Array view
  return Array.from(new Float32Array(copy.buffer, 0, copy.byteLength / 4));
}

/** A tiny experiment config; `extra` replaces whole top-level sections. */
function tinyConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    seed: 7,
    data: { name: "moons", trainCount: 64, testCount: 32 },
    model: { hiddenSizes: [8] },
    training: { epochs: 5 },
    grid: { x: { count: 7 }, y: { count: 7 } },
    ...extra,
  };
}

let dir = "";
let counter = 0;
/** A fresh path in the test's temp folder. */
function tmp(name: string): string {
  counter++;
  return path.join(dir, `${counter}-${name}`);
}

async function writeConfig(config: unknown, name = "config.json"): Promise<string> {
  const file = tmp(name);
  await writeFile(file, typeof config === "string" ? config : JSON.stringify(config));
  return file;
}

async function readJson(file: string): Promise<SnapshotJson> {
  return JSON.parse(await readFile(file, "utf8")) as SnapshotJson;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** compute with a config object; expects success and returns the output path. */
async function compute(config: unknown, outName: string, ...args: string[]): Promise<string> {
  const out = tmp(outName);
  const r = await cli(
    "compute",
    "--config",
    await writeConfig(config),
    "--out",
    out,
    "--no-progress",
    ...args,
  );
  expect(r.stderr, "compute should not fail").not.toMatch(/^error:/m);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`wrote ${out}`);
  return out;
}

/** The value after a label in `info` output, e.g. line(info, "grid"). */
function line(info: string, label: string): string {
  const m = new RegExp(`^${label}\\s+(.*)$`, "m").exec(info);
  expect(m, `info has a ${label} line:\n${info}`).not.toBeNull();
  return (m as RegExpExecArray)[1];
}

/** Number of values in a layout (length of the flat parameter vector). */
function layoutSize(layout: SnapshotJson["model"]["layout"]): number {
  return layout.reduce((n, e) => n + e.shape.reduce((a, b) => a * b, 1), 0);
}

/** The snapshot of tinyConfig() with plain arrays, shared by the tests that derive broken files from it. */
let base = "";
let baseJson: SnapshotJson;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "landscape-cli-"));
  base = await compute(tinyConfig(), "base.json", "--arrays", "plain");
  baseJson = await readJson(base);
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.concurrent("landscape compute, validate and info", () => {
  it("writes a snapshot that validate accepts and info summarizes, with the minimum where it really is", async () => {
    const out = await compute(tinyConfig(), "plain-default.json");
    const [validate, info, json] = await Promise.all([cli("validate", out), cli("info", out), readJson(out)]);

    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain(`${out}: valid loss-landscape snapshot, version 1`);
    expect(validate.stderr).toBe("");

    expect(info.code).toBe(0);
    expect(json.format).toBe("loss-landscape-snapshot");
    expect(json.model.parameters).toHaveProperty("base64"); // the default encoding
    const n = layoutSize(json.model.layout);
    expect(n).toBe(2 * 8 + 8 + 8 * 2 + 2);
    expect(line(info.stdout, "model")).toBe(`mlp 2-8-2, relu, residual no, ${n} parameters`);
    expect(line(info.stdout, "data")).toBe(
      "moons (classification, 2 classes, inputSize 2, outputSize 2): 64 train samples, 32 test samples",
    );
    expect(line(info.stdout, "grid")).toBe("x in [-1, 1] x 7, y in [-1, 1] x 7 (49 points)");

    const trainLoss = line(info.stdout, "train_loss");
    const pattern =
      /^min (\S+) at x=(\S+), y=(\S+) \(index (\d+) = \[(\d+), (\d+)\]\), max (\S+), 0 non-finite$/;
    const m = pattern.exec(trainLoss);
    expect(m, trainLoss).not.toBeNull();
    const [, min, x, y, index, ix, iy, max] = m as RegExpExecArray;
    const values = floats(json.surfaces.train_loss);
    expect(values).toHaveLength(49);
    const trueMin = Math.min(...values);
    expect(Number(index)).toBe(values.indexOf(trueMin));
    expect(Number(index)).toBe(Number(iy) * 7 + Number(ix));
    expect(Number(min)).toBeCloseTo(trueMin, 3);
    expect(Number(max)).toBeCloseTo(Math.max(...values), 3);
    expect(Number(x)).toBeCloseTo(-1 + (Number(ix) * 2) / 6, 3);
    expect(Number(y)).toBeCloseTo(-1 + (Number(iy) * 2) / 6, 3);
    expect(line(info.stdout, "training")).toBe("completed, 5 epochs, 5 steps");
  });

  it("writes gzip when the output name ends in .json.gz, and validate and info read it", async () => {
    const out = await compute(tinyConfig(), "gzipped.json.gz");
    const bytes = await readFile(out);
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    const json = JSON.parse(gunzipSync(bytes).toString("utf8")) as SnapshotJson;
    expect(json.format).toBe("loss-landscape-snapshot");
    expect(json.version).toBe(1);

    const [validate, info] = await Promise.all([cli("validate", out), cli("info", out)]);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain("valid loss-landscape snapshot, version 1");
    expect(info.code).toBe(0);
    expect(line(info.stdout, "model")).toMatch(/^mlp 2-8-2, relu/);
    expect(line(info.stdout, "grid")).toBe("x in [-1, 1] x 7, y in [-1, 1] x 7 (49 points)");
    expect(line(info.stdout, "train_loss")).toMatch(/^min \S+ at x=\S+, y=\S+ \(index \d+ = \[\d, \d\]\)/);
  });

  it("writes plain JSON number arrays with --arrays plain, and validate and info read them", async () => {
    const json = baseJson;
    const isNumbers = (w: Wire) => Array.isArray(w) && w.every((v) => typeof v === "number");
    expect(isNumbers(json.model.parameters)).toBe(true);
    expect(json.model.parameters).toHaveLength(layoutSize(json.model.layout));
    for (const split of [json.data.train, json.data.test]) {
      expect(split).toBeDefined();
      expect(isNumbers((split as Split).x)).toBe(true);
      expect(isNumbers((split as Split).y)).toBe(true);
    }
    expect(json.data.train.x).toHaveLength(64 * 2);
    for (const d of json.directions) expect(isNumbers(d.values)).toBe(true);
    expect(Object.keys(json.surfaces).sort()).toEqual([
      "test_accuracy",
      "test_loss",
      "train_accuracy",
      "train_loss",
    ]);
    for (const values of Object.values(json.surfaces)) {
      expect(isNumbers(values)).toBe(true);
      expect(values).toHaveLength(49);
    }

    const [validate, info] = await Promise.all([cli("validate", base), cli("info", base)]);
    expect(validate.code).toBe(0);
    expect(info.code).toBe(0);
    expect(line(info.stdout, "grid")).toBe("x in [-1, 1] x 7, y in [-1, 1] x 7 (49 points)");
  });

  it("gives identical snapshots apart from createdAt when the same config runs twice", async () => {
    const config = tinyConfig();
    const [a, b] = await Promise.all([compute(config, "twice-a.json"), compute(config, "twice-b.json")]);
    const [ja, jb] = await Promise.all([readJson(a), readJson(b)]);
    expect(Number.isNaN(Date.parse(ja.createdAt))).toBe(false);
    expect(Number.isNaN(Date.parse(jb.createdAt))).toBe(false);
    expect({ ...ja, createdAt: "" }).toStrictEqual({ ...jb, createdAt: "" });
    // Also the same numbers as the plain-arrays run of the same config.
    expect(floats(ja.model.parameters)).toEqual(floats(baseJson.model.parameters));
    expect(floats(ja.surfaces.train_loss)).toEqual(floats(baseJson.surfaces.train_loss));
  });

  it("skips training with --from: the source's parameters and data, no training section, the new grid", async () => {
    expect(baseJson.training?.status).toBe("completed");
    const config = tinyConfig({ grid: { x: { min: -0.5, max: 0.5, count: 5 }, y: { count: 5 } } });
    const out = await compute(config, "from.json", "--from", base, "--arrays", "plain");
    const json = await readJson(out);

    expect(json.training).toBeUndefined();
    expect(json.model).toStrictEqual(baseJson.model);
    expect(json.data).toStrictEqual(baseJson.data);
    expect(json.config.source?.kind).toBe("snapshot");
    expect(json.grid.axes).toEqual([
      { label: "x", min: -0.5, max: 0.5, count: 5 },
      { label: "y", min: -1, max: 1, count: 5 },
    ]);
    for (const values of Object.values(json.surfaces)) expect(values).toHaveLength(25);
    // The centre of both grids is the trained model itself: same loss there.
    expect(floats(json.surfaces.train_loss)[12]).toBeCloseTo(floats(baseJson.surfaces.train_loss)[24], 5);

    const validate = await cli("validate", out);
    expect(validate.code).toBe(0);
  });

  it("samples a line with a 1-D grid: one direction, one axis and surfaces of length x.count", async () => {
    const out = await compute(
      tinyConfig({ grid: { x: { min: -2, max: 2, count: 9 }, y: null } }),
      "line.json",
      "--arrays",
      "plain",
    );
    const [json, info, validate] = await Promise.all([readJson(out), cli("info", out), cli("validate", out)]);
    expect(json.directions).toHaveLength(1);
    expect(json.directions[0].label).toBe("x");
    expect(json.grid.axes).toEqual([{ label: "x", min: -2, max: 2, count: 9 }]);
    for (const values of Object.values(json.surfaces)) expect(values).toHaveLength(9);
    expect(validate.code).toBe(0);
    expect(line(info.stdout, "grid")).toBe("x in [-2, 2] x 9 (9 points)");
    expect(line(info.stdout, "train_loss")).toMatch(/^min \S+ at x=\S+ \(index \d+ = \[\d+\]\)/);
    expect(info.stdout).not.toMatch(/^direction y/m);
  });
});

interface BadCase {
  name: string;
  /** A config object, or raw text for the config file. */
  config?: unknown;
  /** Instead of a config: this path (that does not exist). */
  configPath?: string;
  /** Write the first half of the shared plain snapshot and pass it as --from. */
  truncatedFrom?: boolean;
  args?: string[];
  error: RegExp;
}

const badCases: BadCase[] = [
  {
    name: "an unknown dataset name",
    config: tinyConfig({ data: { name: "moonz" } }),
    error: /data\.name: unknown dataset "moonz"/,
  },
  {
    name: "an unknown activation",
    config: tinyConfig({ model: { hiddenSizes: [8], activation: "swish" } }),
    error: /model\.activation: .*"swish"/,
  },
  {
    name: "a hidden layer of size 0",
    config: tinyConfig({ model: { hiddenSizes: [0] } }),
    error: /model\.hiddenSizes\[0\]: .*got 0/,
  },
  {
    name: "a hidden layer of size -3",
    config: tinyConfig({ model: { hiddenSizes: [8, -3] } }),
    error: /model\.hiddenSizes\[1\]: .*got -3/,
  },
  {
    name: "a grid axis with count 1",
    config: tinyConfig({ grid: { x: { count: 1 }, y: { count: 7 } } }),
    error: /grid\.x\.count: .*got 1/,
  },
  {
    name: "a grid of 2001 x 2001 points",
    config: tinyConfig({ grid: { x: { count: 2001 }, y: { count: 2001 } } }),
    error: /grid: 4004001 points is too large/,
  },
  {
    name: "x.min equal to x.max",
    config: tinyConfig({ grid: { x: { min: 1, max: 1, count: 7 }, y: { count: 7 } } }),
    error: /grid\.x\.min: .*less than/,
  },
  {
    name: "y.min greater than y.max",
    config: tinyConfig({ grid: { x: { count: 7 }, y: { min: 2, max: 1, count: 7 } } }),
    error: /grid\.y\.min: .*less than/,
  },
  {
    name: 'a misspelt key "trainng"',
    config: { ...tinyConfig(), trainng: { epochs: 5 } },
    error: /[Uu]nrecognized key.*"trainng"/,
  },
  {
    name: "a config file that is not valid JSON",
    config: '{ "data": { "name": "moons" ',
    error: /config .*config\.json is not valid JSON/,
  },
  {
    name: "a config file that does not exist",
    configPath: "/nonexistent/landscape-config.json",
    error: /cannot read config \/nonexistent\/landscape-config\.json: ENOENT/,
  },
  {
    name: "--from pointing at a truncated snapshot",
    config: tinyConfig(),
    truncatedFrom: true,
    error: /truncated\.json has 1 problem:\s+snapshot is not valid JSON: .*probably truncated/,
  },
  {
    name: "--evaluator nope",
    config: tinyConfig(),
    args: ["--evaluator", "nope"],
    error: /--evaluator must be one of .*tfjs-batched.*naive/,
  },
  {
    name: "--arrays nope",
    config: tinyConfig(),
    args: ["--arrays", "nope"],
    error: /--arrays must be one of base64, plain/,
  },
];

describe.concurrent("landscape compute on bad input", () => {
  it.each(badCases)("fails with a clear message and writes nothing for $name", async (c) => {
    const config = c.configPath ?? (await writeConfig(c.config));
    const args = [...(c.args ?? [])];
    if (c.truncatedFrom) {
      const text = await readFile(base, "utf8");
      const from = tmp("truncated.json");
      await writeFile(from, text.slice(0, Math.floor(text.length / 2)));
      args.push("--from", from);
    }
    const out = tmp("never-written.json");
    const r = await cli("compute", "--config", config, "--out", out, "--no-progress", ...args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/error: /);
    expect(r.stderr).toMatch(c.error);
    expect(r.stdout).not.toContain("wrote");
    expect(await exists(out)).toBe(false);
  });
});

interface BrokenCase {
  name: string;
  /** Changes a copy of the shared plain snapshot; or returns the file's text directly. */
  breakIt: (s: SnapshotJson, text: string) => SnapshotJson | string;
  problems: RegExp[];
}

const brokenCases: BrokenCase[] = [
  {
    name: "a wrong format string",
    breakIt: (s) => ({ ...s, format: "some-other-format" }),
    problems: [/^ {2}format: expected "loss-landscape-snapshot", got "some-other-format"/m],
  },
  {
    name: "version 2",
    breakIt: (s) => ({ ...s, version: 2 }),
    problems: [/^ {2}version: unsupported version 2/m],
  },
  {
    name: "truncated JSON",
    breakIt: (_s, text) => text.slice(0, Math.floor(text.length / 2)),
    problems: [/^ {2}snapshot is not valid JSON: .*probably truncated/m],
  },
  {
    name: "model.parameters three values short",
    breakIt: (s) => {
      s.model.parameters = (s.model.parameters as number[]).slice(0, -3);
      return s;
    },
    problems: [/^ {2}model\.parameters: expected 42 values \(sum of layout sizes\), got 39$/m],
  },
  {
    name: "a surface one value short",
    breakIt: (s) => {
      s.surfaces.test_loss = (s.surfaces.test_loss as number[]).slice(1);
      return s;
    },
    problems: [/^ {2}surfaces\.test_loss: expected 49 values \(grid 7 x 7\), got 48$/m],
  },
  {
    name: "NaN (null) in model.parameters",
    breakIt: (s) => {
      (s.model.parameters as (number | null)[])[5] = null;
      return s;
    },
    problems: [/^ {2}model\.parameters: value NaN at index 5 \(dense_0\/kernel\) is not finite/m],
  },
  {
    name: "several problems at once",
    breakIt: (s) => {
      s.model.parameters = (s.model.parameters as number[]).slice(0, -3);
      (s.directions[1].values as (number | null)[])[0] = null;
      s.surfaces.train_loss = (s.surfaces.train_loss as number[]).slice(0, -1);
      return s;
    },
    problems: [
      /^ {2}model\.parameters: expected 42 values/m,
      /^ {2}directions\[1\]\.values: value NaN at index 0 .*is not finite/m,
      /^ {2}surfaces\.train_loss: expected 49 values \(grid 7 x 7\), got 48$/m,
    ],
  },
  {
    name: "a wrong format string and version 2 together",
    breakIt: (s) => ({ ...s, format: "nope", version: 2 }),
    problems: [/^ {2}format: expected "loss-landscape-snapshot"/m, /^ {2}version: unsupported version 2/m],
  },
];

describe.concurrent("landscape validate on broken snapshots", () => {
  it.each(brokenCases)("exits 1 and lists every problem for $name", async (c) => {
    const text = await readFile(base, "utf8");
    const broken = c.breakIt(JSON.parse(text) as SnapshotJson, text);
    const file = tmp("broken.json");
    await writeFile(file, typeof broken === "string" ? broken : JSON.stringify(broken));
    const r = await cli("validate", file);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("valid loss-landscape snapshot");
    expect(r.stderr).toContain(`${file}: invalid, ${c.problems.length} problem(s)`);
    for (const problem of c.problems) expect(r.stderr).toMatch(problem);
  });
});

describe.concurrent("landscape compute with non-finite numbers", () => {
  it("still writes a snapshot when training diverges, warns on stderr and records status diverged", async () => {
    const config = tinyConfig({
      data: { name: "sine", trainCount: 64, testCount: 32 },
      training: { epochs: 5, optimizer: "sgd", learningRate: 1e6 },
      grid: { x: { count: 5 }, y: { count: 5 } },
    });
    const out = tmp("diverged.json");
    const r = await cli("compute", "--config", await writeConfig(config), "--out", out, "--no-progress");
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: training diverged at epoch \d+/m);
    expect(r.stdout).toContain(`wrote ${out}`);

    const [json, info, validate] = await Promise.all([readJson(out), cli("info", out), cli("validate", out)]);
    expect(json.training?.status).toBe("diverged");
    expect(json.training?.message).toMatch(/training diverged/);
    // The last parameters whose loss was finite are kept, so the snapshot is usable.
    expect(floats(json.model.parameters).every(Number.isFinite)).toBe(true);
    expect(validate.code).toBe(0);
    expect(line(info.stdout, "training")).toMatch(/^diverged, \d+ epochs, \d+ steps: training diverged/);
  });

  it("keeps non-finite losses of a huge grid range: null in plain JSON and counted by info", async () => {
    const huge = { min: -1e30, max: 1e30, count: 3 };
    const out = await compute(tinyConfig({ grid: { x: huge, y: huge } }), "huge.json", "--arrays", "plain");
    const [json, info, validate] = await Promise.all([readJson(out), cli("info", out), cli("validate", out)]);

    const loss = json.surfaces.train_loss as (number | null)[];
    expect(loss).toHaveLength(9);
    const nulls = loss.filter((v) => v === null).length;
    expect(nulls).toBeGreaterThan(0);
    expect(loss.every((v) => v === null || typeof v === "number")).toBe(true);
    // The centre is the trained model: finite.
    expect(typeof loss[4]).toBe("number");
    expect(JSON.stringify(json)).not.toMatch(/NaN|Infinity/);

    expect(line(info.stdout, "train_loss")).toMatch(new RegExp(`, ${nulls} non-finite$`));
    expect(validate.code).toBe(0);
    expect(validate.stdout).toMatch(/^warning: surfaces\.train_loss: \d+ non-finite values/m);
  });
});
