/**
 * `landscape curvature` and the curvature parts of `compute`, end to end: `tsx src/cli/main.ts`
 * runs as a child process on a tiny snapshot (moons 64 + 32 samples, MLP 2-8-2 tanh, 42
 * parameters, 3 x 3 grid), so that each run takes about a second. Independent runs go concurrently.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, cli, NODE_ARGS, ROOT } from "./helpers/cli";

type Json = Record<string, unknown>;
interface Curvature {
  settings: Json & { seed: number; topK: number };
  objective: { samples: number; total: number; loss: number };
  top: { values: number[]; vectors?: number[][] };
  smallest: { value: number; method: string; vector?: number[] };
  trace?: { value: number; ci95: [number, number]; samples: number; values: number[] };
  density?: { grid: number[]; density: number[] };
  epsSharpness: { epsilon: number; sharpness: number; solver: string }[];
  averageSharpness: { radius: number; sharpness: number }[];
  samSharpness: { rho: number; sharpness: number }[];
}
interface SnapshotJson extends Json {
  model: { parameters: number[] };
  directions: (Json & { eigenvalue?: number; which?: string })[];
  curvature?: Curvature;
}

const tinyConfig = (extra: Json = {}): Json => ({
  seed: 7,
  data: { name: "moons", trainCount: 64, testCount: 32 },
  model: { hiddenSizes: [8], activation: "tanh" },
  training: { epochs: 20 },
  grid: { x: { count: 3 }, y: { count: 3 } },
  ...extra,
});

let dir = "";
let counter = 0;
function tmp(name: string): string {
  counter++;
  return path.join(dir, `${counter}-${name}`);
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

const readJson = async (file: string) => JSON.parse(await readFile(file, "utf8")) as SnapshotJson;

/** The value after a label in `info` output. */
function line(info: string, label: string): string {
  const m = new RegExp(`^${label}\\s+(.*)$`, "m").exec(info);
  expect(m, `info has a ${label} line:\n${info}`).not.toBeNull();
  return (m as RegExpExecArray)[1];
}

async function compute(config: Json, name: string, ...args: string[]): Promise<string> {
  const file = tmp("config.json");
  await writeFile(file, JSON.stringify(config));
  const out = tmp(name);
  const r = await cli("compute", "--config", file, "--out", out, "--no-progress", ...args);
  expect(r.stderr).not.toMatch(/^error:/m);
  expect(r.code).toBe(0);
  return out;
}

/** curvature --from base with the given options; expects success. */
async function curvature(name: string, ...args: string[]): Promise<{ out: string; r: CliResult }> {
  const out = tmp(name);
  const r = await cli("curvature", "--from", base, "--out", out, "--no-progress", ...args);
  expect(r.stderr, "curvature should not fail").not.toMatch(/^error:/m);
  expect(r.code).toBe(0);
  return { out, r };
}

const FULL = [
  "--top-k",
  "2",
  "--trace-samples",
  "20",
  "--density",
  "--density-bins",
  "200",
  "--eps-sharpness",
  "1e-3,5e-4",
  "--average-radius",
  "0.1",
  "--sam-rho",
  "0.05",
  "--vectors",
  "--arrays",
  "plain",
];

