/**
 * The lesson format: two experiments side by side, one claim in plain words, the numbers behind
 * it (`measure`: the curvature settings of the numbers) and machine-checkable statements
 * (`checks`, evaluated by checks.ts). Lessons live in public/lessons/<id>.json:
 *
 * ```jsonc
 * { "format": "loss-landscape-lesson", "version": 1, "id": "learning-rate", "title": "...",
 *   "claim": "one or two sentences", "lookAt": "what to look at", "caveat": "optional", "reference": "optional",
 *   "runs": [ { "label": "small learning rate (0.05)", "config": { ... } }, { "label": "...", "config": { ... } } ],
 *   "measure": { "topK": 1, "traceSamples": 30, "epsSharpness": [1e-3] },
 *   "checks": [ { "metric": "lambdaMax", "relation": "greater", "run": 0, "than": 1, "factor": 1.2 } ] }
 * ```
 *
 * No tfjs here (the app parses lessons on the main thread).
 *
 * @example const lesson = parseLesson(await (await fetch("lessons/learning-rate.json")).json(), "learning-rate.json");
 */
import { z } from "zod";
import { resolveConfig } from "../config/resolve";
import type { ExperimentConfig } from "../config/schema";
import { type CurvatureSettings, curvatureSettingsSchema } from "../curvature/settings";

const LESSON_FORMAT = "loss-landscape-lesson";
const LESSON_VERSION = 1;

/**
 * The numbers of one run of a lesson (metrics.ts computes them from a snapshot); null where not
 * applicable (no test split, a regression task, no trace asked for, not plain gradient descent).
 */
export interface LessonMetrics {
  /** Mean training loss at the snapshot's parameters (the centre of the landscape). */
  trainLoss: number;
  testLoss: number | null;
  /** Classification only. */
  trainAccuracy: number | null;
  testAccuracy: number | null;
  /** Generalization gap: testLoss - trainLoss. */
  gap: number | null;
  /** Top eigenvalue of the training-loss Hessian (power iteration, the lesson's `measure`). */
  lambdaMax: number | null;
  /** Hutchinson estimate of the Hessian trace; null when measure.traceSamples is 0. */
  trace: number | null;
  /** Keskar et al.'s epsilon-sharpness at measure.epsSharpness[0]; null when none is asked for. */
  epsSharpness: number | null;
  /**
   * Average sharpness at measure.averageRadius[0]: the mean rise of the training loss along
   * filter-normalized random directions at that radius (scale-invariant, unlike lambdaMax); null
   * when no radius is asked for.
   */
  averageSharpness: number | null;
  /** Texture of the train-loss surface (roughness.ts): high for kinked, low for smooth surfaces. */
  roughness: number | null;
  /**
   * lambda_max at the end of training over its peak during training, from the sharpness tracked
   * while training (training.sharpnessEvery > 0): near 1 when the curvature settles, far below 1
   * when the minimum keeps flattening (a cross-entropy fit growing confident); null untracked.
   */
  sharpnessDecay: number | null;
  /**
   * GCNs only (embedding-collapse.ts): the normalized Dirichlet energy of the last hidden layer's
   * node embeddings, tr(H^T (I - A_hat) H) / tr(H^T H); near 0 when the embeddings have collapsed.
   */
  dirichletEnergy: number | null;
  /**
   * GCNs only (embedding-collapse.ts): the share of the last hidden layer's ||H||_F^2 outside its
   * top singular direction; near 0 when every node's embedding is a multiple of one vector.
   */
  rankOneResidual: number | null;
  /** The run's training.learningRate. */
  learningRate: number | null;
  /** The gradient-descent stability bound 2 / learningRate (optimizer sgd without SAM), else null. */
  bound: number | null;
}

/** The metrics a check may name, in the order tables show them. */
export const LESSON_METRICS = [
  "trainLoss",
  "testLoss",
  "trainAccuracy",
  "testAccuracy",
  "gap",
  "lambdaMax",
  "trace",
  "epsSharpness",
  "averageSharpness",
  "roughness",
  "sharpnessDecay",
  "dirichletEnergy",
  "rankOneResidual",
  "learningRate",
  "bound",
] as const satisfies readonly (keyof LessonMetrics)[];
export type LessonMetricName = (typeof LESSON_METRICS)[number];

