/**
 * The "gnn-oversmoothing" lesson holds over the seeds it claims (1 to 9), run headless exactly as
 * the CLI and the app run it (runLesson), and its collapse metrics are what they say.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatNumber } from "../../src/core/lessons/checks";
import { rankOneResidual } from "../../src/core/lessons/embedding-collapse";
import { runLesson } from "../../src/core/lessons/run";
import { type Lesson, parseLesson } from "../../src/core/lessons/schema";
import { tf } from "../../src/core/tf";
import { withWasmBackend } from "./helpers/backend";

withWasmBackend();

const json = JSON.parse(
  readFileSync(new URL("../../public/lessons/gnn-oversmoothing.json", import.meta.url), "utf8"),
);
const lesson: Lesson = parseLesson(json, "gnn-oversmoothing.json");

describe("gnn-oversmoothing", () => {
  it("every check holds for seeds 1 to 9, and no tensor is left behind", { timeout: 240_000 }, async () => {
    const before = tf.memory().numTensors;
    const lines: string[] = [];
    for (let seed = 1; seed <= 9; seed++) {
      const result = await runLesson(lesson, { backend: "wasm", seed });
      const [a, b] = result.metrics;
      lines.push(
        `seed ${seed}: off rank 1 ${formatNumber(a.rankOneResidual)} / ${formatNumber(b.rankOneResidual)}, ` +
          `Dirichlet ${formatNumber(a.dirichletEnergy)} / ${formatNumber(b.dirichletEnergy)}, ` +
          `test acc ${formatNumber(a.testAccuracy)} / ${formatNumber(b.testAccuracy)}, ` +
          `train loss ${formatNumber(a.trainLoss)} / ${formatNumber(b.trainLoss)}, ` +
          `avg sharpness ${formatNumber(a.averageSharpness)} / ${formatNumber(b.averageSharpness)}`,
      );
      expect(result.warnings).toEqual([]);
      for (const c of result.checks) expect(c.holds, `seed ${seed}: ${c.text}: ${c.detail}`).toBe(true);
    }
    console.log(`gnn-oversmoothing (2 layers / 8 layers)\n  ${lines.join("\n  ")}`);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("refuses a collapse metric on a run that is not a GCN", () => {
    const mlp = structuredClone(json);
    mlp.runs[0].config = { data: { name: "moons" }, model: { hiddenSizes: [4] } };
    expect(() => parseLesson(mlp)).toThrow(
      /checks\[0\]\.metric: rankOneResidual measures a GCN's node embeddings, but runs\[0\] has model.kind mlp/,
    );
  });
});

describe("rankOneResidual", () => {
  it("is 0 for parallel rows, the off-direction share otherwise, and the same from either side", () => {
    expect(rankOneResidual([1, 2, -2, -4, 0.5, 1], 2)).toBeCloseTo(0, 12);
    // diag(3, 1): sigma^2 = 9 and 1, so 1 / 10 is off the top direction.
    expect(rankOneResidual([3, 0, 0, 1], 2)).toBeCloseTo(0.1, 12);
    // A wide matrix (2 rows, 3 columns) uses the 2 x 2 Gram matrix: the same number.
    const wide = [1, 2, 3, -1, 0.5, 2];
    const tall = [1, -1, 2, 0.5, 3, 2]; // its transpose
    expect(rankOneResidual(wide, 3)).toBeCloseTo(rankOneResidual(tall, 2), 12);
    expect(rankOneResidual([0, 0], 1)).toBeNaN();
  });

  it("agrees between the Jacobi and the power method (beyond 64 columns)", () => {
    const rows = 70;
    const width = 70;
    const h = Array.from({ length: rows * width }, (_, k) => Math.sin(k * 0.37) + (k % width === 0 ? 5 : 0));
    const big = rankOneResidual(h, width);
    // The same matrix with 64 columns kept on the Jacobi side, plus zero columns: equal spectra.
    expect(big).toBeGreaterThan(0);
    expect(big).toBeLessThan(1);
    const narrow = Array.from({ length: rows * 64 }, (_, k) => h[Math.floor(k / 64) * width + (k % 64)]);
    const padded = Array.from({ length: rows * width }, (_, k) =>
      k % width < 64 ? narrow[Math.floor(k / width) * 64 + (k % width)] : 0,
    );
    expect(rankOneResidual(padded, width)).toBeCloseTo(rankOneResidual(narrow, 64), 8);
  });
});
