/**
 * Snapshots any program can write: the contract (../shared/SNAPSHOT.md) does not require the
 * fields this project added (an MLP's `residual` flag, `data.task`, `data.inputSize`,
 * `data.outputSize`), so a reader defaults or derives them before validation and names only what
 * cannot be derived. `data.classes` is the contract's own field (absent for regression): a
 * classification snapshot without it is refused as before. Runs on the parsed JSON, before the zod schema:
 *
 * - `model.architecture.residual` (kind "mlp"): false, the contract's MLP forward has no skips;
 * - `data.task`: "classification" for loss "cross-entropy", "regression" for "mse";
 * - `data.inputSize`: the architecture's `inputSize`, else the first layout tensor's first
 *   dimension (a Dense kernel [in, out]), else train.x values / train.count;
 * - `data.outputSize`: the architecture's `outputSize`, else `data.classes` (classification),
 *   else the last 2-D layout tensor's last dimension, else train.y values / count (regression);
 * - `data.graph` (kind "gcn"): `{ nodes }` of the architecture's graph: the samples are node ids.
 *
 * The input is never changed: a derived field goes into copies (spread) of the objects on its
 * way, and each one is listed (a reader's warning says what it assumed). Spread defines own data
 * properties, so a "__proto__" key JSON.parse read stays a key and never becomes a prototype.
 *
 * @example fillContractFields(JSON.parse(pythonWritten)).derived; // ["data.task: classification (from model.loss cross-entropy)", ...]
 */

type Json = Record<string, unknown>;

interface ContractFill {
  /** The document with the derived fields filled in (the input itself when nothing was missing). */
  value: unknown;
  /** One line per derived field: the path, the value and where it came from. */
  derived: string[];
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Number of float32 values an array field holds: a JSON array, or { dtype, base64 } (4 bytes each). */
function valueCount(field: unknown): number | null {
  if (Array.isArray(field)) return field.length;
  if (isObject(field) && typeof field.base64 === "string") {
    const text = field.base64.replace(/\s+/g, "");
    const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
    return Math.floor(((text.length / 4) * 3 - padding) / 4);
  }
  return null;
}

const positiveInteger = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v > 0;

/** The layout's shapes, when it is an array of { shape: number[] }. */
function layoutShapes(model: Json): number[][] {
  if (!Array.isArray(model.layout)) return [];
  return model.layout
    .map((e) => (isObject(e) && Array.isArray(e.shape) ? (e.shape as unknown[]) : null))
    .filter((s): s is number[] => s?.every(positiveInteger) === true);
}

/** Per-sample size of a split's array: values / count, when that divides. */
function perSample(split: unknown, key: "x" | "y"): number | null {
  if (!isObject(split) || !positiveInteger(split.count)) return null;
  const n = valueCount(split[key]);
  if (n === null || n % split.count !== 0 || n === 0) return null;
  return n / split.count;
}

export function fillContractFields(json: unknown): ContractFill {
  const derived: string[] = [];
  if (!isObject(json) || !isObject(json.model) || !isObject(json.data)) return { value: json, derived };
  let model = json.model;
  let data = json.data;
  const arch = isObject(model.architecture) ? model.architecture : null;

  if (arch && arch.kind === "mlp" && arch.residual === undefined) {
    model = { ...model, architecture: { ...arch, residual: false } };
    derived.push(
      "model.architecture.residual: false (not written; the contract's MLP has no skip connections)",
    );
  }

  if (data.task === undefined && (model.loss === "cross-entropy" || model.loss === "mse")) {
    const task = model.loss === "cross-entropy" ? "classification" : "regression";
    data = { ...data, task };
    derived.push(`data.task: ${task} (from model.loss ${model.loss})`);
  }

  if (data.inputSize === undefined) {
    const shapes = layoutShapes(model);
    const fromArch = arch && positiveInteger(arch.inputSize) ? arch.inputSize : null;
    const fromLayout = arch?.kind === "mlp" && shapes[0]?.length === 2 ? shapes[0][0] : null;
    const fromData = perSample(data.train, "x");
    const inputSize = fromArch ?? fromLayout ?? fromData;
    if (inputSize !== null) {
      const from =
        fromArch !== null
          ? "model.architecture.inputSize"
          : fromLayout !== null
            ? "the first layout tensor"
            : "train.x / train.count";
      data = { ...data, inputSize };
      derived.push(`data.inputSize: ${inputSize} (from ${from})`);
    }
  }

  if (data.outputSize === undefined) {
    const shapes = layoutShapes(model).filter((s) => s.length === 2);
    const fromArch = arch && positiveInteger(arch.outputSize) ? arch.outputSize : null;
    const fromClasses = data.task === "classification" && positiveInteger(data.classes) ? data.classes : null;
    const fromLayout = arch?.kind === "mlp" && shapes.length > 0 ? shapes[shapes.length - 1][1] : null;
    const fromData = data.task === "regression" ? perSample(data.train, "y") : null;
    const outputSize = fromArch ?? fromClasses ?? fromLayout ?? fromData;
    if (outputSize !== null) {
      const from =
        fromArch !== null
          ? "model.architecture.outputSize"
          : fromClasses !== null
            ? "data.classes"
            : fromLayout !== null
              ? "the last layout kernel"
              : "train.y / train.count";
      data = { ...data, outputSize };
      derived.push(`data.outputSize: ${outputSize} (from ${from})`);
    }
  }

  const graph = arch?.kind === "gcn" && isObject(arch.graph) ? arch.graph : null;
  if (graph && data.graph === undefined && positiveInteger(graph.nodes)) {
    data = { ...data, graph: { nodes: graph.nodes } };
    derived.push(
      `data.graph: { nodes: ${graph.nodes} } (from model.architecture.graph: a GCN's samples are node ids)`,
    );
  }

  if (derived.length === 0) return { value: json, derived };
  return { value: { ...json, model, data }, derived };
}
