/**
 * Rules of snapshot format 1 that span fields and that a structural schema cannot express: array
 * lengths implied by the layout, grid and data sizes; the MLP layout implied by the architecture;
 * label ranges; finiteness. Every rule adds one `path: message` line, so a caller sees all problems
 * at once. Non-finite surface values are data (a diverged run), so they only produce warnings.
 *
 * @example const { problems, warnings } = reviewSnapshot(snapshot); // problems.length === 0 when usable
 */

import { graphProblems } from "../data/graph";
import { GCN_ACTIVATIONS, type GcnArchitecture, gcnLayout } from "../model/gcn-architecture";
import { type LayersArchitecture, layersLayout } from "../model/layers";
import type { Layout, MlpArchitecture } from "../model/types";
import { reviewOnnxLayout } from "../onnx/layout";
import { jsonPath } from "./issues";
import { reviewPathsSection } from "./paths-review";
import { dataChecksum } from "./reproducibility";
import type { Snapshot, SnapshotAxis, SnapshotDataSplit } from "./schema";

interface SnapshotReview {
  /** Violations of the contract; a snapshot with any problem must not be used. */
  problems: string[];
  /** Legal but noteworthy facts (non-finite surface values, contradicting metadata). */
  warnings: string[];
}

function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Start offset of every layout entry, plus the total length as the last element. */
function layoutOffsets(layout: Layout): number[] {
  const offsets = [0];
  for (const entry of layout) offsets.push(offsets[offsets.length - 1] + shapeSize(entry.shape));
  return offsets;
}

/** Name of the layout entry that holds flat index i, for messages. */
function entryAt(layout: Layout, offsets: readonly number[], i: number): string {
  let e = 0;
  while (e < layout.length && offsets[e + 1] <= i) e++;
  return layout[e]?.name ?? "beyond the layout";
}

interface NonFinite {
  count: number;
  first: number;
}

function findNonFinite(values: Float32Array): NonFinite {
  let count = 0;
  let first = -1;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      if (first < 0) first = i;
      count++;
    }
  }
  return { count, first };
}

