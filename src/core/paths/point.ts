/**
 * The point w(t) of a stored path, from its points alone (pure TypeScript: the worker's pathPoint,
 * the CLI and the app's t slider on the main thread all use this one function):
 * (1 - t) p0 + t p1 for the two-point kinds (linear, init-to-solution, linear-aligned; t may leave
 * [0, 1]); the Bezier / polychain point sum_j c_j(t) p_j for curves, t clamped into [0, 1] where
 * they are defined.
 *
 * @example pathPointAt({ kind: "linear", points: [a, b] }, 0.25) // 0.75 a + 0.25 b
 */
import { combine, curveCoefficients } from "./curves";

/** What a path needs to give its point at t: its kind and its points (endpoints and bends). */
export interface PathShape {
  kind: string;
  points: Float32Array[];
}

export function pathPointAt(path: PathShape, t: number): Float32Array {
  if (!Number.isFinite(t)) throw new Error(`path parameter t must be finite, got ${t}`);
  if (path.kind === "bezier" || path.kind === "polychain") {
    const clamped = Math.min(1, Math.max(0, t));
    return combine(path.points, curveCoefficients(path.kind, path.points.length - 2, clamped));
  }
  if (path.points.length !== 2)
    throw new Error(`a "${path.kind}" path has 2 points, got ${path.points.length}`);
  return combine(path.points, [1 - t, t]);
}
