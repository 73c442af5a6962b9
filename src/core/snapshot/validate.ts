/**
 * Validation of parsed snapshot JSON: structure (zod schema) first, then the cross-field rules.
 * Reports every problem, one `path: message` line each, so a user fixes a file in one pass.
 *
 * @example const result = checkSnapshot(JSON.parse(text)); if (!result.ok) console.error(result.problems.join("\n"));
 */
import { fillContractFields } from "./contract-fields";
import { formatIssues } from "./issues";
import { jsonTreeProblems } from "./json-limits";
import { DEFAULT_READ_LIMITS, ReadLimitError, type ReadLimits } from "./limits";
import { type Snapshot, snapshotSchema } from "./schema";
import { reviewSnapshot } from "./semantics";

type SnapshotCheck = { ok: true; snapshot: Snapshot; warnings: string[] } | { ok: false; problems: string[] };

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
    const lines = problems.map(shortened);
    super(`${source} has ${n} problem${n === 1 ? "" : "s"}:\n${lines.join("\n")}`, options);
    this.name = "SnapshotError";
    this.problems = lines;
    this.source = source;
  }
}

/** A problem line of at most MAX_PROBLEM_CHARS: a file's own long text must not become a page of message. */
const MAX_PROBLEM_CHARS = 1000;
function shortened(line: string): string {
  if (line.length <= MAX_PROBLEM_CHARS) return line;
  return `${line.slice(0, MAX_PROBLEM_CHARS)}... (${(line.length - MAX_PROBLEM_CHARS).toLocaleString("en-US")} more characters)`;
}

/**
 * Decodes and checks snapshot JSON (float arrays in either wire form). The tree is checked first
 * against `limits` (long strings, base64 arrays over the limit, nesting) and for the key
 * "__proto__", which is refused by name (json-limits.ts); cross-field rules run only when the
 * structure is sound, since they index into the fields the structure guarantees.
 */
export function checkSnapshot(json: unknown, limits: ReadLimits = DEFAULT_READ_LIMITS): SnapshotCheck {
  try {
    const refused = jsonTreeProblems(json, limits);
    if (refused.length > 0) return { ok: false, problems: refused };
  } catch (error) {
    if (error instanceof ReadLimitError) return { ok: false, problems: [error.message] };
    throw error;
  }
  // Fields the contract does not require (written by other programs) are derived first; what
  // cannot be derived is then named by the schema. Each derived field is a warning.
  const filled = fillContractFields(json);
  // safeParse runs the codecs forward like safeDecode, but accepts unknown input (typed JSON is not).
  const decoded = snapshotSchema.safeParse(filled.value, { reportInput: true });
  if (!decoded.success) return { ok: false, problems: formatIssues(decoded.error.issues) };
  const { problems, warnings } = reviewSnapshot(decoded.data);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    snapshot: decoded.data,
    warnings: [...filled.derived.map((d) => `derived ${d}`), ...warnings],
  };
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
