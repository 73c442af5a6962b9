/**
 * Lessons about paths between minima ("kind": "paths"): ONE paths experiment (a config with a
 * `paths` section, experiment/paths-run.ts), a claim in plain words and checks on the barriers of
 * its paths, read from the snapshot's `paths` section. The flatness lessons (schema.ts) compare
 * two experiments side by side; here the two minima, the straight line, the trained curve and the
 * aligned line all live in the one run, drawn on one plane. No tfjs here (the app evaluates the
 * checks on the main thread); run-paths-lesson.ts runs one headless.
 *
 * ```jsonc
 * { "format": "loss-landscape-lesson", "version": 1, "kind": "paths", "id": "mode-connectivity",
 *   "title": "...", "claim": "...", "lookAt": "...", "caveat": "optional", "reference": "optional",
 *   "run": { "label": "two ReLU MLPs (128, 128) on spirals", "config": { ..., "paths": { "seeds": [1, 2], ... } } },
 *   "checks": [ { "relation": "atLeast", "metric": "lossBarrier", "path": "linear", "value": 0.2 },
 *               { "relation": "less", "metric": "lossBarrier", "path": "curve", "than": "linear", "factor": 4 } ] }
 * ```
 *
 * Paths are named by kind: "linear" (theta1 -> theta2), "curve" (the trained Bezier or
 * polychain), "linear-aligned" (theta1 -> theta2 after weight matching), "init-to-solution"
 * (Goodfellow et al.'s line from model 1's initialization); the first path of that kind counts.
 * Metrics of a path (snapshot/paths-section.ts, over t in [0, 1]):
 *   lossBarrier          max_t L(t) - ((1 - t) L(0) + t L(1)) of the train loss (Garipov et al.'s
 *                        barrier above the straight line between the end values)
 *   midpointLossBarrier  max_t L(t) - (L(0) + L(1)) / 2 of the train loss (Frankle et al.'s form)
 *   errorBarrier         lossBarrier's form on the train error 1 - accuracy
 *   testLossBarrier      lossBarrier's form on the test loss
 *   startLoss, endLoss   the train loss at t = 0 and t = 1 (the two minima)
 *   length               Euclidean length of the path in parameter space
 * Relations: atMost / atLeast (metric of a path against a value), less / greater (metric of a path
 * against the same metric of another, by a factor >= 1).
 */
import { z } from "zod";
import type { PathsSettings } from "../config/paths-settings";
import { resolveConfig } from "../config/resolve";
import type { ExperimentConfig } from "../config/schema";
import type { PathsSection, SectionPath } from "../snapshot/paths-section";
import { type CheckResult, formatNumber } from "./checks";
import { issueProblems, lessonFileFields, lessonTextFields } from "./schema";

const PATH_REFS = ["linear", "curve", "linear-aligned", "init-to-solution"] as const;
type PathRef = (typeof PATH_REFS)[number];

const PATH_LESSON_METRICS = [
  "lossBarrier",
  "midpointLossBarrier",
  "errorBarrier",
  "testLossBarrier",
  "startLoss",
  "endLoss",
  "length",
] as const;
type PathLessonMetric = (typeof PATH_LESSON_METRICS)[number];

/** Metric names in words, for sentences and tables. */
export const PATH_METRIC_WORDS: Record<PathLessonMetric, string> = {
  lossBarrier: "loss barrier",
  midpointLossBarrier: "loss barrier above the mean of the ends",
  errorBarrier: "error barrier",
  testLossBarrier: "test-loss barrier",
  startLoss: "train loss at the start",
  endLoss: "train loss at the end",
  length: "length in parameter space",
};

/** Path names in words. */
const PATH_WORDS: Record<PathRef, string> = {
  linear: "the straight line",
  curve: "the trained curve",
  "linear-aligned": "the straight line after weight matching",
  "init-to-solution": "the line from initialization to theta1",
};

/** Short path names, for table columns. */
export const PATH_SHORT: Record<PathRef, string> = {
  linear: "straight line",
  curve: "curve",
  "linear-aligned": "aligned line",
  "init-to-solution": "init -> theta1",
};

const pathRef = z.enum(PATH_REFS, {
  error: (issue) => `must be one of ${PATH_REFS.join(", ")}, got ${JSON.stringify(issue.input)}`,
});
const metric = z.enum(PATH_LESSON_METRICS, {
  error: (issue) => `must be one of ${PATH_LESSON_METRICS.join(", ")}, got ${JSON.stringify(issue.input)}`,
});