/** Check relations; checks.ts says what each means and renders it as a sentence. */
const CHECK_RELATIONS = [
  "greater",
  "less",
  "atMostBound",
  "equal",
  "atMost",
  "atLeast",
  "surfacesEqual",
  "surfacesDiffer",
] as const;
export type CheckRelation = (typeof CHECK_RELATIONS)[number];

const text = z.string().trim().min(1, { error: "must be a non-empty string" });
const runIndex = z.union([z.literal(0), z.literal(1)], { error: "must be 0 or 1 (the index of a run)" });
const metric = z.enum(LESSON_METRICS, {
  error: (issue) => `must be one of ${LESSON_METRICS.join(", ")}, got ${JSON.stringify(issue.input)}`,
});
const positive = z.number().positive().finite();

/**
 * "greater": metric[run] > factor * metric[than]; "less": metric[run] * factor < metric[than]
 * (run's value is smaller by at least that factor). factor >= 1, default 1.
 */
const compareCheck = <R extends "greater" | "less">(relation: R) =>
  z
    .strictObject({
      relation: z.literal(relation),
      metric,
      run: runIndex,
      than: runIndex,
      factor: z.number().min(1).finite().default(1),
    })
    .refine((c) => c.run !== c.than, { error: "run and than must be different runs", path: ["than"] });

/** metric[run] <= factor * bound[run] (the run's 2 / learningRate). metric defaults to lambdaMax. */
const boundCheck = z.strictObject({
  relation: z.literal("atMostBound"),
  metric: metric.default("lambdaMax"),
  run: runIndex,
  factor: positive.default(1),
});

/** |metric[0] - metric[1]| <= tolerance * max(|metric[0]|, |metric[1]|). */
const equalCheck = z.strictObject({
  relation: z.literal("equal"),
  metric,
  tolerance: positive,
});

/** metric[run] <= value ("atMost") or >= value ("atLeast"), for one run or both. */
const thresholdCheck = <R extends "atMost" | "atLeast">(relation: R) =>
  z.strictObject({
    relation: z.literal(relation),
    metric,
    run: z.union([z.literal(0), z.literal(1), z.literal("both")], {
      error: 'must be 0, 1 or "both"',
    }),
    value: z.number().finite(),
  });

/**
 * The largest relative difference max_i |a_i - b_i| / max(|a_i|, |b_i|) between the two runs'
 * train_loss surfaces: at most `tolerance` ("surfacesEqual") or more than it ("surfacesDiffer").
 */
const surfaceCheck = <R extends "surfacesEqual" | "surfacesDiffer">(relation: R) =>
  z.strictObject({ relation: z.literal(relation), tolerance: positive });

const lessonCheckSchema = z.discriminatedUnion(
  "relation",
  [
    compareCheck("greater"),
    compareCheck("less"),
    boundCheck,
    equalCheck,
    thresholdCheck("atMost"),
    thresholdCheck("atLeast"),
    surfaceCheck("surfacesEqual"),
    surfaceCheck("surfacesDiffer"),
  ],
  {
    error: (issue) => {
      const input = issue.input;
      if (typeof input !== "object" || input === null || Array.isArray(input))
        return 'must be a check object such as { "relation": "greater", "metric": "lambdaMax", "run": 0, "than": 1 }';
      const relation = (input as { relation?: unknown }).relation;
      return relation === undefined
        ? `missing; expected one of ${CHECK_RELATIONS.join(", ")}`
        : `must be one of ${CHECK_RELATIONS.join(", ")}, got ${JSON.stringify(relation)}`;
    },
  },
);
export type LessonCheck = z.output<typeof lessonCheckSchema>;
export type LessonCheckInput = z.input<typeof lessonCheckSchema>;

const runSchema = z.strictObject({
  label: text,
  /** An experiment config (config/schema.ts), checked by resolveConfig. */
  config: z.record(z.string(), z.unknown(), { error: "must be an experiment config object" }),
});

