/**
 * A throwaway worker for HDF5 files (src/compute/hdf5-bridge.ts starts one per file and
 * terminates it afterwards): reading a reference-layout surface file, writing surface and
 * directions files. It exists apart from the main thread because h5wasm is 4 MB of JavaScript
 * with the wasm inlined, and because the HDF5 C library can loop forever on some corrupt files
 * (found by `npm run fuzz`): a synchronous wasm loop cannot be interrupted from its own thread, so
 * the bridge terminates this worker when a read takes too long.
 */
import "../src/core/zod-jitless"; // first: before any zod schema is built (see the module)
import { expose, transfer } from "comlink";
import { loadH5wasm } from "../src/core/export/h5";
import { type DirectionsExportSource, directionsToHdf5 } from "../src/core/export/hdf5-directions";
import {
  type Hdf5SurfaceOptions,
  readHdf5Surface,
  type SurfaceExportSource,
  surfaceToHdf5,
} from "../src/core/export/hdf5-surface";
import type { ImportedSurface } from "../src/core/export/imported";
import type { ReadLimits } from "../src/core/snapshot/limits";
import { buffersOf } from "./transfer";

const api = {
  /** Loads h5wasm (the bridge times the reading itself only after this). */
  async ready(): Promise<true> {
    await loadH5wasm();
    return true;
  },

  /**
   * A reference-layout surface file (bytes, or a File or Blob read here) read into an
   * ImportedSurface (its arrays transferred back),
   * within `limits` (default DEFAULT_READ_LIMITS): datasets declaring more are refused from their
   * headers, before the HDF5 library allocates anything for them.
   */
  async readSurface(input: Uint8Array | Blob, source: string, limits?: ReadLimits): Promise<ImportedSurface> {
    const bytes = input instanceof Uint8Array ? input : new Uint8Array(await input.arrayBuffer());
    const surface = readHdf5Surface(await loadH5wasm(), bytes, { source, limits });
    return transfer(surface, buffersOf(surface));
  },

  /** The bytes of a surface file in the reference tool's layout. */
  async writeSurface(view: SurfaceExportSource, opts: Hdf5SurfaceOptions = {}): Promise<Uint8Array> {
    const bytes = surfaceToHdf5(await loadH5wasm(), view, opts);
    return transfer(bytes, buffersOf(bytes));
  },

  /** The bytes of a directions file in the reference tool's layout. */
  async writeDirections(source: DirectionsExportSource): Promise<Uint8Array> {
    const bytes = directionsToHdf5(await loadH5wasm(), source);
    return transfer(bytes, buffersOf(bytes));
  },
};

export type Hdf5Api = typeof api;

expose(api);
