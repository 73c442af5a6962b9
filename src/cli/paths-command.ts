/**
 * `landscape paths`: paths between minima (src/core/experiment/paths-run.ts) written as a snapshot
 * with a `paths` section whose landscape is the plane of the trained curve.
 *
 *   landscape paths --config FILE --out SNAPSHOT             train the config's models, connect them
 *   landscape paths --from A --from B [--config FILE] --out  connect the models of two snapshots
 *   landscape paths --from a.onnx --from b.onnx --data X [--labels Y] [--config FILE] --out
 *                                                            connect two ONNX models of one graph
 *
 * With --from, a --config supplies only its `paths` section (and its grid counts when
 * paths.plane.count is absent); with two .onnx files also its data section and model options, as
 * `compute --model` reads them (the flags set data and model.file). Nothing is written on error or Ctrl-C.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { type Command, Option } from "commander";
import { type PathsSettings, parsePathsSettings } from "../core/config/paths-settings";
import type { ExperimentConfig } from "../core/config/schema";
import type { DataReaders } from "../core/data/files";
import { planeCounts } from "../core/experiment/paths-connect";
import { pathsBetweenOnnxModels } from "../core/experiment/paths-onnx";
import {
  type PathsProgress,
  type PathsRunOptions,
  type PathsRunResult,
  pathsFromSnapshots,
  runPaths,
} from "../core/experiment/paths-run";
import { prepareModel } from "../core/experiment/prepare";
import type { ExperimentProgress } from "../core/experiment/run";
import { defaultEvaluatorFor, EVALUATORS, type EvaluatorName } from "../core/landscape/evaluators";
import { loadOnnxModel } from "../core/onnx/load";
import type { PathsSection } from "../core/snapshot/paths-section";
import { readConfigFile } from "../node/config-file";
import { nodeDataReaders } from "../node/data-files";
import { readSnapshotFile, writeSnapshotFile } from "../node/snapshot-file";
import { initNodeBackend } from "../node/tf-node";
import { cancelOnSigint } from "./cancel-on-sigint";
import { computeInputs } from "./compute-inputs";
import { arraysOption, choice, evaluatorOption } from "./option-parsers";
import { progressReporter } from "./progress";

interface PathsCommandOptions {
  config?: string;
  from: string[];
  out: string;
  arrays: "base64" | "plain";
  evaluator?: EvaluatorName;
  /** Two .onnx models: their data (as `compute --data`) and labels. */
  data?: string;
  labels?: string;
  runningStatistics?: "interpolated" | "model-a";
  progress: boolean;
}

const isOnnxFile = (f: string) => f.toLowerCase().endsWith(".onnx");

/** Two .onnx files: model A and the data through compute's inputs (config + flags), model B read beside it. */
async function onnxInputs(o: PathsCommandOptions, from: string[]) {
  if (o.data === undefined && o.config === undefined) {
    throw new Error(
      "paths between two .onnx models needs their data: --data FILE (.npy features or CSV) [--labels FILE], or a --config with a data section",
    );
  }
  const { config, files } = await computeInputs({
    config: o.config,
    model: from[0],
    data: o.data,
    labels: o.labels,
  });
  if (config.model.kind === "onnx" && config.model.train) {
    throw new Error(
      "model.train: paths connect the two models as they are; remove train from the config's model",
    );
  }
  return { config, files };
}

/** `paths --from a.onnx --from b.onnx`: both files read, A with the data by prepareModel (as compute). */
async function onnxPaths(
  config: ExperimentConfig,
  files: DataReaders,
  from: string[],
  settings: PathsSettings,
  run: PathsRunOptions,
): Promise<PathsRunResult> {
  const a = await prepareModel(config, { files });
  if (a.arch.kind !== "onnx") throw new Error(`${from[0]}: not read as an ONNX model`);
  // A flag's path is relative to the current folder (A's went into the config, relative to its folder).
  const b = await loadOnnxModel(from[1], nodeDataReaders().user as NonNullable<DataReaders["user"]>);
  const { directions: _directions, curvature: _curvature, ...rest } = config;
  return pathsBetweenOnnxModels(
    { arch: a.arch, parameters: a.theta, source: from[0] },
    { arch: b.arch, parameters: b.parameters, source: from[1] },
    {
      ...run,
      dataset: a.dataset,
      loss: a.loss,
      settings,
      counts: planeCounts(settings, config.grid.y ? [config.grid.x.count, config.grid.y.count] : null),
      names: [from[0], from[1]],
      recordedConfig: { ...rest, source: { kind: "onnx-files", files: [from[0], from[1]] } },
    },
  );
}

const figure = (b: number | null | undefined) =>
  b === null || b === undefined ? "n/a" : String(Number(b.toPrecision(4)));

