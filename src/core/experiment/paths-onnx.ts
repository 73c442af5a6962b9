/**
 * Paths between a researcher's two models (issue 16, item 3): two ONNX models of one graph
 * (torch.onnx.export of one nn.Module with two sets of weights), given as .onnx files with data or
 * as snapshots of model kind "onnx". The same paths as between two MLPs (paths-connect.ts): the
 * straight line A -> B, the trained Bezier / polychain curve (tfjs gradients through the graph),
 * and the straight line to B after weight matching (align/onnx-spec.ts: conv channels and hidden
 * units as units, BN channels, running statistics included, moved with them), each with its loss
 * and error barriers, scored by a per-point evaluator ("naive" by default) that is a parameter;
 * then the landscape on the curve's plane. Two graphs that differ (nodes, shapes, parameters,
 * constants other than BN running statistics) are refused, naming what differs.
 *
 * BatchNorm running statistics are not parameters: at each point they follow a policy
 * (paths/running-statistics.ts), named in the section's `runningStatistics` and the CLI output:
 * "interpolated" (default; the ends are the two models), "model-a" (A's at every point), or
 * "recomputed" when model A's graph says its statistics are recomputed at every point (its
 * batchNorm setting, an evaluator's work). Each model's own metrics (its own statistics) are
 * recorded beside the paths, and a path's end that differs from them is a warning.
 *
 * @example const { snapshot } = await pathsBetweenOnnxModels(a, b, { dataset, loss: "cross-entropy", settings, counts: [21, 21], backend: "wasm", recordedConfig: {} });
 */
import { onnxWeightMatching } from "../align/onnx-spec";
import type { PathsSettings } from "../config/paths-settings";
import type { Dataset } from "../data/types";
import { checkEvaluatorFor, defaultEvaluatorFor } from "../landscape/evaluators";
import { modelLayout } from "../model/architecture";
import type { LossKind } from "../model/types";
import type { OnnxArchitecture } from "../onnx/graph";
import { evaluateCombinations } from "../paths/evaluate";
import {
  runningStatisticsNames,
  STATISTICS_DESCRIPTIONS,
  type StatisticsPolicy,
  statisticsOf,
} from "../paths/running-statistics";
import type { SectionPath, SectionPathModel } from "../snapshot/paths-section";
import { ALIGN_SEED, alignmentRecord, connect, type Endpoint, fmt, pathsSnapshot } from "./paths-connect";
import type { ConnectProblem, PathsRunOptions, PathsRunResult } from "./paths-problem";
import type { PreparedModel } from "./prepare";

/** One of the two models: its graph (with its own running statistics) and its parameters. */
interface OnnxPathModel {
  arch: OnnxArchitecture;
  parameters: Float32Array;
  /** Where it came from, e.g. "a.onnx" or "a.json (created 2026-...)". */
  source: string;
  training?: SectionPathModel["training"];
}

interface OnnxPathsOptions extends PathsRunOptions {
  /** The data both models are scored on (the train split trains the curve). */
  dataset: Dataset;
  loss: LossKind;
  /** Resolved paths settings (its runningStatistics chooses the policy; default "interpolated"). */
  settings: PathsSettings;
  /** Grid points per axis of the curve's plane. */
  counts: [number, number];
  /** Names of the two models for messages (e.g. file names). Default A, B. */
  names?: [string, string];
  /** The config recorded in the snapshot. */
  recordedConfig: Record<string, unknown>;
}

const text = (v: unknown) => JSON.stringify(v) ?? String(v);
const MAX_LISTED = 8;

/**
 * What differs between two ONNX graphs in what makes them one function of their parameters: input
 * and output, opset, the nodes (operator, inputs, outputs, attributes; node names may differ), the
 * parameters (names, shapes, order) and the constants (names, types, shapes, and the values of
 * every constant but the BN running statistics). One line per difference (at most 8, then a count).
 *
 * @example onnxGraphDifferences(cnn.arch, mlp.arch, ["a.onnx", "b.onnx"]) // ["inputShape: [1,8,8] in a.onnx, [4] in b.onnx", ...]
 */
