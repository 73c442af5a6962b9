/**
 * The checks of a snapshot's `paths` section (paths-section.ts holds its schema) against the rest
 * of the snapshot: vectors of the right lengths and finite, barriers that follow from the stored
 * values (recomputed), models and plane consistent with the snapshot's model and grid.
 */
import { barrier as computeBarrier, errorOf } from "../paths/barrier";
import { isTwoPointKind, type SectionPath } from "./paths-section";
import type { Snapshot } from "./schema";

interface Review {
  problems: string[];
  warnings: string[];
}

const METRICS = ["train_loss", "train_accuracy", "test_loss", "test_accuracy"] as const;
const BARRIER_OF = {
  train_loss: ["train_loss", false],
  train_error: ["train_accuracy", true],
  test_loss: ["test_loss", false],
  test_error: ["test_accuracy", true],
} as const;

function firstNonFinite(v: Float32Array): number {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return i;
  return -1;
}

function checkVector(
  v: Float32Array,
  n: number,
  path: string,
  out: Review,
  what = "one per parameter, as model.parameters",
): void {
  if (v.length !== n) {
    out.problems.push(`${path}: expected ${n} values (${what}), got ${v.length}`);
    return;
  }
  const bad = firstNonFinite(v);
  if (bad >= 0) out.problems.push(`${path}: value ${v[bad]} at index ${bad} is not finite`);
}

function checkLength(v: Float32Array | undefined, n: number, what: string, path: string, out: Review): void {
  if (v && v.length !== n) out.problems.push(`${path}: expected ${n} values (${what}), got ${v.length}`);
}

/** Recomputing a stored barrier from the stored values must give it back (up to float32 noise). */
function checkBarrier(p: SectionPath, name: keyof typeof BARRIER_OF, path: string, out: Review): void {
  const stored = p.barriers[name];
  const [metric, isError] = BARRIER_OF[name];
  const values = p.values[metric];
  if (!stored || !values || values.length !== p.t.length) return;
  let again: ReturnType<typeof computeBarrier>;
  try {
    again = computeBarrier(p.t, isError ? errorOf(values) : values);
  } catch {
    return; // The t checks report why.
  }
  for (const key of ["linearExcess", "midpointMean"] as const) {
    const a = stored[key];
    const b = again[key];
    const same = a === null ? !Number.isFinite(b) : Math.abs(a - b) <= 1e-5 + 1e-4 * Math.abs(b);
    if (!same) {
      out.warnings.push(
        `${path}.${name}.${key}: ${a} does not match ${Number.isFinite(b) ? Number(b.toPrecision(6)) : b} recomputed from t and values.${metric}`,
      );
    }
  }
}

