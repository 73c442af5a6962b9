/**
 * Import of a picked or dropped file: a snapshot (.json, .json.gz), read and validated in the
 * snapshot worker, is shown through the lab like a computed landscape; an HDF5 surface file in
 * the reference tool's layout (.h5) is read in a throwaway worker with a time limit (a corrupt
 * file can hang the HDF5 library) and shown as an imported surface: drawn as it is, without a
 * model (ImportedLandscapeView in src/state/types.ts).
 * Any failure throws before the store is touched, so the view stays exactly as it was.
 *
 * @example await importLandscapeFile(lab, file, appStore); // Error "import of run.h5 failed: ..." on a bad file
 */
import type { StoreApi } from "zustand";
import { readSurfaceInWorker } from "../../compute/hdf5-bridge";
import type { Lab } from "../../compute/lab";
import { workerSnapshotCodec } from "../../compute/snapshot-io-bridge";
import { hdf5SignatureOffset } from "../../core/export/h5";
import type { ImportedSurface } from "../../core/export/imported";
import { checkSurfaceView, gridPoints } from "../../core/export/surface-view";
import { SnapshotError } from "../../core/snapshot";
import { SURFACE_METRICS } from "../../state/properties";
import type { AppState } from "../../state/store";
import type { ImportedLandscapeView, SurfaceMetric } from "../../state/types";
import { readFileBytes } from "./snapshot-files";

/** What a file is read as: HDF5 by its signature (or its name), otherwise a snapshot. */
export function importKind(bytes: Uint8Array, name: string): "hdf5" | "snapshot" {
  if (hdf5SignatureOffset(bytes) >= 0) return "hdf5";
  return /\.(h5|hdf5|he5)$/i.test(name) ? "hdf5" : "snapshot";
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

/** Reads `file` (snapshot or HDF5 surface) and shows it; throws "import of NAME failed: ..." on any problem. */
export async function importLandscapeFile(lab: Lab, file: File, store: StoreApi<AppState>): Promise<void> {
  try {
    const bytes = await readFileBytes(file);
    if (importKind(bytes, file.name) === "snapshot") {
      await lab.show(await workerSnapshotCodec.parse(bytes, { source: file.name }), {
        kind: "file",
        name: file.name,
      });
      return;
    }
    const view = importedView(await readSurfaceInWorker(bytes, file.name));
    const st = store.getState();
    const metric = metricToShow(st.settings.metric, Object.keys(view.snapshot.surfaces));
    if (metric !== st.settings.metric) st.set("metric", metric);
    st.showImported(view);
    for (const warning of view.snapshot.warnings) st.notify(`${file.name}: ${warning}`, "warn");
  } catch (err) {
    throw new Error(importErrorText(err, file.name));
  }
}