/** The output lines after the file name: one per path, its train-loss and train-error barriers; then how BN statistics were taken. */
function summaryLines(section: PathsSection | undefined): string[] {
  const lines = (section?.paths ?? []).map((p) => {
    const error = p.barriers.train_error
      ? `, train-error barrier ${figure(p.barriers.train_error.linearExcess)}`
      : "";
    return `  ${p.kind.padEnd(16)} ${p.labels[0]} -> ${p.labels[p.labels.length - 1]}: train-loss barrier ${figure(p.barriers.train_loss.linearExcess)}${error}`;
  });
  if (section?.runningStatistics) lines.push(`  ${section.runningStatistics.description}`);
  const own = (section?.models ?? []).filter((m) => m.metrics);
  if (own.length > 0) {
    lines.push(
      `  own train loss (each model with its own statistics): ${own.map((m) => `${m.label} ${figure(m.metrics?.train_loss)}`).join(", ")}`,
    );
  }
  return lines;
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
  const onnx = from.filter(isOnnxFile).length;
  if (onnx === 1) {
    throw new Error(
      "--from: give two .onnx models (with --data) or two snapshots, not one of each (compute a snapshot of the .onnx model first)",
    );
  }
  if (onnx === 0 && (o.data !== undefined || o.labels !== undefined)) {
    throw new Error("--data and --labels are for two .onnx models; a snapshot holds its own data");
  }
  if (from.length === 0 && o.runningStatistics !== undefined) {
    throw new Error(
      "--running-statistics is for --from A --from B (two ONNX models with BatchNormalization)",
    );
  }
  await assertOutFolder(o.out);
  const inputs = onnx === 2 ? await onnxInputs(o, from) : undefined;
  const config = inputs ? inputs.config : o.config ? await readConfigFile(o.config) : undefined;
  const sources =
    from.length === 2 && !inputs ? await Promise.all(from.map((f) => readSnapshotFile(f))) : undefined;
  const backend = await initNodeBackend();
  // ONNX models (files or snapshots) default to the kind's evaluator ("naive"), MLPs to the backend's fastest.
  const kind = inputs ? "onnx" : (sources?.[0].model.architecture.kind ?? "mlp");
  const evaluator = o.evaluator ? EVALUATORS[o.evaluator] : defaultEvaluatorFor(backend, kind);
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
    const withStatistics = (s: PathsSettings): PathsSettings =>
      o.runningStatistics ? { ...s, runningStatistics: o.runningStatistics } : s;
    if (inputs) {
      const { config: c, files } = inputs;
      const settings = withStatistics(c.paths ?? parsePathsSettings({}, c.seed));
      result = await onnxPaths(c, files, from, settings, run);
    } else if (sources) {
      const [a, b] = sources;
      const given = config ? (config.paths ?? parsePathsSettings({}, config.seed)) : undefined;
      const masterSeed =
        typeof a.config.seed === "number" && Number.isInteger(a.config.seed) ? a.config.seed : 0;
      const settings =
        given || o.runningStatistics
          ? withStatistics(given ?? parsePathsSettings({}, masterSeed))
          : undefined;
      // The config's grid counts size the plane, as in --config mode.
      const planeCounts: [number, number] | undefined = config?.grid.y
        ? [config.grid.x.count, config.grid.y.count]
        : undefined;
      result = await pathsFromSnapshots(a, b, { ...run, settings, planeCounts, names: [from[0], from[1]] });
    } else {
      if (config?.model.kind === "onnx") {
        throw new Error(
          "paths --config trains MLPs from the config; to connect two ONNX models give both: --from a.onnx --from b.onnx (with --data)",
        );
      }
      result = await runPaths(config as NonNullable<typeof config>, run);
    }
    progress.stop();
    for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
    await writeSnapshotFile(o.out, result.snapshot, { arrays: o.arrays });
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    const lines = summaryLines(result.snapshot.paths);
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
      "train several models (or take two snapshots' models, or two .onnx models of one graph), connect them by linear paths, a trained Bezier/polychain " +
        "curve and weight matching, sample the curve's plane; writes a snapshot with a paths section",
    )
    .option("--config <file>", "experiment config (JSON) with an optional `paths` section; see README")
    .option(
      "--from <snapshot>",
      "a trained snapshot, or an .onnx model (torch.onnx.export); give it twice (A and B) to connect their models",
      collect,
    )
    .option("--data <file>", "two .onnx models: their data, .npy features or CSV (as compute --data)")
    .option("--labels <file>", "two .onnx models: .npy labels for --data")
    .addOption(
      new Option(
        "--running-statistics <policy>",
        "two ONNX models with BatchNormalization: BN running statistics at a point of a path, interpolated " +
          "(default: between the models', so the ends are the two models) or model-a (A's everywhere); never recomputed",
      ).argParser(choice("--running-statistics", ["interpolated", "model-a"] as const)),
    )
    .requiredOption("--out <file>", "snapshot to write (.json, or .json.gz for gzip)")
    .addOption(arraysOption())
    .addOption(evaluatorOption())
    .option("--no-progress", "no progress output")
    .action(async (opts) => {
      await pathsCommand({ ...opts, from: opts.from ?? [], progress: opts.progress !== false });
    });
}