export function onnxGraphDifferences(
  a: OnnxArchitecture,
  b: OnnxArchitecture,
  names: [string, string] = ["A", "B"],
): string[] {
  const out: string[] = [];
  const field = (path: string, x: unknown, y: unknown) => {
    if (text(x) !== text(y)) out.push(`${path}: ${text(x)} in ${names[0]}, ${text(y)} in ${names[1]}`);
  };
  for (const key of [
    "inputName",
    "outputName",
    "inputShape",
    "outputSize",
    "opset",
    "droppedOutputOp",
  ] as const)
    field(key, a[key], b[key]);
  const shape = (p: { name: string; shape: number[] }) => `${p.name} [${p.shape.join(", ")}]`;
  if (a.parameters.length !== b.parameters.length) {
    out.push(
      `parameters: ${a.parameters.length} tensors in ${names[0]}, ${b.parameters.length} in ${names[1]}`,
    );
  }
  for (let i = 0; i < Math.min(a.parameters.length, b.parameters.length); i++)
    field(`parameters[${i}]`, shape(a.parameters[i]), shape(b.parameters[i]));
  const node = (n: OnnxArchitecture["nodes"][number]) =>
    `${n.op}(${n.inputs.join(", ")}) -> ${n.outputs.join(", ")}`;
  if (a.nodes.length !== b.nodes.length) {
    out.push(
      `nodes: ${a.nodes.length} in ${names[0]} (${a.nodes.map((n) => n.op).join(" ")}), ` +
        `${b.nodes.length} in ${names[1]} (${b.nodes.map((n) => n.op).join(" ")})`,
    );
  }
  for (let i = 0; i < Math.min(a.nodes.length, b.nodes.length); i++) {
    const [x, y] = [a.nodes[i], b.nodes[i]];
    const where = `nodes[${i}] ("${x.name}")`;
    if (node(x) !== node(y)) field(where, node(x), node(y));
    else field(`${where}.attributes`, x.attributes, y.attributes);
  }
  const statistics = new Set(runningStatisticsNames(a));
  const constB = new Map(b.constants.map((c) => [c.name, c]));
  for (const c of a.constants) {
    const d = constB.get(c.name);
    if (!d) {
      out.push(`constants: "${c.name}" in ${names[0]}, absent in ${names[1]}`);
      continue;
    }
    constB.delete(c.name);
    field(
      `constants "${c.name}"`,
      `${c.dataType} [${c.dims.join(", ")}]`,
      `${d.dataType} [${d.dims.join(", ")}]`,
    );
    if (!statistics.has(c.name) && c.values.length === d.values.length && text(c.values) !== text(d.values)) {
      const i = c.values.findIndex((v, k) => v !== d.values[k]);
      out.push(
        `constants "${c.name}": the values differ (first at index ${i}: ${c.values[i]} in ${names[0]}, ${d.values[i]} in ${names[1]})`,
      );
    }
  }
  for (const name of constB.keys()) out.push(`constants: "${name}" in ${names[1]}, absent in ${names[0]}`);
  return out.length > MAX_LISTED
    ? [...out.slice(0, MAX_LISTED), `... and ${out.length - MAX_LISTED} more differences`]
    : out;
}

/** The graph's batchNorm setting, read without depending on its type (absent: the constants as they are). */
function batchNormOf(arch: OnnxArchitecture): { statistics?: string } | undefined {
  return (arch as { batchNorm?: { statistics?: string } }).batchNorm;
}

/** B's graph with A's batchNorm setting, so both models' own metrics are taken the same way. */
function withSettingOf(arch: OnnxArchitecture, of: OnnxArchitecture): OnnxArchitecture {
  const bn = batchNormOf(of);
  return bn === undefined ? arch : ({ ...arch, batchNorm: bn } as OnnxArchitecture);
}

/** Relative-and-absolute closeness of two metric values (float32 sums). */
const close = (x: number, y: number) => Math.abs(x - y) <= 1e-5 + 1e-4 * Math.abs(y);

/** Each path's ends against the models' own train loss, as warnings. */
function endWarnings(paths: SectionPath[], models: SectionPathModel[], description: string): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (!p.between) continue;
    const b = p.barriers.train_loss;
    const ends: [number | null, number][] = [
      [b.start, p.between[0]],
      [b.end, p.between[1]],
    ];
    ends.forEach(([value, k], i) => {
      const own = models[k]?.metrics?.train_loss;
      if (value === null || own === null || own === undefined || close(value, own)) return;
      out.push(
        `${p.kind} ${p.labels[0]} -> ${p.labels[p.labels.length - 1]}: at t = ${i} the train loss is ${fmt(value)}, ` +
          `but ${models[k].label}'s own is ${fmt(own)} (${description}); the barriers are measured from the path's ends`,
      );
    });
  }
  return out;
}

