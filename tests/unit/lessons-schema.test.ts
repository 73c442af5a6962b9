/**
 * The lesson format: every shipped lesson parses and the catalog lists exactly the files in
 * public/lessons; bad lesson files are rejected with an Error naming every bad field.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LESSONS } from "../../src/core/lessons/catalog";
import { isPathsLesson, parseAnyLesson } from "../../src/core/lessons/parse";
import { parseLesson } from "../../src/core/lessons/schema";

const folder = new URL("../../public/lessons/", import.meta.url);
const files = readdirSync(folder).filter((f) => f.endsWith(".json"));
const read = (file: string): unknown => JSON.parse(readFileSync(new URL(file, folder), "utf8"));

/** A small valid lesson; tests break one field at a time. */
function valid(): Record<string, unknown> {
  const config = (lr: number) => ({
    data: { name: "sine", trainCount: 16, testCount: 8 },
    model: { hiddenSizes: [4], activation: "tanh" },
    training: { optimizer: "sgd", momentum: 0, learningRate: lr, batchSize: "full", epochs: 5 },
    grid: { x: { count: 5 }, y: { count: 5 } },
  });
  return {
    format: "loss-landscape-lesson",
    version: 1,
    id: "tiny",
    title: "A tiny lesson",
    claim: "Something holds.",
    lookAt: "The numbers.",
    runs: [
      { label: "small", config: config(0.05) },
      { label: "large", config: config(0.25) },
    ],
    measure: { topK: 1, traceSamples: 0 },
    checks: [{ metric: "lambdaMax", relation: "greater", run: 0, than: 1, factor: 1.2 }],
  };
}

function withChange(change: (l: Record<string, unknown>) => void): Record<string, unknown> {
  const l = valid();
  change(l);
  return l;
}

const runs = (l: Record<string, unknown>) => l.runs as { label: string; config: Record<string, unknown> }[];

describe("the lesson catalog", () => {
  it("lists exactly the lesson files in public/lessons, at least six, each once", () => {
    expect(LESSONS.length).toBeGreaterThanOrEqual(6);
    expect(LESSONS.map((l) => l.file).sort()).toEqual([...files].sort());
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
  });

  for (const entry of LESSONS) {
    it(`${entry.file} parses, and its id and title are the catalog's`, () => {
      const lesson = parseAnyLesson(read(entry.file), entry.file);
      expect(lesson.id).toBe(entry.id);
      expect(entry.file).toBe(`${entry.id}.json`);
      expect(lesson.title).toBe(entry.title);
      expect(lesson.kind).toBe(entry.kind);
      if (isPathsLesson(lesson)) expect(lesson.run.config.paths).toBeTypeOf("object");
      else expect(lesson.runs).toHaveLength(2);
      expect(lesson.checks.length).toBeGreaterThan(0);
    });
  }
});