const thresholdCheck = <R extends "atMost" | "atLeast">(relation: R) =>
  z.strictObject({ relation: z.literal(relation), metric, path: pathRef, value: z.number().finite() });

/** "greater": m[path] > factor * m[than]; "less": m[path] * factor < m[than]. */
const compareCheck = <R extends "greater" | "less">(relation: R) =>
  z
    .strictObject({
      relation: z.literal(relation),
      metric,
      path: pathRef,
      than: pathRef,
      factor: z.number().min(1).finite().default(1),
    })
    .refine((c) => c.path !== c.than, { error: "path and than must be different paths", path: ["than"] });

const PATH_RELATIONS = ["atMost", "atLeast", "less", "greater"] as const;

const pathsCheckSchema = z.discriminatedUnion(
  "relation",
  [thresholdCheck("atMost"), thresholdCheck("atLeast"), compareCheck("less"), compareCheck("greater")],
  {
    error: (issue) => {
      const input = issue.input;
      if (typeof input !== "object" || input === null || Array.isArray(input))
        return 'must be a check object such as { "relation": "atLeast", "metric": "lossBarrier", "path": "linear", "value": 0.2 }';
      const relation = (input as { relation?: unknown }).relation;
      return relation === undefined
        ? `missing; expected one of ${PATH_RELATIONS.join(", ")}`
        : `must be one of ${PATH_RELATIONS.join(", ")} in a paths lesson, got ${JSON.stringify(relation)}`;
    },
  },
);
type PathsCheck = z.output<typeof pathsCheckSchema>;

const pathsLessonSchema = z.strictObject({
  ...lessonFileFields,
  kind: z.literal("paths"),
  ...lessonTextFields,
  run: z.strictObject({
    label: lessonTextFields.title,
    /** An experiment config with a `paths` section (config/schema.ts), checked by resolveConfig. */
    config: z.record(z.string(), z.unknown(), { error: "must be an experiment config object" }),
  }),
  checks: z.array(pathsCheckSchema).min(1, { error: "must hold at least one check" }),
});

/** A parsed paths lesson; its run's config as written (resolved by pathsLessonConfig). */
export type PathsLesson = z.output<typeof pathsLessonSchema>;

/** Which paths a run makes (runPaths: always the straight line, the curve and init -> theta1; the aligned line unless align is false). */
function pathsMade(paths: PathsSettings): Set<PathRef> {
  const made = new Set<PathRef>(["linear", "curve", "init-to-solution"]);
  if (paths.align) made.add("linear-aligned");
  return made;
}

/**
 * Check a paths lesson and fill in defaults: the run's config must resolve and have a `paths`
 * section, every check must name a path the run makes. Throws one Error listing every problem,
 * each with its field path, prefixed by `source` when given.
 */
export function parsePathsLesson(json: unknown, source?: string): PathsLesson {
  const problems: string[] = [];
  const parsed = pathsLessonSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) problems.push(...issueProblems(parsed.error.issues));
  const rawConfig = (json as { run?: { config?: unknown } } | null)?.run?.config;
  if (typeof rawConfig === "object" && rawConfig !== null && !Array.isArray(rawConfig)) {
    try {
      const config = resolveConfig(rawConfig);
      if (!config.paths) problems.push("run.config.paths: missing; a paths lesson runs a paths experiment");
      else if (parsed.success) {
        const made = pathsMade(config.paths);
        parsed.data.checks.forEach((c, i) => {
          const refs: [string, PathRef][] = [["path", c.path]];
          if ("than" in c) refs.push(["than", c.than]);
          for (const [key, ref] of refs)
            if (!made.has(ref))
              problems.push(`checks[${i}].${key}: the run makes no "${ref}" path (see its paths settings)`);
          if (c.metric === "testLossBarrier" && (config.data as { testCount: number }).testCount === 0)
            problems.push(`checks[${i}].metric: testLossBarrier needs a test split, but data.testCount is 0`);
        });
      }
    } catch (err) {
      for (const line of (err as Error).message.split("\n").slice(1)) {
        const l = line.trim();
        problems.push(l.startsWith("(config)") ? `run.config${l.slice(8)}` : `run.config.${l}`);
      }
    }
  }
  if (problems.length > 0 || !parsed.success) {
    const where = source ? `lesson ${source}` : "lesson";
    throw new Error(
      `invalid ${where} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  ${problems.join("\n  ")}`,
    );
  }
  return parsed.data;
}

