/**
 * The main figures of a snapshot's curvature section (core/snapshot/curvature-section.ts) as
 * short rows of text for the side panel: the top Hessian eigenvalues, the smallest one, the
 * Hutchinson trace with its 95% confidence interval and the epsilon-sharpness (Keskar et al.
 * 2017). Pure: no DOM, no React.
 *
 * @example curvatureRows(snapshot.curvature)[0] // { label: "λmax (top 2)", value: "41.2, 17.9", ... }
 */
import type { CurvatureSection } from "../core/snapshot/curvature-section";
import { formatValue } from "../scene/format";

interface CurvatureRow {
  label: string;
  value: string;
  /** One line of explanation (tooltip). */
  help: string;
}

/** The fields the summary reads; the rest of the section (vectors, density, settings) is not shown. */
export type CurvatureFigures = Pick<CurvatureSection, "objective" | "top" | "smallest" | "epsSharpness"> & {
  trace?: Pick<NonNullable<CurvatureSection["trace"]>, "value" | "ci95" | "samples" | "converged">;
};

/** 4 significant digits, "–" for a missing or non-finite number. */
export function figure(v: number | null | undefined): string {
  return typeof v === "number" && Number.isFinite(v) ? formatValue(v, 4) : "–";
}

/** "41.2" or "41.2*" when the solver stopped at its iteration cap before its tolerance. */
function flagged(v: number, converged: boolean | undefined): string {
  return converged === false ? `${figure(v)}*` : figure(v);
}

/**
 * "250.3 ± 18.9" (half the width of the 95% interval, which is symmetric around the mean), or
 * the mean alone when the interval is missing (a single sample).
 */
export function withInterval(value: number, ci95: readonly [number | null, number | null]): string {
  const [lo, hi] = ci95;
  if (lo === null || hi === null || !Number.isFinite(lo) || !Number.isFinite(hi)) return figure(value);
  return `${figure(value)} ± ${figure((hi - lo) / 2)}`;
}

/**
 * The rows of the summary, in reading order. A value marked "*" did not converge.
 *
 * @example curvatureRows(c).map((r) => `${r.label}: ${r.value}`)
 *   // ["λmax (top 2): 41.2, 17.9", "λmin: -0.71", "trace: 250.3 ± 18.9", "ε-sharpness, ε = 0.001: 0.83"]
 */
export function curvatureRows(c: CurvatureFigures): CurvatureRow[] {
  const rows: CurvatureRow[] = [];
  const top = c.top.values;
  if (top.length > 0) {
    rows.push({
      label: top.length === 1 ? "λmax" : `λmax (top ${top.length})`,
      value: top.map((v, i) => flagged(v, c.top.converged[i])).join(", "),
      help: "largest Hessian eigenvalues of the training loss at θ (power iteration with deflation, PyHessian)",
    });
  }
  rows.push({
    label: "λmin",
    value: flagged(c.smallest.value, c.smallest.converged),
    help: `smallest Hessian eigenvalue (${c.smallest.method}); negative: θ is a saddle or not yet a minimum`,
  });
  if (c.trace) {
    rows.push({
      label: "trace",
      value: withInterval(c.trace.value, c.trace.ci95) + (c.trace.converged ? "" : "*"),
      help: `Hutchinson estimate of tr(H) from ${c.trace.samples} Rademacher samples, ± half its 95% confidence interval`,
    });
  }
  for (const e of c.epsSharpness) {
    rows.push({
      label: `ε-sharpness, ε = ${formatValue(e.epsilon, 3)}`,
      value: figure(e.sharpness),
      help: "100 (max loss in the box |δi| ≤ ε (|θi| + 1) − loss) / (1 + loss), Keskar et al. 2017",
    });
  }
  return rows;
}

/**
 * What the figures were measured on, for the heading: "all 256 train samples, loss 0.003104"
 * (plus the weight decay term when there is one).
 */
export function curvatureSource(c: Pick<CurvatureFigures, "objective">): string {
  const o = c.objective;
  const subset = o.samples < o.total ? `${o.samples} of ${o.total}` : `all ${o.total}`;
  const decay = o.weightDecay > 0 ? ` + L2 (weight decay ${figure(o.weightDecay)})` : "";
  return `${subset} train samples, loss ${figure(o.loss)}${decay}`;
}

/** Whether any shown value did not converge (the table then explains the "*"). */
export function anyUnconverged(c: CurvatureFigures): boolean {
  return c.top.converged.some((ok) => !ok) || !c.smallest.converged || c.trace?.converged === false;
}