/** The fields every lesson kind has: its id, title and the words around its claim. */
export const lessonTextFields = {
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, {
    error: "must be lower-case words joined by dashes, e.g. learning-rate",
  }),
  title: text,
  claim: text,
  lookAt: text,
  /** Present when the effect is not guaranteed. */
  caveat: text.optional(),
  reference: text.optional(),
};

/** The format and version fields of every lesson file. */
export const lessonFileFields = {
  format: z.literal(LESSON_FORMAT, {
    error: (issue) =>
      `must be "${LESSON_FORMAT}", got ${JSON.stringify(issue.input) ?? "nothing"}: this is not a lesson file`,
  }),
  version: z.literal(LESSON_VERSION, {
    error: (issue) =>
      issue.input === undefined
        ? `missing; expected ${LESSON_VERSION}`
        : `unsupported version ${JSON.stringify(issue.input)}; this reader understands ${LESSON_VERSION}`,
  }),
};

const lessonSchema = z.strictObject({
  ...lessonFileFields,
  /** "flatness" (the default): two experiments side by side; "paths" lessons are paths-lesson.ts. */
  kind: z.literal("flatness").default("flatness"),
  ...lessonTextFields,
  runs: z
    .array(runSchema)
    .length(2, { error: (issue) => `must hold exactly 2 runs, got ${(issue.input as unknown[]).length}` }),
  /** Curvature settings of the numbers (curvature/settings.ts); the seed defaults to 0. */
  measure: curvatureSettingsSchema.default(() => curvatureSettingsSchema.parse({})),
  checks: z.array(lessonCheckSchema).min(1, { error: "must hold at least one check" }),
});

/** A parsed lesson: defaults filled in; each run's config as written (runLesson resolves it). */
export type Lesson = z.output<typeof lessonSchema>;
export type LessonInput = z.input<typeof lessonSchema>;

/** The measure with its seed explicit (measure.seed, else 0): the settings of every lesson number. */
export function lessonMeasure(lesson: Pick<Lesson, "measure">): CurvatureSettings {
  return { ...lesson.measure, seed: lesson.measure.seed ?? 0 };
}

function joinPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path)
    out += typeof key === "number" ? `[${key}]` : out === "" ? String(key) : `.${String(key)}`;
  return out === "" ? "(lesson)" : out;
}

/** One line per schema issue: its field path, then what is wrong (and the bad value when short). */
export function issueProblems(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const absent = issue.code === "invalid_type" && issue.input === undefined;
    const message = absent
      ? `missing; expected ${(issue as { expected?: string }).expected}`
      : `${issue.message}${shownInput(issue)}`;
    return `${joinPath(issue.path)}: ${message}`;
  });
}

/** ", got 1.5" for a short bad value, nothing for objects. */
function shownInput(issue: { code: string; input?: unknown }): string {
  if (issue.code === "unrecognized_keys" || issue.input === undefined || typeof issue.input === "object")
    return "";
  if (issue.code === "invalid_union" || issue.code === "invalid_value") return "";
  const s = JSON.stringify(issue.input) ?? String(issue.input);
  return `, got ${s.length > 40 ? `${s.slice(0, 40)}...` : s}`;
}

const REGRESSION_DATASETS = new Set(["sine", "polynomial"]);

