/**
 * A lesson's checks, evaluated on the two runs' metrics (and their train_loss surfaces for the
 * surface relations). Each check renders as one plain-words sentence (checkText) and each result
 * carries the numbers it was decided on (detail). No tfjs here: the app runs it on the main thread.
 *
 * Relations (run indices 0 and 1 are the lesson's runs; a = metric[run], b = metric[than]):
 *   greater         a > factor * b
 *   less            a * factor < b (a smaller by at least the factor)
 *   atMostBound     a <= factor * 2 / lr of that run (gradient descent's stability bound)
 *   equal           |m0 - m1| <= tolerance * max(|m0|, |m1|)
 *   atMost/atLeast  metric[run] <= value / >= value, for one run or "both"
 *   surfacesEqual   max_i |s0_i - s1_i| / max(|s0_i|, |s1_i|) <= tolerance (train_loss surfaces)
 *   surfacesDiffer  that maximum relative difference > tolerance
 * A check whose numbers are missing (null, non-finite, or no surfaces given) does not hold.
 *
 * @example evaluateChecks(lesson, [m0, m1], [s0.surfaces.train_loss, s1.surfaces.train_loss])
 */
import type { Lesson, LessonCheck, LessonMetricName, LessonMetrics } from "./schema";

export interface CheckResult {
  /** The check as a plain-words sentence (checkText). */
  text: string;
  holds: boolean;
  /** The numbers behind the verdict, e.g. "lambda_max 14.2 vs 7.91: ratio 1.80 (needs > 1.2)". */
  detail: string;
}

/** Metric names in words, for sentences and tables. */
export const METRIC_WORDS: Record<LessonMetricName, string> = {
  trainLoss: "train loss",
  testLoss: "test loss",
  trainAccuracy: "train accuracy",
  testAccuracy: "test accuracy",
  gap: "generalization gap (test - train loss)",
  lambdaMax: "top Hessian eigenvalue lambda_max",
  trace: "Hessian trace",
  epsSharpness: "eps-sharpness",
  averageSharpness: "average sharpness (filter-normalized)",
  roughness: "surface roughness",
  sharpnessDecay: "lambda_max at the end of training over its peak",
  dirichletEnergy: "Dirichlet energy of the node embeddings (normalized)",
  rankOneResidual: "share of the node embeddings off their top direction",
  learningRate: "learning rate",
  bound: "stability bound 2/lr",
};

/** Short metric names, for the numbers and table rows. */
export const METRIC_SHORT: Record<LessonMetricName, string> = {
  trainLoss: "train loss",
  testLoss: "test loss",
  trainAccuracy: "train acc",
  testAccuracy: "test acc",
  gap: "gap",
  lambdaMax: "lambda_max",
  trace: "trace",
  epsSharpness: "eps-sharpness",
  averageSharpness: "avg sharpness",
  roughness: "roughness",
  sharpnessDecay: "end/peak lambda_max",
  dirichletEnergy: "Dirichlet energy",
  rankOneResidual: "off rank 1",
  learningRate: "lr",
  bound: "2/lr",
};

/** 4 significant digits, plain for ordinary magnitudes. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return "n/a";
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}

const label = (lesson: Lesson, run: 0 | 1) => `"${lesson.runs[run].label}"`;

/**
 * The check as one sentence in plain words, naming the runs by their labels.
 *
 * @example checkText({ relation: "greater", metric: "lambdaMax", run: 0, than: 1, factor: 1.2 }, lesson)
 * // '"small learning rate (0.05)" has a higher top Hessian eigenvalue lambda_max than "large ...", by a factor of at least 1.2'
 */
export function checkText(check: LessonCheck, lesson: Lesson): string {
  switch (check.relation) {
    case "greater":
    case "less": {
      const word = check.relation === "greater" ? "higher" : "lower";
      const by = check.factor > 1 ? `, by a factor of at least ${check.factor}` : "";
      return `${label(lesson, check.run)} has a ${word} ${METRIC_WORDS[check.metric]} than ${label(lesson, check.than)}${by}`;
    }
    case "atMostBound": {
      const times = check.factor === 1 ? "" : `${check.factor} x `;
      return `${label(lesson, check.run)} has ${METRIC_WORDS[check.metric]} at most ${times}2/lr (the edge of stability of gradient descent)`;
    }
    case "equal":
      return `both runs have the same ${METRIC_WORDS[check.metric]} (within ${formatNumber(100 * check.tolerance)}%)`;
    case "atMost":
    case "atLeast": {
      const who = check.run === "both" ? "both runs have" : `${label(lesson, check.run)} has`;
      const bound = check.relation === "atMost" ? "at most" : "at least";
      return `${who} ${METRIC_WORDS[check.metric]} ${bound} ${formatNumber(check.value)}`;
    }
    case "surfacesEqual":
      return `the two train-loss surfaces are the same (every point within ${formatNumber(100 * check.tolerance)}% of each other)`;
    case "surfacesDiffer":
      return `the two train-loss surfaces differ (somewhere by more than ${formatNumber(100 * check.tolerance)}%)`;
  }
}

/**
 * max_i |a_i - b_i| / max(|a_i|, |b_i|) over the points where both are finite (0 / 0 counts as
 * 0), with the index where it occurs; a point finite in one surface only counts as Infinity.
 *
 * @example maxRelativeDifference(Float32Array.of(1, 2), Float32Array.of(1, 2.2)) // { value: 0.0909, index: 1 }
 */
