/**
 * `landscape paths`: paths between minima (src/core/experiment/paths-run.ts) written as a snapshot
 * with a `paths` section whose landscape is the plane of the trained curve.
 *
 *   landscape paths --config FILE --out SNAPSHOT             train the config's models, connect them
 *   landscape paths --from A --from B [--config FILE] --out  connect the models of two snapshots
 *
 * With --from, a --config supplies only its `paths` section (and its grid counts when
 * paths.plane.count is absent). Nothing is written on error or Ctrl-C.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import { parsePathsSettings } from "../core/config/paths-settings";
import {
  type PathsProgress,
  type PathsRunResult,
  pathsFromSnapshots,
  runPaths,
} from "../core/experiment/paths-run";
import type { ExperimentProgress } from "../core/experiment/run";
import { defaultEvaluatorFor, EVALUATORS, type EvaluatorName } from "../core/landscape/evaluators";
import { readConfigFile } from "../node/config-file";
import { readSnapshotFile, writeSnapshotFile } from "../node/snapshot-file";
import { initNodeBackend } from "../node/tf-node";
import { cancelOnSigint } from "./cancel-on-sigint";
import { arraysOption, evaluatorOption } from "./option-parsers";
import { progressReporter } from "./progress";

interface PathsCommandOptions {
  config?: string;
  from: string[];
  out: string;
  arrays: "base64" | "plain";
  evaluator?: EvaluatorName;
  progress: boolean;
}

/** Fails before any work when the output folder is missing (the run may take minutes). */
async function assertOutFolder(out: string): Promise<void> {
  const dir = path.dirname(path.resolve(out));
  const ok = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!ok) throw new Error(`cannot write ${out}: its folder ${dir} does not exist`);
}

/** paths: config, or two snapshots (+ optional config), -> snapshot with a paths section. */
async function pathsCommand(o: PathsCommandOptions): Promise<void> {
  const from = o.from ?? [];
  if (from.length === 0 && !o.config) {
    throw new Error(
      "paths needs --config FILE (train the models) or --from A --from B (two trained snapshots)",
    );
  }
  if (from.length !== 0 && from.length !== 2) {
    throw new Error(`--from must be given exactly twice (the two models to connect), got ${from.length}`);
  }
  await assertOutFolder(o.out);
  const config = o.config ? await readConfigFile(o.config) : undefined;
  const sources = from.length === 2 ? await Promise.all(from.map((f) => readSnapshotFile(f))) : undefined;
  const backend = await initNodeBackend();
  const evaluator = o.evaluator ? EVALUATORS[o.evaluator] : defaultEvaluatorFor(backend);
  const progress = progressReporter(o.progress);
  const sigint = cancelOnSigint();
  const run = {
    backend,
    evaluator,
    signal: sigint.signal,
    // The reporter only prints the phase name, so the paths phases pass through it unchanged.
    onProgress: (p: PathsProgress) => progress.update(p as unknown as ExperimentProgress),
  };
  try {
    const t0 = performance.now();
    let result: PathsRunResult;
    if (sources) {
      const [a, b] = sources;
      const settings = config ? (config.paths ?? parsePathsSettings({}, config.seed)) : undefined;
      // The config's grid counts size the plane, as in --config mode.
      const planeCounts: [number, number] | undefined = config?.grid.y
        ? [config.grid.x.count, config.grid.y.count]
        : undefined;
      result = await pathsFromSnapshots(a, b, { ...run, settings, planeCounts, names: [from[0], from[1]] });
    } else {
      result = await runPaths(config as NonNullable<typeof config>, run);
    }
    progress.stop();
    for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
    await writeSnapshotFile(o.out, result.snapshot, { arrays: o.arrays });
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    const section = result.snapshot.paths;
    const lines = (section?.paths ?? []).map((p) => {
      const b = p.barriers.train_loss.linearExcess;
      const figure = b === null ? "n/a" : String(Number(b.toPrecision(4)));
      return `  ${p.kind.padEnd(16)} ${p.labels[0]} -> ${p.labels[p.labels.length - 1]}: train-loss barrier ${figure}`;
    });
    process.stdout.write(
      `wrote ${o.out} (${backend}, ${evaluator.name}, ${seconds} s)\n${lines.join("\n")}\n`,
    );
  } finally {
    progress.stop();
    sigint.release();
  }
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Adds the `paths` command to the program. */
export function registerPathsCommand(program: Command): void {
  program
    .command("paths")
    .description(
      "train several models (or take two snapshots' models), connect them by linear paths, a trained Bezier/polychain " +
        "curve and weight matching, sample the curve's plane; writes a snapshot with a paths section",
    )
    .option("--config <file>", "experiment config (JSON) with an optional `paths` section; see README")
    .option(
      "--from <snapshot>",
      "a trained snapshot; give it twice (A and B) to connect their models",
      collect,
    )
    .requiredOption("--out <file>", "snapshot to write (.json, or .json.gz for gzip)")
    .addOption(arraysOption())
    .addOption(evaluatorOption())
    .option("--no-progress", "no progress output")
    .action(async (opts) => {
      await pathsCommand({ ...opts, from: opts.from ?? [], progress: opts.progress !== false });
    });
}
