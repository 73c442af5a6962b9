/**
 * `landscape curvature --from SNAPSHOT`: the curvature report of a snapshot's model on its
 * training data (src/core/experiment/curvature-report.ts), written as a copy of the snapshot plus a
 * `curvature` section. Options map one to one onto the settings of the config's `curvature`
 * section (--top-k <-> topK, --eps-sharpness <-> epsSharpness, ...). Nothing is written on error
 * or Ctrl-C.
 */
import path from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import {
  type CurvatureSettingsInput,
  parseCurvatureSettings,
  SMALLEST_METHODS,
} from "../core/curvature/settings";
import { curvatureReport, snapshotCurvatureProblem } from "../core/experiment/curvature-report";
import { readSnapshotFile, writeSnapshotFile } from "../node/snapshot-file";
import { initNodeBackend } from "../node/tf-node";
import { cancelOnSigint } from "./cancel-on-sigint";
import { arraysOption, integer } from "./option-parsers";
import { progressReporter } from "./progress";

interface CurvatureCommandOptions extends CurvatureSettingsInput {
  from: string;
  out?: string;
  arrays: "base64" | "plain";
  progress: boolean;
}

/** Settings name -> the option that sets it, for messages. */
const OPTION_OF: Record<string, string> = {
  seed: "--seed",
  maxSamples: "--max-samples",
  topK: "--top-k",
  maxIterations: "--max-iterations",
  tolerance: "--tolerance",
  smallest: "--smallest",
  traceSamples: "--trace-samples",
  traceTolerance: "--trace-tolerance",
  density: "--density",
  densitySteps: "--density-steps",
  densityRuns: "--density-runs",
  densityBins: "--density-bins",
  epsSharpness: "--eps-sharpness",
  epsSteps: "--eps-steps",
  epsRestarts: "--eps-restarts",
  averageRadius: "--average-radius",
  averageSamples: "--average-samples",
  samRho: "--sam-rho",
  samSteps: "--sam-steps",
  vectors: "--vectors",
};

/** runs/a.json -> runs/a.curvature.json; runs/a.json.gz -> runs/a.curvature.json.gz. */
function defaultCurvatureOut(from: string): string {
  const dir = path.dirname(from);
  const base = path.basename(from);
  const m = /^(.*?)(\.json(\.gz)?)?$/i.exec(base) as RegExpExecArray;
  return path.join(dir, `${m[1]}.curvature${m[2] ?? ".json"}`);
}

function positive(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n <= 0) {
      throw new InvalidArgumentError(`${option} must be a finite number > 0, got ${value}`);
    }
    return n;
  };
}

/** "1e-3,5e-4" -> [0.001, 0.0005]; repeating the option appends. */
function positiveList(option: string) {
  const one = positive(option);
  return (value: string, previous: number[] | undefined): number[] => [
    ...(previous ?? []),
    ...value.split(",").map((v) => one(v)),
  ];
}

function traceSamples(value: string): number {
  const n = integer("--trace-samples", 0)(value);
  if (n === 1)
    throw new InvalidArgumentError("--trace-samples must be 0 (skip the trace) or at least 2, got 1");
  return n;
}

/** The settings part of the parsed options, with option names in any message. */
function settingsOf(o: CurvatureCommandOptions): ReturnType<typeof parseCurvatureSettings> {
  const { from: _from, out: _out, arrays: _arrays, progress: _progress, ...settings } = o;
  try {
    return parseCurvatureSettings(settings, 0, "settings");
  } catch (err) {
    throw new Error(
      (err as Error).message.replace(/settings\.([A-Za-z]+)/g, (all, key: string) => OPTION_OF[key] ?? all),
    );
  }
}

/** curvature: snapshot -> snapshot + curvature section. */
async function curvatureCommand(o: CurvatureCommandOptions): Promise<void> {
  const settings = settingsOf(o);
  const out = o.out ?? defaultCurvatureOut(o.from);
  const snapshot = await readSnapshotFile(o.from);
  const problem = snapshotCurvatureProblem(snapshot);
  if (settings.topK > problem.theta.length) {
    throw new Error(`--top-k ${settings.topK} is more than the model's ${problem.theta.length} parameters`);
  }
  const backend = await initNodeBackend();
  const progress = progressReporter(o.progress);
  const sigint = cancelOnSigint();
  try {
    const t0 = performance.now();
    const section = await curvatureReport(problem, settings, {
      signal: sigint.signal,
      onProgress: (p) => progress.update(p),
    });
    progress.stop();
    await writeSnapshotFile(out, { ...snapshot, curvature: section }, { arrays: o.arrays });
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    const top = section.top.values[0];
    process.stdout.write(
      `wrote ${out} (top eigenvalue ${top.toPrecision(4)}, smallest ${section.smallest.value.toPrecision(4)}` +
        `${section.trace ? `, trace ${section.trace.value.toPrecision(4)}` : ""}; ${backend}, ${seconds} s)\n`,
    );
  } finally {
    progress.stop();
    sigint.release();
  }
}

