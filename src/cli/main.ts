#!/usr/bin/env node
/**
 * The headless CLI: `npm run landscape -- <command>`. A thin shell: commander parses the
 * arguments, src/core does the work, src/node does the file I/O.
 */
import { Command } from "commander";
import { setTrainingPath, type TrainingPathChoice } from "../core/kernel/training-path";
import { PRODUCER_NAME, PRODUCER_VERSION } from "../core/producer";
import { registerAnimateCommand } from "./animate-command";
import { registerCheckCommand } from "./check-command";
import { infoCommand, validateCommand } from "./commands";
import { computeCommand } from "./compute-command";
import { registerCurvatureCommand } from "./curvature-command";
import { registerExportCommands } from "./export-command";
import { registerLessonCommand } from "./lesson-command";
import { arraysOption, evaluatorOption, integer, trainingPathOption } from "./option-parsers";
import { registerPathsCommand } from "./paths-command";
import { cliReadLimits, readMemoryOption } from "./read-limits";
import { registerShardCommands } from "./shard-commands";

const program = new Command()
  .name("landscape")
  .description("Train small networks and sample their loss landscapes into snapshot files.")
  .version(`${PRODUCER_NAME} ${PRODUCER_VERSION}`)
  .showHelpAfterError()
  // Before or after the command's name: which code trains MLPs and computes their curvature.
  .addOption(trainingPathOption())
  .hook("preAction", (root) => {
    setTrainingPath(root.opts<{ trainingPath: TrainingPathChoice }>().trainingPath);
  });

program
  .command("compute")
  .description("train (or take a snapshot's model with --from), make directions, sample, write a snapshot")
  .option("--config <file>", "experiment config (JSON; see README for every key)")
  .requiredOption("--out <file>", "snapshot to write (.json, or .json.gz for gzip)")
  .option("--data <file>", 'your data, a CSV or .npy features file: sets data { name: "file", path }')
  .option("--labels <file>", "the .npy labels of --data (default: its last column)")
  .option(
    "--model <file>",
    'a tfjs LayersModel model.json (weights beside it): sets model { kind: "layers", file }; ' +
      'a .onnx file (torch.onnx.export): model { kind: "onnx", file }',
  )
  .option("--from <snapshot>", "take model, parameters and data from this snapshot and skip training")
  .addOption(arraysOption())
  .addOption(evaluatorOption())
  .option("--resume", "continue an interrupted run from OUT.plan and OUT.part (kept by Ctrl-C or a kill)")
  .option(
    "--workers <n>",
    "worker threads computing the tiles (same bits as 1)",
    integer("--workers", 1, 256),
    1,
  )
  .option("--no-progress", "no progress output")
  .action(async (opts) => {
    await computeCommand({ ...opts, progress: opts.progress !== false });
  });

program
  .command("info")
  .description(
    "print a short summary of a snapshot: model, data, grid, loss range, minimum, non-finite values",
  )
  .argument("<file>", "snapshot (.json or .json.gz)")
  .addOption(readMemoryOption())
  .action(async (file: string, opts: { readMemory: number }) => {
    await infoCommand(file, cliReadLimits(opts.readMemory));
  });

program
  .command("validate")
  .description("check a snapshot against the format; exit 0 when valid, else list every problem and exit 1")
  .argument("<file>", "snapshot (.json or .json.gz)")
  .addOption(readMemoryOption())
  .action(async (file: string, opts: { readMemory: number }) => {
    process.exitCode = await validateCommand(file, cliReadLimits(opts.readMemory));
  });

registerAnimateCommand(program);
registerCheckCommand(program);
registerCurvatureCommand(program);
registerExportCommands(program);
registerLessonCommand(program);
registerPathsCommand(program);
registerShardCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
