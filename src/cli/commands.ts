import { runExperiment } from "../core/experiment/run";
import { EVALUATORS, type EvaluatorName } from "../core/landscape/evaluators";
import { SnapshotError, summarizeSnapshot } from "../core/snapshot";
import { readSnapshotFile, writeSnapshotFile } from "../node/snapshot-file";
import { initNodeBackend } from "../node/tf-node";
import { cancelOnSigint } from "./cancel-on-sigint";
import { computeInputs } from "./compute-inputs";
import { progressReporter } from "./progress";

export interface ComputeOptions {
  /** Optional when --data or --model is given (compute-inputs.ts). */
  config?: string;
  /** A tfjs model.json: model { kind: "layers", file }. */
  model?: string;
  /** A CSV or .npy file: data { name: "file", path }. */
  data?: string;
  /** .npy labels for --data. */
  labels?: string;
  out: string;
  from?: string;
  arrays: "base64" | "plain";
  /** Absent: the fastest path for the backend. */
  evaluator?: EvaluatorName;
  progress: boolean;
}

/** compute: config (+ optional source snapshot) -> snapshot file. Nothing is written on error. */
export async function computeCommand(o: ComputeOptions): Promise<void> {
  if (o.evaluator !== undefined && !(o.evaluator in EVALUATORS)) {
    throw new Error(
      `--evaluator: unknown "${o.evaluator}"; expected one of ${Object.keys(EVALUATORS).join(", ")}`,
    );
  }
  const { config, files } = await computeInputs(o);
  const from = o.from ? await readSnapshotFile(o.from) : undefined;
  const backend = await initNodeBackend();
  // Absent: runExperiment takes the fastest path for the backend and the model kind.
  const evaluator = o.evaluator ? EVALUATORS[o.evaluator] : undefined;
  const progress = progressReporter(o.progress);
  const sigint = cancelOnSigint();
  try {
    const t0 = performance.now();
    const result = await runExperiment(config, {
      from,
      evaluator,
      backend,
      files,
      signal: sigint.signal,
      onProgress: (p) => progress.update(p),
    });
    progress.stop();
    for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
    await writeSnapshotFile(o.out, result.snapshot, { arrays: o.arrays });
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    const used = result.snapshot.producer.evaluator ?? evaluator?.name;
    process.stdout.write(`wrote ${o.out} (${backend}, ${used}, ${seconds} s)\n`);
  } finally {
    progress.stop();
    sigint.release();
  }
}

/** info: a short human summary of a snapshot file. */
export async function infoCommand(file: string): Promise<void> {
  const snapshot = await readSnapshotFile(file);
  process.stdout.write(`${summarizeSnapshot(snapshot)}\n`);
}

/** validate: exit 0 when valid, else print every problem and exit 1. */
export async function validateCommand(file: string): Promise<number> {
  const warnings: string[] = [];
  try {
    const snapshot = await readSnapshotFile(file, { onWarning: (w) => warnings.push(w) });
    for (const w of warnings) process.stdout.write(`warning: ${w}\n`);
    process.stdout.write(`${file}: valid loss-landscape snapshot, version ${snapshot.version}\n`);
    return 0;
  } catch (err) {
    const problems = err instanceof SnapshotError ? err.problems : [(err as Error).message];
    process.stderr.write(`${file}: invalid, ${problems.length} problem(s)\n  ${problems.join("\n  ")}\n`);
    return 1;
  }
}
