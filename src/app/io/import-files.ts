/**
 * Import of a picked or dropped file: a snapshot (.json, .json.gz), read and validated in the
 * snapshot worker, is shown through the lab like a computed landscape; an HDF5 surface file in
 * the reference tool's layout (.h5) is read in a throwaway worker with a time limit (a corrupt
 * file can hang the HDF5 library) and shown as an imported surface: drawn as it is, without a
 * model (ImportedLandscapeView in src/state/types.ts).
 * Both are read within the read limits (APP_READ_LIMITS: a file's data once read, any array,
 * JSON depth), checked before and while the work is done, never after; nothing heavy runs on the
 * page's thread, and an import that takes a while shows its progress with a Cancel button
 * (import-progress.ts). Any failure throws before the store is touched, so the view stays exactly
 * as it was; Cancel leaves it too, with a note.
 *
 * @example await importLandscapeFile(lab, file, appStore); // Error "import of run.h5 failed: ..." on a bad file
 */
import type { StoreApi } from "zustand";
import { readSurfaceInWorker } from "../../compute/hdf5-bridge";
import type { Lab } from "../../compute/lab";
import { parseSnapshotBlob } from "../../compute/snapshot-io-bridge";
import { MEMORY_BUDGET_BYTES } from "../../core/config/memory";
import { hdf5SignatureOffset } from "../../core/export/h5";
import type { ImportedSurface } from "../../core/export/imported";
import { checkSurfaceView, gridPoints } from "../../core/export/surface-view";
import {
  limitHint,
  maxFileBytes,
  memoryForData,
  type ReadLimits,
  readLimits,
  sizeText,
} from "../../core/snapshot/limits";
import { SnapshotError } from "../../core/snapshot/validate";
import { SURFACE_METRICS } from "../../state/properties";
import type { AppState } from "../../state/store";
import type { ImportedLandscapeView, SurfaceMetric } from "../../state/types";
import { beginImport } from "./import-progress";

/** The app's read limits: the core's defaults, saying where bigger files can be read. */
const APP_READ_LIMITS: ReadLimits = readLimits(
  MEMORY_BUDGET_BYTES,
  'the command line reads bigger files with --read-memory (README, "Robustness and security")',
);

/** What a file is read as: HDF5 by its signature (or its name), otherwise a snapshot. */
export function importKind(bytes: Uint8Array, name: string): "hdf5" | "snapshot" {
  if (hdf5SignatureOffset(bytes) >= 0) return "hdf5";
  return /\.(h5|hdf5|he5)$/i.test(name) ? "hdf5" : "snapshot";
}

/**
 * importKind of a file, reading only the 8 bytes at each place an HDF5 signature may sit (0, 512,
 * 1024, 2048, ...): a few small reads, whatever the file's size.
 */
async function importKindOfFile(file: Blob & { name: string }): Promise<"hdf5" | "snapshot"> {
  for (let at = 0; at + 8 <= file.size; at = at === 0 ? 512 : at * 2) {
    const head = new Uint8Array(await file.slice(at, at + 8).arrayBuffer());
    if (hdf5SignatureOffset(head) === 0) return "hdf5";
  }
  return importKind(new Uint8Array(0), file.name);
}

/** Import errors as one readable message (a SnapshotError lists every problem). */
export function importErrorText(err: unknown, fileName: string): string {
  if (err instanceof SnapshotError) {
    const more = err.problems.length > 5 ? "; …" : "";
    return `import of ${fileName} failed: ${err.problems.slice(0, 5).join("; ")}${more}`;
  }
  const message = err instanceof Error ? err.message : String(err);
  // The readers may already name the file ("x.json.gz: truncated gzip data", "x.h5 is not ..."); do not repeat it.
  let text = message;
  if (message.startsWith(`${fileName}: `)) text = message.slice(fileName.length + 2);
  else if (message.startsWith(`${fileName} `)) text = message.slice(fileName.length + 1);
  return `import of ${fileName} failed: ${text}`;
}

/**
 * The view of an imported surface file. Throws when the views cannot draw it (not 1 or 2 axes,
 * a surface of the wrong length).
 */
export function importedView(surface: ImportedSurface): ImportedLandscapeView {
  checkSurfaceView(surface, surface.source);
  const total = gridPoints(surface);
  return { kind: "imported-surface", snapshot: surface, done: total, total };
}

/**
 * The metric to show for `surfaces`: `current` when it is there, else the first of ours that
 * is (train_loss, test_loss, train_accuracy, test_accuracy), else `current` (the views then say
 * the surface is missing).
 */
export function metricToShow(current: SurfaceMetric, surfaces: readonly string[]): SurfaceMetric {
  if (surfaces.includes(current)) return current;
  return SURFACE_METRICS.find((m) => surfaces.includes(m)) ?? current;
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === "AbortError";
}

/**
 * Reads `file` (snapshot or HDF5 surface) and shows it; throws "import of NAME failed: ..." on
 * any problem. Cancelled (the progress line's button), it resolves with a note and changes nothing.
 */
export async function importLandscapeFile(lab: Lab, file: File, store: StoreApi<AppState>): Promise<void> {
  const run = beginImport(file.name, file.size);
  const limits = APP_READ_LIMITS;
  const { signal } = run;
  try {
    const max = maxFileBytes(limits);
    if (file.size > max) {
      throw new Error(
        `too large: the file is ${sizeText(file.size)}, more than the ${sizeText(max)} a file may be (its data ` +
          `once read may take ${sizeText(limits.maxReadBytes)})${limitHint(limits, memoryForData(file.size))}`,
      );
    }
    // Only the few bytes where an HDF5 signature may sit are read here; the file itself is read
    // by the worker that parses it (a Blob crosses as a handle), never on the page's thread.
    const kind = await importKindOfFile(file);
    if (signal.aborted) throw signal.reason;
    if (kind === "snapshot") {
      const snapshot = await parseSnapshotBlob(file, {
        source: file.name,
        limits,
        signal,
        onProgress: (p) => run.progress(p),
      });
      run.progress({ phase: "showing", done: 0, total: 0 });
      await lab.show(snapshot, { kind: "file", name: file.name });
      return;
    }
    run.progress({ phase: "reading HDF5", done: 0, total: 0 });
    const surface = await readSurfaceInWorker(file, file.name, undefined, { limits, signal });
    const view = importedView(surface);
    const st = store.getState();
    const metric = metricToShow(st.settings.metric, Object.keys(view.snapshot.surfaces));
    if (metric !== st.settings.metric) st.set("metric", metric);
    st.showImported(view);
    for (const warning of view.snapshot.warnings) st.notify(`${file.name}: ${warning}`, "warn");
  } catch (err) {
    if (isAbort(err)) {
      store.getState().notify(`import of ${file.name} cancelled; the view is as it was`, "info");
      return;
    }
    throw new Error(importErrorText(err, file.name));
  } finally {
    run.end();
  }
}
