/**
 * `landscape lesson <ID|FILE>`: run a lesson (src/core/lessons) headless, with progress on stderr,
 * then its numbers and every check with its numbers on stdout (or one JSON object with --json).
 * Exit code 1 when a check does not hold. A flatness lesson runs both experiments and prints
 * their metrics side by side; with --out-dir both snapshots (each with the lesson's curvature
 * section) are written there. A paths lesson runs its one paths experiment and prints the numbers
 * of every path (barriers, end losses, length); with --out-dir its snapshot (the plane with the
 * `paths` section) is written there. Files are written atomically, once everything has run.
 * `landscape lesson --list` lists the shipped lessons.
 */
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { LESSONS } from "../core/lessons/catalog";
import { type CheckResult, formatNumber, METRIC_SHORT } from "../core/lessons/checks";
import { type AnyLesson, isPathsLesson, parseAnyLesson } from "../core/lessons/parse";
import {
  PATH_METRIC_WORDS,
  PATH_SHORT,
  type PathsLesson,
  pathsLessonNumbers,
} from "../core/lessons/paths-lesson";
import { runLesson } from "../core/lessons/run";
import { runPathsLesson } from "../core/lessons/run-paths-lesson";
import { LESSON_METRICS, type Lesson, type LessonMetrics } from "../core/lessons/schema";
import type { PathsSection } from "../core/snapshot/paths-section";
import { nodeDataReaders } from "../node/data-files";
import { writeSnapshotFile } from "../node/snapshot-file";
import { initNodeBackend } from "../node/tf-node";
import { cancelOnSigint } from "./cancel-on-sigint";
import { arraysOption, integer } from "./option-parsers";
import { progressReporter } from "./progress";

/** The shipped lessons (public/lessons/), next to the sources. */
const LESSONS_FOLDER = fileURLToPath(new URL("../../public/lessons/", import.meta.url));

interface LessonCommandOptions {
  list?: boolean;
  outDir?: string;
  json?: boolean;
  seed?: number;
  arrays: "base64" | "plain";
  progress: boolean;
}

/** The lesson file an argument names: a shipped lesson's id, or a path to a .json file. */
function lessonFile(arg: string): string {
  const entry = LESSONS.find((l) => l.id === arg);
  if (entry) return path.join(LESSONS_FOLDER, entry.file);
  if (arg.toLowerCase().endsWith(".json") || arg.includes("/") || arg.includes(path.sep)) return arg;
  throw new Error(
    `unknown lesson "${arg}"; the lessons are ${LESSONS.map((l) => l.id).join(", ")} ` +
      "(landscape lesson --list), or give the path of a lesson .json file",
  );
}

/** Read and check a lesson file of either kind; errors name the file. */
async function readLessonFile(file: string): Promise<AnyLesson> {
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
  return parseAnyLesson(json, file);
}

/** Snapshot paths of the two runs: DIR/<id>-run1.json and DIR/<id>-run2.json. */
function lessonSnapshotPaths(outDir: string, lesson: Lesson): string[] {
  return lesson.runs.map((_, i) => path.join(outDir, `${lesson.id}-run${i + 1}.json`));
}