let base = "";
let baseJson: SnapshotJson;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "landscape-cli-curvature-"));
  base = await compute(tinyConfig(), "base.json", "--arrays", "plain");
  baseJson = await readJson(base);
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.concurrent("landscape curvature", () => {
  it("writes the input snapshot plus a curvature section that validate accepts and info prints", async () => {
    const { out, r } = await curvature("full.json", ...FULL);
    expect(r.stdout).toMatch(
      new RegExp(
        `^wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(top eigenvalue \\S+, smallest \\S+, trace \\S+; wasm, [\\d.]+ s\\)$`,
        "m",
      ),
    );
    const json = await readJson(out);
    const { curvature: c, ...rest } = json;
    expect(rest).toStrictEqual(baseJson);
    expect(c).toBeDefined();
    const cv = c as Curvature;
    expect(cv.settings).toMatchObject({ seed: 0, topK: 2, traceSamples: 20, density: true, vectors: true });
    expect(cv.objective).toMatchObject({ samples: 64, total: 64 });
    expect(cv.top.values).toHaveLength(2);
    expect(cv.top.values[0]).toBeGreaterThanOrEqual(Math.abs(cv.top.values[1]));
    expect(cv.smallest.value).toBeLessThanOrEqual(cv.top.values[0]);
    expect(cv.top.vectors?.map((v) => v.length)).toEqual([42, 42]);
    expect(cv.smallest.vector).toHaveLength(42);
    expect(cv.trace?.ci95[0]).toBeLessThanOrEqual(cv.trace?.value as number);
    expect(cv.density?.density).toHaveLength(200);
    expect(cv.epsSharpness.map((e) => e.epsilon)).toEqual([1e-3, 5e-4]);
    expect(cv.epsSharpness[0].solver).toBe("projected sign-gradient ascent");
    expect(cv.averageSharpness.map((a) => a.radius)).toEqual([0.1]);
    expect(cv.samSharpness.map((s) => s.rho)).toEqual([0.05]);

    const [validate, info] = await Promise.all([cli("validate", out), cli("info", out)]);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain(`${out}: valid loss-landscape snapshot, version 1`);
    expect(validate.stdout).not.toMatch(/warning/);
    expect(info.code).toBe(0);
    const num = (v: number) => String(Number(v.toPrecision(4)));
    expect(line(info.stdout, "top eigenvalues")).toMatch(
      new RegExp(`^${num(cv.top.values[0])}, ${num(cv.top.values[1])} \\(power iteration`),
    );
    expect(line(info.stdout, "smallest eigenvalue")).toMatch(
      new RegExp(`^${num(cv.smallest.value)} \\(lanczos`),
    );
    expect(line(info.stdout, "trace")).toMatch(new RegExp(`^${num(cv.trace?.value as number)}, 95% CI \\[`));
    expect(line(info.stdout, "eps-sharpness")).toBe(
      `eps 0.001: ${num(cv.epsSharpness[0].sharpness)}, eps 0.0005: ${num(cv.epsSharpness[1].sharpness)}`,
    );
    expect(line(info.stdout, "spectral density")).toMatch(/^SLQ, 200 points over/);
    expect(line(info.stdout, "average sharpness")).toMatch(/^r 0\.1: \S+ \+- \S+$/);
    expect(line(info.stdout, "SAM sharpness")).toMatch(/^rho 0\.05: \S+$/);
    expect(line(info.stdout, "curvature")).toMatch(
      /^64 of 64 train samples, loss \S+, \d+ H v products, seed 0$/,
    );
  });

  it("gives the same numbers when the same command runs twice, and other probes with another --seed", async () => {
    const args = ["--top-k", "2", "--trace-samples", "20", "--eps-sharpness", "1e-3", "--arrays", "plain"];
    const [a, b, c] = await Promise.all([
      curvature("twice-a.json", ...args),
      curvature("twice-b.json", ...args),
      curvature("seed-3.json", ...args, "--seed", "3"),
    ]);
    const [ja, jb, jc] = await Promise.all([readJson(a.out), readJson(b.out), readJson(c.out)]);
    expect(ja).toStrictEqual(jb);
    expect(jc.curvature?.settings.seed).toBe(3);
    expect(jc.curvature?.trace?.values).not.toEqual(ja.curvature?.trace?.values);
  });

  it("writes FROM.curvature.json next to the input when --out is absent, with progress on stderr", async () => {
    const sub = tmp("default-out");
    await mkdir(sub);
    const from = path.join(sub, "run.json");
    await copyFile(base, from);
    const r = await cli("curvature", "--from", from, "--trace-samples", "10", "--sam-rho", "0.05");
    expect(r.code).toBe(0);
    const out = path.join(sub, "run.curvature.json");
    expect(r.stdout).toContain(`wrote ${out}`);
    expect((await readJson(out)).curvature?.trace?.samples).toBeLessThanOrEqual(10);
    // The input is left as it was.
    expect(await readJson(from)).toStrictEqual(baseJson);
    // Progress: one stderr line per finished step (stdout stays clean).
    expect(r.stderr).toMatch(/^curvature: top done$/m);
    expect(r.stderr).toMatch(/^curvature: trace done$/m);
    expect(r.stderr).toMatch(/^curvature: sam 0\.05 done$/m);
    expect(r.stdout).not.toMatch(/curvature:/);
  });
});

describe.concurrent("landscape compute with Hessian directions and a curvature section", () => {
  it("puts the eigenvalues on the Hessian axes and the config's curvature report into the snapshot", async () => {
    const out = await compute(
      tinyConfig({
        directions: { method: "hessian-top-bottom" },
        grid: { x: { min: -0.5, max: 0.5, count: 3 }, y: { min: -0.5, max: 0.5, count: 3 } },
        curvature: { topK: 2, traceSamples: 10, samRho: [0.05] },
      }),
      "hessian.json",
      "--arrays",
      "plain",
    );
    const [json, info, validate] = await Promise.all([readJson(out), cli("info", out), cli("validate", out)]);
    expect(validate.code).toBe(0);
    expect(validate.stdout).not.toMatch(/warning/);
    expect(json.directions.map((d) => [d.method, d.normalization, d.bias, d.which])).toEqual([
      ["hessian", "none", "include", "top-1"],
      ["hessian", "none", "include", "bottom"],
    ]);
    const [top, bottom] = json.directions.map((d) => d.eigenvalue as number);
    expect(bottom).toBeLessThanOrEqual(top);
    expect(line(info.stdout, "direction x")).toMatch(
      /^hessian top-1 \(eigenvalue \S+\), none normalization, bias include/,
    );
    expect(line(info.stdout, "direction y")).toMatch(
      /^hessian bottom \(eigenvalue \S+\), none normalization/,
    );
    const c = json.curvature as Curvature;
    expect(c.top.values).toHaveLength(2);
    // The axis and the report see the same Hessian: the same top eigenvalue to the solvers' tolerance.
    expect(Math.abs(c.top.values[0] - top) / top).toBeLessThan(0.01);
    expect((json.config as { curvature: { seed: number } }).curvature.seed).toBe(c.settings.seed);
    expect(line(info.stdout, "SAM sharpness")).toMatch(/^rho 0\.05: /);
  });
});

