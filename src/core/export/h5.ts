/**
 * The HDF5 library behind the HDF5 exports and imports: h5wasm (the HDF5 C library compiled to
 * WebAssembly), reached through a small adapter so that core never touches a real file system.
 * h5wasm works on files in an Emscripten file system, so bytes go in and out through a scratch
 * path: writing builds the file at the scratch path and reads its bytes back; reading writes the
 * bytes there first. The scratch file is removed afterwards.
 *
 * Two h5wasm entries fit the adapter:
 * - `h5wasm` (ESM, in-memory MEMFS, the wasm inlined): browsers, web workers and Node alike.
 *   `loadH5wasm()` loads it; the CLI uses it too, so no scratch file ever reaches the disk.
 * - `h5wasm/node` (NODERAWFS: its file system is the host's): pass it to `h5LibFromModule` with
 *   a scratch folder on disk, e.g. `h5LibFromModule(await import("h5wasm/node"), { scratchDir: os.tmpdir() })`.
 *
 * HDF5 errors become JavaScript Errors with the innermost HDF5 message (h5wasm's throwing error
 * handler is switched on for the duration of each call, so nothing is printed to stderr).
 *
 * @example const lib = await loadH5wasm(); const bytes = writeH5(lib, (f) => f.create_dataset({ name: "a", data: new Float64Array([1]) }));
 */
import type { Dataset as H5Dataset, File as H5File, Group as H5Group } from "h5wasm";
import {
  countText,
  DEFAULT_READ_LIMITS,
  limitHint,
  memoryForArray,
  ReadLimitError,
  type ReadLimits,
  sizeText,
} from "../snapshot/limits";

export type { H5Dataset, H5File, H5Group };

/** The part of the Emscripten FS API the adapter uses. */
interface H5FileSystem {
  writeFile(path: string, data: Uint8Array): void;
  readFile(path: string, opts: { encoding: "binary" }): Uint8Array;
  unlink(path: string): void;
}

/** A ready h5wasm instance plus where its scratch files go. */
export interface H5Lib {
  File: typeof H5File;
  Group: typeof H5Group;
  Dataset: typeof H5Dataset;
  FS: H5FileSystem;
  /** Folder (in the instance's file system) for scratch files. */
  scratchDir: string;
  /** Switches HDF5 errors between throwing (during our calls) and h5wasm's default. */
  errors?: { activate(): void; deactivate(): void };
}

/** What both h5wasm entries export (the module namespace or its default export). */
export interface H5WasmModuleLike {
  File: typeof H5File;
  Group: typeof H5Group;
  Dataset: typeof H5Dataset;
  ready: Promise<unknown>;
}

interface ReadyModule {
  FS: unknown;
  activate_throwing_error_handler?: () => number;
  deactivate_throwing_error_handler?: () => number;
}

/**
 * Adapter around a loaded h5wasm module (either entry). scratchDir defaults to "/tmp", which the
 * in-memory FS has; with `h5wasm/node` pass a real folder.
 */
export async function h5LibFromModule(
  mod: H5WasmModuleLike,
  opts: { scratchDir?: string } = {},
): Promise<H5Lib> {
  const ready = (await mod.ready) as ReadyModule;
  const on = ready.activate_throwing_error_handler;
  const off = ready.deactivate_throwing_error_handler;
  return {
    File: mod.File,
    Group: mod.Group,
    Dataset: mod.Dataset,
    FS: ready.FS as H5FileSystem,
    scratchDir: (opts.scratchDir ?? "/tmp").replace(/\/+$/, ""),
    errors:
      on && off
        ? {
            activate: () => void on.call(ready),
            deactivate: () => void off.call(ready),
          }
        : undefined,
  };
}

let loading: Promise<H5Lib> | null = null;

/**
 * The in-memory h5wasm (ESM entry), loaded once on first use: about 4 MB of JavaScript with the
 * wasm inlined, so it is imported only when an HDF5 export or import actually runs.
 */
