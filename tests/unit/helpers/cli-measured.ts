/**
 * The CLI in a child process, as helpers/cli.ts runs it, measured: wall time from start to exit
 * (in this process), and the child's peak resident memory and CPU time (its own getrusage,
 * written at exit by the preloaded peak-rss.mjs: works on any platform Node runs on, as root or
 * not, without /usr/bin/time). The CPU time is what the run cost, whatever else the machine was
 * doing; the wall time grows with the other jobs on the machine.
 *
 * @example const r = await cliMeasured("validate", "bomb.json.gz"); r.code; r.ms; r.peakMb;
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type CliResult, NODE_ARGS, ROOT } from "./cli";

const PRELOAD = fileURLToPath(new URL("./peak-rss.mjs", import.meta.url));

export interface MeasuredCliResult extends CliResult {
  /** Wall time from spawning the process to its exit, in ms. */
  ms: number;
  /** The process's peak resident memory, in MB (2^20 bytes). */
  peakMb: number;
  /** CPU time the process used (user + system, all its threads), in ms. */
  cpuMs: number;
}

export function cliMeasured(...args: string[]): Promise<MeasuredCliResult> {
  const dir = mkdtempSync(path.join(tmpdir(), "landscape-peak-"));
  const peakFile = path.join(dir, "peak.json");
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", PRELOAD, ...NODE_ARGS, ...args],
      {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: "1", LANDSCAPE_PEAK_RSS_FILE: peakFile },
        timeout: 110_000,
        maxBuffer: 64 << 20,
      },
      (error, stdout, stderr) => {
        const ms = performance.now() - started;
        try {
          if (error && typeof error.code !== "number") {
            reject(new Error(`CLI did not exit normally (${error.message}); stderr:\n${stderr}`));
            return;
          }
          const { maxRssKb, cpuMicros } = JSON.parse(readFileSync(peakFile, "utf8")) as {
            maxRssKb: number;
            cpuMicros: number;
          };
          resolve({
            code: error ? Number(error.code) : 0,
            stdout,
            stderr,
            ms,
            peakMb: maxRssKb / 1024,
            cpuMs: cpuMicros / 1000,
          });
        } catch (err) {
          reject(err);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });
}
