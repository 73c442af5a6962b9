/**
 * A curvature report of the training loss at theta, as the snapshot's `curvature` section holds
 * it (snapshot/curvature-section.ts). In order, on one Hessian operator (the mean loss over the
 * training samples, or a seeded subset of settings.maxSamples):
 *   1. top-k eigenpairs: power iteration with deflation (PyHessian's defaults 100 / 1e-3);
 *   2. the smallest eigenvalue: Lanczos (default; maxIterations steps) or the shift trick (power
 *      iteration on H - 0.51 lambda_max I, the reference code's, reusing lambda_1 from step 1);
 *   3. Hutchinson's trace (Rademacher samples, 95% Student-t interval), unless traceSamples is 0;
 *   4. the SLQ spectral density, when settings.density;
 *   5. epsilon-sharpness at each eps (Keskar et al. 2017: 100 (max L - L) / (1 + L) over the box
 *      |delta_i| <= eps (|theta_i| + 1); solver: projected sign-gradient ascent from delta = 0 and
 *      epsRestarts random corners, epsSteps steps each, a lower bound of the true max);
 *   6. average sharpness at each radius (filter-normalized Gaussian directions, bias zero);
 *   7. SAM's worst-case sharpness at each rho (normalized-gradient ascent in the L2 ball).
 * Each step draws from its own seed deriveSeed(settings.seed, "<step>") ("top", "smallest", "trace",
 * "density", "eps-sharpness", "average-sharpness"; every radius uses the same directions and every
 * eps the same corners), so the same settings give the same numbers, and adding a step changes no
 * other. The subset is drawn from deriveSeed(settings.seed, "curvature-subset").
 */

import { spectralDensity } from "../curvature/density";
import { smallestEigenpair, topEigenpairs } from "../curvature/eigen";
import { type AnyCurvatureProblem, curvatureObjective } from "../curvature/model-objective";
import {
  type CurvatureSettings,
  type CurvatureSettingsInput,
  parseCurvatureSettings,
} from "../curvature/settings";
import { averageSharpness, epsilonSharpness, samSharpness } from "../curvature/sharpness";
import { trainingSubset } from "../curvature/subset";
import { hutchinsonTrace } from "../curvature/trace";
import { requireMlp } from "../model/architecture";
import { deriveSeed } from "../rng";
import type { CurvatureSection } from "../snapshot/curvature-section";
import type { Snapshot } from "../snapshot/schema";

interface CurvatureProgress {
  phase: "curvature";
  /** Steps of the report finished so far. */
  done: number;
  /** Steps of the report in all (depends on the settings). */
  total: number;
  /** e.g. "trace: 37 samples, mean 251.2". */
  detail: string;
}

interface CurvatureReportOptions {
  /** Aborting rejects with the signal's reason; no tensor is left behind. */
  signal?: AbortSignal;
  onProgress?: (p: CurvatureProgress) => void;
}

/** Non-finite numbers become null (JSON has no NaN or Infinity). */
const orNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

const EPS_SOLVER = "projected sign-gradient ascent";
const EPS_STEP_FRACTION = 0.25;

/** Progress text of an estimate: 4 significant digits. */
const short = (v: number) => (Number.isFinite(v) ? v.toPrecision(4) : String(v));

/**
 * Compute a curvature report (see the file comment). `settings` are checked and completed first
 * (the seed defaults to 0); errors name the setting. Every tensor is released, also on error or
 * abort.
 *
 * @example const section = await curvatureReport(problem, { topK: 2, epsSharpness: [1e-3] }, { signal });
 */
