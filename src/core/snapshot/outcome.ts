/**
 * A snapshot reader's or writer's result, or its SnapshotError, as plain data that survives a
 * message to another thread. Comlink passes a thrown Error on as a plain Error with its name,
 * message and stack only, but the app reads a SnapshotError's `problems` (an import's message
 * lists them), so the snapshot worker returns an outcome and its caller rebuilds the error from it.
 *
 * @example const snapshot = unwrapSnapshotOutcome(snapshotOutcome(() => parseSnapshot(bytes, { source })));
 */
import { SnapshotError } from "./validate";

export type SnapshotOutcome<T> = { ok: true; value: T } | { ok: false; problems: string[]; source: string };

/** What `make` returns, or the SnapshotError it throws as data; any other error is thrown on. */
export function snapshotOutcome<T>(make: () => T): SnapshotOutcome<T> {
  try {
    return { ok: true, value: make() };
  } catch (error) {
    if (error instanceof SnapshotError) return { ok: false, problems: error.problems, source: error.source };
    throw error;
  }
}

/** The value of an outcome, or the SnapshotError it carries, rebuilt with the same message. */
export function unwrapSnapshotOutcome<T>(outcome: SnapshotOutcome<T>): T {
  if (!outcome.ok) throw new SnapshotError(outcome.problems, outcome.source);
  return outcome.value;
}