function reviewPath(p: SectionPath, i: number, s: Snapshot, models: number, out: Review): void {
  const path = `paths.paths[${i}]`;
  const n = s.model.parameters.length;
  const twoPoint = isTwoPointKind(p.kind);
  if (twoPoint && (p.points.length !== 2 || p.bends !== 0)) {
    out.problems.push(
      `${path}.points: a "${p.kind}" path has exactly 2 points and bends 0, got ${p.points.length} points and bends ${p.bends}`,
    );
  }
  if (!twoPoint && (p.points.length < 3 || p.bends !== p.points.length - 2)) {
    out.problems.push(
      `${path}.points: a "${p.kind}" curve has bends + 2 points (at least 3), got ${p.points.length} points and bends ${p.bends}`,
    );
  }
  if (p.labels.length !== p.points.length) {
    out.problems.push(
      `${path}.labels: expected ${p.points.length} labels (one per point), got ${p.labels.length}`,
    );
  }
  p.points.forEach((v, j) => {
    checkVector(v, n, `${path}.points[${j}]`, out);
  });
  if (p.between?.some((k) => k >= models)) {
    out.problems.push(
      `${path}.between: [${p.between.join(", ")}] refers beyond the ${models} models of paths.models`,
    );
  }
  const t = p.t;
  const badT = firstNonFinite(t);
  let tOk = true;
  if (t.length < 2) {
    out.problems.push(`${path}.t: a path needs at least 2 t values, got ${t.length}`);
    tOk = false;
  } else if (badT >= 0) {
    out.problems.push(`${path}.t: value ${t[badT]} at index ${badT} is not finite`);
    tOk = false;
  } else {
    for (let k = 1; k < t.length; k++) {
      if (t[k] < t[k - 1]) {
        out.problems.push(`${path}.t: must be sorted, but t[${k}] = ${t[k]} < t[${k - 1}] = ${t[k - 1]}`);
        tOk = false;
        break;
      }
    }
    if (!twoPoint && (t[0] < 0 || t[t.length - 1] > 1)) {
      out.problems.push(`${path}.t: a curve is defined for t in [0, 1], got [${t[0]}, ${t[t.length - 1]}]`);
      tOk = false;
    }
    const has = (v: number) => t.some((x) => Math.abs(x - v) <= 1e-6);
    if (!has(0) || !has(1)) {
      out.problems.push(
        `${path}.t: must include both endpoints 0 and 1 (the barriers are measured from them)`,
      );
      tOk = false;
    }
  }
  for (const metric of METRICS) {
    checkLength(p.values[metric], t.length, "one per t", `${path}.values.${metric}`, out);
  }
  const data = s.data;
  if (data.task === "classification" && !p.values.train_accuracy) {
    out.warnings.push(`${path}.values.train_accuracy: missing for a classification task`);
  }
  if (data.test && data.test.count > 0 && !p.values.test_loss) {
    out.warnings.push(`${path}.values.test_loss: missing although data.test has samples`);
  }
  if (tOk) {
    for (const name of Object.keys(BARRIER_OF) as (keyof typeof BARRIER_OF)[]) {
      checkBarrier(p, name, `${path}.barriers`, out);
    }
  }
  const tr = p.training;
  if (tr) {
    const h = tr.history;
    if (h.step.length !== h.epoch.length || h.loss.length !== h.epoch.length) {
      out.problems.push(
        `${path}.training.history: epoch, step and loss must have one entry per epoch, got ${h.epoch.length}, ${h.step.length} and ${h.loss.length}`,
      );
    }
  }
  const al = p.alignment;
  if (al && s.model.architecture.kind !== "mlp") {
    // An ONNX graph's spec (align/onnx-spec.ts): one permutation per named group.
    const groups = al.groups ?? [];
    if (al.permutations.length !== groups.length) {
      out.problems.push(
        `${path}.alignment.permutations: expected ${groups.length} permutations (one per entry of alignment.groups), got ${al.permutations.length}`,
      );
    } else {
      al.permutations.forEach((perm, h) => {
        const size = groups[h].size;
        if (perm.length !== size || new Set(perm).size !== size || perm.some((v) => v >= size)) {
          out.problems.push(
            `${path}.alignment.permutations[${h}]: expected a permutation of 0..${size - 1} (group ${groups[h].name} has ${size} units)`,
          );
        }
      });
    }
  } else if (al) {
    const arch = s.model.architecture;
    const hidden = arch.kind === "mlp" ? arch.hiddenSizes : [];
    if (al.permutations.length !== hidden.length) {
      out.problems.push(
        `${path}.alignment.permutations: expected ${hidden.length} permutations (one per hidden layer), got ${al.permutations.length}`,
      );
    } else {
      al.permutations.forEach((perm, h) => {
        const seen = new Set(perm);
        if (perm.length !== hidden[h] || seen.size !== perm.length || perm.some((v) => v >= hidden[h])) {
          out.problems.push(
            `${path}.alignment.permutations[${h}]: expected a permutation of 0..${hidden[h] - 1} (hidden layer ${h} has ${hidden[h]} units)`,
          );
        }
      });
    }
  }
}

/**
 * Interpolated running statistics (paths-section.ts): one vector per point of each path, as long as
 * the named constants of the ONNX graph together.
 */
function reviewStatistics(s: Snapshot, out: Review): void {
  const section = s.paths;
  const record = section?.runningStatistics;
  const arch = s.model.architecture;
  if (!section || !record) return;
  if (arch.kind !== "onnx") {
    out.problems.push(
      `paths.runningStatistics: running statistics need an ONNX model, this one is kind "${arch.kind}"`,
    );
    return;
  }
  let size = 0;
  for (const name of record.names) {
    const c = arch.constants.find((k) => k.name === name);
    if (!c) {
      out.problems.push(`paths.runningStatistics.names: "${name}" is not a constant of model.architecture`);
      return;
    }
    size += c.values.length;
  }
  section.paths.forEach((p, i) => {
    if (!p.statistics) return;
    if (p.statistics.length !== p.points.length) {
      out.problems.push(
        `paths.paths[${i}].statistics: expected ${p.points.length} vectors (one per point), got ${p.statistics.length}`,
      );
    }
    p.statistics.forEach((v, j) => {
      checkVector(
        v,
        size,
        `paths.paths[${i}].statistics[${j}]`,
        out,
        "the running statistics of paths.runningStatistics.names",
      );
    });
  });
}

