/**
 * The reproducibility record every snapshot carries (section `reproducibility`): what produced
 * the numbers (producer version, tfjs backend, evaluation and training paths, kernel variant), every seed,
 * how the directions were normalized (and biases handled), and a checksum of the data, so that a
 * reader can tell whether a recomputation used the same inputs. `info` prints it; validation
 * warns when the data no longer match their checksum.
 *
 * Checksum: CRC-32 (as in gzip) of the float32 little-endian bytes of train.x, train.y, then
 * test.x and test.y when there is a test split, written "crc32:" + 8 hex digits.
 */
import { resolveKernelVariant } from "../kernel/kernel-module";
import { crc32Update } from "./gzip";
import type { Snapshot } from "./schema";

interface ReproducibilityRecord {
  producer: string;
  backend: string;
  evaluator: string;
  /** The WebAssembly kernel build that ran ("relaxed-simd" or "simd"), for the wasm-kernel and wasm-cnn paths. */
  kernel?: string;
  /** The code that trained the model and computed its curvature ("wasm-kernel" or "tfjs"), when it was trained here. */
  training?: string;
  seeds: Record<string, number | number[]>;
  directions: { label: string; method: string; normalization: string; bias: string }[];
  dataChecksum: string;
}

function bytesOf(a: Float32Array): Uint8Array {
  // float32 little-endian bytes (every platform the project runs on is little-endian; checked).
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

const littleEndian = new Uint8Array(Float32Array.of(1).buffer)[3] === 0x3f;

/** "crc32:xxxxxxxx" of the data's float32 bytes: train.x, train.y, then test.x, test.y. */
export function dataChecksum(data: Snapshot["data"]): string {
  if (!littleEndian) throw new Error("data checksums are defined on little-endian float32 bytes");
  let c = 0xffffffff;
  const parts = [data.train.x, data.train.y];
  if (data.test) parts.push(data.test.x, data.test.y);
  for (const p of parts) c = crc32Update(c, bytesOf(p));
  return `crc32:${((c ^ 0xffffffff) >>> 0).toString(16).padStart(8, "0")}`;
}

/** The seeds a resolved experiment config holds, by part. */
function seedsOf(config: Record<string, unknown>): Record<string, number | number[]> {
  const out: Record<string, number | number[]> = {};
  const get = (section: string) => (config[section] as { seed?: unknown; seeds?: unknown } | undefined) ?? {};
  if (typeof config.seed === "number") out.experiment = config.seed;
  for (const [name, section] of [
    ["data", "data"],
    ["init", "model"],
    ["training", "training"],
    ["curvature", "curvature"],
  ] as const) {
    const seed = get(section).seed;
    if (typeof seed === "number") out[name] = seed;
  }
  const dirSeeds = get("directions").seeds;
  if (Array.isArray(dirSeeds)) out.directions = dirSeeds as number[];
  return out;
}

/** The record of a finished snapshot (everything but the record itself must be in place). */
export function reproducibilityRecord(s: Snapshot): ReproducibilityRecord {
  const evaluator = String((s.producer as { evaluator?: unknown }).evaluator ?? "unknown");
  const record: ReproducibilityRecord = {
    producer: `${s.producer.name} ${s.producer.version}`,
    backend: s.producer.backend,
    evaluator,
    seeds: seedsOf(s.config),
    directions: s.directions.map((d) => ({
      label: d.label,
      method: d.method,
      normalization: d.normalization,
      bias: d.bias,
    })),
    dataChecksum: dataChecksum(s.data),
  };
  const training = (s.producer as { training?: unknown }).training;
  if (typeof training === "string") record.training = training;
  if (evaluator === "wasm-kernel" || evaluator === "wasm-cnn" || training === "wasm-kernel") {
    record.kernel = resolveKernelVariant("auto");
  }
  return record;
}

/** Lines for `info`. */
export function reproducibilityLines(s: Snapshot): [string, string][] {
  const r = s.reproducibility as Partial<ReproducibilityRecord> | undefined;
  if (!r) return [];
  const seeds = Object.entries(r.seeds ?? {})
    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join("/") : v}`)
    .join(", ");
  const dirs = (r.directions ?? []).map((d) => `${d.label}: ${d.method}, ${d.normalization}, bias ${d.bias}`);
  return [
    [
      "reproducibility",
      `${r.producer ?? "?"}, backend ${r.backend ?? "?"}, path ${r.evaluator ?? "?"}` +
        `${r.training ? `, training ${r.training}` : ""}${r.kernel ? ` (kernel ${r.kernel})` : ""}`,
    ],
    ["seeds", seeds || "none recorded"],
    ["directions made", dirs.join("; ") || "none"],
    ["checksum of the data", r.dataChecksum ?? "none"],
  ];
}