/** Adds the `curvature` command to the program. */
export function registerCurvatureCommand(program: Command): void {
  program
    .command("curvature")
    .description(
      "Hessian eigenvalues, trace, spectral density and sharpness of a snapshot's model on its training data; " +
        "writes the snapshot plus a curvature section",
    )
    .requiredOption("--from <snapshot>", "snapshot whose model, parameters and training data are analysed")
    .option(
      "--out <file>",
      "snapshot to write (default: FROM with .curvature before .json, e.g. a.curvature.json)",
    )
    .addOption(arraysOption())
    .option(
      "--seed <n>",
      "seed of every random draw (start vectors, probes, subset, directions)",
      integer("--seed", 0, 0xffffffff),
      0,
    )
    .option(
      "--max-samples <n>",
      "use a seeded random subset of at most n training samples (default: all)",
      integer("--max-samples", 1),
    )
    .option(
      "--top-k <k>",
      "number of dominant eigenvalues (power iteration with deflation)",
      integer("--top-k", 1, 100),
      1,
    )
    .option(
      "--max-iterations <n>",
      "power iterations per eigenpair (PyHessian: 100)",
      integer("--max-iterations", 1, 100_000),
      100,
    )
    .option(
      "--tolerance <x>",
      "relative eigenvalue change that stops an eigenpair (PyHessian: 1e-3)",
      positive("--tolerance"),
      1e-3,
    )
    .option(
      "--smallest <method>",
      "method for the smallest eigenvalue: lanczos, or shift (the reference's power iteration on H - 0.51 lambda_max I)",
      (v: string) => {
        if (!(SMALLEST_METHODS as readonly string[]).includes(v))
          throw new InvalidArgumentError(`--smallest must be one of ${SMALLEST_METHODS.join(", ")}`);
        return v as (typeof SMALLEST_METHODS)[number];
      },
      "lanczos",
    )
    .option(
      "--trace-samples <n>",
      "most Hutchinson samples for the trace; 0 skips the trace",
      traceSamples,
      100,
    )
    .option(
      "--trace-tolerance <x>",
      "relative change of the running mean that stops the trace",
      positive("--trace-tolerance"),
      1e-3,
    )
    .option("--density", "also compute the SLQ spectral density")
    .option("--density-steps <n>", "Lanczos steps per SLQ run", integer("--density-steps", 1, 10_000), 100)
    .option("--density-runs <n>", "independent SLQ runs", integer("--density-runs", 1, 1000), 1)
    .option("--density-bins <n>", "points of the density grid", integer("--density-bins", 2, 100_000), 1000)
    .option(
      "--eps-sharpness <eps,...>",
      "Keskar et al. epsilon-sharpness at these box sizes (e.g. 1e-3,5e-4)",
      positiveList("--eps-sharpness"),
    )
    .option(
      "--eps-steps <n>",
      "ascent steps per start of the epsilon-sharpness solver",
      integer("--eps-steps", 0, 100_000),
      20,
    )
    .option(
      "--eps-restarts <n>",
      "random-corner starts of the epsilon-sharpness solver besides delta = 0",
      integer("--eps-restarts", 0, 1000),
      3,
    )
    .option(
      "--average-radius <r,...>",
      "average sharpness at these radii (filter-normalized random directions)",
      positiveList("--average-radius"),
    )
    .option(
      "--average-samples <n>",
      "random directions per average-sharpness radius",
      integer("--average-samples", 2, 100_000),
      10,
    )
    .option("--sam-rho <rho,...>", "SAM worst-case sharpness at these L2 radii", positiveList("--sam-rho"))
    .option(
      "--sam-steps <n>",
      "normalized-gradient ascent steps of SAM's sharpness (1: SAM's own step)",
      integer("--sam-steps", 1, 100_000),
      1,
    )
    .option("--vectors", "store the eigenvectors (top-k and smallest) in the section")
    .option("--no-progress", "no progress output")
    .action(async (opts) => {
      await curvatureCommand({
        ...opts,
        density: opts.density === true,
        vectors: opts.vectors === true,
        epsSharpness: opts.epsSharpness ?? [],
        averageRadius: opts.averageRadius ?? [],
        samRho: opts.samRho ?? [],
        progress: opts.progress !== false,
      });
    });
}