/** The layout an MLP implies: dense_l/kernel [in, out] then dense_l/bias [out], layer by layer. */
function mlpLayout(arch: MlpArchitecture): Layout {
  const sizes = [arch.inputSize, ...arch.hiddenSizes, arch.outputSize];
  const layout: Layout = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    layout.push({ name: `dense_${l}/kernel`, shape: [sizes[l], sizes[l + 1]] });
    layout.push({ name: `dense_${l}/bias`, shape: [sizes[l + 1]] });
  }
  return layout;
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(", ")}]`;

function reviewModel(s: Snapshot, out: SnapshotReview): void {
  const { architecture: arch, layout, parameters } = s.model;
  const offsets = layoutOffsets(layout);
  const expectedLength = offsets[offsets.length - 1];
  if (parameters.length !== expectedLength) {
    out.problems.push(
      `model.parameters: expected ${expectedLength} values (sum of layout sizes), got ${parameters.length}`,
    );
  }
  const bad = findNonFinite(parameters);
  if (bad.count > 0) {
    const where = entryAt(layout, offsets, bad.first);
    out.problems.push(
      `model.parameters: value ${parameters[bad.first]} at index ${bad.first} (${where}) is not finite` +
        ` (${bad.count} non-finite in all)`,
    );
  }

  if (arch.kind === "layers") {
    reviewLayersModel(arch, layout, out);
    return;
  }
  if (arch.kind === "onnx") {
    out.problems.push(...reviewOnnxLayout(arch, layout));
    return;
  }
  if (arch.kind === "gcn") {
    reviewGcnModel(arch, layout, out);
    return;
  }
  const sizes = [arch.inputSize, ...arch.hiddenSizes, arch.outputSize].join("-");
  const expected = mlpLayout(arch);
  if (layout.length !== expected.length) {
    out.problems.push(
      `model.layout: expected ${expected.length} tensors for MLP ${sizes} (a kernel and a bias per layer, ` +
        `from model.architecture), got ${layout.length}`,
    );
  }
  for (let i = 0; i < Math.min(layout.length, expected.length); i++) {
    if (layout[i].name !== expected[i].name) {
      out.problems.push(
        `model.layout[${i}].name: expected "${expected[i].name}" (MLP ${sizes} from model.architecture), ` +
          `got "${layout[i].name}"`,
      );
    }
    if (shapeText(layout[i].shape) !== shapeText(expected[i].shape)) {
      out.problems.push(
        `model.layout[${i}].shape: expected ${shapeText(expected[i].shape)} for ${expected[i].name} ` +
          `(MLP ${sizes} from model.architecture), got ${shapeText(layout[i].shape)}`,
      );
    }
  }

  if (arch.activation === "leaky_relu" && arch.leakyReluAlpha === undefined) {
    // Libraries disagree on the default slope (tfjs 0.2, PyTorch 0.01), so it must be stated.
    out.problems.push("model.architecture.leakyReluAlpha: required when activation is leaky_relu");
  }
  if (arch.residual && arch.residualSemantics === undefined) {
    out.warnings.push("model.architecture.residualSemantics: missing although residual is true");
  }
}

/** A layers model: its layers fit together, the sizes agree, and the layout is the one they imply. */
function reviewLayersModel(arch: LayersArchitecture, layout: Layout, out: SnapshotReview): void {
  let expected: Layout;
  try {
    expected = layersLayout(arch);
  } catch (err) {
    out.problems.push(`model.architecture.layers: ${(err as Error).message}`);
    return;
  }
  const inputSize = arch.inputShape.reduce((a, b) => a * b, 1);
  if (inputSize !== arch.inputSize) {
    out.problems.push(
      `model.architecture.inputSize: ${arch.inputSize}, but inputShape ${shapeText(arch.inputShape)} holds ${inputSize} values`,
    );
  }
  if (layout.length !== expected.length) {
    out.problems.push(
      `model.layout: expected ${expected.length} tensors (a kernel and a bias per weighted layer, from model.architecture.layers), got ${layout.length}`,
    );
  }
  for (let i = 0; i < Math.min(layout.length, expected.length); i++) {
    if (layout[i].name !== expected[i].name) {
      out.problems.push(
        `model.layout[${i}].name: expected "${expected[i].name}" (from model.architecture.layers), got "${layout[i].name}"`,
      );
    }
    if (shapeText(layout[i].shape) !== shapeText(expected[i].shape)) {
      out.problems.push(
        `model.layout[${i}].shape: expected ${shapeText(expected[i].shape)} for ${expected[i].name} (from model.architecture.layers), got ${shapeText(layout[i].shape)}`,
      );
    }
  }
}

/** A GCN: its graph is usable (graph.ts's rules), its activation known, its layout the one it implies. */
function reviewGcnModel(arch: GcnArchitecture, layout: Layout, out: SnapshotReview): void {
  const graph = (arch as { graph?: unknown }).graph;
  if (typeof graph !== "object" || graph === null) {
    out.problems.push("model.architecture.graph: missing; a GCN carries the graph it runs on");
    return;
  }
  const problems = graphProblems(arch.graph, "model.architecture.graph");
  out.problems.push(...problems);
  if (!(GCN_ACTIVATIONS as readonly string[]).includes(arch.activation))
    out.problems.push(
      `model.architecture.activation: a GCN takes ${GCN_ACTIVATIONS.join(", ")}, got "${arch.activation}"`,
    );
  if (arch.inputSize !== 1)
    out.problems.push(
      `model.architecture.inputSize: a GCN takes one node id per sample (1), got ${arch.inputSize}`,
    );
  if (problems.length > 0 || !Array.isArray(arch.hiddenSizes)) return;
  const expected = gcnLayout(arch);
  if (layout.length !== expected.length)
    out.problems.push(
      `model.layout: expected ${expected.length} tensors (a kernel and a bias per GCN layer, from model.architecture), got ${layout.length}`,
    );
  for (let i = 0; i < Math.min(layout.length, expected.length); i++) {
    if (layout[i].name !== expected[i].name || shapeText(layout[i].shape) !== shapeText(expected[i].shape))
      out.problems.push(
        `model.layout[${i}]: expected ${expected[i].name} ${shapeText(expected[i].shape)} (from model.architecture), ` +
          `got ${layout[i].name} ${shapeText(layout[i].shape)}`,
      );
  }
}

/**
 * Node classification: with a GCN every x is a node id of its graph (an integer in [0, nodes)),
 * and data.graph, when written, names the same number of nodes.
 */
function reviewGraphData(s: Snapshot, out: SnapshotReview): void {
  const arch = s.model.architecture;
  const marker = (s.data as { graph?: { nodes?: unknown } }).graph;
  if (arch.kind !== "gcn") {
    if (marker !== undefined)
      out.problems.push(
        `data.graph: node classification needs a GCN, but model.architecture.kind is "${arch.kind}"`,
      );
    return;
  }
  const nodes = arch.graph?.nodes;
  if (typeof nodes !== "number") return;
  if (marker !== undefined && marker.nodes !== nodes)
    out.problems.push(
      `data.graph.nodes: ${JSON.stringify(marker.nodes)}, but the model's graph has ${nodes} nodes`,
    );
  for (const which of ["train", "test"] as const) {
    const split = s.data[which];
    if (!split) continue;
    const bad = split.x.findIndex((v) => !(Number.isInteger(v) && v >= 0 && v < nodes));
    if (bad >= 0)
      out.problems.push(
        `data.${which}.x[${bad}]: ${split.x[bad]} is not a node id of the model's graph (integers 0 to ${nodes - 1})`,
      );
  }
}

