/**
 * Lessons about paths between minima ("kind": "paths"): the format (bad files name every bad
 * field), the checks on a paths section, and each shipped paths lesson run headless exactly as the
 * CLI runs it (runPathsLesson: runPaths, then the checks), every check holding.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LESSONS } from "../../src/core/lessons/catalog";
import { formatNumber } from "../../src/core/lessons/checks";
import { parseAnyLesson } from "../../src/core/lessons/parse";
import {
  evaluatePathsChecks,
  PATH_METRIC_WORDS,
  PATH_SHORT,
  type PathsLesson,
  parsePathsLesson,
  pathsLessonNumbers,
} from "../../src/core/lessons/paths-lesson";
import { runPathsLesson } from "../../src/core/lessons/run-paths-lesson";
import type { PathsSection } from "../../src/core/snapshot/paths-section";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

/** A small valid paths lesson; tests break one field at a time. */
function valid(): Record<string, unknown> {
  return {
    format: "loss-landscape-lesson",
    version: 1,
    kind: "paths",
    id: "tiny-paths",
    title: "A tiny paths lesson",
    claim: "Something holds.",
    lookAt: "The barriers.",
    run: {
      label: "two tiny MLPs",
      config: {
        data: { name: "moons", trainCount: 32, testCount: 0 },
        model: { hiddenSizes: [4] },
        training: { epochs: 2 },
        paths: { seeds: [1, 2], curve: { epochs: 1 }, plane: { count: 5 } },
      },
    },
    checks: [{ relation: "atLeast", metric: "lossBarrier", path: "linear", value: 0.2 }],
  };
}

function broken(change: (l: Record<string, unknown>) => void): Record<string, unknown> {
  const l = valid();
  change(l);
  return l;
}

const config = (l: Record<string, unknown>) => (l.run as { config: Record<string, unknown> }).config;

