/**
 * Human summary of a snapshot for the CLI's `info`, and per-surface statistics that other modules
 * reuse (the app marks the minimum, the CLI prints it).
 *
 * @example console.log(summarizeSnapshot(parseSnapshot(bytes)));
 */
import { architectureSummary } from "../model/architecture";
import type { CurvatureSection } from "./curvature-section";
import { pathsSummaryLines } from "./paths-section";
import { reproducibilityLines } from "./reproducibility";
import type { Snapshot } from "./schema";

/** The fields of a grid axis that place its points. */
interface AxisLike {
  min: number;
  max: number;
  count: number;
}

interface SurfaceStats {
  /** Smallest finite value; NaN when there is none. */
  min: number;
  /** Largest finite value; NaN when there is none. */
  max: number;
  /** Flat index of the (first) minimum, row-major with x fastest; -1 when no value is finite. */
  argmin: number;
  /** Grid indices of the minimum, one per axis: [ix] or [ix, iy]; empty when argmin is -1. */
  argminIndex: number[];
  /** Coordinates of the minimum, one per axis: min + k (max - min) / (count - 1). */
  argminCoords: number[];
  /** Number of NaN and +-Infinity values. */
  nonFinite: number;
}

/** Coordinate of grid point k on an axis. @example axisCoordinate({ min: -1, max: 1, count: 3 }, 2); // 1 */
export function axisCoordinate(axis: AxisLike, k: number): number {
  return axis.count > 1 ? axis.min + (k * (axis.max - axis.min)) / (axis.count - 1) : axis.min;
}

/**
 * Min, max, argmin (flat, per-axis indices and coordinates) and the non-finite count of a surface
 * laid out row-major over the axes, x fastest (index = iy * nx + ix).
 *
 * @example surfaceStats(new Float32Array([3, 1, NaN, 2]), [{ min: 0, max: 1, count: 2 }, { min: 0, max: 1, count: 2 }]);
 * // { min: 1, max: 3, argmin: 1, argminIndex: [1, 0], argminCoords: [1, 0], nonFinite: 1 }
 */
export function surfaceStats(values: Float32Array, axes: readonly AxisLike[]): SurfaceStats {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let argmin = -1;
  let nonFinite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    if (v < min) {
      min = v;
      argmin = i;
    }
    if (v > max) max = v;
  }
  if (argmin < 0)
    return { min: Number.NaN, max: Number.NaN, argmin, argminIndex: [], argminCoords: [], nonFinite };
  const argminIndex: number[] = [];
  let rest = argmin;
  for (const axis of axes) {
    argminIndex.push(rest % axis.count);
    rest = Math.floor(rest / axis.count);
  }
  const argminCoords = argminIndex.map((k, a) => axisCoordinate(axes[a], k));
  return { min, max, argmin, argminIndex, argminCoords, nonFinite };
}

