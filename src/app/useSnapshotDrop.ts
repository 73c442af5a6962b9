import { useEffect } from "react";
import type { Lab } from "../compute/lab";
import { importFile } from "./SnapshotActions";

/**
 * A file dropped anywhere on the page is imported: a snapshot, or a reference HDF5 surface file
 * (a bad file leaves the view as it was and posts the message).
 */
export function useSnapshotDrop(lab: Lab | null, onError: (message: string) => void): void {
  useEffect(() => {
    if (!lab) return;
    const over = (e: DragEvent) => {
      if (e.dataTransfer?.types.includes("Files")) e.preventDefault();
    };
    const drop = (e: DragEvent) => {
      const file = e.dataTransfer?.files[0];
      if (!file) return;
      e.preventDefault();
      importFile(lab, file).catch((err: Error) => onError(err.message));
    };
    window.addEventListener("dragover", over);
    window.addEventListener("drop", drop);
    return () => {
      window.removeEventListener("dragover", over);
      window.removeEventListener("drop", drop);
    };
  }, [lab, onError]);
}