/** Rows of cells as aligned columns (two spaces apart, no trailing blanks). */
function textTable(table: string[][]): string {
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  return table
    .map((row) =>
      row
        .map((cell, c) => cell.padEnd(widths[c]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** The metrics side by side: one row per metric that either run has, one column per run. */
function metricsTable(lesson: Lesson, metrics: LessonMetrics[]): string {
  const rows = LESSON_METRICS.filter((m) => metrics.some((r) => r[m] !== null)).map((m) => [
    METRIC_SHORT[m],
    ...metrics.map((r) => formatNumber(r[m])),
  ]);
  return textTable([["", ...lesson.runs.map((r) => r.label)], ...rows]);
}

/** A paths run's numbers: one row per metric, one column per path the run made. */
function pathsTable(section: PathsSection): string {
  const { paths, rows } = pathsLessonNumbers(section);
  return textTable([
    ["", ...paths.map((p) => PATH_SHORT[p])],
    ...rows.map((r) => [PATH_METRIC_WORDS[r.metric], ...r.values.map((v) => formatNumber(v))]),
  ]);
}

function checksText(checks: CheckResult[]): string {
  const lines = checks.map((c) => `  ${c.holds ? "✓" : "✗"} ${c.text}\n      ${c.detail}`);
  const held = checks.filter((c) => c.holds).length;
  return `${lines.join("\n")}\n${held} of ${checks.length} checks hold`;
}

/** lesson: run both experiments, print metrics and checks; exit code 1 when a check fails. */
async function lessonCommand(arg: string | undefined, o: LessonCommandOptions): Promise<void> {
  if (o.list) {
    const width = Math.max(...LESSONS.map((l) => l.id.length));
    process.stdout.write(`${LESSONS.map((l) => `${l.id.padEnd(width)}  ${l.title}`).join("\n")}\n`);
    return;
  }
  if (arg === undefined)
    throw new Error("give a lesson id or a lesson file (landscape lesson --list shows the ids)");
  const file = lessonFile(arg);
  const lesson = await readLessonFile(file);
  await withLessonRun(o, (backend, signal) =>
    isPathsLesson(lesson)
      ? pathsLessonRun(lesson, o, backend, signal)
      : flatnessLessonRun(lesson, o, backend, signal),
  );
}

/** The frame of every lesson run: the output folder, the backend, Ctrl-C aborting `signal`. */
async function withLessonRun(
  o: LessonCommandOptions,
  run: (backend: string, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  if (o.outDir !== undefined) await mkdir(o.outDir, { recursive: true });
  const backend = await initNodeBackend();
  const sigint = cancelOnSigint();
  try {
    await run(backend, sigint.signal);
  } finally {
    sigint.release();
  }
}

/**
 * Print a finished lesson and set the exit code (1 when a check fails): one JSON object (the
 * common fields, then `fields`) or text (`table` between the claim and the checks).
 */
function printLesson(
  lesson: AnyLesson,
  o: LessonCommandOptions,
  r: {
    backend: string;
    seconds: number;
    checks: CheckResult[];
    written: string[];
    fields: Record<string, unknown>;
    table: string;
  },
): void {
  const passed = r.checks.every((c) => c.holds);
  if (o.json) {
    const out = {
      id: lesson.id,
      kind: lesson.kind,
      title: lesson.title,
      claim: lesson.claim,
      ...(lesson.caveat ? { caveat: lesson.caveat } : {}),
      seed: o.seed,
      backend: r.backend,
      seconds: Number(r.seconds.toFixed(2)),
      ...r.fields,
      checks: r.checks,
      passed,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    const parts = [
      `${lesson.title}${o.seed !== undefined ? ` (seed ${o.seed})` : ""}`,
      `Claim: ${lesson.claim}`,
      ...(lesson.caveat ? [`Caveat: ${lesson.caveat}`] : []),
      "",
      r.table,
      "",
      "Checks:",
      checksText(r.checks),
    ];
    if (r.written.length > 0) parts.push(`wrote ${r.written.join(" and ")}`);
    parts.push(`(${r.backend}, ${r.seconds.toFixed(1)} s)`);
    process.stdout.write(`${parts.join("\n")}\n`);
  }
  if (!passed) process.exitCode = 1;
}

/** A flatness lesson: both experiments, their metrics side by side and the checks. */
async function flatnessLessonRun(
  lesson: Lesson,
  o: LessonCommandOptions,
  backend: string,
  signal: AbortSignal,
): Promise<void> {
  let progress = progressReporter(o.progress);
  try {
    const t0 = performance.now();
    let current = -1;
    const result = await runLesson(lesson, {
      backend,
      seed: o.seed,
      signal,
      files: nodeDataReaders(),
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
    printLesson(lesson, o, {
      backend,
      seconds: (performance.now() - t0) / 1000,
      checks: result.checks,
      written,
      fields: {
        runs: lesson.runs.map((r, i) => ({
          label: r.label,
          metrics: result.metrics[i],
          ...(written[i] ? { snapshot: written[i] } : {}),
        })),
      },
      table: metricsTable(lesson, result.metrics),
    });
  } finally {
    progress.stop();
  }
}

/** The snapshot path of a paths lesson's run: DIR/<id>.json. */
function pathsLessonSnapshotPath(outDir: string, lesson: PathsLesson): string {
  return path.join(outDir, `${lesson.id}.json`);
}

/** A paths lesson: its one paths run, the paths' numbers and the checks. */
async function pathsLessonRun(
  lesson: PathsLesson,
  o: LessonCommandOptions,
  backend: string,
  signal: AbortSignal,
): Promise<void> {
  const progress = progressReporter(o.progress);
  try {
    const t0 = performance.now();
    if (o.progress) process.stderr.write(`run: ${lesson.run.label}\n`);
    const result = await runPathsLesson(lesson, {
      backend,
      seed: o.seed,
      signal,
      // PathsProgress has the same fields; its phases are the paths run's (train, paths, curve, ...).
      onProgress: (p) => progress.update(p as unknown as Parameters<typeof progress.update>[0]),
    });
    progress.stop();
    for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
    const written: string[] = [];
    if (o.outDir !== undefined) {
      written.push(pathsLessonSnapshotPath(o.outDir, lesson));
      await writeSnapshotFile(written[0], result.snapshot, { arrays: o.arrays });
    }
    const section = result.snapshot.paths as PathsSection;
    const { paths, rows } = pathsLessonNumbers(section);
    printLesson(lesson, o, {
      backend,
      seconds: (performance.now() - t0) / 1000,
      checks: result.checks,
      written,
      fields: {
        run: { label: lesson.run.label, ...(written[0] ? { snapshot: written[0] } : {}) },
        paths: Object.fromEntries(
          paths.map((p, j) => [p, Object.fromEntries(rows.map((r) => [r.metric, r.values[j]]))]),
        ),
      },
      table: `${lesson.run.label}:\n${pathsTable(section)}`,
    });
  } finally {
    progress.stop();
  }
}

/** Adds the `lesson` command to the program. */
export function registerLessonCommand(program: Command): void {
  program
    .command("lesson")
    .description(
      "run a lesson (flat and sharp minima: two experiments side by side; paths between minima: one paths run) " +
        "with its claim and checks: prints the numbers and each check; exit 1 when a check fails",
    )
    .argument("[lesson]", "a lesson id (see --list) or the path of a lesson .json file")
    .option("--list", "list the lessons in public/lessons and exit")
    .option(
      "--out-dir <dir>",
      "write the snapshots there: <id>-run1.json and <id>-run2.json (a paths lesson: <id>.json)",
    )
    .option("--json", "print the metrics and checks as JSON")
    .option(
      "--seed <n>",
      "replace the top-level seed of the lesson's run configs",
      integer("--seed", 0, 0xffffffff),
    )
    .addOption(arraysOption("array encoding of the snapshots: base64 (compact) or plain (JSON numbers)"))
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