/** A Hessian direction states its eigenvalue and which eigenvector it is, and is a unit vector. */
function reviewHessianDirection(d: Snapshot["directions"][number], i: number, out: SnapshotReview): void {
  const path = `directions[${i}]`;
  if (d.eigenvalue === undefined || !Number.isFinite(d.eigenvalue)) {
    out.problems.push(
      `${path}.eigenvalue: required (a finite number) for method "hessian", got ${d.eigenvalue}`,
    );
  }
  if (d.which === undefined)
    out.problems.push(`${path}.which: required for method "hessian" (top-1, top-2 or bottom)`);
  let norm = 0;
  for (let k = 0; k < d.values.length; k++) norm += d.values[k] * d.values[k];
  norm = Math.sqrt(norm);
  if (d.normalization === "none" && Math.abs(norm - 1) > 1e-3) {
    out.warnings.push(`${path}.values: a Hessian eigenvector should have norm 1, has ${norm.toPrecision(6)}`);
  }
}

/** The curvature section's arrays agree with its settings and with the parameter count. */
function reviewCurvature(s: Snapshot, out: SnapshotReview): void {
  const c = s.curvature;
  if (!c) return;
  const n = s.model.parameters.length;
  const k = c.top.values.length;
  if (k !== c.settings.topK) {
    out.problems.push(
      `curvature.top.values: expected ${c.settings.topK} eigenvalues (settings.topK), got ${k}`,
    );
  }
  for (const key of ["iterations", "converged", "residuals"] as const) {
    if (c.top[key].length !== k) {
      out.problems.push(
        `curvature.top.${key}: expected ${k} entries (one per eigenvalue), got ${c.top[key].length}`,
      );
    }
  }
  const vectors = c.top.vectors ?? [];
  if (c.top.vectors && vectors.length !== k) {
    out.problems.push(
      `curvature.top.vectors: expected ${k} vectors (one per eigenvalue), got ${vectors.length}`,
    );
  }
  const lengthOk = (v: Float32Array, path: string) => {
    if (v.length !== n)
      out.problems.push(`${path}: expected ${n} values (one per parameter), got ${v.length}`);
  };
  vectors.forEach((v, j) => {
    lengthOk(v, `curvature.top.vectors[${j}]`);
  });
  if (c.smallest.vector) lengthOk(c.smallest.vector, "curvature.smallest.vector");
  if (c.objective.samples > c.objective.total || c.objective.total !== s.data.train.count) {
    out.problems.push(
      `curvature.objective: ${c.objective.samples} of ${c.objective.total} samples, but data.train has ${s.data.train.count}`,
    );
  }
  if (c.density && c.density.grid.length !== c.density.density.length) {
    out.problems.push(
      `curvature.density.density: expected ${c.density.grid.length} values (one per grid point), got ${c.density.density.length}`,
    );
  }
}

