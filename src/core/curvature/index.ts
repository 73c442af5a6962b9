/**
 * Curvature of a loss at a point, from Hessian-vector products (never the Hessian itself):
 * power iteration, the smallest eigenvalue, Hutchinson's trace, the SLQ spectral density, and
 * epsilon / average / SAM sharpness.
 *
 * @example const op = makeHvp(problem); const { values } = await topEigenpairs(op, { topK: 2 }); op.dispose();
 */
export { type DensityOptions, type DensityResult, spectralDensity } from "./density";
export {
  type EigenResult,
  POWER_ITERATION_DEFAULTS,
  type PowerIterationOptions,
  SHIFT_FACTOR,
  type SmallestEigenOptions,
  type SmallestEigenResult,
  shiftedOperator,
  smallestEigenpair,
  topEigenpairs,
} from "./eigen";
export {
  type CurvatureObjective,
  type CurvatureProblem,
  type FlatScalarFunction,
  type HessianOperator,
  type MlpHvpOptions,
  makeFunctionHvp,
  makeHvp,
} from "./hvp";
export { type LanczosRun, lanczos, type RitzPairs, ritzPairs, ritzResidual, ritzVector } from "./lanczos";
export type { LoopOptions, ProgressCallback } from "./loop";
export { makeQuadraticHvp, matrixWithSpectrum } from "./quadratic";
export {
  type CurvatureProgress,
  type CurvatureReportOptions,
  curvatureReport,
  snapshotCurvatureProblem,
} from "./report";
export {
  type CurvatureSettings,
  type CurvatureSettingsInput,
  curvatureSettingsSchema,
  parseCurvatureSettings,
  SMALLEST_METHODS,
} from "./settings";
export {
  type AverageSharpnessOptions,
  type AverageSharpnessResult,
  averageSharpness,
  type EpsilonSharpnessOptions,
  type EpsilonSharpnessResult,
  epsilonSharpness,
  type SamSharpnessOptions,
  type SamSharpnessResult,
  samSharpness,
} from "./sharpness";
export { type MeanEstimate, meanEstimate, studentT975 } from "./stats";
export { hutchinsonTrace, type TraceOptions, type TraceResult } from "./trace";
export { activateTwice, expTwice, logSoftmaxTwice, meanLossTwice, mlpForwardTwice } from "./twice";