describe("parseLesson", () => {
  it("accepts a valid lesson and fills in the defaults", () => {
    const lesson = parseLesson(valid());
    expect(lesson.measure.maxIterations).toBe(100);
    expect(lesson.measure.seed).toBeUndefined();
    expect(lesson.checks[0]).toEqual({
      metric: "lambdaMax",
      relation: "greater",
      run: 0,
      than: 1,
      factor: 1.2,
    });
    const bound = parseLesson(withChange((l) => (l.checks = [{ relation: "atMostBound", run: 1 }])));
    expect(bound.checks[0]).toEqual({ relation: "atMostBound", metric: "lambdaMax", run: 1, factor: 1 });
    // The configs stay as written (runLesson resolves them).
    expect(lesson.runs[0].config).toEqual(runs(valid())[0].config);
  });

  it("rejects what is not a lesson, saying so", () => {
    expect(() => parseLesson(null)).toThrow(/invalid lesson/);
    expect(() => parseLesson([])).toThrow(/invalid lesson/);
    expect(() => parseLesson({ ...valid(), format: "loss-landscape-snapshot" })).toThrow(
      /format: must be "loss-landscape-lesson", got "loss-landscape-snapshot": this is not a lesson file/,
    );
    expect(() => parseLesson({ ...valid(), version: 2 })).toThrow(/version: unsupported version 2/);
  });

  it("names the source and every missing field", () => {
    const l = valid();
    delete l.title;
    delete l.claim;
    expect(() => parseLesson(l, "lessons/x.json")).toThrow(
      /invalid lesson lessons\/x\.json \(2 problems\):\n {2}title: missing; expected string\n {2}claim: missing/,
    );
  });

  const cases: [string, (l: Record<string, unknown>) => void, RegExp][] = [
    ["an id that is not lower-case words", (l) => (l.id = "Learning Rate"), /id: must be lower-case words/],
    ["an empty claim", (l) => (l.claim = "  "), /claim: must be a non-empty string/],
    ["a caveat that is not a string", (l) => (l.caveat = 3), /caveat:/],
    ["an unknown top-level key", (l) => (l.claims = []), /"claims"/],
    ["one run", (l) => (l.runs = runs(l).slice(0, 1)), /runs: must hold exactly 2 runs, got 1/],
    ["three runs", (l) => (l.runs = [...runs(l), runs(l)[0]]), /runs: must hold exactly 2 runs, got 3/],
    [
      "a run without a label",
      (l) => delete (runs(l)[1] as { label?: string }).label,
      /runs\[1\]\.label: missing/,
    ],
    [
      "a run config that is not an object",
      (l) => (runs(l)[0].config = [] as never),
      /runs\[0\]\.config: must be an experiment config object/,
    ],
    [
      "a bad value in a run's config",
      (l) => ((runs(l)[1].config.training as Record<string, unknown>).learningRate = -1),
      /runs\[1\]\.config\.training\.learningRate: Too small/,
    ],
    [
      "an unknown key in a run's config",
      (l) => (runs(l)[0].config.trainig = {}),
      /runs\[0\]\.config: Unrecognized key: "trainig"/,
    ],
    [
      "a bad dataset in a run's config",
      (l) => (runs(l)[0].config.data = { name: "mnist" }),
      /runs\[0\]\.config\.data\.name: unknown dataset "mnist"/,
    ],
    ["an unknown measure setting", (l) => (l.measure = { topk: 1 }), /measure: Unrecognized key: "topk"/],
    [
      "a bad measure value",
      (l) => (l.measure = { traceSamples: 1 }),
      /measure\.traceSamples: must be 0 \(skip\) or at least 2/,
    ],
    ["no checks", (l) => (l.checks = []), /checks: must hold at least one check/],
    [
      "an unknown metric",
      (l) => ((l.checks as object[])[0] = { metric: "sharpness", relation: "greater", run: 0, than: 1 }),
      /checks\[0\]\.metric: must be one of trainLoss, .*got "sharpness"/,
    ],
    [
      "an unknown relation",
      (l) => ((l.checks as object[])[0] = { metric: "trace", relation: "bigger", run: 0, than: 1 }),
      /checks\[0\]\.relation: must be one of greater, less, .*got "bigger"/,
    ],
    [
      "a run index out of range",
      (l) => ((l.checks as object[])[0] = { metric: "trace", relation: "less", run: 2, than: 1 }),
      /checks\[0\]\.run: must be 0 or 1/,
    ],
    [
      "a check comparing a run with itself",
      (l) => ((l.checks as object[])[0] = { metric: "trace", relation: "less", run: 1, than: 1 }),
      /checks\[0\]\.than: run and than must be different runs/,
    ],
    [
      "a factor below 1",
      (l) =>
        ((l.checks as object[])[0] = { metric: "trace", relation: "less", run: 0, than: 1, factor: 0.5 }),
      /checks\[0\]\.factor/,
    ],
    [
      "an equal check without a tolerance",
      (l) => ((l.checks as object[])[0] = { metric: "trainLoss", relation: "equal" }),
      /checks\[0\]\.tolerance: missing/,
    ],
    [
      "an unknown key in a check",
      (l) => ((l.checks as object[])[0] = { relation: "surfacesEqual", tolerance: 0.1, metric: "trainLoss" }),
      /checks\[0\]: Unrecognized key: "metric"/,
    ],
    [
      "atMost with a bad run",
      (l) => ((l.checks as object[])[0] = { relation: "atMost", metric: "trainLoss", run: "all", value: 1 }),
      /checks\[0\]\.run: must be 0, 1 or "both"/,
    ],
  ];
  for (const [what, change, message] of cases) {
    it(`rejects ${what}, naming the field`, () => {
      expect(() => parseLesson(withChange(change))).toThrow(message);
    });
  }

  it("rejects checks whose numbers the runs or the measure cannot give", () => {
    const check = (c: object, change?: (l: Record<string, unknown>) => void) =>
      withChange((l) => {
        l.checks = [c];
        change?.(l);
      });
    expect(() => parseLesson(check({ relation: "less", metric: "trace", run: 0, than: 1 }))).toThrow(
      /checks\[0\]\.metric: trace needs measure\.traceSamples >= 2/,
    );
    expect(() => parseLesson(check({ relation: "less", metric: "epsSharpness", run: 0, than: 1 }))).toThrow(
      /checks\[0\]\.metric: epsSharpness needs a box size in measure\.epsSharpness/,
    );
    expect(() =>
      parseLesson(check({ relation: "less", metric: "averageSharpness", run: 0, than: 1 })),
    ).toThrow(/averageSharpness needs a radius in measure\.averageRadius/);
    expect(() =>
      parseLesson(check({ relation: "atLeast", metric: "trainAccuracy", run: 0, value: 0.9 })),
    ).toThrow(/checks\[0\]\.metric: trainAccuracy needs a classification dataset, but runs\[0\] uses sine/);
    expect(() =>
      parseLesson(
        check({ relation: "less", metric: "gap", run: 0, than: 1 }, (l) => {
          (runs(l)[1].config.data as Record<string, unknown>).testCount = 0;
        }),
      ),
    ).toThrow(/checks\[0\]\.metric: gap needs a test split, but runs\[1\] has data\.testCount 0/);
    expect(() =>
      parseLesson(
        check({ relation: "atMostBound", run: 1 }, (l) => {
          (runs(l)[1].config.training as Record<string, unknown>).optimizer = "adam";
        }),
      ),
    ).toThrow(/checks\[0\]: the stability bound 2\/lr needs plain gradient descent .* runs\[1\] uses adam/);
    expect(() =>
      parseLesson(
        check({ relation: "atMostBound", run: 0 }, (l) => {
          (runs(l)[0].config.training as Record<string, unknown>).sam = { rho: 0.1 };
        }),
      ),
    ).toThrow(/runs\[0\] uses sgd with sam/);
    expect(() =>
      parseLesson(
        check({ relation: "surfacesEqual", tolerance: 1e-3 }, (l) => {
          runs(l)[1].config.grid = { x: { count: 7 }, y: { count: 5 } };
        }),
      ),
    ).toThrow(
      /checks\[0\]: surfacesEqual compares the runs' surfaces point by point, but their grids differ/,
    );
  });

  it("lists every problem of a file in one error", () => {
    const l = withChange((x) => {
      x.id = "";
      x.runs = runs(x).map((r) => ({ ...r, config: { ...r.config, seed: -1 } }));
      x.checks = [{ relation: "equal", metric: "trace" }];
    });
    const message = (() => {
      try {
        parseLesson(l, "bad.json");
        return "";
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message).toMatch(/^invalid lesson bad\.json \(4 problems\):/);
    for (const field of ["id:", "runs[0].config.seed:", "runs[1].config.seed:", "checks[0].tolerance:"])
      expect(message).toContain(field);
  });
});
