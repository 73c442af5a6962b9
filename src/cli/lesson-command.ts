/**
 * `landscape lesson <ID|FILE>`: run a lesson (src/core/lessons) headless: both experiments with
 * progress on stderr, then the metrics side by side and every check with its numbers on stdout
 * (or one JSON object with --json). Exit code 1 when a check does not hold. With --out-dir, both
 * snapshots (each with the lesson's curvature section) are written there, atomically, once
 * everything has run. `landscape lesson --list` lists the shipped lessons.
 */
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Command, InvalidArgumentError } from "commander";
import { LESSONS } from "../core/lessons/catalog";
import { type CheckResult, formatNumber, METRIC_SHORT } from "../core/lessons/checks";
import { runLesson } from "../core/lessons/run";
import { LESSON_METRICS, type Lesson, type LessonMetrics, parseLesson } from "../core/lessons/schema";
import { writeSnapshotFile } from "../node/snapshot-file";
import { initNodeBackend } from "../node/tf-node";
import { progressReporter } from "./progress";

/** The shipped lessons (public/lessons/), next to the sources. */
export const LESSONS_FOLDER = fileURLToPath(new URL("../../public/lessons/", import.meta.url));

export interface LessonCommandOptions {
  list?: boolean;
  outDir?: string;
  json?: boolean;
  seed?: number;
  arrays: "base64" | "plain";
  progress: boolean;
}

/** The lesson file an argument names: a shipped lesson's id, or a path to a .json file. */
export function lessonFile(arg: string): string {
  const entry = LESSONS.find((l) => l.id === arg);
  if (entry) return path.join(LESSONS_FOLDER, entry.file);
  if (arg.toLowerCase().endsWith(".json") || arg.includes("/") || arg.includes(path.sep)) return arg;
  throw new Error(
    `unknown lesson "${arg}"; the lessons are ${LESSONS.map((l) => l.id).join(", ")} ` +
      "(landscape lesson --list), or give the path of a lesson .json file",
  );
}

