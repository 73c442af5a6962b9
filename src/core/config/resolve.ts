/**
 * Checking and resolving an experiment config (schema.ts holds its schema and types): every
 * problem listed at once with its field path, defaults filled, per-part seeds derived, then the
 * checks that need the whole config (a cnn's shape, the model kinds' features, the memory a job
 * needs: memory.ts).
 */

import { isHessianMethod } from "../curvature/hessian-methods";
import { datasetShape } from "../data/make";
import { type DatasetSpec, parseDatasetSpec } from "../data/spec";
import { assertGrid, type Grid } from "../landscape/grid";
import { imageShape, makeCnnArchitecture } from "../model/layers-cnn";
import { rescaleProblem } from "../model/rescale";
import { deriveSeed } from "../rng";
import { memoryProblem } from "./memory";
import { resolvePathsSettings } from "./paths-settings";
import {
  type ExperimentConfig,
  experimentConfigSchema,
  hessianDirectionsSchema,
  type MlpModelConfig,
} from "./schema";

/** ", got 1.5" for a bad value (short), nothing for whole objects. */
function shownInput(issue: { code: string; input?: unknown }): string {
  if (issue.code === "unrecognized_keys" || issue.input === undefined || typeof issue.input === "object")
    return "";
  const text = JSON.stringify(issue.input) ?? String(issue.input);
  return `, got ${text.length > 40 ? `${text.slice(0, 40)}...` : text}`;
}

function joinPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path)
    out += typeof key === "number" ? `[${key}]` : out === "" ? String(key) : `.${String(key)}`;
  return out === "" ? "(config)" : out;
}

/**
 * Check a config and resolve it: defaults filled, per-part seeds derived from `seed`
 * (deriveSeed(seed, "data" | "init" | "training" | "direction-x" | "direction-y" | "curvature")) unless given.
 * Throws one Error listing every problem, each starting with its field path.
 *
 * @example resolveConfig({ seed: 3, grid: { y: null } }) // a 1-D landscape, all seeds explicit
 */
export function resolveConfig(input: unknown): ExperimentConfig {
  const problems: string[] = [];
  const parsed = experimentConfigSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push(`${joinPath(issue.path)}: ${issue.message}${shownInput(issue)}`);
  }
  let data: DatasetSpec | undefined;
  const rawData = parsed.success ? parsed.data.data : (input as { data?: unknown } | null)?.data;
  try {
    data = parseDatasetSpec(rawData ?? { name: "spirals" }, "data");
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (problems.length > 0 || !parsed.success || !data) {
    throw new Error(
      `invalid config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  ${problems.join("\n  ")}`,
    );
  }
  const c = parsed.data;
  const axes = c.grid.y === null ? 1 : 2;
  const seeds =
    c.directions.seeds ?? ["direction-x", "direction-y"].slice(0, axes).map((l) => deriveSeed(c.seed, l));
  if (seeds.length !== axes) {
    throw new Error(
      `invalid config (1 problem):\n  directions.seeds: expected ${axes} seed(s), one per grid axis, got ${seeds.length}`,
    );
  }
  const { curvature, paths, race, ...rest } = c;
  const resolved: ExperimentConfig = {
    ...rest,
    data: { ...data, seed: data.seed ?? deriveSeed(c.seed, "data") },
    model: { ...c.model, seed: c.model.seed ?? deriveSeed(c.seed, "init") },
    training: { ...c.training, seed: c.training.seed ?? deriveSeed(c.seed, "training") },
    directions: { ...c.directions, seeds },
  };
  const late: string[] = [];
  if (isHessianMethod(c.directions.method)) {
    // Recorded in full, so the snapshot says which solver settings made its axes.
    resolved.directions.hessian = hessianDirectionsSchema.parse(c.directions.hessian ?? {});
  } else if (c.directions.hessian !== undefined) {
    late.push(
      `directions.hessian: only used by the hessian methods, but directions.method is ${c.directions.method}`,
    );
  }
  if (curvature)
    resolved.curvature = { ...curvature, seed: curvature.seed ?? deriveSeed(c.seed, "curvature") };
  if (paths) resolved.paths = resolvePathsSettings(paths, c.seed);
  if (race) {
    const t = c.training;
    resolved.race = {
      runs: race.runs.map((r) => ({
        label: r.label,
        optimizer: r.optimizer,
        learningRate: r.learningRate ?? t.learningRate,
        momentum: r.momentum ?? t.momentum,
        beta1: r.beta1 ?? t.beta1,
        beta2: r.beta2 ?? t.beta2,
        epsilon: r.epsilon ?? t.epsilon,
        weightDecay: r.weightDecay ?? t.weightDecay,
        ...(r.sam ? { sam: { ...r.sam } } : {}),
      })),
    };
    if (paths)
      late.push("race: cannot be combined with paths (a race trains its runs; paths train their own models)");
    if (c.training.sam) late.push("training.sam: a race sets SAM per run (race.runs[i].sam)");
    if (c.rescale) late.push("rescale: cannot be combined with race");
  }
  try {
    assertGrid(configGrid(resolved), "grid");
  } catch (err) {
    late.push((err as Error).message);
  }
  if (resolved.directions.method === "pca") {
    // Checked here so that a doomed PCA plane fails before training, not after it.
    const { epochs, checkpointEvery } = resolved.training;
    const checkpoints =
      1 +
      (checkpointEvery > 0 ? Math.floor(epochs / checkpointEvery) : 0) +
      (epochs > 0 && (checkpointEvery === 0 || epochs % checkpointEvery !== 0) ? 1 : 0);
    if (resolved.grid.y === null)
      late.push("directions.method: pca needs a 2-D grid (grid.y must not be null)");
    if (checkpoints < 3) {
      late.push(
        `directions.method: pca needs at least 3 checkpoints; training.epochs ${epochs} with checkpointEvery ${checkpointEvery} gives ${checkpoints}`,
      );
    }
  }
  if (resolved.rescale && (resolved.model.kind === undefined || resolved.model.kind === "mlp")) {
    const problem = rescaleProblem(resolved.model, resolved.rescale);
    if (problem) late.push(problem);
    if (resolved.directions.method === "pca")
      late.push("rescale: cannot be combined with directions.method pca (the trajectory is not rescaled)");
  }
  late.push(...modelKindProblems(resolved));
  if (late.length === 0) {
    // Only for an otherwise valid config: the estimate builds the architecture.
    const tooLarge = memoryProblem(resolved);
    if (tooLarge) late.push(tooLarge);
  }
  if (late.length > 0) {
    throw new Error(
      `invalid config (${late.length} problem${late.length === 1 ? "" : "s"}):\n  ${late.join("\n  ")}`,
    );
  }
  return resolved;
}

