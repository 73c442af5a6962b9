/**
 * `landscape animate SNAPSHOT --to gif --out FILE`: the replay of the snapshot's trajectory
 * section as an animated GIF, drawn headless as a heatmap of the surface (src/core/export/animate.ts:
 * markers and growing trails, colour bar, axis ticks and labels, a legend with each run's loss).
 * The options are checked before the snapshot is read, the snapshot and the plan before anything
 * is drawn, and the GIF is built in memory and written atomically: a bad snapshot or option, or
 * Ctrl-C, writes nothing.
 */
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { ANIMATE_LIMITS, animationToGif, planAnimation } from "../core/export/animate";
import { trajectoryProblems } from "../core/snapshot/trajectory-section";
import { writeFileAtomic } from "../node/atomic-file";
import { readSnapshotFile } from "../node/snapshot-file";
import { cancelOnSigint } from "./cancel-on-sigint";
import { choice, integer } from "./option-parsers";

/** Animation formats `--to` takes. */
const ANIMATE_FORMATS = ["gif"] as const;

interface AnimateCommandOptions {
  to: (typeof ANIMATE_FORMATS)[number];
  out: string;
  frames?: number;
  size?: { width: number; height: number };
  fps?: number;
  metric?: string;
  log?: boolean;
  clip?: number;
  trajectory?: string;
  progress: boolean;
}

const L = ANIMATE_LIMITS;

/** `--size WxH`, e.g. 640x480, each side in [minSize, maxSize]. */
function sizeOption(value: string): { width: number; height: number } {
  const m = /^\s*(\d+)\s*[xX]\s*(\d+)\s*$/.exec(value);
  const width = m ? Number(m[1]) : Number.NaN;
  const height = m ? Number(m[2]) : Number.NaN;
  const ok = (n: number) => Number.isInteger(n) && n >= L.minSize && n <= L.maxSize;
  if (!ok(width) || !ok(height)) {
    throw new InvalidArgumentError(
      `--size must be WIDTHxHEIGHT with each side an integer in [${L.minSize}, ${L.maxSize}] (e.g. 640x480), got ${value}`,
    );
  }
  return { width, height };
}

/** `--fps N`: a number in [minFps, maxFps]. */
function fpsOption(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < L.minFps || n > L.maxFps) {
    throw new InvalidArgumentError(`--fps must be a number in [${L.minFps}, ${L.maxFps}], got ${value}`);
  }
  return n;
}

/** `--clip Q`: a quantile in (0, 1]. */
function clipOption(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !(Number.isFinite(n) && n > 0 && n <= 1)) {
    throw new InvalidArgumentError(`--clip must be a number in (0, 1], got ${value}`);
  }
  return n;
}

/** animate: snapshot -> GIF of its trajectory replay. Nothing is written on any error. */
async function animateCommand(file: string, o: AnimateCommandOptions): Promise<void> {
  const snapshot = await readSnapshotFile(file);
  const problems = trajectoryProblems(
    snapshot.trajectory,
    snapshot.model.parameters.length,
    snapshot.grid.axes.length,
  );
  if (problems.length > 0) throw new Error(`${file}: ${problems.join("; ")}`);
  const options = {
    frames: o.frames,
    width: o.size?.width,
    height: o.size?.height,
    fps: o.fps,
    metric: o.metric,
    log: o.log,
    clip: o.clip,
    trajectory: o.trajectory,
  };
  let plan: ReturnType<typeof planAnimation>;
  try {
    plan = planAnimation(snapshot, options);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
  const sigint = cancelOnSigint();
  let lastDecile = -1;
  try {
    const bytes = await animationToGif(snapshot, {
      ...options,
      signal: sigint.signal,
      onProgress: (done, total) => {
        if (!o.progress) return;
        const decile = Math.floor((10 * done) / total);
        if (decile !== lastDecile) process.stderr.write(`frames: ${done}/${total}\n`);
        lastDecile = decile;
      },
    });
    await writeFileAtomic(o.out, bytes, "GIF file");
    const runs = plan.runs.map((r) => r.label).join(", ");
    process.stdout.write(
      `wrote ${o.out} (gif, ${plan.frames} frames of ${plan.width} x ${plan.height} at ${(1000 / plan.delayMs).toFixed(1)} fps, ${plan.metric}, ${runs}; ${bytes.byteLength} bytes)\n`,
    );
  } finally {
    sigint.release();
  }
}

/** Adds `animate` to the CLI. */
export function registerAnimateCommand(program: Command): void {
  program
    .command("animate")
    .description(
      "write the replay of a snapshot's trajectory (a run, or every run of an optimizer race) as an animated GIF: a heatmap of the surface with moving markers and trails, colour bar, axes and legend",
    )
    .argument("<snapshot>", "snapshot with a trajectory section (.json or .json.gz)")
    .requiredOption(
      "--to <format>",
      `output format: ${ANIMATE_FORMATS.join(", ")}`,
      choice("--to", ANIMATE_FORMATS),
    )
    .requiredOption("--out <file>", "file to write")
    .option(
      "--frames <n>",
      `frames (default: one per checkpoint of the longest run, at most ${L.defaultFrameCap})`,
      integer("--frames", L.minFrames, L.maxFrames),
    )
    .option("--size <WxH>", "frame size in pixels (default 480x400)", sizeOption)
    .option("--fps <n>", "frames per second (default 12; the last frame is held 1.5 s)", fpsOption)
    .option("--metric <name>", "the surface drawn (default train_loss)")
    .option("--log", "plot ln(value + 0.1), as export's --log")
    .option(
      "--clip <q>",
      "colours saturate above this quantile of the surface (default 0.98; 1: none)",
      clipOption,
    )
    .option("--trajectory <which>", "all (default), a run's label, or its number from 1")
    .option("--no-progress", "no progress output")
    .action(async (file: string, opts: AnimateCommandOptions) => {
      await animateCommand(file, { ...opts, progress: opts.progress !== false });
    });
}
