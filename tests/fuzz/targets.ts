/**
 * What the fuzz tests and `npm run fuzz` check, per input kind. Each `check` runs one input and
 * says "accepted" (and then the result was re-checked: valid, and stable under a round trip) or
 * "rejected" (with the project's own clear error). Anything else is a crash, thrown as FuzzCrash:
 * an unexpected exception type (TypeError, RangeError, ...), an empty message, an accepted
 * input that is not valid afterwards, or a state that changed although the input was rejected.
 */

import { canonicalJson } from "../../src/core/canonical-json";
import { resolveConfig } from "../../src/core/config/resolve";
import type { ImportedSurface } from "../../src/core/export/imported";
import { parseSnapshot, serializeSnapshot } from "../../src/core/snapshot/io";
import { DEFAULT_READ_LIMITS, type ReadLimits } from "../../src/core/snapshot/limits";
import { SnapshotError } from "../../src/core/snapshot/validate";
import { settingsProblems } from "../../src/state/config-map";
import { defaultSettings, type Settings, sameSettings } from "../../src/state/properties";
import { decodeHash, encodeHash } from "../../src/state/url";
import { applyValues } from "../../src/state/validate";
import type { HostileHdf5, HostileInput } from "./hostile";

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

/** Object.prototype's own keys when this module loaded: a reader that changed them polluted it. */
const OBJECT_PROTOTYPE_KEYS = Reflect.ownKeys(Object.prototype).map(String).sort().join(",");

/** Throws FuzzCrash when Object.prototype was changed, or a result's objects do not have it as prototype. */
export function checkPrototypes(target: string, input: unknown, result?: unknown): void {
  if (
    Object.getPrototypeOf(Object.prototype) !== null ||
    Reflect.ownKeys(Object.prototype).map(String).sort().join(",") !== OBJECT_PROTOTYPE_KEYS
  )
    throw new FuzzCrash(target, "Object.prototype was changed", input);
  const stack: unknown[] = [result];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== "object" || ArrayBuffer.isView(v)) continue;
    const proto = Object.getPrototypeOf(v);
    if (proto !== (Array.isArray(v) ? Array.prototype : Object.prototype))
      throw new FuzzCrash(target, "an object of the result has another prototype", input);
    for (const x of Object.values(v)) if (x !== null && typeof x === "object") stack.push(x);
  }
}

/**
 * Snapshot reader: bytes (JSON or gzip) in, read within `limits`. Accepted snapshots must
 * survive serialize -> parse with identical parameters and surfaces, and no object of the result
 * (nor Object.prototype) may have its prototype changed; rejections must be SnapshotErrors.
 */
export function checkSnapshotBytes(bytes: Uint8Array, limits: ReadLimits = DEFAULT_READ_LIMITS): Outcome {
  let snapshot: ReturnType<typeof parseSnapshot>;
  try {
    snapshot = parseSnapshot(bytes, { source: "fuzzed.json", limits });
  } catch (err) {
    checkPrototypes("snapshot", bytes);
    if (err instanceof SnapshotError && isClearError(err, /^fuzzed\.json has \d+ problems?:\n\S/))
      return "rejected";
    throw new FuzzCrash("snapshot", `unexpected error: ${String(err)}`, bytes, { cause: err });
  }
  checkPrototypes("snapshot", bytes, snapshot);
  let again: typeof snapshot;
  try {
    again = parseSnapshot(serializeSnapshot(snapshot, { gzip: false }), { limits });
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

/** The value at `path` of a JSON value, if every step is an own property. */
function ownAt(root: unknown, path: readonly (string | number)[]): { found: boolean } {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, key)) return { found: false };
    node = (node as Record<string | number, unknown>)[key];
  }
  return { found: true };
}

/**
 * A hostile input (hostile.ts): it must get the answer it was built for. A refusal must be a
 * SnapshotError whose message matches `expect`; an acceptance must pass checkSnapshotBytes and
 * keep `kept` (a "constructor" or "prototype" key) as data through a round trip.
 */
export function checkHostile(input: HostileInput): Outcome {
  let outcome: Outcome;
  try {
    outcome = checkSnapshotBytes(input.bytes, input.limits);
  } catch (err) {
    if (err instanceof FuzzCrash)
      throw new FuzzCrash(`hostile ${input.kind}`, err.message, input.bytes, { cause: err });
    throw err;
  }
  if (outcome === "rejected") {
    if (input.expect === "accepted")
      throw new FuzzCrash(`hostile ${input.kind}`, "rejected, but it must be read", input.bytes);
    let message = "";
    try {
      parseSnapshot(input.bytes, { source: "fuzzed.json", limits: input.limits });
    } catch (err) {
      message = (err as Error).message;
    }
    // A key that must be kept as data may be refused only by its name.
    const key = input.kept?.at(-1);
    if (input.expect === "either" && typeof key === "string" && !message.includes(key))
      throw new FuzzCrash(
        `hostile ${input.kind}`,
        `rejected without naming the key "${key}": ${JSON.stringify(message.slice(0, 300))}`,
        input.bytes,
      );
    if (input.expect instanceof RegExp) {
      if (!input.expect.test(message))
        throw new FuzzCrash(
          `hostile ${input.kind}`,
          `rejected with ${JSON.stringify(message.slice(0, 300))}, expected ${input.expect}`,
          input.bytes,
        );
    }
    return outcome;
  }
  if (input.expect instanceof RegExp)
    throw new FuzzCrash(
      `hostile ${input.kind}`,
      `accepted, but it must be refused (${input.expect})`,
      input.bytes,
    );
  if (input.kept) {
    const snapshot = parseSnapshot(input.bytes, { limits: input.limits });
    const back = JSON.parse(new TextDecoder().decode(serializeSnapshot(snapshot))) as unknown;
    if (!ownAt(back, input.kept).found)
      throw new FuzzCrash(
        `hostile ${input.kind}`,
        `the key at ${input.kept.join(".")} was lost in a round trip`,
        input.bytes,
      );
  }
  return outcome;
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

/**
 * A hostile HDF5 file (hostile.ts): read within its limits by `read` (the time-limited reader),
 * it must be refused with the expected message, or accepted with one value per grid point.
 */
export async function checkHostileHdf5(
  read: (bytes: Uint8Array, source: string, limits: ReadLimits) => Promise<ImportedSurface>,
  input: HostileHdf5,
): Promise<Outcome> {
  let imported: ImportedSurface;
  try {
    imported = await read(input.bytes, "fuzzed.h5", input.limits);
  } catch (err) {
    if (input.expect instanceof RegExp && isClearError(err, input.expect)) return "rejected";
    throw new FuzzCrash(
      `hostile hdf5 ${input.kind}`,
      `rejected with ${String(err).slice(0, 300)}, expected ${input.expect}`,
      input.bytes,
      { cause: err },
    );
  }
  if (input.expect !== "accepted")
    throw new FuzzCrash(
      `hostile hdf5 ${input.kind}`,
      `accepted, but it must be refused (${input.expect})`,
      input.bytes,
    );
  const points = imported.grid.axes.reduce((n, a) => n * a.count, 1);
  if (imported.surfaces.train_loss?.length !== points)
    throw new FuzzCrash(
      `hostile hdf5 ${input.kind}`,
      "accepted with a surface of the wrong size",
      input.bytes,
    );
  checkPrototypes(`hostile hdf5 ${input.kind}`, input.bytes, imported);
  return "accepted";
}