/** Read and check a lesson file; errors name the file. */
export async function readLessonFile(file: string): Promise<Lesson> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new Error(
      `cannot read lesson ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`lesson ${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseLesson(json, file);
}

/** Snapshot paths of the two runs: DIR/<id>-run1.json and DIR/<id>-run2.json. */
export function lessonSnapshotPaths(outDir: string, lesson: Lesson): string[] {
  return lesson.runs.map((_, i) => path.join(outDir, `${lesson.id}-run${i + 1}.json`));
}

/** The metrics side by side: one row per metric that either run has, one column per run. */
export function metricsTable(lesson: Lesson, metrics: LessonMetrics[]): string {
  const rows = LESSON_METRICS.filter((m) => metrics.some((r) => r[m] !== null)).map((m) => [
    METRIC_SHORT[m],
    ...metrics.map((r) => formatNumber(r[m])),
  ]);
  const header = ["", ...lesson.runs.map((r) => r.label)];
  const table = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...table.map((row) => row[c].length)));
  return table
    .map((row) =>
      row
        .map((cell, c) => cell.padEnd(widths[c]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function checksText(checks: CheckResult[]): string {
  const lines = checks.map((c) => `  ${c.holds ? "✓" : "✗"} ${c.text}\n      ${c.detail}`);
  const held = checks.filter((c) => c.holds).length;
  return `${lines.join("\n")}\n${held} of ${checks.length} checks hold`;
}

/** lesson: run both experiments, print metrics and checks; exit code 1 when a check fails. */
export async function lessonCommand(arg: string | undefined, o: LessonCommandOptions): Promise<void> {
  if (o.list) {
    const width = Math.max(...LESSONS.map((l) => l.id.length));
    process.stdout.write(`${LESSONS.map((l) => `${l.id.padEnd(width)}  ${l.title}`).join("\n")}\n`);
    return;
  }
  if (arg === undefined)
    throw new Error("give a lesson id or a lesson file (landscape lesson --list shows the ids)");
  const file = lessonFile(arg);
  const lesson = await readLessonFile(file);
  if (o.outDir !== undefined) await mkdir(o.outDir, { recursive: true });
  const backend = await initNodeBackend();
  let progress = progressReporter(o.progress);
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error("cancelled (SIGINT); nothing was written"));
  process.once("SIGINT", onSigint);
  try {
    const t0 = performance.now();
    let current = -1;
    const result = await runLesson(lesson, {
      backend,
      seed: o.seed,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.run !== current) {
          // A fresh reporter per run, so each run's phases start their own bars.
          progress.stop();
          progress = progressReporter(o.progress);
          if (o.progress) process.stderr.write(`run ${p.run + 1}/${lesson.runs.length}: ${p.label}\n`);
          current = p.run;
        }
        progress.update(p);
      },
    });
    progress.stop();
    for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
    const written: string[] = [];
    if (o.outDir !== undefined) {
      const paths = lessonSnapshotPaths(o.outDir, lesson);
      for (const [i, snapshot] of result.snapshots.entries()) {
        await writeSnapshotFile(paths[i], snapshot, { arrays: o.arrays });
        written.push(paths[i]);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const passed = result.checks.every((c) => c.holds);
    if (o.json) {
      const out = {
        id: lesson.id,
        title: lesson.title,
        claim: lesson.claim,
        ...(lesson.caveat ? { caveat: lesson.caveat } : {}),
        seed: o.seed,
        backend,
        seconds: Number(seconds.toFixed(2)),
        runs: lesson.runs.map((r, i) => ({
          label: r.label,
          metrics: result.metrics[i],
          ...(written[i] ? { snapshot: written[i] } : {}),
        })),
        checks: result.checks,
        passed,
      };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      const parts = [
        `${lesson.title}${o.seed !== undefined ? ` (seed ${o.seed})` : ""}`,
        `Claim: ${lesson.claim}`,
        ...(lesson.caveat ? [`Caveat: ${lesson.caveat}`] : []),
        "",
        metricsTable(lesson, result.metrics),
        "",
        "Checks:",
        checksText(result.checks),
      ];
      if (written.length > 0) parts.push(`wrote ${written.join(" and ")}`);
      parts.push(`(${backend}, ${seconds.toFixed(1)} s)`);
      process.stdout.write(`${parts.join("\n")}\n`);
    }
    if (!passed) process.exitCode = 1;
  } finally {
    progress.stop();
    process.off("SIGINT", onSigint);
  }
}

function seedOption(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n > 0xffffffff)
    throw new InvalidArgumentError(`--seed must be an integer in [0, ${0xffffffff}], got ${value}`);
  return n;
}

/** Adds the `lesson` command to the program. */
export function registerLessonCommand(program: Command): void {
  program
    .command("lesson")
    .description(
      "run a lesson about flat and sharp minima (two experiments, a claim, checks): prints the metrics side by side " +
        "and each check; exit 1 when a check fails",
    )
    .argument("[lesson]", "a lesson id (see --list) or the path of a lesson .json file")
    .option("--list", "list the lessons in public/lessons and exit")
    .option("--out-dir <dir>", "write both snapshots there as <id>-run1.json and <id>-run2.json")
    .option("--json", "print the metrics and checks as JSON")
    .option("--seed <n>", "replace the top-level seed of both runs' configs", seedOption)
    .option(
      "--arrays <mode>",
      "array encoding of the snapshots: base64 (compact) or plain (JSON numbers)",
      (v: string) => {
        if (v !== "base64" && v !== "plain")
          throw new InvalidArgumentError("--arrays must be one of base64, plain");
        return v;
      },
      "base64",
    )
    .option("--no-progress", "no progress output")
    .action(async (arg: string | undefined, opts) => {
      await lessonCommand(arg, {
        ...opts,
        list: opts.list === true,
        json: opts.json === true,
        progress: opts.progress !== false,
      });
    });
}