/** Up to 4 significant digits, without trailing zeros: 0.012345 -> "0.01235", 2 -> "2". */
function num(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

const EXTENSIONS = ["training", "paths", "trajectory", "curvature"] as const;

/** A number that may be null (non-finite in JSON). */
const maybe = (v: number | null): string => (v === null ? "n/a" : num(v));

/** The curvature section's figures, one line per measure. */
function curvatureLines(c: CurvatureSection): [string, string][] {
  const lines: [string, string][] = [];
  const o = c.objective;
  lines.push([
    "curvature",
    `${o.samples} of ${o.total} train samples, loss ${num(o.loss)}, ${c.hvps} H v products, seed ${c.settings.seed}`,
  ]);
  const converged = c.top.converged.filter(Boolean).length;
  lines.push([
    "top eigenvalues",
    `${c.top.values.map(num).join(", ")} (power iteration, ${converged}/${c.top.values.length} converged)`,
  ]);
  lines.push([
    "smallest eigenvalue",
    `${num(c.smallest.value)} (${c.smallest.method}, ${c.smallest.converged ? "converged" : "not converged"})`,
  ]);
  if (c.trace) {
    const t = c.trace;
    lines.push([
      "trace",
      `${num(t.value)}, 95% CI [${maybe(t.ci95[0])}, ${maybe(t.ci95[1])}] (Hutchinson, ${t.samples} samples)`,
    ]);
  }
  if (c.density) {
    const d = c.density;
    const lo = d.grid[0];
    const hi = d.grid[d.grid.length - 1];
    lines.push([
      "spectral density",
      `SLQ, ${d.grid.length} points over [${num(lo)}, ${num(hi)}], ${d.steps.length} run(s), trace estimate ${num(d.traceEstimate)}`,
    ]);
  }
  if (c.epsSharpness.length > 0) {
    lines.push([
      "eps-sharpness",
      c.epsSharpness.map((e) => `eps ${num(e.epsilon)}: ${maybe(e.sharpness)}`).join(", "),
    ]);
  }
  if (c.averageSharpness.length > 0) {
    lines.push([
      "average sharpness",
      c.averageSharpness
        .map((a) => `r ${num(a.radius)}: ${maybe(a.sharpness)} +- ${maybe(a.standardError)}`)
        .join(", "),
    ]);
  }
  if (c.samSharpness.length > 0) {
    lines.push([
      "SAM sharpness",
      c.samSharpness.map((m) => `rho ${num(m.rho)}: ${maybe(m.sharpness)}`).join(", "),
    ]);
  }
  return lines;
}

/** The top-level `imported` section `import --base` writes (src/core/export/imported.ts), as far as it reads. */
interface ImportedSection {
  format?: unknown;
  surfaces?: unknown;
  datasets?: unknown;
  directions?: unknown;
  by?: unknown;
}

const BASE_DIRECTIONS = "from the base snapshot";

/** The `imported` section's lines: where the surfaces (and the directions) came from. */
function importedLines(imported: ImportedSection): [string, string][] {
  const text = (v: unknown) => (typeof v === "string" ? v : "?");
  const datasets =
    imported.datasets && typeof imported.datasets === "object"
      ? Object.entries(imported.datasets as Record<string, unknown>)
          .map(([ours, theirs]) => (ours === theirs ? ours : `${text(theirs)} as ${ours}`))
          .join(", ")
      : "";
  return [
    [
      "imported",
      `surfaces read from ${text(imported.surfaces)} (${text(imported.format)}${datasets ? `: ${datasets}` : ""}), ` +
        `not computed by this program; imported by ${text(imported.by)}`,
    ],
    [
      "imported directions",
      imported.directions === BASE_DIRECTIONS
        ? "the base snapshot's (assumed to be those the surfaces were computed along)"
        : `read from ${text(imported.directions)}`,
    ],
  ];
}

/**
 * A few aligned lines: producer, model, loss, data, directions, grid, and per surface its range,
 * where the minimum is and how many values are not finite. A snapshot made by `import --base`
 * says so first, and marks what it took from the base snapshot (directions, training, curvature).
 */
export function summarizeSnapshot(s: Snapshot): string {
  const lines: [string, string][] = [];
  const { architecture: arch } = s.model;
  const imported = (s as { imported?: ImportedSection }).imported;
  const fromBase = imported && typeof imported === "object" ? " (from the base snapshot)" : "";

  lines.push(["snapshot", `${s.format} v${s.version}, created ${s.createdAt}`]);
  if (fromBase) lines.push(...importedLines(imported as ImportedSection));
  lines.push(["producer", `${s.producer.name} ${s.producer.version}, backend ${s.producer.backend}`]);
  if (arch.kind === "layers" || arch.kind === "onnx" || arch.kind === "gcn") {
    lines.push(["model", `${architectureSummary(arch)}, ${s.model.parameters.length} parameters`]);
    if ((arch.kind === "onnx" || arch.kind === "layers") && arch.batchNorm)
      lines.push([
        "BN statistics",
        arch.batchNorm.statistics === "recompute"
          ? `recomputed at every point from the training data (update_bn, batches of ${arch.batchNorm.batchSize})`
          : "the model's own, at every point (not recomputed)",
      ]);
  } else {
    const sizes = [arch.inputSize, ...arch.hiddenSizes, arch.outputSize].join("-");
    const activation =
      arch.activation === "leaky_relu" && arch.leakyReluAlpha !== undefined
        ? `leaky_relu (alpha ${arch.leakyReluAlpha})`
        : arch.activation;
    lines.push([
      "model",
      `${arch.kind} ${sizes}, ${activation}, residual ${arch.residual ? "yes" : "no"}, ` +
        `${s.model.parameters.length} parameters`,
    ]);
  }
  lines.push(["loss", s.model.loss]);
  lines.push(...reproducibilityLines(s));

  const { data } = s;
  const kind =
    data.task === "classification" ? `classification, ${data.classes ?? "?"} classes` : "regression";
  const test = data.test ? `${data.test.count} test samples` : "no test split";
  lines.push([
    "data",
    `${data.name} (${kind}, inputSize ${data.inputSize}, outputSize ${data.outputSize}): ` +
      `${data.train.count} train samples, ${test}`,
  ]);

  for (const d of s.directions) {
    const seed = d.seed === undefined ? "" : `, seed ${d.seed}`;
    const eigen =
      d.eigenvalue === undefined ? "" : ` ${d.which ?? "eigenvector"} (eigenvalue ${num(d.eigenvalue)})`;
    const origin = fromBase && (imported as ImportedSection).directions === BASE_DIRECTIONS ? fromBase : "";
    lines.push([
      `direction ${d.label}`,
      `${d.method}${eigen}, ${d.normalization} normalization, bias ${d.bias}${seed}${origin}`,
    ]);
  }

  const { axes } = s.grid;
  const points = axes.reduce((n, a) => n * a.count, 1);
  const axisText = axes.map((a) => `${a.label} in [${num(a.min)}, ${num(a.max)}] x ${a.count}`).join(", ");
  lines.push(["grid", `${axisText} (${points} points)`]);

  for (const [name, values] of Object.entries(s.surfaces)) {
    // For accuracies the interesting point is the best one: report the maximum and where it is.
    const best = name.endsWith("accuracy") ? "max" : "min";
    const st = surfaceStats(best === "max" ? values.map((v) => -v) : values, axes);
    if (st.argmin < 0) {
      lines.push([name, `no finite values (${st.nonFinite} non-finite)`]);
      continue;
    }
    const [lo, hi] = best === "max" ? [-st.max, -st.min] : [st.min, st.max];
    const at = st.argminCoords.map((c, a) => `${axes[a].label}=${num(c)}`).join(", ");
    const where = `at ${at} (index ${st.argmin} = [${st.argminIndex.join(", ")}])`;
    lines.push([
      name,
      best === "max"
        ? `max ${num(hi)} ${where}, min ${num(lo)}, ${st.nonFinite} non-finite`
        : `min ${num(lo)} ${where}, max ${num(hi)}, ${st.nonFinite} non-finite`,
    ]);
  }

  const training = s.training as
    | { status?: unknown; epochs?: unknown; steps?: unknown; message?: unknown }
    | undefined;
  if (training && typeof training.status === "string") {
    const detail = typeof training.message === "string" ? `: ${training.message}` : "";
    lines.push([
      "training",
      `${training.status}, ${String(training.epochs)} epochs, ${String(training.steps)} steps${detail}${fromBase}`,
    ]);
  }

  if (s.curvature) {
    const curvature = curvatureLines(s.curvature);
    if (fromBase) curvature[0][1] += fromBase;
    lines.push(...curvature);
  }
  if (s.paths) lines.push(...pathsSummaryLines(s.paths));

  const extensions = EXTENSIONS.filter((key) => s[key] !== undefined);
  if (extensions.length > 0) lines.push(["extensions", extensions.join(", ")]);

  const width = Math.max(...lines.map(([label]) => label.length));
  return lines.map(([label, text]) => `${label.padEnd(width)}  ${text}`).join("\n");
}
