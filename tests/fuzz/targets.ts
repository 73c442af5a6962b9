/**
 * What the fuzz tests and `npm run fuzz` check, per input kind. Each `check` runs one input and
 * says "accepted" (and then the result was re-checked: valid, and stable under a round trip) or
 * "rejected" (with the project's own clear error). Anything else is a crash, thrown as FuzzCrash:
 * an unexpected exception type (TypeError, RangeError, ...), an empty message, an accepted
 * input that is not valid afterwards, or a state that changed although the input was rejected.
 */

import { canonicalJson } from "../../src/core/canonical-json";
import { resolveConfig } from "../../src/core/config/schema";
import type { ImportedSurface } from "../../src/core/export/imported";
import { parseSnapshot, serializeSnapshot } from "../../src/core/snapshot/io";
import { SnapshotError } from "../../src/core/snapshot/validate";
import { settingsProblems } from "../../src/state/config-map";
import { defaultSettings, type Settings, sameSettings } from "../../src/state/properties";
import { decodeHash, encodeHash } from "../../src/state/url";
import { applyValues } from "../../src/state/validate";

/** "stopped": a reader that hung was stopped by its time limit and said so (a clear rejection). */
export type Outcome = "accepted" | "rejected" | "stopped";

export class FuzzCrash extends Error {
  constructor(
    readonly target: string,
    message: string,
    readonly input: unknown,
    options?: { cause?: unknown },
  ) {
    super(`${target}: ${message}`, options);
    this.name = "FuzzCrash";
  }
}

/** An Error of the program's own making: not a runtime fault of the engine, and it says something. */
function isClearError(err: unknown, expectedPrefix?: RegExp): err is Error {
  if (!(err instanceof Error)) return false;
  if (err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError) return false;
  if (err.message.trim().length < 8) return false;
  return expectedPrefix ? expectedPrefix.test(err.message) : true;
}

function sameFloats(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * Snapshot reader: bytes (JSON or gzip) in. Accepted snapshots must survive serialize -> parse
 * with identical parameters and surfaces; rejections must be SnapshotErrors.
 */
export function checkSnapshotBytes(bytes: Uint8Array): Outcome {
  let snapshot: ReturnType<typeof parseSnapshot>;
  try {
    snapshot = parseSnapshot(bytes, { source: "fuzzed.json" });
  } catch (err) {
    if (err instanceof SnapshotError && isClearError(err, /^fuzzed\.json has \d+ problems?:\n\S/))
      return "rejected";
    throw new FuzzCrash("snapshot", `unexpected error: ${String(err)}`, bytes, { cause: err });
  }
  let again: typeof snapshot;
  try {
    again = parseSnapshot(serializeSnapshot(snapshot, { gzip: false }));
  } catch (err) {
    throw new FuzzCrash("snapshot", `accepted, but its own re-export is rejected: ${String(err)}`, bytes, {
      cause: err,
    });
  }
  if (!sameFloats(snapshot.model.parameters, again.model.parameters))
    throw new FuzzCrash("snapshot", "parameters changed in a round trip", bytes);
  for (const [name, values] of Object.entries(snapshot.surfaces)) {
    const other = again.surfaces[name];
    if (!other || !sameFloats(values, other))
      throw new FuzzCrash("snapshot", `surface ${name} changed in a round trip`, bytes);
  }
  return "accepted";
}

/**
 * Reference-layout HDF5 surface reader (h5wasm, behind the time-limited reader of
 * src/node/hdf5-guard.ts): bytes in. Accepted files must give a grid whose surfaces have one value
 * per grid point; rejections must be Errors that say what is wrong.
 */
export async function checkHdf5Surface(
  read: (bytes: Uint8Array, source: string) => Promise<ImportedSurface>,
  bytes: Uint8Array,
): Promise<Outcome> {
  let imported: ImportedSurface;
  try {
    imported = await read(bytes, "fuzzed.h5");
  } catch (err) {
    if (isClearError(err, /did not finish within/)) return "stopped";
    if (isClearError(err)) return "rejected";
    throw new FuzzCrash("hdf5", `unexpected error: ${String(err)}`, bytes, { cause: err });
  }
  const points = imported.grid.axes.reduce((n, a) => n * a.count, 1);
  for (const [name, values] of Object.entries(imported.surfaces)) {
    if (!(values instanceof Float32Array) || values.length !== points)
      throw new FuzzCrash(
        "hdf5",
        `accepted, but surface ${name} has ${values?.length} values for ${points} points`,
        bytes,
      );
  }
  if (!imported.surfaces.train_loss && Object.keys(imported.surfaces).length === 0)
    throw new FuzzCrash("hdf5", "accepted a file without any surface", bytes);
  return "accepted";
}

/** Config parser: any JSON value in. Accepted configs resolve to themselves (idempotent). */
export function checkConfig(value: unknown): Outcome {
  let resolved: ReturnType<typeof resolveConfig>;
  try {
    resolved = resolveConfig(value);
  } catch (err) {
    if (isClearError(err, /^invalid config \(\d+ problems?\):\n {2}\S/)) return "rejected";
    throw new FuzzCrash("config", `unexpected error: ${String(err)}`, value, { cause: err });
  }
  let again: ReturnType<typeof resolveConfig>;
  try {
    again = resolveConfig(JSON.parse(JSON.stringify(resolved)));
  } catch (err) {
    throw new FuzzCrash("config", `accepted, but its resolved form is rejected: ${String(err)}`, value, {
      cause: err,
    });
  }
  if (canonicalJson(again) !== canonicalJson(resolved))
    throw new FuzzCrash("config", "resolving the resolved config changed it", value);
  return "accepted";
}

/**
 * URL hash: any string in. decodeHash never throws; applying its values to a valid state gives a
 * valid state (nothing half-applied); the state's own hash reproduces the state. "rejected" when
 * anything was reported (ignored keys or values), "accepted" otherwise.
 */
export function checkHash(hash: string, base: Settings = defaultSettings()): Outcome {
  let decoded: ReturnType<typeof decodeHash>;
  let applied: ReturnType<typeof applyValues>;
  try {
    decoded = decodeHash(hash);
    applied = applyValues(base, decoded.values);
  } catch (err) {
    throw new FuzzCrash("url", `threw: ${String(err)}`, hash, { cause: err });
  }
  const invalid = settingsProblems(applied.settings);
  if (invalid.length > 0) throw new FuzzCrash("url", `left an invalid state: ${invalid.join("; ")}`, hash);
  for (const p of [...decoded.problems, ...applied.problems])
    if (typeof p !== "string" || p.trim().length < 8)
      throw new FuzzCrash("url", `unclear problem text ${JSON.stringify(p)}`, hash);
  const round = decodeHash(encodeHash(applied.settings));
  const reapplied = applyValues(base, round.values);
  if (round.problems.length > 0 || !sameSettings(reapplied.settings, applied.settings))
    throw new FuzzCrash(
      "url",
      `the state's own hash does not reproduce it (${round.problems.join("; ")})`,
      hash,
    );
  return decoded.problems.length + applied.problems.length > 0 ? "rejected" : "accepted";
}
