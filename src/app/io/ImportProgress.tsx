import { useStore } from "zustand";
import "./import-progress.css";
import { importProgressStore, stepText } from "./import-progress";

/**
 * The import that takes a while (import-progress.ts): the file, its step and how far it is, and
 * a Cancel button that stops it (the view stays as it was). Nothing while no import runs.
 */
export function ImportProgress() {
  const current = useStore(importProgressStore, (s) => s.current);
  if (!current?.shown) return null;
  const fraction = current.total > 0 ? Math.min(1, current.done / current.total) : undefined;
  const text = `importing ${current.file}: ${stepText(current)}…`;
  return (
    <span className="import-progress" data-testid="import-progress" role="status" aria-live="polite">
      <span className="import-progress-text" title={text}>
        {text}
      </span>
      <progress max={1} value={fraction} aria-label={`import of ${current.file}`} />
      <button type="button" data-testid="import-cancel" onClick={() => current.cancel()}>
        Cancel
      </button>
    </span>
  );
}
