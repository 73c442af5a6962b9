/**
 * Bytes for core's loaders in Node: the shipped datasets from the repository's public/ folder, and
 * the user's files (data.path, data.labels, model.file and its weight files) relative to a base
 * folder (the CLI: the config file's folder). Errors name the file and the reason in words.
 *
 * @example const files = nodeDataReaders(path.dirname(configPath)); await loadDataset(spec, seed, files);
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { DataReaders } from "../core/data/files";
import type { ReadBytes } from "../core/data/shipped";

/** The repository's public/ folder (where Vite serves the app's static files from). */
const PUBLIC_DIR = fileURLToPath(new URL("../../public/", import.meta.url));

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "it is a folder, not a file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return (err as Error).message;
}

/** A ReadBytes for paths relative to `base` (absolute paths are taken as they are). */
function folderReader(base: string): ReadBytes {
  return async (p) => {
    const full = path.resolve(base, p);
    try {
      return new Uint8Array(await readFile(full));
    } catch (err) {
      throw new Error(`${reason(err)} (${full})`, { cause: err });
    }
  };
}

/** Reads the shipped data from public/. */
export const readPublicFile: ReadBytes = folderReader(PUBLIC_DIR);

/**
 * Readers for prepareModel / runExperiment / loadDataset: shipped data from public/, the user's
 * files relative to `userBase` (default: the current folder).
 */
export function nodeDataReaders(userBase = process.cwd()): DataReaders {
  return { shipped: readPublicFile, user: folderReader(userBase) };
}
