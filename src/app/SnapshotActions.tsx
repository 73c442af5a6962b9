import { useRef } from "react";
import type { Lab } from "../compute/lab";
import { gridPointCount } from "../core/landscape/grid";
import { SnapshotError } from "../core/snapshot";
import { useAppStore } from "../state/store";
import { downloadBlob, readSnapshotBlob, snapshotBlob, snapshotFileName } from "./io/snapshot-files";

/** Import errors as one readable message (a SnapshotError lists every problem). */
export function importErrorText(err: unknown, fileName: string): string {
  if (err instanceof SnapshotError) {
    const more = err.problems.length > 5 ? "; …" : "";
    return `import of ${fileName} failed: ${err.problems.slice(0, 5).join("; ")}${more}`;
  }
  const message = err instanceof Error ? err.message : String(err);
  // parseSnapshot may already name the file ("x.json.gz: truncated gzip data"); do not repeat it.
  const text = message.startsWith(`${fileName}: `) ? message.slice(fileName.length + 2) : message;
  return `import of ${fileName} failed: ${text}`;
}

/** Read a file as a snapshot and show it; a bad file leaves the current view as it was. */
export async function importSnapshotFile(lab: Lab, file: File): Promise<void> {
  try {
    const snapshot = await readSnapshotBlob(file);
    await lab.show(snapshot);
  } catch (err) {
    throw new Error(importErrorText(err, file.name));
  }
}

/** Export, import, and pin for comparison. */
export function SnapshotActions({ lab, onError }: { lab: Lab | null; onError(message: string): void }) {
  const landscape = useAppStore((s) => s.landscape);
  const compare = useAppStore((s) => s.compare);
  const setCompare = useAppStore((s) => s.setCompare);
  const phase = useAppStore((s) => s.job.phase);
  const input = useRef<HTMLInputElement>(null);
  const complete =
    landscape !== null && landscape.done >= gridPointCount(landscape.snapshot.grid) && phase !== "sampling";

  return (
    <div className="snapshot-actions">
      <button
        type="button"
        data-testid="export"
        disabled={!complete}
        title="Download the landscape as a snapshot file (.json.gz)"
        onClick={() => {
          if (!landscape) return;
          try {
            downloadBlob(snapshotBlob(landscape.snapshot), snapshotFileName(landscape.snapshot));
          } catch (err) {
            onError(`export failed: ${(err as Error).message}`);
          }
        }}
      >
        Export snapshot
      </button>
      <button type="button" data-testid="import" disabled={!lab} onClick={() => input.current?.click()}>
        Import snapshot…
      </button>
      <input
        ref={input}
        type="file"
        accept=".json,.gz,application/json,application/gzip"
        data-testid="import-file"
        hidden
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = "";
          if (file && lab) importSnapshotFile(lab, file).catch((err: Error) => onError(err.message));
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
        <button type="button" data-testid="unpin" onClick={() => setCompare(null)}>
          Clear comparison
        </button>
      ) : null}
    </div>
  );
}
