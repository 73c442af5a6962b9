/**
 * `landscape check FILE`: "is my plot right?" A snapshot, or a reference-layout surface .h5, is
 * reviewed by core/diagnose/review.ts; for a snapshot the model's own train loss at theta is
 * recomputed (one forward pass over the training data) and compared with the surface at the
 * origin. Prints each finding, or that nothing looks suspicious. Exit 0: nothing found; 2: at
 * least one finding; 1: the file cannot be read (as every command).
 */
import type { Command } from "commander";
import { lossAtOrigin } from "../core/diagnose/origin-loss";
import { type Finding, REVIEW_CHECKS, reviewLandscape } from "../core/diagnose/review";
import { initNodeBackend } from "../node/tf-node";
import { readExportInput } from "./export-command";
import { cliReadLimits, readMemoryOption } from "./read-limits";

interface CheckOptions {
  /** Print one JSON object instead of text. */
  json?: boolean;
  /** Recompute the model's loss at theta (default true; --no-recompute skips it). */
  recompute?: boolean;
  /** --read-memory (MB). */
  readMemory?: number;
}

/** The exit code when the review found something (1 is kept for files that cannot be read). */
const FINDINGS_EXIT_CODE = 2;

async function checkCommand(file: string, o: CheckOptions = {}): Promise<number> {
  const input = await readExportInput(file, cliReadLimits(o.readMemory));
  let originLoss: number | undefined;
  if (input.snapshot && o.recompute !== false) {
    await initNodeBackend();
    originLoss = lossAtOrigin(input.snapshot);
  }
  const view = input.snapshot ?? input.surface;
  if (!view) throw new Error(`${file}: nothing to check`);
  const findings: Finding[] = reviewLandscape(view, { originLoss });
  const kind = input.snapshot
    ? "snapshot"
    : "surface file (no model, data or directions: the checks that need them are skipped)";
  if (o.json) {
    process.stdout.write(
      `${JSON.stringify({ file, kind: input.snapshot ? "snapshot" : "surface", originLoss: originLoss ?? null, checks: REVIEW_CHECKS, findings })}\n`,
    );
  } else if (findings.length === 0) {
    process.stdout.write(`${file}: nothing suspicious (${kind}; ${REVIEW_CHECKS.length} checks)\n`);
  } else {
    process.stdout.write(`${file}: ${findings.length} finding(s) (${kind})\n`);
    for (const f of findings) process.stdout.write(`  ${f.check}: ${f.message}\n`);
  }
  return findings.length === 0 ? 0 : FINDINGS_EXIT_CODE;
}

/** Adds `check` to the CLI. */
export function registerCheckCommand(program: Command): void {
  program
    .command("check")
    .description(
      "is my plot right? review a snapshot (or a reference surface .h5): origin vs the model's own loss, normalization, range, grid step vs curvature, holes, accuracy units, trajectory off the plane; exit 2 when something is suspicious",
    )
    .argument("<file>", "snapshot (.json or .json.gz) or reference-layout surface .h5")
    .option(
      "--json",
      "print one JSON object: the file, the checks run, the model's loss at theta, the findings",
    )
    .option("--no-recompute", "do not recompute the model's loss at theta (skips the origin check)")
    .addOption(readMemoryOption())
    .action(async (file: string, opts: { json?: boolean; recompute: boolean; readMemory: number }) => {
      process.exitCode = await checkCommand(file, opts);
    });
}
