/**
 * The snapshot's `plan` section: a snapshot with this section and no surfaces is a *plan*, the one
 * file every worker of a sharded landscape computes from (`landscape plan`, then `landscape shard`
 * on each machine, then `landscape merge`; see src/core/shards). It fixes how the grid is cut into
 * tiles, the evaluation path that computes them, how many shards share them, and checksums that
 * tie every part file to this plan. A merged snapshot no longer has the section.
 *
 * ```jsonc
 * "plan": {
 *   "format": "loss-landscape-plan", "version": 1,
 *   "id": "sha256:3f5c...",            // of everything a tile's numbers depend on (shards/checksum.ts)
 *   "tilePoints": 256,                 // splitTiles(grid, tilePoints): row-major tiles
 *   "tiles": 11, "points": 2601,
 *   "shards": 4,                       // shard K of N takes tiles [floor(K T / N), floor((K+1) T / N))
 *   "evaluator": "wasm-kernel", "kernel": "relaxed-simd", "backend": "wasm",
 *   "surfaces": ["train_loss", "train_accuracy", "test_loss", "test_accuracy"],
 *   "checksums": { "parameters": "crc32:...", "directions": ["crc32:...", "crc32:..."], "data": "crc32:..." },
 *   "request": "sha256:..."            // optional: what `compute` was asked (its resume journal)
 * }
 * ```
 */
import { z } from "zod";

export const PLAN_FORMAT = "loss-landscape-plan";
export const PLAN_VERSION = 1;

const positiveInt = z.number().int().positive();
const sha256 = z.string().regex(/^sha256:[0-9a-f]{64}$/, "expected sha256: and 64 hex digits");
const crc32 = z.string().regex(/^crc32:[0-9a-f]{8}$/, "expected crc32: and 8 hex digits");

export const planSectionSchema = z.looseObject({
  format: z.literal(PLAN_FORMAT),
  version: z.literal(PLAN_VERSION),
  /** Identity of the plan: parts carry it, merge and shard refuse anything else. */
  id: sha256,
  /** Most points of one tile (the unit of work, durability and progress). */
  tilePoints: positiveInt,
  /** Number of tiles of the grid (derivable; checked). */
  tiles: positiveInt,
  /** Grid points (derivable; checked). */
  points: positiveInt,
  /** Default number of shards (`shard --count` and SLURM_ARRAY_TASK_COUNT override it). */
  shards: positiveInt,
  /** The evaluation path every worker must use (the numbers may differ in the last bits otherwise). */
  evaluator: z.string().min(1),
  /** wasm-kernel only: the kernel build ("simd" or "relaxed-simd"). */
  kernel: z.enum(["simd", "relaxed-simd"]).optional(),
  /** The tfjs backend of the plan; tfjs evaluation paths must run on the same one. */
  backend: z.string().min(1),
  /** Names of the surfaces every tile has, in snapshot order. */
  surfaces: z.array(z.string().min(1)).min(1),
  checksums: z.looseObject({
    parameters: crc32,
    directions: z.array(crc32),
    data: crc32,
  }),
  /** `compute`'s journal: a fingerprint of the config and source it was asked to run. */
  request: sha256.optional(),
});

export type PlanSection = z.output<typeof planSectionSchema>;
