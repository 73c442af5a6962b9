/**
 * Landscapes beyond one machine: `plan`, `shard`, `merge` and `status`. A thin shell: the plan,
 * tiling, part format and merge live in src/core/shards, the durable part files and worker threads
 * in src/node. See README "Beyond one machine".
 *
 *   landscape plan --config FILE --out PLAN --shards N     train, draw directions, fix tiles -> PLAN
 *   landscape shard PLAN [--index K] [--count N]           tiles of shard K of N -> PLAN's parts folder
 *   landscape merge PLAN [PART...] --out SNAPSHOT          every part -> the snapshot `compute` writes
 *   landscape status PLAN [PART...]                        progress and time left
 */
import { type Command, Option } from "commander";
import { loadH5wasm, surfaceToHdf5 } from "../core/export";
import { EVALUATORS, type EvaluatorName } from "../core/landscape/evaluators";
import { describeMissing, mergeParts, progressOf, reportCount } from "../core/shards/merge";
import type { ParsedPart } from "../core/shards/part";
import { planExperiment, snapshotFromPlan } from "../core/shards/plan";
import { planSummary, statusJson, statusLines } from "../core/shards/report";
import { shardFromEnvironment } from "../core/shards/tiling";
import { writeFileAtomic } from "../node/atomic-file";
import { readPartFile } from "../node/part-file";
import { defaultPartPath, partFilesOf, readPlanFile } from "../node/plan-file";
import { runShard, ShardStopped } from "../node/shard-run";
import { readSnapshotFile, writeSnapshotFile } from "../node/snapshot-file";
import { initNodeBackend } from "../node/tf-node";
import { computeInputs } from "./compute-inputs";
import { arraysOption, choice, evaluatorOption, integer } from "./option-parsers";
import { progressReporter } from "./progress";
import { stopOnSignals } from "./stop-signals";

interface PlanOptions {
  config?: string;
  data?: string;
  labels?: string;
  model?: string;
  from?: string;
  out: string;
  shards: number;
  tilePoints: number;
  evaluator?: EvaluatorName;
  kernel?: "simd" | "relaxed-simd";
  arrays: "base64" | "plain";
  progress: boolean;
}

/** plan: config (or --from) -> a plan file. */
async function planCommand(o: PlanOptions): Promise<void> {
  if (o.config === undefined && o.data === undefined && o.model === undefined && o.from === undefined) {
    throw new Error(
      "plan needs --config FILE, or --data FILE and/or --model FILE, or --from SNAPSHOT (see --help)",
    );
  }
  const { config, files } = await computeInputs(o);
  const from = o.from ? await readSnapshotFile(o.from) : undefined;
  const backend = await initNodeBackend();
  const progress = progressReporter(o.progress);
  const stop = stopOnSignals();
  try {
    const { snapshot, warnings } = await planExperiment(config, {
      from,
      files,
      backend,
      evaluator: o.evaluator ? EVALUATORS[o.evaluator] : undefined,
      kernel: o.kernel,
      tilePoints: o.tilePoints,
      shards: o.shards,
      signal: stop.signal,
      onProgress: (p) => progress.update(p),
    });
    progress.stop();
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    await writeSnapshotFile(o.out, snapshot, { arrays: o.arrays });
    const plan = snapshot.plan as NonNullable<typeof snapshot.plan>;
    process.stdout.write(
      `wrote ${o.out}: ${planSummary(plan, snapshot.grid)}\n` +
        `next: landscape shard ${o.out} --index K (K = 0 to ${plan.shards - 1}, or from SLURM_ARRAY_TASK_ID / JOB_COMPLETION_INDEX), ` +
        `then landscape merge ${o.out} --out SNAPSHOT\n`,
    );
  } catch (err) {
    if (stop.signal.aborted) throw new Error(`cancelled (${stop.which()}); nothing was written`);
    throw err;
  } finally {
    progress.stop();
    stop.release();
  }
}

interface ShardOptions {
  index?: number;
  count?: number;
  out?: string;
  workers: number;
  progress: boolean;
}

