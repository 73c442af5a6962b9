/**
 * Running the CLI as a user does, in a child process, for the CLI tests: `node --import tsx
 * src/cli/main.ts <args>` (node runs the CLI itself, so a signal sent to the child reaches the
 * CLI, not a tsx wrapper that would kill it outright).
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
export const MAIN = path.join(ROOT, "src", "cli", "main.ts");
/** Arguments before the CLI's own: node runs main.ts through tsx's loader. */
export const NODE_ARGS = ["--import", "tsx", MAIN];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with the given arguments; resolves with the exit code and both streams. */
export function cli(...args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...NODE_ARGS, ...args],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" }, timeout: 110_000, maxBuffer: 64 << 20 },
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