export async function curvatureReport(
  problem: AnyCurvatureProblem,
  settingsInput: CurvatureSettingsInput | CurvatureSettings,
  options: CurvatureReportOptions = {},
): Promise<CurvatureSection> {
  const settings = parseCurvatureSettings(settingsInput, 0);
  const dimension = problem.theta.length;
  if (settings.topK > dimension) {
    throw new Error(
      `curvature.topK: ${settings.topK} eigenpairs asked, but the model has ${dimension} parameters`,
    );
  }
  const { signal } = options;
  const seed = (step: string) => deriveSeed(settings.seed, step);
  const steps: string[] = ["top", "smallest"];
  if (settings.traceSamples > 0) steps.push("trace");
  if (settings.density) steps.push("density");
  for (const eps of settings.epsSharpness) steps.push(`eps ${eps}`);
  for (const r of settings.averageRadius) steps.push(`average ${r}`);
  for (const rho of settings.samRho) steps.push(`sam ${rho}`);
  let done = 0;
  const report = (what: string) => (i: number, estimate: number) =>
    options.onProgress?.({
      phase: "curvature",
      done,
      total: steps.length,
      detail: `${what} ${i}: ${short(estimate)}`,
    });
  const finished = () => {
    done += 1;
    options.onProgress?.({
      phase: "curvature",
      done,
      total: steps.length,
      detail: `${steps[done - 1]} done`,
    });
  };

  const yWidth = problem.dataset.task === "classification" ? 1 : problem.dataset.outputSize;
  const subset = trainingSubset(problem.train, yWidth, settings.maxSamples, settings.seed);
  const op = curvatureObjective(problem, subset.split);
  try {
    const loss = op.loss();
    if (!Number.isFinite(loss)) throw new Error(`curvature: the training loss at theta is ${loss}`);
    const power = { maxIterations: settings.maxIterations, tolerance: settings.tolerance, signal };

    const top = await topEigenpairs(op, {
      ...power,
      topK: settings.topK,
      seed: seed("top"),
      onProgress: report("top eigenvalues, iteration"),
    });
    finished();
    const low = await smallestEigenpair(op, {
      ...power,
      method: settings.smallest,
      seed: seed("smallest"),
      // The dominant eigenvalue is already known (the shift trick needs it).
      lambdaMax: settings.smallest === "shift" ? top.values[0] : undefined,
      warmStart: undefined,
      onProgress: report("smallest eigenvalue, H v"),
    });
    finished();

    const section: CurvatureSection = {
      objective: { split: "train", samples: subset.samples, total: subset.total, loss, weightDecay: 0 },
      settings,
      hvps: 0,
      top: {
        method: "power-iteration",
        values: top.values,
        iterations: top.iterations,
        converged: top.converged,
        residuals: top.residuals.map(orNull),
      },
      smallest: {
        method: low.method,
        value: low.value,
        iterations: low.iterations,
        converged: low.converged,
        lambdaMax: low.lambdaMax,
        shift: low.shift,
        residual: orNull(low.residual),
      },
      epsSharpness: [],
      averageSharpness: [],
      samSharpness: [],
    };
    if (settings.vectors) {
      section.top.vectors = top.vectors;
      section.smallest.vector = low.vector;
    }

    if (settings.traceSamples > 0) {
      const t = await hutchinsonTrace(op, {
        maxIterations: settings.traceSamples,
        tolerance: settings.traceTolerance,
        seed: seed("trace"),
        signal,
        onProgress: report("trace, samples"),
      });
      section.trace = {
        method: "hutchinson",
        value: t.trace,
        standardError: orNull(t.standardError),
        ci95: [orNull(t.ci95[0]), orNull(t.ci95[1])],
        samples: t.samples,
        converged: t.converged,
        values: Array.from(t.values),
      };
      finished();
    }

    if (settings.density) {
      const d = await spectralDensity(op, {
        steps: Math.min(settings.densitySteps, dimension),
        runs: settings.densityRuns,
        bins: settings.densityBins,
        seed: seed("density"),
        signal,
        onProgress: report("spectral density, Lanczos step"),
      });
      section.density = {
        method: "slq",
        grid: Array.from(d.grid),
        density: Array.from(d.density),
        variance: d.variance,
        mass: d.mass,
        traceEstimate: d.traceEstimate,
        steps: d.steps,
        ritzValues: d.ritzValues.map((v) => Array.from(v)),
        weights: d.weights.map((w) => Array.from(w)),
      };
      finished();
    }

    for (const epsilon of settings.epsSharpness) {
      const e = await epsilonSharpness(op, {
        epsilon,
        steps: settings.epsSteps,
        restarts: settings.epsRestarts,
        stepFraction: EPS_STEP_FRACTION,
        seed: seed("eps-sharpness"),
        signal,
        onProgress: report(`eps-sharpness ${epsilon}, evaluation`),
      });
      section.epsSharpness.push({
        epsilon,
        sharpness: orNull(e.sharpness),
        loss: e.loss,
        maxLoss: orNull(e.maxLoss),
        evaluations: e.evaluations,
        solver: EPS_SOLVER,
        steps: settings.epsSteps,
        restarts: settings.epsRestarts,
        stepFraction: EPS_STEP_FRACTION,
      });
      finished();
    }

    for (const radius of settings.averageRadius) {
      const a = await averageSharpness(op, {
        radius,
        samples: settings.averageSamples,
        normalization: "filter",
        bias: "zero",
        seed: seed("average-sharpness"),
        signal,
        onProgress: report(`average sharpness ${radius}, direction`),
      });
      section.averageSharpness.push({
        radius,
        sharpness: orNull(a.sharpness),
        standardError: orNull(a.standardError),
        ci95: [orNull(a.ci95[0]), orNull(a.ci95[1])],
        samples: a.samples,
        normalization: "filter",
        bias: "zero",
        values: Array.from(a.values, orNull),
      });
      finished();
    }

    for (const rho of settings.samRho) {
      const s = await samSharpness(op, {
        rho,
        steps: settings.samSteps,
        signal,
        onProgress: report(`SAM sharpness ${rho}, step`),
      });
      section.samSharpness.push({
        rho,
        sharpness: orNull(s.sharpness),
        firstStep: orNull(s.firstStep),
        steps: settings.samSteps,
        increases: s.increases.map(orNull),
      });
      finished();
    }

    section.hvps = op.hvpCount;
    return section;
  } finally {
    op.dispose();
  }
}

/**
 * The problem a snapshot holds: its model at model.parameters and its training split. Throws when
 * the snapshot has no training samples (curvature is a property of the training loss).
 *
 * @example const section = await curvatureReport(snapshotCurvatureProblem(snapshot), { topK: 2 });
 */
export function snapshotCurvatureProblem(s: Snapshot): AnyCurvatureProblem {
  if (!s.data.train || s.data.train.count < 1) {
    throw new Error(
      "the snapshot has no training samples (data.train.count is 0); curvature needs the training data",
    );
  }
  return {
    arch:
      s.model.architecture.kind === "onnx" ||
      s.model.architecture.kind === "gcn" ||
      s.model.architecture.kind === "layers"
        ? s.model.architecture
        : requireMlp(s.model.architecture, "the curvature report"),
    loss: s.model.loss,
    theta: s.model.parameters,
    dataset: { task: s.data.task, inputSize: s.data.inputSize, outputSize: s.data.outputSize },
    train: s.data.train,
  };
}
