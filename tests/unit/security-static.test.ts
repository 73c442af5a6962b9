/**
 * Imported files and URL hashes are data only: no code path of the app, the workers or the CLI
 * may turn text into code or markup. A scan of every source file for the sinks that could.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx|mjs|js)$/.test(name) && !name.includes(".generated.")) out.push(path);
  }
  return out;
}

/** Sinks that execute or parse text as code or HTML. */
const SINKS: [string, RegExp][] = [
  ["eval", /(^|[^\w.])eval\s*\(/],
  ["the Function constructor", /\bnew\s+Function\s*\(|(^|[^\w.])Function\s*\(\s*["'`]/],
  ["innerHTML / outerHTML", /\.(inner|outer)HTML\b/],
  ["insertAdjacentHTML", /\binsertAdjacentHTML\b/],
  ["dangerouslySetInnerHTML", /\bdangerouslySetInnerHTML\b/],
  ["document.write", /\bdocument\.write(ln)?\s*\(/],
  ["setTimeout/setInterval with a string", /\bset(Timeout|Interval)\s*\(\s*["'`]/],
  ["createContextualFragment", /\bcreateContextualFragment\b/],
];

describe("no source file turns text into code or markup", () => {
  const files = ["src", "workers"].flatMap((d) => sourceFiles(join(root, d)));

  it("scans the app, the workers, the core and the CLI", () => {
    expect(files.length).toBeGreaterThan(50);
  });

  for (const [what, pattern] of SINKS) {
    it(`uses no ${what}`, () => {
      const hits: string[] = [];
      for (const file of files) {
        readFileSync(file, "utf8")
          .split("\n")
          .forEach((line, i) => {
            // Comments may name a sink (to explain why it is avoided); code may not.
            const code = /^\s*(\*|\/\*)/.test(line) ? "" : line.replace(/\/\/.*$/, "");
            if (pattern.test(code)) hits.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
          });
      }
      expect(hits).toEqual([]);
    });
  }

  it("would notice a sink (the patterns match what they should)", () => {
    const samples: Record<string, string> = {
      eval: "const f = eval(text);",
      "the Function constructor": "const g = new Function('return 1');",
      "innerHTML / outerHTML": "el.innerHTML = name;",
      insertAdjacentHTML: "el.insertAdjacentHTML('beforeend', s)",
      dangerouslySetInnerHTML: "<div dangerouslySetInnerHTML={{ __html: s }} />",
      "document.write": "document.write(s)",
      "setTimeout/setInterval with a string": 'setTimeout("run()", 10)',
      createContextualFragment: "range.createContextualFragment(s)",
    };
    for (const [what, pattern] of SINKS) expect(pattern.test(samples[what]), what).toBe(true);
    expect(SINKS[0][1].test("retrieval(x)")).toBe(false);
  });
});
