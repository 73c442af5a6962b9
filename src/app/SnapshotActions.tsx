import { useRef } from "react";
import type { Lab } from "../compute/lab";
import { gridPointCount } from "../core/landscape/grid";
import { ownFilesOrigin } from "../state/origin";
import { appStore, useAppStore } from "../state/store";
import { ExportMenu } from "./ExportMenu";
import { ImportProgress } from "./io/ImportProgress";
import { importLandscapeFile } from "./io/import-files";
import { ownFilesExperiment } from "./io/own-files";
import { downloadBlob, readFileBytes, snapshotBlob, snapshotFileName } from "./io/snapshot-files";
import { CheckPlot } from "./review/CheckPlot";

/** File types the import accepts: snapshots and reference HDF5 surface files. */
const IMPORT_ACCEPT = ".json,.gz,.h5,.hdf5,application/json,application/gzip,application/x-hdf5";

/**
 * Reads a picked or dropped file (snapshot or reference .h5 surface) and shows it; a bad file
 * leaves the current view as it was and rejects with the message to show.
 */
export function importFile(lab: Lab, file: File): Promise<void> {
  return importLandscapeFile(lab, file, appStore);
}

/**
 * Your own data (and model): the picked files become the current experiment's data (and model),
 * computed like any experiment; a bad file fails the job with a message and the view stays.
 */
export async function runOwnFiles(lab: Lab, picked: readonly File[]): Promise<void> {
  const named = await Promise.all(picked.map(async (f) => ({ name: f.name, bytes: await readFileBytes(f) })));
  const base = appStore.getState().toExperimentConfig() as Record<string, unknown>;
  const { config, files, summary } = ownFilesExperiment(named, base);
  appStore.getState().notify(`running ${summary}`, "info");
  const names = named.map((f) => f.name).join(", ");
  await lab.runConfig(config, files, ownFilesOrigin(names, config, appStore.getState().settings));
}

/** Export (snapshot, and every other format in the menu), import, and pin for comparison. */
export function SnapshotActions({ lab, onError }: { lab: Lab | null; onError(message: string): void }) {
  const landscape = useAppStore((s) => s.landscape);
  const imported = useAppStore((s) => s.imported);
  const compare = useAppStore((s) => s.compare);
  const setCompare = useAppStore((s) => s.setCompare);
  const phase = useAppStore((s) => s.job.phase);
  const input = useRef<HTMLInputElement>(null);
  const own = useRef<HTMLInputElement>(null);
  const complete =
    landscape !== null && landscape.done >= gridPointCount(landscape.snapshot.grid) && phase !== "sampling";

  return (
    <div className="snapshot-actions">
      {imported ? (
        <span
          className="imported-badge"
          data-testid="imported-surface"
          title={`${imported.snapshot.source}: a surface file in the layout of the reference tool (${Object.values(imported.snapshot.names).join(", ")}), shown without recomputing. It has no model, data or directions, so inspecting points, pinning and the snapshot and directions exports are off.`}
        >
          imported surface: {imported.snapshot.source}
        </span>
      ) : null}
      <button
        type="button"
        data-testid="export"
        disabled={!complete}
        title="Download the landscape as a snapshot file (.json.gz)"
        onClick={() => {
          if (!landscape) return;
          snapshotBlob(landscape.snapshot)
            .then((blob) => downloadBlob(blob, snapshotFileName(landscape.snapshot)))
            .catch((err: Error) => onError(`export failed: ${err.message}`));
        }}
      >
        Export snapshot
      </button>
      <ExportMenu onError={onError} />
      <CheckPlot lab={lab} />
      <button
        type="button"
        data-testid="import"
        disabled={!lab}
        title="Import a snapshot (.json, .json.gz) or a surface file of the reference loss-landscape tool (.h5); or drop one on the page"
        onClick={() => input.current?.click()}
      >
        Import…
      </button>
      <input
        ref={input}
        type="file"
        accept={IMPORT_ACCEPT}
        data-testid="import-file"
        hidden
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = "";
          if (file && lab) importFile(lab, file).catch((err: Error) => onError(err.message));
        }}
      />
      <ImportProgress />
      <button
        type="button"
        data-testid="import-own"
        disabled={!lab}
        title="Your own data (a CSV file, or .npy features and labels) and optionally a model: a tfjs LayersModel (model.json with its .bin weight files) or an ONNX file from torch.onnx.export; pick them together"
        onClick={() => own.current?.click()}
      >
        Your model & data…
      </button>
      <input
        ref={own}
        type="file"
        multiple
        accept=".json,.bin,.onnx,.csv,.tsv,.txt,.npy"
        data-testid="import-own-files"
        hidden
        onChange={(e) => {
          const picked = [...(e.target.files ?? [])];
          e.target.value = "";
          if (picked.length > 0 && lab) runOwnFiles(lab, picked).catch((err: Error) => onError(err.message));
        }}
      />
      <button
        type="button"
        data-testid="pin"
        disabled={!complete}
        title="Keep this landscape beside the next one, on the same colour scale and camera"
        onClick={() => setCompare(landscape)}
      >
        Pin for comparison
      </button>
      {compare ? (
        <button
          type="button"
          data-testid="unpin"
          onClick={() => setCompare(null)}
          title="Drop the pinned landscape: the current one fills the views again"
        >
          Clear comparison
        </button>
      ) : null}
    </div>
  );
}
