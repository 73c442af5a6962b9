/**
 * `compute` on one machine as a plan, one shard and a merge, with the plan and the part kept
 * beside the output until it is written: OUT.plan (the plan, a gzipped snapshot) and OUT.part (the
 * tiles done so far). Stopped at any moment (Ctrl-C, a kill, a crash), the tiles done are kept;
 * the same command with resume continues from them without training again, and the snapshot is
 * the one an uninterrupted run writes (the same tiles, the same evaluator). Nothing but the output
 * is left once it is written.
 *
 * @example const r = await computeJournaled({ config, files, backend, out: "runs/x.json", resume: false, workers: 2 });
 */
import { rm, stat } from "node:fs/promises";
import type { ExperimentConfig } from "../core/config/schema";
import type { DataReaders } from "../core/data/files";
import type { ExperimentProgress } from "../core/experiment/prepare";
import type { LandscapeEvaluator } from "../core/landscape/evaluator";
import { mergeParts } from "../core/shards/merge";
import {
  type CheckedPlan,
  checkPlan,
  planExperiment,
  requestId,
  snapshotFromPlan,
} from "../core/shards/plan";
import type { Snapshot } from "../core/snapshot/schema";
import { readPartFile } from "./part-file";
import { readPlanFile } from "./plan-file";
import { runShard, type ShardRunResult } from "./shard-run";
import { writeSnapshotFile } from "./snapshot-file";

/** Where `compute --out OUT` keeps its plan and its tiles while it runs. */
export function journalPaths(out: string): { plan: string; part: string } {
  return { plan: `${out}.plan`, part: `${out}.part` };
}

interface JournaledComputeOptions {
  config: ExperimentConfig;
  files?: DataReaders;
  from?: Snapshot;
  /** Absent: the fastest path for the backend and model kind. */
  evaluator?: LandscapeEvaluator;
  backend: string;
  out: string;
  /** Continue from OUT.plan and OUT.part when they exist (else they must not). */
  resume: boolean;
  workers: number;
  signal?: AbortSignal;
  onProgress?: (p: ExperimentProgress) => void;
  now?: () => Date;
}

interface JournaledComputeResult {
  snapshot: Snapshot;
  warnings: string[];
  /** True when an existing plan was taken (no training). */
  resumedPlan: boolean;
  run: ShardRunResult;
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

/** "3 of 11 tiles" of a journal part, or "" when it cannot be read. */
async function keptTiles(partPath: string): Promise<string> {
  try {
    const p = await readPartFile(partPath);
    return p.header ? `${p.tiles.size} of ${p.header.tiles.length} tiles` : "";
  } catch {
    return "";
  }
}

/** The plan of this request: the journal's (resume) or a new one, written to OUT.plan before any tile. */
async function journalPlan(
  o: JournaledComputeOptions,
  paths: { plan: string; part: string },
): Promise<{ checked: CheckedPlan; warnings: string[]; resumed: boolean }> {
  const request = await requestId(o.config, o.from, o.evaluator?.name);
  const [planThere, partThere] = await Promise.all([exists(paths.plan), exists(paths.part)]);
  if ((planThere || partThere) && !o.resume) {
    const kept = partThere ? await keptTiles(paths.part) : "";
    throw new Error(
      `${planThere ? paths.plan : paths.part} is left from an interrupted run${kept ? ` (${kept} done)` : ""}: ` +
        `add --resume to continue it, or delete ${paths.plan} and ${paths.part} to start over`,
    );
  }
  if (o.resume && planThere) {
    const checked = await readPlanFile(paths.plan);
    if (checked.plan.request !== request) {
      throw new Error(
        `${paths.plan} was made for another config, source snapshot or evaluator than this command's: ` +
          `run the command that made it, or delete ${paths.plan} and ${paths.part} to start over`,
      );
    }
    const message = (checked.snapshot.training as { message?: unknown } | undefined)?.message;
    return { checked, warnings: typeof message === "string" ? [message] : [], resumed: true };
  }
  if (partThere) {
    throw new Error(
      `${paths.part} has no plan beside it (${paths.plan}): delete ${paths.part} to start over`,
    );
  }
  const { snapshot, warnings } = await planExperiment(o.config, {
    from: o.from,
    evaluator: o.evaluator,
    backend: o.backend,
    files: o.files,
    signal: o.signal,
    onProgress: o.onProgress,
    now: o.now,
    shards: 1,
    request,
  });
  await writeSnapshotFile(paths.plan, snapshot, { gzip: true });
  return { checked: await checkPlan(snapshot, paths.plan), warnings, resumed: false };
}

/** The whole `compute`: see the module comment. The caller writes the snapshot, then removeJournal. */
export async function computeJournaled(o: JournaledComputeOptions): Promise<JournaledComputeResult> {
  const paths = journalPaths(o.out);
  const { checked, warnings, resumed } = await journalPlan(o, paths);
  const run = await runShard({
    checked,
    partPath: paths.part,
    shard: { index: 0, count: 1 },
    workers: o.workers,
    signal: o.signal,
    onProgress: (done, total) =>
      o.onProgress?.({ phase: "landscape", done, total, detail: `${done}/${total} grid points` }),
  });
  // A stop that arrives with the last tile still stops: the caller asked for no result.
  o.signal?.throwIfAborted();
  const part = await readPartFile(paths.part, checked.tiles);
  const merged = mergeParts(checked.plan, checked.grid, checked.tiles, [part], 1);
  if (!merged.surfaces) {
    throw new Error(
      `${paths.part} cannot be merged: ${[...merged.problems, ...merged.missing.tiles.map((t) => `tile ${t} missing`)].join("; ")}`,
    );
  }
  const snapshot = snapshotFromPlan(checked.snapshot, merged.surfaces, (o.now ?? (() => new Date()))());
  return { snapshot, warnings, resumedPlan: resumed, run };
}

/** Deletes OUT.plan and OUT.part (after the output is written). */
export async function removeJournal(out: string): Promise<void> {
  const paths = journalPaths(out);
  await Promise.all([rm(paths.part, { force: true }), rm(paths.plan, { force: true })]);
}