/** shard: the missing tiles of one shard -> its part file. */
async function shardCommand(planPath: string, o: ShardOptions): Promise<void> {
  const checked = await readPlanFile(planPath);
  const choice = shardFromEnvironment({ index: o.index, count: o.count }, process.env, checked.plan.shards);
  const { index, count } = choice;
  const partPath = o.out ?? defaultPartPath(planPath, index, count);
  const progress = progressReporter(o.progress);
  const stop = stopOnSignals();
  const name = `shard ${index} of ${count}`;
  try {
    const r = await runShard({
      checked,
      partPath,
      shard: { index, count },
      workers: o.workers,
      signal: stop.signal,
      onProgress: (done, total) =>
        progress.update({ phase: "landscape", done, total, detail: `${name}: ${done}/${total} grid points` }),
    });
    progress.stop();
    if (r.repaired) process.stderr.write(`${partPath}: dropped a last line cut short by an earlier stop\n`);
    if (r.computed === 0) {
      process.stdout.write(`${partPath}: ${name} holds all its ${r.tiles} tiles already; nothing to do\n`);
      return;
    }
    const rate = r.pointsPerSecond === null ? "" : `, ${r.pointsPerSecond.toFixed(0)} points/s`;
    const kept = r.kept > 0 ? `${r.kept} kept, ` : "";
    process.stdout.write(
      `wrote ${partPath}: ${name} (index from ${choice.indexFrom}, count from ${choice.countFrom}), ` +
        `${r.tiles} tiles (${r.points} points): ${kept}${r.computed} computed in ${r.seconds.toFixed(1)} s${rate} ` +
        `(${r.backend}, ${checked.plan.evaluator}, ${r.workers} worker${r.workers === 1 ? "" : "s"})\n`,
    );
  } catch (err) {
    if (err instanceof ShardStopped) {
      throw new Error(
        `${err.message}: ${name} has ${err.done} of ${err.tiles} tiles in ${partPath}; run the same command again to finish`,
      );
    }
    throw err;
  } finally {
    progress.stop();
    stop.release();
  }
}

/** Every named part, read; a file that cannot be read at all counts as a part with that problem. */
async function readParts(
  planPath: string,
  args: readonly string[],
  rects: Parameters<typeof readPartFile>[1],
) {
  const files = await partFilesOf(planPath, args);
  return Promise.all(
    files.map((f) =>
      readPartFile(f, rects).catch(
        (err: unknown): ParsedPart => ({
          source: f,
          header: null,
          tiles: new Map(),
          problems: [(err as Error).message],
          truncated: null,
          sessions: [],
          done: null,
        }),
      ),
    ),
  );
}

interface MergeOptions {
  out: string;
  to: "snapshot" | "hdf5";
  arrays: "base64" | "plain";
  count?: number;
}

/** merge: plan + parts -> the snapshot (or HDF5 surface file); nothing is written unless every tile is there and whole. */
async function mergeCommand(planPath: string, partArgs: string[], o: MergeOptions): Promise<void> {
  const checked = await readPlanFile(planPath);
  const parts = await readParts(planPath, partArgs, checked.tiles);
  const count = o.count ?? reportCount(checked.plan, parts);
  const merged = mergeParts(checked.plan, checked.grid, checked.tiles, parts, count);
  if (!merged.surfaces) {
    const lines = [...merged.problems];
    if (merged.missing.tiles.length > 0) lines.push(...describeMissing(merged.missing, checked.plan.tiles));
    throw new Error(
      `cannot merge ${planPath} (${parts.length} parts); nothing was written:\n  ${lines.join("\n  ")}`,
    );
  }
  // Bits may differ between kernel builds; say so when the parts came from different ones or CPUs.
  const producers = new Set(
    parts.map((p) => `${p.header?.producer.kernel ?? ""} ${p.header?.producer.cpu ?? ""}`),
  );
  if (checked.plan.kernel === "relaxed-simd" && producers.size > 1) {
    process.stderr.write(
      "warning: the parts were computed on different CPUs with the relaxed-SIMD kernel, whose fused multiply-add may round differently between CPUs; plan with --kernel simd for bit-identical parts everywhere\n",
    );
  }
  const snapshot = snapshotFromPlan(checked.snapshot, merged.surfaces, new Date());
  if (o.to === "hdf5") {
    await writeFileAtomic(o.out, surfaceToHdf5(await loadH5wasm(), snapshot), "HDF5 file");
  } else {
    await writeSnapshotFile(o.out, snapshot, { arrays: o.arrays });
  }
  const duplicates =
    merged.duplicates > 0 ? `, ${merged.duplicates} tiles found twice with the same values` : "";
  process.stdout.write(
    `wrote ${o.out} (${o.to}): ${checked.plan.tiles} tiles (${checked.plan.points} points) from ${parts.length} parts${duplicates}\n`,
  );
}

