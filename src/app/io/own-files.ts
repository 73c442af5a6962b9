/**
 * Bring your own model and data in the app: picked (or dropped) files become an experiment
 * config plus the bytes its paths name. A tfjs LayersModel (model.json with its weight files) or
 * an ONNX model (what torch.onnx.export writes, weights inside), and a dataset (a CSV file, or .npy features with an optional .npy of labels) run as the current
 * experiment's model and data; a dataset alone trains the current settings' MLP on it. Errors
 * name what is missing or unexpected; nothing is run then.
 *
 * @example const { config, files } = ownFilesExperiment(named, baseConfig);
 */

/** A picked file: its name and bytes. */
interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}

interface OwnFilesExperiment {
  /** The experiment config with `model` and/or `data` naming the files. */
  config: Record<string, unknown>;
  /** Bytes by the path the config names (the worker reads them as the user's files). */
  files: Record<string, Uint8Array>;
  /** One line for the user: what runs. */
  summary: string;
}

function isLayersModelJson(bytes: Uint8Array): boolean {
  try {
    const json = JSON.parse(new TextDecoder().decode(bytes)) as { modelTopology?: unknown; format?: unknown };
    return typeof json === "object" && json !== null && "modelTopology" in json;
  } catch {
    return false;
  }
}

/** Whether a set of picked files is "own model and data" (not a snapshot or an .h5 surface). */
export function areOwnFiles(names: readonly string[]): boolean {
  return (
    names.some((n) => /\.(csv|tsv|npy|bin|onnx)$/i.test(n)) ||
    (names.length > 1 && names.some((n) => /\.json$/i.test(n)))
  );
}

/**
 * The experiment of `picked` on top of `base` (the current settings' config). Throws an Error
 * naming the problem for: no data file, two CSVs, more than two .npy files, a model.json that is
 * not a LayersModel, weight files without a model.
 */
export function ownFilesExperiment(
  picked: readonly NamedBytes[],
  base: Record<string, unknown>,
): OwnFilesExperiment {
  const files: Record<string, Uint8Array> = {};
  for (const f of picked) files[f.name] = f.bytes;
  const jsons = picked.filter((f) => /\.json$/i.test(f.name));
  const models = jsons.filter((f) => isLayersModelJson(f.bytes));
  const csv = picked.filter((f) => /\.(csv|tsv|txt)$/i.test(f.name));
  const npy = picked.filter((f) => /\.npy$/i.test(f.name));
  const bins = picked.filter((f) => /\.bin$/i.test(f.name));
  const onnx = picked.filter((f) => /\.onnx$/i.test(f.name));
  const other = jsons.filter((f) => !models.includes(f));
  if (other.length > 0)
    throw new Error(`${other[0].name} is not a tfjs LayersModel (model.json with a modelTopology)`);
  if (models.length + onnx.length > 1)
    throw new Error(
      `pick one model (a model.json or an .onnx file), not ${[...models, ...onnx].map((f) => f.name).join(" and ")}`,
    );
  if (bins.length > 0 && models.length === 0)
    throw new Error("weight files (.bin) need their model.json: pick them together");
  if (csv.length + npy.length === 0)
    throw new Error("pick a dataset with the model: a CSV file, or .npy features (and .npy labels)");
  if (csv.length > 1 || (csv.length === 1 && npy.length > 0))
    throw new Error("pick one dataset: a single CSV file, or .npy features with an optional .npy of labels");
  if (npy.length > 2) throw new Error(`pick at most two .npy files (features and labels), not ${npy.length}`);

  let data: Record<string, unknown>;
  let dataText: string;
  if (csv.length === 1) {
    data = { name: "file", path: csv[0].name };
    dataText = csv[0].name;
  } else {
    // Two arrays: the one whose name says "label" (or y) holds the labels.
    const isLabels = (n: string) => /label|(^|[^a-z])y([^a-z]|$)/i.test(n.replace(/\.npy$/i, ""));
    const labels = npy.length === 2 ? (npy.find((f) => isLabels(f.name)) ?? npy[1]) : undefined;
    const features = npy.find((f) => f !== labels) ?? npy[0];
    data = { name: "file", path: features.name, ...(labels ? { labels: labels.name } : {}) };
    dataText = labels ? `${features.name} with labels ${labels.name}` : features.name;
  }
  const config: Record<string, unknown> = { ...base, data };
  let modelText = "the MLP of the current settings";
  if (onnx.length === 1) {
    config.model = { kind: "onnx", file: onnx[0].name, train: false };
    config.directions = { method: "random", normalization: "filter", bias: "zero" };
    modelText = `the ONNX model ${onnx[0].name} as trained (no further training)`;
  } else if (models.length === 1) {
    config.model = { kind: "layers", file: models[0].name, train: false };
    // Directions of the landscape: random, filter-normalized (Hessian and PCA need MLPs or training).
    config.directions = { method: "random", normalization: "filter", bias: "zero" };
    modelText = `the model ${models[0].name} as trained (no further training)`;
  }
  return { config, files, summary: `${modelText} on ${dataText}` };
}