export function maxRelativeDifference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): { value: number; index: number } {
  if (a.length !== b.length)
    throw new Error(`maxRelativeDifference: surfaces of ${a.length} and ${b.length} points`);
  let value = 0;
  let index = -1;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    let d: number;
    if (Number.isFinite(x) && Number.isFinite(y)) {
      const scale = Math.max(Math.abs(x), Math.abs(y));
      d = scale === 0 ? 0 : Math.abs(x - y) / scale;
    } else if (Number.isNaN(x) && Number.isNaN(y)) d = 0;
    else d = x === y ? 0 : Number.POSITIVE_INFINITY;
    if (index < 0 || d > value) {
      value = d;
      index = i;
    }
  }
  return { value, index };
}

const usable = (v: number | null | undefined): v is number =>
  v !== null && v !== undefined && Number.isFinite(v);

function missing(text: string, what: string): CheckResult {
  return { text, holds: false, detail: `${what} not available` };
}

function evaluateOne(
  check: LessonCheck,
  lesson: Lesson,
  metrics: readonly LessonMetrics[],
  surfaces: readonly (ArrayLike<number> | undefined)[] | undefined,
): CheckResult {
  const text = checkText(check, lesson);
  const value = (run: 0 | 1, name: LessonMetricName) => metrics[run]?.[name] ?? null;
  switch (check.relation) {
    case "greater":
    case "less": {
      const a = value(check.run, check.metric);
      const b = value(check.than, check.metric);
      if (!usable(a) || !usable(b))
        return missing(text, `${METRIC_SHORT[check.metric]} of run ${usable(a) ? check.than : check.run}`);
      const holds = check.relation === "greater" ? a > check.factor * b : a * check.factor < b;
      const ratio = b !== 0 ? `, ratio ${formatNumber(a / b)}` : "";
      const need =
        check.relation === "greater"
          ? `needs > ${check.factor === 1 ? "1" : formatNumber(check.factor)}`
          : `needs < ${formatNumber(1 / check.factor)}`;
      return {
        text,
        holds,
        detail: `${METRIC_SHORT[check.metric]} ${formatNumber(a)} vs ${formatNumber(b)}${ratio} (${need})`,
      };
    }
    case "atMostBound": {
      const a = value(check.run, check.metric);
      const bound = value(check.run, "bound");
      if (!usable(a)) return missing(text, `${METRIC_SHORT[check.metric]} of run ${check.run}`);
      if (!usable(bound))
        return missing(text, `the stability bound of run ${check.run} (not plain gradient descent)`);
      const limit = check.factor * bound;
      return {
        text,
        holds: a <= limit,
        detail: `${METRIC_SHORT[check.metric]} ${formatNumber(a)}, 2/lr ${formatNumber(bound)}: ${formatNumber(a / bound)} x 2/lr (needs <= ${formatNumber(check.factor)})`,
      };
    }
    case "equal": {
      const a = value(0, check.metric);
      const b = value(1, check.metric);
      if (!usable(a) || !usable(b))
        return missing(text, `${METRIC_SHORT[check.metric]} of run ${usable(a) ? 1 : 0}`);
      const scale = Math.max(Math.abs(a), Math.abs(b));
      const rel = scale === 0 ? 0 : Math.abs(a - b) / scale;
      return {
        text,
        holds: rel <= check.tolerance,
        detail: `${METRIC_SHORT[check.metric]} ${formatNumber(a)} vs ${formatNumber(b)}: relative difference ${formatNumber(rel)} (needs <= ${formatNumber(check.tolerance)})`,
      };
    }
    case "atMost":
    case "atLeast": {
      const runs: (0 | 1)[] = check.run === "both" ? [0, 1] : [check.run];
      const values = runs.map((r) => value(r, check.metric));
      const bad = values.findIndex((v) => !usable(v));
      if (bad >= 0) return missing(text, `${METRIC_SHORT[check.metric]} of run ${runs[bad]}`);
      const ok = (v: number) => (check.relation === "atMost" ? v <= check.value : v >= check.value);
      const nums = values as number[];
      return {
        text,
        holds: nums.every(ok),
        detail: `${METRIC_SHORT[check.metric]} ${nums.map(formatNumber).join(" and ")} (needs ${check.relation === "atMost" ? "<=" : ">="} ${formatNumber(check.value)})`,
      };
    }
    case "surfacesEqual":
    case "surfacesDiffer": {
      const a = surfaces?.[0];
      const b = surfaces?.[1];
      if (!a || !b) return missing(text, "the train-loss surfaces");
      if (a.length !== b.length)
        return {
          text,
          holds: false,
          detail: `surfaces of ${a.length} and ${b.length} points cannot be compared`,
        };
      const d = maxRelativeDifference(a, b);
      const holds =
        check.relation === "surfacesEqual" ? d.value <= check.tolerance : d.value > check.tolerance;
      const at =
        d.index >= 0
          ? ` at point ${d.index} (${formatNumber(a[d.index])} vs ${formatNumber(b[d.index])})`
          : "";
      return {
        text,
        holds,
        detail: `max relative difference ${formatNumber(d.value)}${at} (needs ${check.relation === "surfacesEqual" ? "<=" : ">"} ${formatNumber(check.tolerance)})`,
      };
    }
  }
}

/**
 * Evaluate every check of a lesson on the two runs' metrics; `surfaces` are the runs' train_loss
 * surfaces (needed by surfacesEqual / surfacesDiffer only). One result per check, in order.
 *
 * @example const results = evaluateChecks(lesson, metrics, snapshots.map((s) => s.surfaces.train_loss));
 */
export function evaluateChecks(
  lesson: Lesson,
  metrics: LessonMetrics[],
  surfaces?: Float32Array[],
): CheckResult[] {
  if (metrics.length !== 2)
    throw new Error(`evaluateChecks: a lesson has 2 runs, got metrics for ${metrics.length}`);
  return lesson.checks.map((check) => evaluateOne(check, lesson, metrics, surfaces));
}
