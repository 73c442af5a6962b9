/**
 * Plan files and where their parts go. A plan is a snapshot file (snapshot-file.ts) with a plan
 * section; reading one checks it against its own checksums (core/shards/plan.ts checkPlan). By
 * default the parts of PLAN (runs/x.plan.json) go to the folder beside it named after it,
 * runs/x.plan.parts/, one file per shard: shard-K-of-N.part.
 *
 * @example const checked = await readPlanFile("runs/x.plan.json"); defaultPartPath("runs/x.plan.json", 2, 4)
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { type CheckedPlan, checkPlan } from "../core/shards/plan";
import { readSnapshotFile } from "./snapshot-file";

/** Reads a plan file and checks it; errors name the file and what is wrong. */
export async function readPlanFile(file: string): Promise<CheckedPlan> {
  return checkPlan(await readSnapshotFile(file), file);
}

/** The plan's name without its snapshot extension: runs/x.plan.json.gz -> runs/x.plan. */
function planStem(planPath: string): string {
  return planPath.replace(/\.json(\.gz)?$/i, "");
}

/** The default folder of a plan's parts: runs/x.plan.json -> runs/x.plan.parts. */
function defaultPartsFolder(planPath: string): string {
  return `${planStem(planPath)}.parts`;
}

/** The default part file of shard `index` of `count`. */
export function defaultPartPath(planPath: string, index: number, count: number): string {
  return path.join(defaultPartsFolder(planPath), `shard-${index}-of-${count}.part`);
}

/**
 * The part files named by command-line arguments: files as they are, folders by the `.part` files
 * inside (sorted); no arguments: the plan's default parts folder (empty when it does not exist).
 */
export async function partFilesOf(planPath: string, args: readonly string[]): Promise<string[]> {
  const named = args.length > 0 ? args : [defaultPartsFolder(planPath)];
  const out: string[] = [];
  for (const arg of named) {
    let isFolder = false;
    try {
      isFolder = (await stat(arg)).isDirectory();
    } catch (error) {
      if (args.length === 0) continue; // no default folder: no parts yet
      throw new Error(
        `cannot read part ${arg}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`,
      );
    }
    if (!isFolder) {
      out.push(arg);
      continue;
    }
    const names = (await readdir(arg)).filter((n) => n.endsWith(".part") && !n.startsWith(".")).sort(byShard);
    out.push(...names.map((n) => path.join(arg, n)));
  }
  return out;
}

/** shard-2-of-4.part before shard-10-of-12.part: numbers compared as numbers. */
function byShard(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}
