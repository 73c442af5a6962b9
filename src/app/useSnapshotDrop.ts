import { useEffect } from "react";
import type { Lab } from "../compute/lab";
import { importSnapshotFile } from "./SnapshotActions";

/** A snapshot file dropped anywhere on the page is imported (a bad file leaves the view as it was). */
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
      importSnapshotFile(lab, file).catch((err: Error) => onError(err.message));
    };
    window.addEventListener("dragover", over);
    window.addEventListener("drop", drop);
    return () => {
      window.removeEventListener("dragover", over);
      window.removeEventListener("drop", drop);
    };
  }, [lab, onError]);
}