interface BadCase {
  name: string;
  args: (from: string) => string[];
  error: RegExp;
}

const badCases: BadCase[] = [
  {
    name: "a --from file that does not exist",
    args: () => ["--from", "/nonexistent/run.json"],
    error: /cannot read snapshot \/nonexistent\/run\.json: ENOENT/,
  },
  {
    name: "--top-k 0",
    args: (f) => ["--from", f, "--top-k", "0"],
    error: /--top-k must be an integer in \[1, 100\], got 0/,
  },
  {
    name: "--top-k above the parameter count",
    args: (f) => ["--from", f, "--top-k", "50"],
    error: /--top-k 50 is more than the model's 42 parameters/,
  },
  {
    name: "a negative --eps-sharpness",
    args: (f) => ["--from", f, "--eps-sharpness", "-1"],
    error: /--eps-sharpness must be a finite number > 0, got -1/,
  },
  {
    name: "a bad entry in an --average-radius list",
    args: (f) => ["--from", f, "--average-radius", "0.1,abc"],
    error: /--average-radius must be a finite number > 0, got abc/,
  },
  {
    name: "--trace-samples 1",
    args: (f) => ["--from", f, "--trace-samples", "1"],
    error: /--trace-samples must be 0 \(skip the trace\) or at least 2, got 1/,
  },
  {
    name: "--smallest power",
    args: (f) => ["--from", f, "--smallest", "power"],
    error: /--smallest must be one of shift, lanczos/,
  },
  {
    name: "--seed -1",
    args: (f) => ["--from", f, "--seed", "-1"],
    error: /--seed must be an integer in \[0, 4294967295\], got -1/,
  },
  { name: "a missing --from", args: () => [], error: /required option '--from <snapshot>' not specified/ },
];

describe.concurrent("landscape curvature on bad input", () => {
  it.each(badCases)(
    "fails with a clear message naming the option and writes nothing for $name",
    async (c) => {
      const out = tmp("never-written.json");
      const r = await cli("curvature", ...c.args(base), "--out", out, "--no-progress");
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/error: /);
      expect(r.stderr).toMatch(c.error);
      expect(r.stdout).not.toContain("wrote");
      expect(await exists(out)).toBe(false);
    },
  );

  it("refuses a snapshot without training data and writes nothing", async () => {
    const empty = { ...baseJson, data: { ...(baseJson.data as Json), train: { x: [], y: [], count: 0 } } };
    const from = tmp("no-train.json");
    await writeFile(from, JSON.stringify(empty));
    const out = tmp("never-written.json");
    const r = await cli("curvature", "--from", from, "--out", out, "--no-progress");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no-train\.json has 1 problem:\s+data\.train\.count: must be at least 1, got 0/);
    expect(await exists(out)).toBe(false);
  });

  it("says when the output folder does not exist and leaves no file", async () => {
    const out = path.join(dir, "missing-folder", "out.json");
    const r = await cli("curvature", "--from", base, "--out", out, "--trace-samples", "0", "--no-progress");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/cannot write snapshot .*out\.json: its folder .*missing-folder does not exist/);
    expect(await exists(out)).toBe(false);
  });

  it("stops on Ctrl-C (SIGINT) with a message and writes nothing", async () => {
    const out = tmp("cancelled.json");
    const child: ChildProcess = spawn(
      process.execPath,
      [
        ...NODE_ARGS,
        "curvature",
        "--from",
        base,
        "--out",
        out,
        "--trace-samples",
        "100000",
        "--trace-tolerance",
        "1e-12",
      ],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } },
    );
    let stderr = "";
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/curvature: smallest done/.test(stderr)) resolve();
      });
    });
    child.kill("SIGINT");
    const code = await exited;
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/error: cancelled \(SIGINT\); nothing was written/);
    expect(await exists(out)).toBe(false);
  });
});
