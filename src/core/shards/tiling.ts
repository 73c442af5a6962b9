/**
 * Which tiles a shard computes. A plan cuts its grid into T tiles with splitTiles(grid,
 * tilePoints) (row-major, the same tiles `compute` and the app's pool use), numbered 0..T-1.
 * Shard K of N takes the contiguous run [floor(K T / N), floor((K + 1) T / N)): the N runs are
 * disjoint, cover every tile, and differ in length by at most one. A tile's numbers depend only
 * on the tile, never on the shard that computed it, so any two shardings of one plan (4 shards,
 * then 2, or the same shard twice) give the same values for the same tile.
 *
 * @example shardTileRange(11, 2, 4) // { start: 5, end: 8 }
 */

/** Most shards of one plan (a Slurm array or Kubernetes Indexed Job is far smaller in practice). */
export const MAX_SHARDS = 100_000;

/** Throws when (index, count) is not a shard of a plan, naming what is wrong. */
function checkShard(index: number, count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS) {
    throw new Error(`the shard count must be an integer in [1, ${MAX_SHARDS}], got ${count}`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new Error(
      `shard index ${index} is out of range: with ${count} shards the indices are 0 to ${count - 1}`,
    );
  }
}

/** The half-open run of tile indices [start, end) of shard `index` of `count`. */
export function shardTileRange(tiles: number, index: number, count: number): { start: number; end: number } {
  checkShard(index, count);
  return { start: Math.floor((index * tiles) / count), end: Math.floor(((index + 1) * tiles) / count) };
}

/** Tile indices of shard `index` of `count`, ascending. */
export function shardTiles(tiles: number, index: number, count: number): number[] {
  const { start, end } = shardTileRange(tiles, index, count);
  return Array.from({ length: end - start }, (_, i) => start + i);
}

/** The shard of `count` that a tile belongs to. */
export function shardOfTile(tiles: number, tile: number, count: number): number {
  if (!Number.isInteger(tile) || tile < 0 || tile >= tiles) {
    throw new Error(`tile ${tile} is out of range: the plan has tiles 0 to ${tiles - 1}`);
  }
  // The largest K with floor(K T / N) <= tile, i.e. K < (tile + 1) N / T: its run holds the tile
  // (the next run starts after it); smaller Ks with the same start have empty runs.
  return Math.min(count - 1, Math.floor(((tile + 1) * count - 1) / tiles));
}

/**
 * Sorted integers as short ranges: [0, 1, 2, 5, 7, 8] -> "0-2, 5, 7-8".
 *
 * @example indexRanges([3, 1, 2]) // "1-3"
 */
export function indexRanges(values: Iterable<number>): string {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    out.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out.join(", ");
}

/** Where a shard's index and count came from (for messages). */
interface ShardChoice {
  index: number;
  count: number;
  /** e.g. "--index", "SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX". */
  indexFrom: string;
  /** e.g. "--count", "SLURM_ARRAY_TASK_COUNT", "the plan". */
  countFrom: string;
}

/** The environment variables the schedulers set for an array task (read by shardFromEnvironment). */
const SHARD_ENVIRONMENT = {
  /** Slurm job arrays: this task's index (sbatch --array=0-15). */
  slurmIndex: "SLURM_ARRAY_TASK_ID",
  /** Slurm job arrays: the number of tasks in the array. */
  slurmCount: "SLURM_ARRAY_TASK_COUNT",
  /** Kubernetes Indexed Jobs: this pod's completion index (0 to completions - 1). */
  kubernetesIndex: "JOB_COMPLETION_INDEX",
} as const;

function parseIndexText(text: string, from: string): number {
  if (!/^\s*\d+\s*$/.test(text)) throw new Error(`${from} must be a whole number >= 0, got "${text}"`);
  return Number(text);
}

/**
 * The shard to compute: `--index` when given, else SLURM_ARRAY_TASK_ID, else JOB_COMPLETION_INDEX
 * (Kubernetes Indexed Jobs); `--count` when given, else SLURM_ARRAY_TASK_COUNT, else the plan's.
 * Throws when no index is found or the pair is out of range (a Slurm array must start at 0:
 * `--array=0-15`, not `1-16`).
 *
 * @example shardFromEnvironment({}, { SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_COUNT: "8" }, 4) // index 3 of 8
 */
export function shardFromEnvironment(
  flags: { index?: number; count?: number },
  env: Readonly<Record<string, string | undefined>>,
  planShards: number,
): ShardChoice {
  let index: number;
  let indexFrom: string;
  const slurm = env[SHARD_ENVIRONMENT.slurmIndex];
  const kube = env[SHARD_ENVIRONMENT.kubernetesIndex];
  if (flags.index !== undefined) {
    index = flags.index;
    indexFrom = "--index";
  } else if (slurm !== undefined && slurm !== "") {
    indexFrom = SHARD_ENVIRONMENT.slurmIndex;
    index = parseIndexText(slurm, indexFrom);
  } else if (kube !== undefined && kube !== "") {
    indexFrom = SHARD_ENVIRONMENT.kubernetesIndex;
    index = parseIndexText(kube, indexFrom);
  } else {
    throw new Error(
      `no shard index: give --index K, or run as a Slurm array task (${SHARD_ENVIRONMENT.slurmIndex}) or a Kubernetes Indexed Job pod (${SHARD_ENVIRONMENT.kubernetesIndex})`,
    );
  }
  let count: number;
  let countFrom: string;
  const slurmCount = env[SHARD_ENVIRONMENT.slurmCount];
  if (flags.count !== undefined) {
    count = flags.count;
    countFrom = "--count";
  } else if (slurmCount !== undefined && slurmCount !== "") {
    countFrom = SHARD_ENVIRONMENT.slurmCount;
    count = parseIndexText(slurmCount, countFrom);
  } else {
    count = planShards;
    countFrom = "the plan";
  }
  try {
    checkShard(index, count);
  } catch (err) {
    const hint =
      indexFrom === SHARD_ENVIRONMENT.slurmIndex ? " (a Slurm array must start at 0: --array=0-N-1)" : "";
    throw new Error(`${(err as Error).message} (index from ${indexFrom}, count from ${countFrom})${hint}`);
  }
  return { index, count, indexFrom, countFrom };
}