/** Problems that span fields: a check's metric must exist for the runs it names. */
function crossProblems(lesson: Lesson, configs: (ExperimentConfig | null)[]): string[] {
  const problems: string[] = [];
  const m = lesson.measure;
  lesson.checks.forEach((c, i) => {
    const at = `checks[${i}]`;
    if (c.relation === "surfacesEqual" || c.relation === "surfacesDiffer") {
      const [a, b] = configs;
      if (a && b) {
        const shape = (x: ExperimentConfig) =>
          `${x.grid.x.count}x${x.grid.y?.count ?? 1} on [${x.grid.x.min}, ${x.grid.x.max}]x[${x.grid.y?.min ?? 0}, ${x.grid.y?.max ?? 0}]`;
        if (shape(a) !== shape(b))
          problems.push(
            `${at}: ${c.relation} compares the runs' surfaces point by point, but their grids differ (${shape(a)} vs ${shape(b)})`,
          );
      }
      return;
    }
    const runs =
      c.relation === "equal"
        ? [0, 1]
        : c.relation === "greater" || c.relation === "less"
          ? [c.run, c.than]
          : c.run === "both"
            ? [0, 1]
            : [c.run];
    if (c.metric === "trace" && m.traceSamples === 0)
      problems.push(`${at}.metric: trace needs measure.traceSamples >= 2, but it is 0`);
    if (c.metric === "epsSharpness" && m.epsSharpness.length === 0)
      problems.push(`${at}.metric: epsSharpness needs a box size in measure.epsSharpness, which is empty`);
    if (c.metric === "averageSharpness" && m.averageRadius.length === 0)
      problems.push(`${at}.metric: averageSharpness needs a radius in measure.averageRadius, which is empty`);
    for (const r of runs) {
      const cfg = configs[r];
      if (!cfg) continue;
      const data = cfg.data as { name: string; testCount: number };
      if (
        (c.metric === "testLoss" || c.metric === "testAccuracy" || c.metric === "gap") &&
        data.testCount === 0
      )
        problems.push(`${at}.metric: ${c.metric} needs a test split, but runs[${r}] has data.testCount 0`);
      if ((c.metric === "trainAccuracy" || c.metric === "testAccuracy") && REGRESSION_DATASETS.has(data.name))
        problems.push(
          `${at}.metric: ${c.metric} needs a classification dataset, but runs[${r}] uses ${data.name}`,
        );
      if ((c.metric === "dirichletEnergy" || c.metric === "rankOneResidual") && cfg.model.kind !== "gcn")
        problems.push(
          `${at}.metric: ${c.metric} measures a GCN's node embeddings, but runs[${r}] has model.kind ${cfg.model.kind ?? "mlp"}`,
        );
      const plainGd = cfg.training.optimizer === "sgd" && !cfg.training.sam;
      if ((c.relation === "atMostBound" || c.metric === "bound") && !plainGd)
        problems.push(
          `${at}: the stability bound 2/lr needs plain gradient descent (optimizer sgd, no sam), but runs[${r}] uses ${cfg.training.optimizer}${cfg.training.sam ? " with sam" : ""}`,
        );
    }
  });
  return problems;
}

/**
 * Check a lesson file and fill in defaults. Each run's config is checked with resolveConfig, and
 * each check against what the runs and the measure provide. Throws one Error listing every
 * problem, each starting with its field path (e.g. `runs[1].config.training.learningRate: ...`,
 * `checks[0].metric: ...`), prefixed by `source` when given.
 *
 * @example const lesson = parseLesson(JSON.parse(text), "public/lessons/learning-rate.json");
 */
export function parseLesson(json: unknown, source?: string): Lesson {
  const problems: string[] = [];
  const parsed = lessonSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) problems.push(...issueProblems(parsed.error.issues));
  // Run configs are checked whether or not the rest parsed, so one pass names every problem.
  const rawRuns = parsed.success ? parsed.data.runs : (json as { runs?: unknown } | null)?.runs;
  const configs: (ExperimentConfig | null)[] = [null, null];
  if (Array.isArray(rawRuns)) {
    rawRuns.slice(0, 2).forEach((run: unknown, i) => {
      const config = (run as { config?: unknown } | null)?.config;
      if (typeof config !== "object" || config === null || Array.isArray(config)) return;
      try {
        configs[i] = resolveConfig(config);
      } catch (err) {
        for (const line of (err as Error).message.split("\n").slice(1)) {
          const l = line.trim();
          problems.push(
            l.startsWith("(config)") ? `runs[${i}].config${l.slice(8)}` : `runs[${i}].config.${l}`,
          );
        }
      }
    });
  }
  if (parsed.success) problems.push(...crossProblems(parsed.data, configs));
  if (problems.length > 0 || !parsed.success) {
    const where = source ? `lesson ${source}` : "lesson";
    throw new Error(
      `invalid ${where} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  ${problems.join("\n  ")}`,
    );
  }
  return parsed.data;
}