/**
 * What a non-MLP model cannot do, found before any work: the MLP-only features (Hessian
 * directions, curvature, sharpness tracking, rescaling, paths), and a cnn on data that are not images.
 */
function modelKindProblems(c: ExperimentConfig): string[] {
  const kind = c.model.kind ?? "mlp";
  const graph = datasetShape(c.data)?.graphShape !== undefined;
  // Node classification: x holds node ids, which only a GCN reads as nodes of its graph.
  if (graph && kind !== "gcn")
    return [
      `model.kind: the data "${c.data.name}" are a graph (x holds node ids); use model.kind "gcn", got "${kind}"`,
    ];
  if (kind === "mlp") return [];
  const out: string[] = [];
  if (kind === "gcn" && !graph)
    out.push(`model.kind: "gcn" needs a graph dataset (sbm or karate), got data.name "${c.data.name}"`);
  const mlpOnly = (field: string) => `${field}: works on MLPs only; model.kind is "${kind}"`;
  // ONNX models have Hessian directions (their interpreter differentiates twice); the rest is MLP-only.
  if (isHessianMethod(c.directions.method) && kind !== "onnx") {
    out.push(mlpOnly(`directions.method ${c.directions.method}`));
  }
  // GCNs and layers models (CNNs, tfjs models) differentiate twice (model/gcn.ts, model/layers-twice.ts).
  if (c.curvature && kind !== "gcn" && kind !== "cnn" && kind !== "layers") out.push(mlpOnly("curvature"));
  if (c.training.sharpnessEvery > 0) out.push(mlpOnly("training.sharpnessEvery"));
  if (c.rescale) out.push(mlpOnly("rescale"));
  // An ONNX model's paths connect two given models (paths --from a.onnx --from b.onnx), not trained ones.
  if (c.paths && kind !== "onnx") out.push(mlpOnly("paths"));
  if (c.race) out.push(mlpOnly("race"));
  if (c.model.kind === "cnn") {
    const shape = datasetShape(c.data);
    if (shape) {
      try {
        makeCnnArchitecture(imageShape(shape.inputShape, shape.inputSize), shape.outputSize, c.model);
      } catch (err) {
        out.push((err as Error).message);
      }
    }
  }
  return out;
}

/**
 * The config's model as an MLP, for the MLP-only features (paths, rescaling); throws naming the
 * feature and the model kind otherwise.
 *
 * @example makeArchitecture(2, 2, requireMlpModel(config.model, "paths between minima"))
 */
export function requireMlpModel(
  model: ExperimentConfig["model"],
  what: string,
): MlpModelConfig & { seed: number } {
  if (model.kind === undefined || model.kind === "mlp") return model;
  throw new Error(`${what} works on MLPs only; model.kind is "${model.kind}"`);
}

/** The landscape grid a config asks for: axis "x", and "y" unless grid.y is null. */
export function configGrid(config: Pick<ExperimentConfig, "grid">): Grid {
  const axes = [{ label: "x", ...config.grid.x }];
  if (config.grid.y) axes.push({ label: "y", ...config.grid.y });
  return { axes };
}
