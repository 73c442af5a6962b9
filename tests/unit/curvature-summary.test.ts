import { describe, expect, it } from "vitest";
import {
  anyUnconverged,
  type CurvatureFigures,
  curvatureRows,
  curvatureSource,
  figure,
  withInterval,
} from "../../src/app/curvature-summary";

const section: CurvatureFigures = {
  objective: { split: "train", samples: 512, total: 512, loss: 0.0312, weightDecay: 0 },
  top: {
    method: "power-iteration",
    values: [41.23, 17.9],
    iterations: [23, 61],
    converged: [true, true],
    residuals: [0.012, 0.05],
  },
  smallest: {
    method: "shift",
    value: -0.71,
    iterations: 40,
    converged: true,
    lambdaMax: 41.2,
    shift: 21,
    residual: 0.01,
  },
  trace: { value: 250.3, ci95: [231.4, 269.2], samples: 20, converged: true },
  epsSharpness: [
    {
      epsilon: 0.001,
      sharpness: 0.83,
      loss: 0.0312,
      maxLoss: 0.04,
      evaluations: 100,
      solver: "projected sign-gradient ascent",
      steps: 10,
      restarts: 1,
      stepFraction: 0.1,
    },
    {
      epsilon: 0.0005,
      sharpness: null,
      loss: 0.0312,
      maxLoss: null,
      evaluations: 100,
      solver: "projected sign-gradient ascent",
      steps: 10,
      restarts: 1,
      stepFraction: 0.1,
    },
  ],
};

describe("curvature summary", () => {
  it("lists the top eigenvalues, the smallest, the trace with half its 95% interval and each eps-sharpness", () => {
    expect(curvatureRows(section).map((r) => `${r.label}: ${r.value}`)).toEqual([
      "λmax (top 2): 41.23, 17.9",
      "λmin: -0.71",
      "trace: 250.3 ± 18.9",
      "ε-sharpness, ε = 0.001: 0.83",
      "ε-sharpness, ε = 5e-4: –",
    ]);
    expect(curvatureSource(section)).toBe("all 512 train samples, loss 0.0312");
    for (const r of curvatureRows(section)) expect(r.help.length, r.label).toBeGreaterThan(0);
    expect(anyUnconverged(section)).toBe(false);
  });

  it("marks values that did not converge, and leaves out a missing trace", () => {
    const rough: CurvatureFigures = {
      ...section,
      objective: { ...section.objective, samples: 256, total: 1000 },
      top: { ...section.top, values: [5], converged: [false] },
      trace: undefined,
      epsSharpness: [],
    };
    expect(curvatureRows(rough).map((r) => `${r.label}: ${r.value}`)).toEqual(["λmax: 5*", "λmin: -0.71"]);
    expect(curvatureSource({ objective: { ...rough.objective, weightDecay: 0.001 } })).toBe(
      "256 of 1000 train samples, loss 0.0312 + L2 (weight decay 0.001)",
    );
    expect(anyUnconverged(rough)).toBe(true);
  });

  it("shows the trace alone when its interval is missing, and a dash for non-finite numbers", () => {
    expect(withInterval(12, [null, null])).toBe("12");
    expect(withInterval(12, [10, Number.POSITIVE_INFINITY])).toBe("12");
    expect(figure(Number.NaN)).toBe("–");
    expect(figure(null)).toBe("–");
    expect(figure(123456)).toBe("1.235e5");
  });
});
