/**
 * npm run fuzz: mutates real inputs for a bounded time and prints, per target, how many inputs
 * were tried, accepted, rejected (with a clear error) and crashed. Exits 1 when anything crashed,
 * and writes each crashing input to a file whose path it prints (replay it with the seed shown).
 *
 * Targets (tests/fuzz/targets.ts): the snapshot reader (structural JSON mutations and byte
 * mutations of real snapshots, JSON and gzip; and hostile files built from them, tests/fuzz/
 * hostile.ts: prototype keys, nesting around the depth limit, bare NaN/Infinity, gzip bombs
 * against small limits, multi-member gzip, arrays short by one, long strings), the
 * reference-layout HDF5 surface reader (byte mutations of files written by the export; and files
 * declaring surfaces larger than small random limits), the config parser (mutated presets and
 * random JSON), the URL-hash parser (mutated preset hashes and random text).
 *
 * Options (env): FUZZ_SECONDS=60 (total, split evenly over the targets), FUZZ_SEED=1.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadH5wasm } from "../../src/core/export/h5";
import { createGuardedHdf5Reader } from "../../src/node/hdf5-guard";
import { initNodeBackend } from "../../src/node/tf-node";
import { hostileHdf5, hostileSnapshot } from "./hostile";
import { createRng, mutateBytes, mutateJson, mutateText, type Rng, randomValue } from "./mutate";
import { presetConfigs, presetHashes, seedHdf5, seedSnapshots } from "./seeds";
import {
  checkConfig,
  checkHash,
  checkHdf5Surface,
  checkHostile,
  checkHostileHdf5,
  checkSnapshotBytes,
  FuzzCrash,
  type Outcome,
} from "./targets";

const seconds = Number(process.env.FUZZ_SECONDS ?? 60);
const baseSeed = Number(process.env.FUZZ_SEED ?? 1);
if (!(seconds > 0))
  throw new Error(`FUZZ_SECONDS must be a positive number, got ${process.env.FUZZ_SECONDS}`);

const backend = await initNodeBackend();
const utf8 = new TextEncoder();
const snapshots = await seedSnapshots(backend);
const snapshotJson = snapshots
  .filter((b) => b[0] === 0x7b)
  .map((b) => JSON.parse(new TextDecoder().decode(b)));
const presets = presetConfigs();
const hashes = presetHashes();
const h5 = await loadH5wasm();
const hdf5Files = seedHdf5(h5, snapshots);
// A hung HDF5 read is stopped after 2 s and replaced (the CLI allows 10 s).
const hdf5Reader = createGuardedHdf5Reader({ timeoutMs: 2000 });

interface Target {
  name: string;
  /** One input from a seeded random source; returns what happened (throws FuzzCrash on a crash). */
  run(rng: Rng): Outcome | Promise<Outcome>;
}

const times = (rng: Rng) => 1 + rng.int(4);
const targets: Target[] = [
  {
    name: "snapshot json",
    run(rng) {
      let json = snapshotJson[rng.int(snapshotJson.length)];
      for (let k = times(rng); k > 0; k--) json = mutateJson(json, rng);
      return checkSnapshotBytes(utf8.encode(JSON.stringify(json) ?? "null"));
    },
  },
  {
    name: "snapshot bytes",
    run(rng) {
      let bytes = snapshots[rng.int(snapshots.length)];
      for (let k = times(rng); k > 0; k--) bytes = mutateBytes(bytes, rng);
      return checkSnapshotBytes(bytes);
    },
  },
  {
    name: "snapshot hostile",
    run(rng) {
      return checkHostile(hostileSnapshot(snapshotJson[rng.int(snapshotJson.length)], rng));
    },
  },
  {
    name: "hdf5 hostile",
    run(rng) {
      return checkHostileHdf5(hdf5Reader.read, hostileHdf5(h5, rng));
    },
  },
  {
    name: "hdf5 surface",
    run(rng) {
      let bytes = hdf5Files[rng.int(hdf5Files.length)];
      for (let k = times(rng); k > 0; k--) bytes = mutateBytes(bytes, rng);
      return checkHdf5Surface(hdf5Reader.read, bytes);
    },
  },
  {
    name: "config",
    run(rng) {
      let json: unknown = rng.int(10) === 0 ? randomValue(rng) : presets[rng.int(presets.length)];
      for (let k = times(rng); k > 0; k--) json = mutateJson(json, rng);
      return checkConfig(json);
    },
  },
  {
    name: "url hash",
    run(rng) {
      let hash = hashes[rng.int(hashes.length)];
      for (let k = times(rng); k > 0; k--) hash = mutateText(hash, rng);
      return checkHash(hash);
    },
  },
];

const crashDir = join(tmpdir(), `loss-landscape-fuzz-${process.pid}`);
const rows: {
  name: string;
  tried: number;
  accepted: number;
  rejected: number;
  stopped: number;
  crashed: number;
}[] = [];
const budgetMs = (seconds * 1000) / targets.length;
for (const [t, target] of targets.entries()) {
  const row = { name: target.name, tried: 0, accepted: 0, rejected: 0, stopped: 0, crashed: 0 };
  const end = performance.now() + budgetMs;
  while (performance.now() < end) {
    const seed = (baseSeed * 1_000_003 + t * 7919 + row.tried) >>> 0;
    row.tried++;
    try {
      row[await target.run(createRng(seed))]++;
    } catch (err) {
      row.crashed++;
      mkdirSync(crashDir, { recursive: true });
      const file = join(crashDir, `${target.name.replace(/\W+/g, "-")}-seed-${seed}.txt`);
      const input = err instanceof FuzzCrash ? err.input : "(unknown input)";
      writeFileSync(
        file,
        input instanceof Uint8Array
          ? input
          : typeof input === "string"
            ? input
            : JSON.stringify(input, null, 1),
      );
      console.error(
        `CRASH in ${target.name} (seed ${seed}): ${(err as Error).message.slice(0, 300)}\n  input: ${file}`,
      );
    }
  }
  rows.push(row);
}

await hdf5Reader.close();
console.log(`fuzz: ${seconds} s over ${targets.length} targets, base seed ${baseSeed}`);
console.log(
  `${"target".padEnd(16)} ${"tried".padStart(8)} ${"accepted".padStart(9)} ${"rejected".padStart(9)} ` +
    `${"stopped".padStart(8)} ${"crashed".padStart(8)}`,
);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(16)} ${String(r.tried).padStart(8)} ${String(r.accepted).padStart(9)} ` +
      `${String(r.rejected).padStart(9)} ${String(r.stopped).padStart(8)} ${String(r.crashed).padStart(8)}`,
  );
}
console.log('"stopped": an HDF5 read that hung, stopped by the 2 s limit with a clear error (a rejection).');
const crashed = rows.reduce((n, r) => n + r.crashed, 0);
console.log(`crashed: ${crashed}`);
process.exit(crashed > 0 ? 1 : 0);