function reviewDirections(s: Snapshot, out: SnapshotReview): void {
  const { layout, parameters } = s.model;
  const offsets = layoutOffsets(layout);
  // Lengths are measured against the layout, the one description of the flat vector.
  const expectedLength = offsets[offsets.length - 1];
  s.directions.forEach((d, i) => {
    const path = `directions[${i}].values`;
    if (d.values.length !== expectedLength) {
      out.problems.push(
        `${path}: expected ${expectedLength} values (one per parameter, sum of layout sizes), got ${d.values.length}`,
      );
      return;
    }
    const bad = findNonFinite(d.values);
    if (bad.count > 0) {
      out.problems.push(
        `${path}: value ${d.values[bad.first]} at index ${bad.first} (${entryAt(layout, offsets, bad.first)}) ` +
          `is not finite (${bad.count} non-finite in all)`,
      );
    }
    if (d.method === "hessian") reviewHessianDirection(d, i, out);
    if (parameters.length !== expectedLength || d.bias === "include") return;
    // The bias rule is metadata about how the direction was made; a mismatch is suspicious, not fatal.
    layout.forEach((entry, e) => {
      if (entry.shape.length !== 1) return;
      for (let k = offsets[e]; k < offsets[e + 1]; k++) {
        const want = d.bias === "zero" ? 0 : parameters[k];
        if (d.values[k] !== want) {
          out.warnings.push(
            `${path}: bias is "${d.bias}" but ${entry.name} differs from ${d.bias === "zero" ? "0" : "theta"} ` +
              `at index ${k}`,
          );
          return;
        }
      }
    });
  });
}

function axisOk(axis: SnapshotAxis, i: number, out: SnapshotReview): boolean {
  const path = `grid.axes[${i}]`;
  let ok = true;
  if (!Number.isInteger(axis.count) || axis.count < 2) {
    out.problems.push(`${path}.count: must be an integer >= 2, got ${axis.count}`);
    ok = false;
  }
  for (const key of ["min", "max"] as const) {
    if (!Number.isFinite(axis[key])) {
      out.problems.push(`${path}.${key}: must be finite, got ${axis[key]}`);
      ok = false;
    }
  }
  if (ok && !(axis.min < axis.max)) {
    out.problems.push(`${path}.min: must be less than max, got min ${axis.min} and max ${axis.max}`);
  }
  return ok;
}

function reviewGridAndSurfaces(s: Snapshot, out: SnapshotReview): void {
  const { axes } = s.grid;
  if (axes.length < 1 || axes.length > 2) {
    out.problems.push(`grid.axes: a landscape has 1 or 2 axes, got ${axes.length}`);
  }
  if (axes.length !== s.directions.length) {
    out.problems.push(
      `grid.axes: ${axes.length} axes but ${s.directions.length} directions; each axis needs its own direction`,
    );
  }
  const countsOk = axes.map((axis, i) => axisOk(axis, i, out)).every(Boolean);

  const names = Object.keys(s.surfaces);
  if (names.length === 0) out.warnings.push("surfaces: no surfaces");
  const expected = axes.reduce((n, a) => n * a.count, 1);
  const gridText = axes.map((a) => a.count).join(" x ");
  for (const name of names) {
    const values = s.surfaces[name];
    const path = jsonPath(["surfaces", name]);
    if (countsOk && axes.length > 0 && values.length !== expected) {
      out.problems.push(`${path}: expected ${expected} values (grid ${gridText}), got ${values.length}`);
    }
    const bad = findNonFinite(values);
    if (bad.count > 0) {
      out.warnings.push(
        `${path}: ${bad.count} non-finite values (NaN or Infinity), the first at index ${bad.first}`,
      );
    }
  }
}

