import { DEFAULT_READ_LIMITS, type ReadLimits } from "../core/snapshot/limits";
import { summarizeSnapshot } from "../core/snapshot/summary";
import { SnapshotError } from "../core/snapshot/validate";
import { readSnapshotFile } from "../node/snapshot-file";

// `compute` lives in compute-command.ts.

/** info: a short human summary of a snapshot file (read within `limits`, --read-memory). */
export async function infoCommand(file: string, limits: ReadLimits = DEFAULT_READ_LIMITS): Promise<void> {
  const snapshot = await readSnapshotFile(file, { limits });
  process.stdout.write(`${summarizeSnapshot(snapshot)}\n`);
}

/** validate: exit 0 when valid, else print every problem (a limit broken included) and exit 1. */
export async function validateCommand(
  file: string,
  limits: ReadLimits = DEFAULT_READ_LIMITS,
): Promise<number> {
  const warnings: string[] = [];
  try {
    const snapshot = await readSnapshotFile(file, { limits, onWarning: (w) => warnings.push(w) });
    for (const w of warnings) process.stdout.write(`warning: ${w}\n`);
    process.stdout.write(`${file}: valid loss-landscape snapshot, version ${snapshot.version}\n`);
    return 0;
  } catch (err) {
    const problems = err instanceof SnapshotError ? err.problems : [(err as Error).message];
    process.stderr.write(`${file}: invalid, ${problems.length} problem(s)\n  ${problems.join("\n  ")}\n`);
    return 1;
  }
}
