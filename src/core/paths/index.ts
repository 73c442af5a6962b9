/**
 * Paths between minima: linear interpolation (Goodfellow et al. 2015; Frankle et al. 2020),
 * Bezier and polychain curves trained to connect two minima (Garipov et al. 2018), barriers of
 * loss and error along a path, the plane of a curve for a landscape view, and the plain section
 * object a snapshot stores. Paths are scored by the batched landscape evaluators.
 *
 * @example const lin = evaluateLinearPath(model, a, b); const r = await trainCurve({ model, endpoints: [a, b], kind: "bezier" });
 */
export {
  BARRIER_KINDS,
  type Barrier,
  type BarrierKind,
  barrier,
  ENDPOINT_TOLERANCE,
  errorOf,
} from "./barrier";
export {
  assertCurve,
  CURVE_KINDS,
  type Curve,
  type CurveKind,
  combine,
  curveCoefficientRows,
  curveCoefficients,
  curveLength,
  curvePoint,
  curvePointLabels,
  initialBends,
  unitTValues,
} from "./curves";
export {
  evaluateCombinations,
  type PathBarriers,
  type PathEvaluationOptions,
  type PathModel,
  type PathValues,
  pathBarriers,
} from "./evaluate";
export { alphaGrid, DEFAULT_ALPHA_RANGE, interpolate, linearCoefficientRows } from "./linear";
export {
  type CurveEvaluationOptions,
  evaluateCurve,
  evaluateLinearPath,
  type LinearPathOptions,
  type PathKind,
  type PathResult,
} from "./path";
export {
  type CurvePlane,
  type CurvePlaneOptions,
  curvePlane,
  planeGrid,
  planeLandscapeProblem,
} from "./plane";
export { type BarrierFigures, type PathSection, type PathSectionExtras, pathSection } from "./section";
export {
  CURVE_TRAINING_DEFAULTS,
  type CurveProgress,
  type CurveTrainingSettings,
  type CurveTrainResult,
  type TrainCurveArgs,
  trainCurve,
} from "./train-curve";
