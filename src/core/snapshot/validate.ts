/**
 * Validation of parsed snapshot JSON: structure (zod schema) first, then the cross-field rules.
 * Reports every problem, one `path: message` line each, so a user fixes a file in one pass.
 *
 * @example const result = checkSnapshot(JSON.parse(text)); if (!result.ok) console.error(result.problems.join("\n"));
 */
import { formatIssues } from "./issues";
import { type Snapshot, snapshotSchema } from "./schema";
import { reviewSnapshot } from "./semantics";

export type SnapshotCheck =
  | { ok: true; snapshot: Snapshot; warnings: string[] }
  | { ok: false; problems: string[] };

/**
 * Thrown for anything that is not a usable snapshot. `problems` holds one line per problem; the
 * message's first line says how many there are and where they came from.
 */
export class SnapshotError extends Error {
  readonly problems: string[];
  /** What was read; kept so the error can be rebuilt, message and all, on another thread (outcome.ts). */
  readonly source: string;

  /** @param source what was read, e.g. a file name; "snapshot" when unknown. */
  constructor(problems: string[], source = "snapshot", options?: { cause?: unknown }) {
    const n = problems.length;
    super(`${source} has ${n} problem${n === 1 ? "" : "s"}:\n${problems.join("\n")}`, options);
    this.name = "SnapshotError";
    this.problems = problems;
    this.source = source;
  }
}

/**
 * Decodes and checks snapshot JSON (float arrays in either wire form). Cross-field rules run only
 * when the structure is sound, since they index into the fields the structure guarantees.
 */
export function checkSnapshot(json: unknown): SnapshotCheck {
  // safeParse runs the codecs forward like safeDecode, but accepts unknown input (typed JSON is not).
  const decoded = snapshotSchema.safeParse(json, { reportInput: true });
  if (!decoded.success) return { ok: false, problems: formatIssues(decoded.error.issues) };
  const { problems, warnings } = reviewSnapshot(decoded.data);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, snapshot: decoded.data, warnings };
}

/**
 * The decoded snapshot, or a SnapshotError listing every problem.
 *
 * @example const snapshot = assertSnapshot(JSON.parse(text));
 */
export function assertSnapshot(json: unknown, source?: string): Snapshot {
  const result = checkSnapshot(json);
  if (!result.ok) throw new SnapshotError(result.problems, source);
  return result.snapshot;
}