describe("the paths lesson format", () => {
  it("parses a valid lesson, with the factor's default, through parseAnyLesson too", () => {
    const withLess = broken((l) => {
      l.checks = [{ relation: "less", metric: "lossBarrier", path: "curve", than: "linear" }];
    });
    const lesson = parsePathsLesson(withLess);
    expect(lesson.checks[0]).toEqual({
      relation: "less",
      metric: "lossBarrier",
      path: "curve",
      than: "linear",
      factor: 1,
    });
    expect(parseAnyLesson(valid()).kind).toBe("paths");
  });

  it("names every bad field of a paths lesson, each with its path", () => {
    const bad = broken((l) => {
      l.title = "";
      l.checks = [
        { relation: "atLeast", metric: "barrier", path: "linear", value: 0.2 },
        { relation: "surfacesEqual", tolerance: 0.1 },
        { relation: "less", metric: "lossBarrier", path: "curve", than: "curve" },
      ];
      config(l).training = { epochs: -1 };
    });
    let message = "";
    try {
      parsePathsLesson(bad, "bad.json");
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^invalid lesson bad\.json \(\d+ problems\):/);
    expect(message).toContain("title: must be a non-empty string");
    expect(message).toMatch(/checks\[0\]\.metric: must be one of lossBarrier, .*length, got "barrier"/);
    expect(message).toContain(
      'checks[1].relation: must be one of atMost, atLeast, less, greater in a paths lesson, got "surfacesEqual"',
    );
    expect(message).toContain("checks[2].than: path and than must be different paths");
    expect(message).toMatch(/run\.config\.training\.epochs: /);
  });

  it("refuses a run without a paths section, and checks of paths the run does not make", () => {
    expect(() => parsePathsLesson(broken((l) => delete config(l).paths))).toThrow(
      /run\.config\.paths: missing; a paths lesson runs a paths experiment/,
    );
    const noAlign = broken((l) => {
      (config(l).paths as Record<string, unknown>).align = false;
      l.checks = [
        { relation: "less", metric: "lossBarrier", path: "linear-aligned", than: "linear", factor: 2 },
        { relation: "atMost", metric: "testLossBarrier", path: "linear", value: 1 },
      ];
    });
    let message = "";
    try {
      parsePathsLesson(noAlign);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('checks[0].path: the run makes no "linear-aligned" path');
    expect(message).toContain(
      "checks[1].metric: testLossBarrier needs a test split, but data.testCount is 0",
    );
  });

  it("refuses an unknown kind by name", () => {
    expect(() =>
      parseAnyLesson(
        broken((l) => (l.kind = "valleys")),
        "v.json",
      ),
    ).toThrow(
      /invalid lesson v\.json \(1 problem\):\n {2}kind: must be "flatness" \(the default\) or "paths", got "valleys"/,
    );
  });
});

/** A section with just what the checks read: each path's kind, barriers and length. */
function section(paths: { kind: string; loss: number; error?: number; length?: number }[]): PathsSection {
  return {
    paths: paths.map((p) => ({
      kind: p.kind,
      length: p.length ?? 10,
      barriers: {
        train_loss: { linearExcess: p.loss, midpointMean: p.loss + 0.01, start: 0.02, end: 0.03 },
        ...(p.error === undefined ? {} : { train_error: { linearExcess: p.error } }),
      },
    })),
  } as unknown as PathsSection;
}

describe("paths lesson checks", () => {
  const lesson = parsePathsLesson(
    broken((l) => {
      l.checks = [
        { relation: "atLeast", metric: "lossBarrier", path: "linear", value: 0.2 },
        { relation: "atMost", metric: "lossBarrier", path: "curve", value: 0.05 },
        { relation: "less", metric: "lossBarrier", path: "linear-aligned", than: "linear", factor: 2 },
        { relation: "greater", metric: "length", path: "curve", than: "linear" },
        { relation: "atMost", metric: "errorBarrier", path: "linear", value: 0.5 },
      ];
    }),
  );

  it("decide each check on the named path's numbers, and say them", () => {
    const s = section([
      { kind: "linear", loss: 0.58, error: 0.33, length: 40 },
      { kind: "init-to-solution", loss: 0 },
      { kind: "bezier", loss: 0.007, length: 45 },
      { kind: "linear-aligned", loss: 0.07 },
    ]);
    const results = evaluatePathsChecks(lesson, s);
    expect(results.map((r) => r.holds)).toEqual([true, true, true, true, true]);
    expect(results[0].text).toBe("the loss barrier of the straight line is at least 0.2");
    expect(results[0].detail).toBe("0.58, needs >= 0.2");
    expect(results[2].text).toBe(
      "the loss barrier of the straight line after weight matching is lower than that of the straight line, by a factor of at least 2",
    );
    expect(results[2].detail).toBe("0.07 vs 0.58, needs aligned line x 2 < straight line");
  });

  it("fail where the numbers say so, and where a path or a number is missing", () => {
    const s = section([
      { kind: "linear", loss: 0.15, length: 40 },
      { kind: "polychain", loss: 0.09, length: 30 },
      { kind: "linear-aligned", loss: 0.1 },
    ]);
    const results = evaluatePathsChecks(lesson, s);
    expect(results.map((r) => r.holds)).toEqual([false, false, false, false, false]);
    expect(results[4].detail).toBe("error barrier of straight line not available");
    const none = evaluatePathsChecks(lesson, section([{ kind: "linear", loss: 0.5 }]));
    expect(none[1].detail).toBe("loss barrier of curve not available");
    expect(none[2].detail).toBe("loss barrier of aligned line not available");
  });

  it("tabulate every path the run made with every number it has", () => {
    const numbers = pathsLessonNumbers(
      section([
        { kind: "linear", loss: 0.5 },
        { kind: "bezier", loss: 0.01 },
      ]),
    );
    expect(numbers.paths).toEqual(["linear", "curve"]);
    expect(numbers.rows.map((r) => r.metric)).toEqual([
      "lossBarrier",
      "midpointLossBarrier",
      "startLoss",
      "endLoss",
      "length",
    ]);
    expect(numbers.rows[0].values).toEqual([0.5, 0.01]);
  });
});

const load = (file: string): PathsLesson =>
  parsePathsLesson(
    JSON.parse(readFileSync(new URL(`../../public/lessons/${file}`, import.meta.url), "utf8")),
    file,
  );

describe("each paths lesson shows the effect it claims", () => {
  for (const entry of LESSONS.filter((l) => l.kind === "paths")) {
    it(`${entry.id}: every check holds`, { timeout: 180_000 }, async () => {
      const lesson = load(entry.file);
      const t0 = performance.now();
      const before = tf.memory().numTensors;
      const result = await runPathsLesson(lesson, { backend: "wasm" });
      expect(tf.memory().numTensors).toBe(before);
      const section = result.snapshot.paths as PathsSection;
      const { paths, rows } = pathsLessonNumbers(section);
      console.log(
        `${entry.id} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n` +
          `  ${"".padEnd(40)} ${paths.map((p) => PATH_SHORT[p].padStart(14)).join(" ")}\n` +
          rows
            .map(
              (r) =>
                `  ${PATH_METRIC_WORDS[r.metric].padEnd(40)} ${r.values.map((v) => formatNumber(v).padStart(14)).join(" ")}`,
            )
            .join("\n") +
          `\n${result.checks.map((c) => `  ${c.holds ? "✓" : "✗"} ${c.text}: ${c.detail}`).join("\n")}`,
      );
      expect(result.warnings).toEqual([]);
      expect(result.checks).toHaveLength(lesson.checks.length);
      for (const c of result.checks) expect(c.holds, `${c.text}: ${c.detail}`).toBe(true);
    });
  }
});