/**
 * The paths between two ONNX models of one graph on one data set, as a snapshot whose model is A
 * (its graph, statistics and parameters: the plane's origin) with a `paths` section. Throws, naming
 * each difference, when the graphs differ; when the data do not fit the model; when the evaluator
 * cannot run ONNX models.
 */
export async function pathsBetweenOnnxModels(
  a: OnnxPathModel,
  b: OnnxPathModel,
  options: OnnxPathsOptions,
): Promise<PathsRunResult> {
  const names = options.names ?? ["A", "B"];
  const differences = onnxGraphDifferences(a.arch, b.arch, names);
  if (differences.length > 0) {
    throw new Error(
      `cannot connect ${names[0]} and ${names[1]}: paths need two models of the same ONNX graph, but the graphs differ in\n  ${differences.join("\n  ")}`,
    );
  }
  const evaluator = options.evaluator ?? defaultEvaluatorFor(options.backend, "onnx");
  checkEvaluatorFor(evaluator, "onnx");
  const { dataset, loss, settings } = options;
  const problem: ConnectProblem = { arch: a.arch, loss, layout: modelLayout(a.arch), dataset };

  const statisticsNames = runningStatisticsNames(a.arch);
  const policy: StatisticsPolicy | null =
    statisticsNames.length === 0
      ? null
      : batchNormOf(a.arch)?.statistics === "recompute"
        ? "recomputed"
        : (settings.runningStatistics ?? "interpolated");
  const warnings: string[] = [];
  if (policy === "recomputed" && settings.runningStatistics !== undefined) {
    warnings.push(
      `paths.runningStatistics "${settings.runningStatistics}" is not used: model A's statistics are recomputed at every point`,
    );
  }
  const description = policy ? STATISTICS_DESCRIPTIONS[policy] : "";
  const endpoints: Endpoint[] = [a, b].map((m, k) => {
    const e: Endpoint = { label: `theta${k + 1}`, parameters: m.parameters, source: m.source };
    if (m.training) e.training = m.training;
    if (policy) e.statistics = statisticsOf(m.arch, statisticsNames);
    return e;
  });
  const align = (ea: Endpoint, eb: Endpoint) => {
    const m = onnxWeightMatching(a.arch, ea.parameters, eb.parameters, { seed: ALIGN_SEED });
    const aligned = {
      parameters: m.apply(eb.parameters),
      alignment: alignmentRecord(m, m.spec.perms),
      detail:
        m.spec.perms.length === 0
          ? "weight matching: no permutable channels in this graph (the aligned model is B)"
          : `weight matching over ${m.spec.perms.map((g) => `${g.name} (${g.size})`).join(", ")}: ${m.sweeps} sweeps, ` +
            `objective ${fmt(m.objective[0])} -> ${fmt(m.objective.at(-1) ?? Number.NaN)}`,
    };
    return policy
      ? { ...aligned, statistics: statisticsOf(m.applyConstants(b.arch), statisticsNames) }
      : aligned;
  };
  const connected = await connect(problem, endpoints, settings, options.counts, options, {
    align,
    statistics: policy
      ? {
          record: { policy, description, names: statisticsNames },
          interpolate: policy === "interpolated",
        }
      : undefined,
  });
  const { seeds: _seeds, models: _models, ...recordedSettings } = settings;
  connected.section.settings = { ...recordedSettings, models: 2 };

  // Each model's own metrics: its parameters with its own graph (its own running statistics).
  const models = connected.section.models ?? [];
  [a, b].forEach((m, k) => {
    const own = evaluateCombinations(
      { arch: withSettingOf(m.arch, a.arch), loss, dataset },
      [m.parameters],
      Float32Array.of(1),
      { evaluator },
    ).values;
    const first = (v: Float32Array | undefined) => (v && Number.isFinite(v[0]) ? v[0] : null);
    const metrics: NonNullable<SectionPathModel["metrics"]> = { train_loss: first(own.train_loss) };
    if (own.train_accuracy) metrics.train_accuracy = first(own.train_accuracy);
    if (own.test_loss) metrics.test_loss = first(own.test_loss);
    if (own.test_accuracy) metrics.test_accuracy = first(own.test_accuracy);
    models[k].metrics = metrics;
  });
  warnings.push(...endWarnings(connected.section.paths, models, description));

  const prepared: PreparedModel = {
    ...problem,
    theta: a.parameters,
    recordedConfig: { ...options.recordedConfig, paths: connected.section.settings },
    warnings: [],
  };
  return {
    snapshot: pathsSnapshot(prepared, connected, options),
    warnings: [...warnings, ...connected.warnings],
  };
}