/** status: progress of a plan's parts and the time left. */
async function statusCommand(
  planPath: string,
  partArgs: string[],
  o: { count?: number; json?: boolean },
): Promise<void> {
  const checked = await readPlanFile(planPath);
  const parts = await readParts(planPath, partArgs, checked.tiles);
  const progress = progressOf(
    checked.plan,
    checked.tiles,
    parts,
    o.count ?? reportCount(checked.plan, parts),
  );
  if (o.json) {
    process.stdout.write(`${JSON.stringify(statusJson(progress, checked.plan), null, 2)}\n`);
    return;
  }
  process.stdout.write(`${planPath}: ${planSummary(checked.plan, checked.grid)}\n`);
  process.stdout.write(`${statusLines(progress, checked.plan).join("\n")}\n`);
}

/** Adds plan, shard, merge and status to the CLI. */
export function registerShardCommands(program: Command): void {
  program
    .command("plan")
    .description(
      "train (or take --from), draw the directions, fix the tiles and evaluator: a plan file that shards compute from",
    )
    .option("--config <file>", "experiment config (JSON), as for compute")
    .requiredOption("--out <file>", "plan to write (.json, or .json.gz for gzip)")
    .option("--data <file>", "your data, as for compute")
    .option("--labels <file>", "the .npy labels of --data, as for compute")
    .option("--model <file>", "a tfjs LayersModel model.json, as for compute")
    .option("--from <snapshot>", "take model, parameters and data from this snapshot and skip training")
    .option("--shards <n>", "number of shards (array tasks, pods)", integer("--shards", 1, 100_000), 1)
    .option(
      "--tile-points <n>",
      "points per tile: the unit of work and of what a stop loses",
      integer("--tile-points", 1, 1_002_001),
      256,
    )
    .addOption(evaluatorOption())
    .addOption(
      new Option(
        "--kernel <build>",
        "the WebAssembly kernel build every shard must run (wasm-kernel, wasm-cnn): simd (bit-identical on every CPU) or relaxed-simd (faster)",
      ).argParser(choice("--kernel", ["simd", "relaxed-simd"] as const)),
    )
    .addOption(arraysOption())
    .option("--no-progress", "no progress output")
    .action(async (opts) => {
      await planCommand({ ...opts, progress: opts.progress !== false });
    });

  program
    .command("shard")
    .description(
      "compute the missing tiles of shard K of N of a plan into its part file (resumable: run again to finish)",
    )
    .argument("<plan>", "plan file (from `landscape plan`)")
    .option(
      "--index <k>",
      "shard index (default: SLURM_ARRAY_TASK_ID, then JOB_COMPLETION_INDEX)",
      integer("--index", 0),
    )
    .option(
      "--count <n>",
      "shard count (default: SLURM_ARRAY_TASK_COUNT, then the plan's)",
      integer("--count", 1, 100_000),
    )
    .option("--out <part>", "part file (default: PLAN.parts/shard-K-of-N.part beside the plan)")
    .option("--workers <n>", "worker threads on this machine", integer("--workers", 1, 256), 1)
    .option("--no-progress", "no progress output")
    .action(async (plan: string, opts) => {
      await shardCommand(plan, { ...opts, progress: opts.progress !== false });
    });

  program
    .command("merge")
    .description(
      "check the parts of a plan and write the snapshot (identical to compute's); lists missing shards and writes nothing when incomplete",
    )
    .argument("<plan>", "plan file")
    .argument("[parts...]", "part files or folders of them (default: the plan's parts folder)")
    .requiredOption("--out <file>", "snapshot (.json, .json.gz) or, with --to hdf5, surface .h5 to write")
    .addOption(
      new Option("--to <format>", "snapshot, or hdf5 (the reference tool's surface file)")
        .argParser(choice("--to", ["snapshot", "hdf5"] as const))
        .default("snapshot"),
    )
    .addOption(arraysOption())
    .option(
      "--count <n>",
      "report missing tiles by shards of this count (default: the parts', else the plan's)",
      integer("--count", 1, 100_000),
    )
    .action(async (plan: string, parts: string[], opts: MergeOptions) => {
      await mergeCommand(plan, parts, opts);
    });

  program
    .command("status")
    .description("progress of a plan's parts: tiles done per shard, measured speeds, time left")
    .argument("<plan>", "plan file")
    .argument("[parts...]", "part files or folders of them (default: the plan's parts folder)")
    .option(
      "--count <n>",
      "count shards as this many (default: the parts', else the plan's)",
      integer("--count", 1, 100_000),
    )
    .option("--json", "print the status as JSON")
    .action(async (plan: string, parts: string[], opts: { count?: number; json?: boolean }) => {
      await statusCommand(plan, parts, opts);
    });
}
