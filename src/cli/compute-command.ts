/**
 * `landscape compute`: config (+ optional source snapshot) -> snapshot file, on one machine. It runs
 * as a plan, its tiles and a merge (src/node/journal.ts): the plan and the tiles done so far are
 * kept in OUT.plan and OUT.part while it runs, so Ctrl-C (or a kill) keeps the work done and
 * `--resume` finishes it; `--workers N` computes the tiles over N worker threads. Either way the
 * snapshot is bit for bit the one a plain run writes. The output is written atomically.
 */
import { EVALUATORS, type EvaluatorName } from "../core/landscape/evaluators";
import { computeJournaled, journalPaths, removeJournal } from "../node/journal";
import { ShardStopped } from "../node/shard-run";
import { readSnapshotFile, writeSnapshotFile } from "../node/snapshot-file";
import { initNodeBackend } from "../node/tf-node";
import { computeInputs } from "./compute-inputs";
import { progressReporter } from "./progress";
import { stopOnSignals } from "./stop-signals";

interface ComputeOptions {
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
  /** Continue an interrupted run from OUT.plan and OUT.part. */
  resume?: boolean;
  /** Worker threads computing the tiles (default 1: this thread). */
  workers?: number;
}

/** compute: see the module comment. Nothing but the journal is written on error. */
export async function computeCommand(o: ComputeOptions): Promise<void> {
  if (o.evaluator !== undefined && !(o.evaluator in EVALUATORS)) {
    throw new Error(
      `--evaluator: unknown "${o.evaluator}"; expected one of ${Object.keys(EVALUATORS).join(", ")}`,
    );
  }
  const { config, files } = await computeInputs(o);
  const from = o.from ? await readSnapshotFile(o.from) : undefined;
  const backend = await initNodeBackend();
  // Absent: the fastest path for the backend and the model kind.
  const evaluator = o.evaluator ? EVALUATORS[o.evaluator] : undefined;
  const workers = o.workers ?? 1;
  const progress = progressReporter(o.progress);
  const stop = stopOnSignals();
  try {
    const t0 = performance.now();
    const result = await computeJournaled({
      config,
      files,
      from,
      evaluator,
      backend,
      out: o.out,
      resume: o.resume === true,
      workers,
      signal: stop.signal,
      onProgress: (p) => progress.update(p),
    });
    progress.stop();
    for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
    if (result.run.kept > 0 || result.resumedPlan) {
      process.stderr.write(
        `resumed: ${result.run.kept} of ${result.run.tiles} tiles were done, ${result.run.computed} computed now\n`,
      );
    }
    await writeSnapshotFile(o.out, result.snapshot, { arrays: o.arrays });
    await removeJournal(o.out);
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    const used = result.snapshot.producer.evaluator ?? evaluator?.name;
    const threads = workers > 1 ? `, ${workers} workers` : "";
    process.stdout.write(`wrote ${o.out} (${backend}, ${used}, ${seconds} s${threads})\n`);
  } catch (err) {
    if (err instanceof ShardStopped) {
      throw new Error(
        `${err.message}: ${err.done} of ${err.tiles} tiles are kept in ${journalPaths(o.out).part}; ` +
          "run the same command with --resume to finish",
      );
    }
    if (stop.signal.aborted) throw new Error(`cancelled (${stop.which()}); nothing was written`);
    throw err;
  } finally {
    progress.stop();
    stop.release();
  }
}
