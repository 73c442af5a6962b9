/**
 * Snapshot files in the browser: export the current landscape as a download and read a dropped or
 * picked file back. Writing, parsing and validation are the same pure functions the CLI uses, run
 * in the snapshot worker (src/compute/snapshot-io-bridge.ts) so the page does not stall; a bad
 * file rejects with a SnapshotError that names the file and every problem, and the caller keeps
 * the current view.
 */
import { workerSnapshotCodec } from "../../compute/snapshot-io-bridge";
import type { Snapshot } from "../../core/snapshot/schema";

/** Largest file (snapshot or HDF5) accepted, so a wrong drop cannot freeze the tab. */
const MAX_SNAPSHOT_BYTES = 256 * 2 ** 20;

/** The stem of a snapshot's file names: dataset, architecture and time, e.g. "spirals-2-32-32-2-20261127-1012". */
export function snapshotStem(s: Pick<Snapshot, "model" | "data" | "createdAt">): string {
  const a = s.model.architecture;
  const sizes = [a.inputSize, ...(a.kind === "mlp" ? a.hiddenSizes : []), a.outputSize].join("-");
  const stamp = s.createdAt.replace(/[-:]/g, "").replace("T", "-").slice(0, 13);
  const safe = s.data.name.replace(/[^a-z0-9_-]+/gi, "_").slice(0, 40) || "landscape";
  return `${safe}-${sizes}-${stamp}`;
}

/** A file name for a snapshot: dataset, architecture and time, e.g. "spirals-2-32-32-2-20261127-1012.json.gz". */
export function snapshotFileName(s: Snapshot, gzip = true): string {
  return `${snapshotStem(s)}.json${gzip ? ".gz" : ""}`;
}

/** Serialize (validated; base64 arrays; gzip by default) into a Blob for download. */
export async function snapshotBlob(s: Snapshot, gzip = true): Promise<Blob> {
  const bytes = await workerSnapshotCodec.serialize(s, { gzip, arrays: "base64" });
  return new Blob([bytes as BlobPart], { type: gzip ? "application/gzip" : "application/json" });
}

/** Start a browser download of a Blob. */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.rel = "noopener";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The file's bytes, refused above MAX_SNAPSHOT_BYTES (a wrong drop must not freeze the tab). */
export async function readFileBytes(file: Blob & { name?: string }): Promise<Uint8Array> {
  const name = file.name ?? "file";
  if (file.size > MAX_SNAPSHOT_BYTES) {
    throw new Error(
      `${name} is ${(file.size / 2 ** 20).toFixed(0)} MB; files up to ${MAX_SNAPSHOT_BYTES / 2 ** 20} MB are accepted`,
    );
  }
  return new Uint8Array(await file.arrayBuffer());
}
