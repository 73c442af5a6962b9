import { useEffect } from "react";
import type { Lab } from "../compute/lab";
import { areOwnFiles } from "./io/own-files";
import { importFile, runOwnFiles } from "./SnapshotActions";

/**
 * A file dropped anywhere on the page is imported: a snapshot, or a reference HDF5 surface file
 * (a bad file leaves the view as it was and posts the message). Dropped data files (CSV, .npy),
 * with a model.json and its weights or without, run as your own model and data.
 */
export function useSnapshotDrop(lab: Lab | null, onError: (message: string) => void): void {
  useEffect(() => {
    if (!lab) return;
    const over = (e: DragEvent) => {
      if (e.dataTransfer?.types.includes("Files")) e.preventDefault();
    };
    const drop = (e: DragEvent) => {
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length === 0) return;
      e.preventDefault();
      const run = areOwnFiles(files.map((f) => f.name)) ? runOwnFiles(lab, files) : importFile(lab, files[0]);
      run.catch((err: Error) => onError(err.message));
    };
    window.addEventListener("dragover", over);
    window.addEventListener("drop", drop);
    return () => {
      window.removeEventListener("dragover", over);
      window.removeEventListener("drop", drop);
    };
  }, [lab, onError]);
}