function reviewSplit(
  s: Snapshot,
  which: "train" | "test",
  split: SnapshotDataSplit,
  out: SnapshotReview,
): void {
  const { task, inputSize, outputSize, classes } = s.data;
  const path = `data.${which}`;
  if (which === "train" && split.count < 1) out.problems.push(`${path}.count: must be at least 1, got 0`);
  const xLength = split.count * inputSize;
  if (split.x.length !== xLength) {
    out.problems.push(
      `${path}.x: expected ${xLength} values (count ${split.count} x inputSize ${inputSize}), got ${split.x.length}`,
    );
  }
  const badX = findNonFinite(split.x);
  if (badX.count > 0) {
    out.problems.push(`${path}.x: value ${split.x[badX.first]} at index ${badX.first} is not finite`);
  }
  const classification = task === "classification";
  const yLength = classification ? split.count : split.count * outputSize;
  if (split.y.length !== yLength) {
    const why = classification
      ? `one label per sample, count ${split.count}`
      : `count ${split.count} x outputSize ${outputSize}`;
    out.problems.push(`${path}.y: expected ${yLength} values (${why}), got ${split.y.length}`);
  }
  if (!classification) {
    const badY = findNonFinite(split.y);
    if (badY.count > 0) {
      out.problems.push(`${path}.y: value ${split.y[badY.first]} at index ${badY.first} is not finite`);
    }
    return;
  }
  if (classes === undefined) return;
  let badCount = 0;
  let first = -1;
  for (let i = 0; i < split.y.length; i++) {
    const v = split.y[i];
    if (!(Number.isInteger(v) && v >= 0 && v < classes)) {
      if (first < 0) first = i;
      badCount++;
    }
  }
  if (badCount > 0) {
    out.problems.push(
      `${path}.y: ${badCount} labels are not integers in [0, ${classes}), the first is ${split.y[first]} at index ${first}`,
    );
  }
}

function reviewData(s: Snapshot, out: SnapshotReview): void {
  const { data } = s;
  const arch = s.model.architecture;
  if (arch.inputSize !== data.inputSize) {
    out.problems.push(
      `model.architecture.inputSize: ${arch.inputSize}, but data.inputSize is ${data.inputSize}`,
    );
  }
  if (arch.outputSize !== data.outputSize) {
    out.problems.push(
      `model.architecture.outputSize: ${arch.outputSize}, but data.outputSize is ${data.outputSize}`,
    );
  }
  if (data.task === "classification") {
    if (data.classes === undefined) out.problems.push("data.classes: missing; required for classification");
    else if (data.classes !== data.outputSize) {
      out.problems.push(
        `data.classes: ${data.classes}, but data.outputSize (the number of logits) is ${data.outputSize}`,
      );
    }
    if (s.model.loss !== "cross-entropy") {
      out.problems.push(
        `model.loss: "${s.model.loss}" needs regression targets, but data.task is "classification"`,
      );
    }
  } else {
    if (data.classes !== undefined)
      out.problems.push(`data.classes: must be absent for regression, got ${data.classes}`);
    if (s.model.loss !== "mse") {
      out.problems.push(`model.loss: "${s.model.loss}" needs class labels, but data.task is "regression"`);
    }
  }
  reviewSplit(s, "train", data.train, out);
  if (data.test !== undefined) reviewSplit(s, "test", data.test, out);
}

/**
 * Checks the cross-field rules of a structurally valid snapshot (as decoded by snapshotSchema, or
 * built in memory) and returns every problem and warning.
 */
/** The data checksum of the reproducibility record, when there is one, must match the data. */
function reviewReproducibility(s: Snapshot, out: SnapshotReview): void {
  const recorded = (s.reproducibility as { dataChecksum?: unknown } | undefined)?.dataChecksum;
  if (typeof recorded !== "string") return;
  const actual = dataChecksum(s.data);
  if (recorded !== actual)
    out.warnings.push(
      `reproducibility.dataChecksum: ${recorded} recorded, but the data give ${actual}: the data were changed after the snapshot was made`,
    );
}

export function reviewSnapshot(s: Snapshot): SnapshotReview {
  const out: SnapshotReview = { problems: [], warnings: [] };
  reviewModel(s, out);
  reviewDirections(s, out);
  reviewGridAndSurfaces(s, out);
  reviewData(s, out);
  reviewGraphData(s, out);
  reviewCurvature(s, out);
  reviewPathsSection(s, out);
  reviewReproducibility(s, out);
  return out;
}
