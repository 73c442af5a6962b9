/**
 * What `landscape compute` runs on: the config file (optional) with the model and data flags
 * applied, and where the files it names are read from. One mechanism: the flags only set config
 * keys, so the snapshot's config records exactly what ran.
 *
 *   --data FILE     data: { name: "file", path: FILE }           (CSV, or .npy features)
 *   --labels FILE   data.labels: FILE                            (.npy labels; needs --data)
 *   --model FILE    model: { kind: "layers", file: FILE }        (a tfjs model.json)
 *                   or { kind: "onnx", file: FILE }              (a FILE.onnx, as torch.onnx.export writes it)
 *
 * Paths in a config are relative to the config file's folder; flag paths are relative to the
 * current folder (and written into the config relative to the config's folder). Other keys of a
 * "file" data section (label, task, testFraction, ...) or of a "layers" model (train) are kept.
 */
import path from "node:path";
import { resolveConfig } from "../core/config/resolve";
import type { ExperimentConfig } from "../core/config/schema";
import type { DataReaders } from "../core/data/files";
import { readConfigJson } from "../node/config-file";
import { nodeDataReaders } from "../node/data-files";

interface ComputeInputOptions {
  config?: string;
  model?: string;
  data?: string;
  labels?: string;
  from?: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The resolved config and the readers for its files; throws before anything runs when the flags or config are wrong. */
export async function computeInputs(
  o: ComputeInputOptions,
): Promise<{ config: ExperimentConfig; files: DataReaders }> {
  if (o.labels !== undefined && o.data === undefined) {
    throw new Error("--labels needs --data (the .npy features the labels belong to)");
  }
  if (o.config === undefined && o.data === undefined && o.model === undefined && o.from === undefined) {
    throw new Error("compute needs --config FILE, or --data FILE and/or --model FILE (see --help)");
  }
  if (o.from !== undefined && (o.data !== undefined || o.model !== undefined)) {
    throw new Error(
      "--from takes the model and the data from the snapshot; it cannot be combined with --data or --model",
    );
  }
  const raw = o.config === undefined ? {} : await readConfigJson(o.config);
  if (!isObject(raw)) throw new Error(`config ${o.config}: must be a JSON object`);
  const base = o.config === undefined ? process.cwd() : path.dirname(path.resolve(o.config));
  const rel = (p: string) => path.relative(base, path.resolve(p)) || p;
  const json: Json = { ...raw };
  if (o.data !== undefined) {
    const previous = isObject(raw.data) && raw.data.name === "file" ? raw.data : {};
    const { labels: _labels, format: _format, path: _path, ...keep } = previous;
    json.data = {
      ...keep,
      name: "file",
      path: rel(o.data),
      ...(o.labels === undefined ? {} : { labels: rel(o.labels) }),
    };
  }
  if (o.model !== undefined) {
    // An .onnx file (torch.onnx.export) is model kind "onnx"; anything else a tfjs model.json.
    const kind = o.model.toLowerCase().endsWith(".onnx") ? "onnx" : "layers";
    const previous = isObject(raw.model) && raw.model.kind === kind ? raw.model : {};
    json.model = { ...previous, kind, file: rel(o.model) };
  }
  let config: ExperimentConfig;
  try {
    config = resolveConfig(json);
  } catch (err) {
    const where = o.config === undefined ? "" : `config ${o.config}: `;
    throw new Error(`${where}${(err as Error).message}`);
  }
  return { config, files: nodeDataReaders(base) };
}
