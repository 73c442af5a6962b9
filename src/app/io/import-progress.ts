/**
 * The import that is running, for the progress line and its Cancel button (ImportProgress.tsx):
 * which file, which step, how far, and how to cancel it. Imports of small files finish before
 * the line shows (SHOW_AFTER_MS), so only a file that takes a while is announced.
 *
 * @example const run = beginImport("big.json.gz", file.size); run.progress({ phase: "inflating", done, total }); run.end();
 */
import { createStore } from "zustand/vanilla";

/** An import running longer than this shows its progress line. */
const SHOW_AFTER_MS = 250;

interface ImportStep {
  /** "reading", "inflating", "parsing", "validating", "reading HDF5", "showing". */
  phase: string;
  /** Bytes done and in all, when the step can say (inflating); 0 and 0 otherwise. */
  done: number;
  total: number;
}

interface RunningImport extends ImportStep {
  id: number;
  file: string;
  /** The file's size in bytes. */
  size: number;
  /** Whether the line is shown (after SHOW_AFTER_MS). */
  shown: boolean;
  cancel(): void;
}

export const importProgressStore = createStore<{ current: RunningImport | null }>(() => ({ current: null }));

let nextId = 1;

/**
 * Announces an import; returns its AbortSignal (Cancel aborts it), a progress reporter, and `end`,
 * which removes the line (call it however the import ends).
 */
export function beginImport(
  file: string,
  size: number,
): { signal: AbortSignal; progress(step: ImportStep): void; end(): void } {
  const id = nextId++;
  const controller = new AbortController();
  const update = (patch: Partial<RunningImport>) => {
    const current = importProgressStore.getState().current;
    if (current?.id === id) importProgressStore.setState({ current: { ...current, ...patch } });
  };
  importProgressStore.setState({
    current: {
      id,
      file,
      size,
      phase: "reading",
      done: 0,
      total: 0,
      shown: false,
      cancel: () => controller.abort(),
    },
  });
  const timer = setTimeout(() => update({ shown: true }), SHOW_AFTER_MS);
  return {
    signal: controller.signal,
    progress: (step) => update(step),
    end: () => {
      clearTimeout(timer);
      if (importProgressStore.getState().current?.id === id) importProgressStore.setState({ current: null });
    },
  };
}

/** "inflating 12 of 40 MB", "parsing", ... for the line. */
export function stepText(step: ImportStep): string {
  if (step.total > 0) {
    const mb = (n: number) => (n / 2 ** 20).toFixed(n < 10 * 2 ** 20 ? 1 : 0);
    return `${step.phase} ${mb(step.done)} of ${mb(step.total)} MB`;
  }
  return step.phase;
}
