/**
 * Helpers of the sharded-landscape CLI tests: running the CLI (or a deploy script) in a child
 * process with a chosen environment, waiting for a part file to grow, comparing snapshots.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { expect } from "vitest";
import { type CliResult, MAIN, NODE_ARGS, ROOT } from "./cli";

/** The test runner's environment without any scheduler variable (a child sets its own). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  for (const key of Object.keys(env)) {
    if (key.startsWith("SLURM_") || key === "JOB_COMPLETION_INDEX" || key.startsWith("LANDSCAPE"))
      delete env[key];
  }
  return { ...env, ...extra };
}

/** Runs a program; resolves with its exit code and output (never rejects on a non-zero exit). */
export function run(file: string, args: string[], env: NodeJS.ProcessEnv = cleanEnv()): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd: ROOT, env, timeout: 110_000, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(new Error(`${file} did not exit normally (${error.message}); stderr:\n${stderr}`));
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** The CLI with these arguments and scheduler variables. */
export function landscape(args: string[], extra: Record<string, string> = {}): Promise<CliResult> {
  return run(process.execPath, [...NODE_ARGS, ...args], cleanEnv(extra));
}

/** The CLI as a child process that the test can signal; `done` settles when it exits. */
export function startLandscape(
  args: string[],
  extra: Record<string, string> = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], { cwd: ROOT, env: cleanEnv(extra) });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => {
    stdout += d;
  });
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const done = new Promise<CliResult>((resolve) =>
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr })),
  );
  return { child, done };
}

/** How the deploy scripts run the CLI here (their LANDSCAPE setting). */
export const LANDSCAPE_COMMAND = `${process.execPath} --import tsx ${MAIN}`;

/** Tile records in a part file (lines with "tile"), 0 when it does not exist yet. */
export async function tileRecords(file: string): Promise<number> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.split("\n").filter((l) => l.startsWith('{"tile":')).length;
}

/** Waits until `test` holds (polling), or fails after `ms`. */
export async function waitFor(test: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await test()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

type Json = Record<string, unknown>;

/**
 * Expects two snapshot files to be the same snapshot: every field equal but createdAt, so the
 * surfaces (base64 float32 bytes) are equal bit for bit.
 */
export async function expectSameSnapshot(file: string, reference: string): Promise<void> {
  const read = async (f: string) => {
    const bytes = await readFile(f);
    return JSON.parse(
      (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString("utf8"),
    ) as Json;
  };
  const [a, b] = await Promise.all([read(file), read(reference)]);
  expect(Object.keys(a)).toEqual(Object.keys(b));
  const surfaces = a.surfaces as Record<string, { base64: string }>;
  const ref = b.surfaces as Record<string, { base64: string }>;
  expect(Object.keys(surfaces)).toEqual(["train_loss", "train_accuracy", "test_loss", "test_accuracy"]);
  for (const name of Object.keys(ref)) expect(surfaces[name].base64, name).toBe(ref[name].base64);
  for (const key of Object.keys(b)) if (key !== "createdAt") expect(a[key], key).toEqual(b[key]);
}