/** The resolved config of the lesson's run (its top-level seed replaced when asked). */
export function pathsLessonConfig(lesson: PathsLesson, seed?: number): ExperimentConfig {
  const config: Record<string, unknown> = { ...lesson.run.config };
  if (seed !== undefined) config.seed = seed;
  return resolveConfig(config);
}

/** The first path of a kind ("curve": the first Bezier or polychain), or undefined. */
function findPath(section: PathsSection, ref: PathRef): SectionPath | undefined {
  return section.paths.find((p) =>
    ref === "curve" ? p.kind === "bezier" || p.kind === "polychain" : p.kind === ref,
  );
}

/** A metric of a path; null when the path or the number is missing (or not finite). */
function pathMetric(path: SectionPath | undefined, m: PathLessonMetric): number | null {
  if (!path) return null;
  const b = path.barriers;
  const v = {
    lossBarrier: b.train_loss.linearExcess,
    midpointLossBarrier: b.train_loss.midpointMean,
    errorBarrier: b.train_error?.linearExcess ?? null,
    testLossBarrier: b.test_loss?.linearExcess ?? null,
    startLoss: b.train_loss.start,
    endLoss: b.train_loss.end,
    length: path.length,
  }[m];
  return v !== null && v !== undefined && Number.isFinite(v) ? v : null;
}

/** The numbers table: for every path kind the run made, every metric it has. */
export function pathsLessonNumbers(section: PathsSection): {
  paths: PathRef[];
  rows: { metric: PathLessonMetric; values: (number | null)[] }[];
} {
  const paths = PATH_REFS.filter((r) => findPath(section, r));
  const rows = PATH_LESSON_METRICS.map((m) => ({
    metric: m,
    values: paths.map((r) => pathMetric(findPath(section, r), m)),
  })).filter((row) => row.values.some((v) => v !== null));
  return { paths, rows };
}

/** The check as one sentence in plain words. */
function pathsCheckText(c: PathsCheck): string {
  const what = `${PATH_METRIC_WORDS[c.metric]} of ${PATH_WORDS[c.path]}`;
  switch (c.relation) {
    case "atMost":
      return `the ${what} is at most ${formatNumber(c.value)}`;
    case "atLeast":
      return `the ${what} is at least ${formatNumber(c.value)}`;
    case "less":
    case "greater": {
      const word = c.relation === "less" ? "lower" : "higher";
      const by = c.factor > 1 ? `, by a factor of at least ${c.factor}` : "";
      return `the ${what} is ${word} than that of ${PATH_WORDS[c.than]}${by}`;
    }
  }
}

/** Evaluate every check on the run's paths section; a missing number makes a check fail. */
export function evaluatePathsChecks(
  lesson: Pick<PathsLesson, "checks">,
  section: PathsSection,
): CheckResult[] {
  return lesson.checks.map((c) => {
    const text = pathsCheckText(c);
    const a = pathMetric(findPath(section, c.path), c.metric);
    const name = PATH_METRIC_WORDS[c.metric];
    if (a === null) return { text, holds: false, detail: `${name} of ${PATH_SHORT[c.path]} not available` };
    if (c.relation === "atMost" || c.relation === "atLeast") {
      const holds = c.relation === "atMost" ? a <= c.value : a >= c.value;
      const sign = c.relation === "atMost" ? "<=" : ">=";
      return { text, holds, detail: `${formatNumber(a)}, needs ${sign} ${formatNumber(c.value)}` };
    }
    const b = pathMetric(findPath(section, c.than), c.metric);
    if (b === null) return { text, holds: false, detail: `${name} of ${PATH_SHORT[c.than]} not available` };
    const holds = c.relation === "less" ? a * c.factor < b : a > c.factor * b;
    const need =
      c.relation === "less"
        ? `needs ${PATH_SHORT[c.path]} x ${c.factor} < ${PATH_SHORT[c.than]}`
        : `needs ${PATH_SHORT[c.path]} > ${c.factor} x ${PATH_SHORT[c.than]}`;
    return { text, holds, detail: `${formatNumber(a)} vs ${formatNumber(b)}, ${need}` };
  });
}
