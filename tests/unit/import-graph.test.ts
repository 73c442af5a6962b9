/**
 * The import graph reads as a stack (docs/ARCHITECTURE.md): no import cycles anywhere in src/ and
 * workers/, the top-level areas import only downwards (core at the bottom, the app at the top),
 * and inside src/core every folder imports only folders below it in CORE_STACK. A new folder
 * must be placed in the stack here. Type-only imports count: they are dependencies too.
 * Imports are read from the text with comments removed: `import ... from`, `export ... from`,
 * `import "x"` and `import("x")`, multi-line and `import type` included.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(__dirname, "../..");

/** src/core's folders from the bottom up ("(root)": the files directly in src/core). */
const CORE_STACK = [
  "(root)",
  "surface",
  "onnx",
  "data",
  "model",
  "align",
  "kernel",
  "directions",
  "landscape",
  "curvature",
  "train",
  "paths",
  "config",
  "snapshot",
  "export",
  "diagnose",
  "experiment",
  "lessons",
  "shards",
];

/** What each top-level area may import besides itself (everything may import core). */
const AREAS: Record<string, readonly string[]> = {
  core: [],
  node: ["core"],
  cli: ["core", "node"],
  library: ["core"],
  workers: ["core"],
  state: ["core"],
  compute: ["core", "state", "library", "workers"],
  scene: ["core", "state", "compute"],
  app: ["core", "state", "compute", "scene", "library", "workers"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts")]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

/**
 * The module specifiers a source imports or re-exports. Comments go first (a doc comment's
 * `@example import ... from "./x"` is not an import); a "//" inside a string can only cut that
 * line's rest, and no import specifier holds one.
 */
function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
  const specs: string[] = [];
  for (const m of code.matchAll(/\b(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) specs.push(m[1]);
  return specs;
}

/** file -> the project files it imports (relative imports that resolve). */
function importGraph(): Map<string, string[]> {
  const files = [...sourceFiles(join(ROOT, "src")), ...sourceFiles(join(ROOT, "workers"))];
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = importSpecifiers(readFileSync(file, "utf8"))
      .map((spec) => resolveImport(file, spec))
      .filter((t): t is string => t !== null);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected components with more than one file (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.map((f) => relative(ROOT, f)).sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

/** "core", "app", ... for src/<area>/..., "workers" for workers/... */
function areaOf(file: string): string {
  const parts = relative(ROOT, file).split("/");
  return parts[0] === "workers" ? "workers" : parts[1];
}

/** The src/core folder of a file, or null outside core. */
function coreFolder(file: string): string | null {
  const parts = relative(join(ROOT, "src", "core"), file).split("/");
  if (parts[0] === "..") return null;
  return parts.length === 1 ? "(root)" : parts[0];
}

const graph = importGraph();
const edges = [...graph].flatMap(([from, targets]) => targets.map((to) => [from, to] as const));
const show = ([from, to]: readonly [string, string]) => `${relative(ROOT, from)} -> ${relative(ROOT, to)}`;

describe("the import graph", () => {
  it("reads every source file and its imports", () => {
    expect(graph.size).toBeGreaterThan(300);
    expect(edges.length).toBeGreaterThan(1000);
  });

  it("has no import cycle", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("imports only downwards between the top-level areas", () => {
    for (const file of graph.keys()) expect(Object.keys(AREAS), relative(ROOT, file)).toContain(areaOf(file));
    const upward = edges.filter(([from, to]) => {
      const [a, b] = [areaOf(from), areaOf(to)];
      return a !== b && !AREAS[a].includes(b);
    });
    expect(upward.map(show)).toEqual([]);
  });

  it("imports only downwards inside src/core, along CORE_STACK", () => {
    const folders = new Set([...graph.keys()].map(coreFolder).filter((f): f is string => f !== null));
    for (const folder of folders)
      expect(CORE_STACK, `src/core/${folder} is not in CORE_STACK`).toContain(folder);
    const upward = edges.filter(([from, to]) => {
      const [a, b] = [coreFolder(from), coreFolder(to)];
      return a !== null && b !== null && a !== b && CORE_STACK.indexOf(b) > CORE_STACK.indexOf(a);
    });
    expect(upward.map(show)).toEqual([]);
  });

  it("reads imports of every form, and none from comments", () => {
    const source = [
      'import { a } from "./a";',
      'import type {\n  B,\n  C,\n} from "../b";',
      'export { d } from "./d";',
      'import "./side-effect";',
      'const e = await import("./e");',
      '/** @example import { x } from "./not-an-import"; */',
      '// import { y } from "./nor-this";',
      'const url = "https://example.org"; import { f } from "./f";',
    ].join("\n");
    expect(importSpecifiers(source)).toEqual(["./a", "../b", "./d", "./side-effect", "./e", "./f"]);
  });

  it("loads no tfjs from the config and snapshot readers, nor on the app's main thread", () => {
    // Runtime imports only: `import type` and `export type` are erased before anything loads.
    const runtime = (file: string) =>
      [
        ...readFileSync(file, "utf8")
          .replace(/\/\*[\s\S]*?\*\//g, "")
          .replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1")
          .matchAll(
            /\b(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(?\s*["']([^"']+)["']/g,
          ),
      ]
        .map((m) => resolveImport(file, m[1] ?? m[2]))
        .filter((t): t is string => t !== null);
    const reachable = (entry: string) => {
      const seen = new Set<string>();
      const todo = [join(ROOT, entry)];
      while (todo.length > 0) {
        const f = todo.pop() as string;
        if (seen.has(f)) continue;
        seen.add(f);
        todo.push(...runtime(f));
      }
      return seen;
    };
    const tf = join(ROOT, "src/core/tf.ts");
    for (const entry of [
      "src/core/config/resolve.ts",
      "src/core/snapshot/validate.ts",
      "src/core/snapshot/io.ts",
      "src/app/main.tsx",
    ]) {
      const files = reachable(entry);
      expect(files.size, entry).toBeGreaterThan(3);
      expect(files.has(tf), `${entry} loads src/core/tf.ts`).toBe(false);
    }
    // The check itself: the forward pass does load it.
    expect(reachable("src/core/model/forward.ts").has(tf)).toBe(true);
  });

  it("would catch a cycle and an upward import (the checks themselves)", () => {
    const a = join(ROOT, "src/core/model/a.ts");
    const b = join(ROOT, "src/core/model/b.ts");
    expect(
      cycles(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ),
    ).toEqual([["src/core/model/a.ts", "src/core/model/b.ts"]]);
    expect(CORE_STACK.indexOf(coreFolder(join(ROOT, "src/core/snapshot/x.ts")) as string)).toBeGreaterThan(
      CORE_STACK.indexOf(coreFolder(join(ROOT, "src/core/model/y.ts")) as string),
    );
    expect(areaOf(join(ROOT, "src/compute/x.ts"))).toBe("compute");
    expect(AREAS.compute).not.toContain("app");
  });
});
