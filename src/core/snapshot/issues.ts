/**
 * Turns zod issues into one line per problem that starts with the JSON path, e.g.
 * `model.layout[1].shape[0]: expected number, got "64"`.
 *
 * @example formatIssues(result.error.issues); // ["version: unsupported version 2: ..."]
 */
import type { z } from "zod";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** JSON path of a value: `model.layout[0].shape`, `surfaces["train loss"]`, `(root)` for the document. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && IDENTIFIER.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === "" ? "(root)" : out;
}

/** Short description of a JSON value for messages: type plus a glimpse of the value. */
function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case "string":
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
    case "number":
    case "boolean":
      return String(value);
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type") {
    // Zod's "Invalid input: expected string, received undefined" hides that the field is absent.
    if (issue.input === undefined) return `missing (expected ${issue.expected})`;
    return `expected ${issue.expected}, got ${describeValue(issue.input)}`;
  }
  if (issue.code === "unrecognized_keys") return `unknown field(s) ${issue.keys.join(", ")}`;
  // Zod's own messages ("Invalid option: ...") omit the offending value; messages written in the
  // schema already name it.
  if (
    (issue.code === "invalid_value" || issue.code === "invalid_format") &&
    issue.message.startsWith("Invalid")
  ) {
    return `${issue.message}, got ${describeValue(issue.input)}`;
  }
  return issue.message.replace(/^Invalid input: /, "");
}

/** One `path: message` line per issue. Needs issues parsed with reportInput: true for the "got" part. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${jsonPath(issue.path)}: ${issueMessage(issue)}`);
}
