import { readFile } from "node:fs/promises";
import { resolveConfig } from "../core/config/resolve";
import type { ExperimentConfig } from "../core/config/schema";

/** Read and resolve a JSON experiment config; errors name the file and what is wrong. */
export async function readConfigFile(path: string): Promise<ExperimentConfig> {
  const json = await readConfigJson(path);
  try {
    return resolveConfig(json);
  } catch (err) {
    throw new Error(`config ${path}: ${(err as Error).message}`);
  }
}

/** Read a config file's JSON without resolving it (the CLI applies its flags first). */
export async function readConfigJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new Error(
      `cannot read config ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`config ${path} is not valid JSON: ${(err as Error).message}`);
  }
  return json;
}