function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++)
    if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}

function reviewPlane(s: Snapshot, out: Review): void {
  const section = s.paths;
  const plane = section?.plane;
  if (!section || !plane) return;
  const path = "paths.plane";
  const n = s.model.parameters.length;
  checkVector(plane.origin, n, `${path}.origin`, out);
  plane.directions.forEach((d, j) => {
    checkVector(d, n, `${path}.directions[${j}]`, out);
  });
  const curve = section.paths[plane.path];
  if (!curve) {
    out.problems.push(`${path}.path: ${plane.path} refers beyond the ${section.paths.length} paths`);
  } else {
    if (isTwoPointKind(curve.kind)) {
      out.problems.push(
        `${path}.path: paths[${plane.path}] is a "${curve.kind}" path; a plane is spanned by a curve`,
      );
    } else if (plane.bendIndex >= curve.bends) {
      out.problems.push(
        `${path}.bendIndex: ${plane.bendIndex}, but paths[${plane.path}] has ${curve.bends} bends`,
      );
    }
    const k = curve.points.length;
    checkLength(
      plane.points,
      2 * k,
      `[${k}, 2]: two coordinates per point of paths[${plane.path}]`,
      `${path}.points`,
      out,
    );
    checkLength(plane.pointsOffPlane, k, "one per point", `${path}.pointsOffPlane`, out);
    if (plane.labels.length !== k) {
      out.problems.push(`${path}.labels: expected ${k} labels (one per point), got ${plane.labels.length}`);
    }
  }
  const tn = plane.curve.t.length;
  checkLength(plane.curve.coords, 2 * tn, `[${tn}, 2]: two coordinates per t`, `${path}.curve.coords`, out);
  checkLength(plane.curve.offPlane, tn, "one per t", `${path}.curve.offPlane`, out);
  checkLength(plane.segment, 2 * tn, `[${tn}, 2]: two coordinates per t`, `${path}.segment`, out);
  for (const axis of ["x", "y"] as const) {
    const [lo, hi] = plane.range[axis];
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) {
      out.problems.push(`${path}.range.${axis}: expected finite min < max, got [${lo}, ${hi}]`);
    }
  }
  if (!plane.landscape) return;
  // The landscape is on the plane only if the snapshot's own axes are the plane's.
  if (s.directions.length !== 2 || s.grid.axes.length !== 2) {
    out.problems.push(
      `${path}.landscape: true, but the snapshot has ${s.directions.length} directions (the plane has 2)`,
    );
    return;
  }
  plane.directions.forEach((d, j) => {
    if (!sameValues(d, s.directions[j].values)) {
      out.problems.push(
        `${path}.landscape: true, but directions[${j}].values differ from ${path}.directions[${j}]`,
      );
    }
  });
  if (!sameValues(plane.origin, s.model.parameters)) {
    out.problems.push(
      `${path}.landscape: true, but model.parameters (the landscape's centre) differ from ${path}.origin`,
    );
  }
}

/**
 * The paths section's cross-field rules (called from semantics.ts): every point and model has the
 * model's parameter count, values have one entry per t, t is sorted and includes 0 and 1, kinds
 * have the right number of points, alignments are permutations of the hidden layers (of an ONNX
 * graph's named groups), the plane's arrays fit its curve, a plane marked `landscape` is the
 * snapshot's own plane, and interpolated running statistics fit the graph's. A stored
 * barrier that does not follow from the stored values is a warning.
 */
export function reviewPathsSection(s: Snapshot, out: Review): void {
  const section = s.paths;
  if (!section) return;
  const n = s.model.parameters.length;
  const models = section.models ?? [];
  models.forEach((m, k) => {
    checkVector(m.parameters, n, `paths.models[${k}].parameters`, out);
  });
  section.paths.forEach((p, i) => {
    reviewPath(p, i, s, models.length, out);
  });
  reviewPlane(s, out);
  reviewStatistics(s, out);
}