export function loadH5wasm(): Promise<H5Lib> {
  loading ??= import("h5wasm").then((mod) => h5LibFromModule(mod));
  return loading;
}

let scratchCounter = 0;

/** A scratch file name no other call (or process sharing the folder) uses. */
function scratchPath(lib: H5Lib): string {
  const token = new Uint32Array(2);
  globalThis.crypto.getRandomValues(token);
  scratchCounter++;
  return `${lib.scratchDir}/landscape-${scratchCounter}-${token[0].toString(36)}${token[1].toString(36)}.h5`;
}

/** The innermost message of an HDF5 error stack ("truncated file: eof = ...") or the text itself. */
function hdf5ErrorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const frames = [...text.matchAll(/#\d+: .*? in [^(]*\(\): (.*)$/gm)];
  if (frames.length === 0) return text.split("\n")[0] || "unknown HDF5 error";
  return frames[frames.length - 1][1].trim();
}

function withErrors<T>(lib: H5Lib, fn: () => T): T {
  lib.errors?.activate();
  try {
    return fn();
  } finally {
    lib.errors?.deactivate();
  }
}

function removeQuietly(lib: H5Lib, path: string): void {
  try {
    lib.FS.unlink(path);
  } catch {
    // Never created (the failure came first) or already gone.
  }
}

/**
 * Builds an HDF5 file with `build` and returns its bytes.
 *
 * @example writeH5(lib, (f) => f.create_dataset({ name: "xcoordinates", data: Float64Array.of(-1, 0, 1) }));
 */
export function writeH5(lib: H5Lib, build: (file: H5File) => void): Uint8Array {
  const path = scratchPath(lib);
  try {
    return withErrors(lib, () => {
      const file = new lib.File(path, "w");
      try {
        build(file);
      } finally {
        file.close();
      }
      return lib.FS.readFile(path, { encoding: "binary" }).slice();
    });
  } catch (error) {
    if (error instanceof Error && !/HDF5-DIAG/.test(error.message)) throw error;
    throw new Error(`cannot write HDF5: ${hdf5ErrorMessage(error)}`, { cause: error });
  } finally {
    removeQuietly(lib, path);
  }
}

/** The 8-byte HDF5 format signature, \x89HDF\r\n\x1a\n. */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Offset of the HDF5 signature, or -1. The superblock sits at byte 0 or, after a user block, at
 * 512, 1024, 2048, ... (the HDF5 file format specification).
 */
export function hdf5SignatureOffset(bytes: Uint8Array): number {
  for (let at = 0; at + SIGNATURE.length <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (SIGNATURE.every((b, i) => bytes[at + i] === b)) return at;
  }
  return -1;
}

/**
 * Opens HDF5 bytes read-only and runs `read` on the file. Throws an Error starting with `source`
 * for bytes that are not HDF5, a truncated file, or any HDF5 failure while reading.
 */
export function readH5<T>(lib: H5Lib, bytes: Uint8Array, source: string, read: (file: H5File) => T): T {
  if (bytes.length === 0) throw new Error(`${source} is empty: not an HDF5 file`);
  if (hdf5SignatureOffset(bytes) < 0) {
    throw new Error(
      `${source} is not an HDF5 file: no HDF5 signature (\\x89HDF\\r\\n\\x1a\\n) at byte 0, 512, 1024, ...`,
    );
  }
  const path = scratchPath(lib);
  try {
    lib.FS.writeFile(path, bytes);
    return withErrors(lib, () => {
      let file: H5File;
      try {
        file = new lib.File(path, "r");
      } catch (error) {
        const message = hdf5ErrorMessage(error);
        const hint = /truncated/i.test(message) ? " (the file is truncated)" : "";
        throw new Error(`${source}: HDF5 cannot open it: ${message}${hint}`, { cause: error });
      }
      try {
        return read(file);
      } finally {
        file.close();
      }
    });
  } catch (error) {
    if (error instanceof Error && !/HDF5-DIAG/.test(error.message)) throw error;
    throw new Error(`${source}: HDF5 read failed: ${hdf5ErrorMessage(error)}`, { cause: error });
  } finally {
    removeQuietly(lib, path);
  }
}

/** H5T class numbers as h5wasm reports them in Dataset.metadata.type. */
const H5T_INTEGER = 0;
export const H5T_FLOAT = 1;
const H5T_STRING = 3;

/** "float64", "int32", "string", ... for messages. */
export function describeDtype(ds: H5Dataset): string {
  const m = ds.metadata;
  if (m.type === H5T_FLOAT) return `float${m.size * 8}`;
  if (m.type === H5T_INTEGER) return `${m.signed ? "int" : "uint"}${m.size * 8}`;
  if (m.type === H5T_STRING) return "string";
  return `HDF5 type class ${m.type}`;
}

/** Values a dataset declares: the product of its shape (1 for a scalar), read from its header. */
export function declaredValues(ds: H5Dataset | { shape: number[] | null }): number {
  let n = 1;
  for (const d of ds.shape ?? []) n *= d;
  return n;
}

/** Bytes a dataset takes once read: its declared values times the size of one. */
export function declaredBytes(ds: H5Dataset): number {
  return declaredValues(ds) * (ds.metadata.size || 1);
}

/** "train_loss [40000, 40000] float64" */
export function datasetText(ds: H5Dataset, name: string): string {
  return `${name} [${(ds.shape ?? []).join(", ")}] ${describeDtype(ds)}`;
}

/**
 * Throws a ReadLimitError when a dataset declares more values than one array may hold (checked
 * from its header: nothing is read). The HDF5 library would otherwise try to allocate whatever a
 * 600 KB file declares for a chunked dataset that was never written.
 */
export function checkDatasetSize(ds: H5Dataset, name: string, source: string, limits: ReadLimits): void {
  const values = declaredValues(ds);
  if (values <= limits.maxArrayValues) return;
  throw new ReadLimitError(
    `${source}: too large: dataset ${datasetText(ds, name)} would take ${sizeText(declaredBytes(ds))} once read ` +
      `(${countText(values)} values), more than ${countText(limits.maxArrayValues)} values, the limit for one array` +
      limitHint(limits, memoryForArray(values)),
  );
}

/**
 * A float dataset's values (float32 or float64) and shape; Errors name the dataset and its dtype,
 * or its size when it declares more values than `limits` allow (checked before reading).
 */
export function readFloatDataset(
  ds: H5Dataset,
  name: string,
  source: string,
  limits: ReadLimits = DEFAULT_READ_LIMITS,
): { values: Float32Array | Float64Array; shape: number[] } {
  const m = ds.metadata;
  if (m.type !== H5T_FLOAT || (m.size !== 4 && m.size !== 8)) {
    throw new Error(`${source}: dataset ${name} has dtype ${describeDtype(ds)}; expected float32 or float64`);
  }
  checkDatasetSize(ds, name, source, limits);
  const value = ds.value;
  if (!(value instanceof Float32Array || value instanceof Float64Array)) {
    throw new Error(`${source}: dataset ${name} could not be read as floating-point numbers`);
  }
  return { values: value, shape: ds.shape ?? [] };
}

/** The string value of a scalar or 1-element string attribute, if there is one (larger ones are not read). */
export function stringAttribute(obj: H5Dataset | H5Group, name: string): string | undefined {
  if (!Object.hasOwn(obj.attrs, name)) return undefined;
  const attr = obj.attrs[name];
  if (!attr || attr.metadata.type !== H5T_STRING || declaredValues(attr) > 1) return undefined;
  const v = attr.value;
  if (typeof v === "string") return v;
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === "string") return v[0];
  return undefined;
}
