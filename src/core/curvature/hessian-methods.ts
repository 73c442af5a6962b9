/**
 * Names of the Hessian direction methods, in a module without tfjs: the config schema (which the
 * main thread loads) needs them; the computation lives in hessian.ts.
 */
export const HESSIAN_DIRECTION_METHODS = ["hessian-top2", "hessian-top-bottom"] as const;
export type HessianDirectionMethod = (typeof HESSIAN_DIRECTION_METHODS)[number];

/** Which eigenvector an axis is: the dominant, the second, or the smallest. */
export type HessianWhich = "top-1" | "top-2" | "bottom";

export function isHessianMethod(method: string): method is HessianDirectionMethod {
  return (HESSIAN_DIRECTION_METHODS as readonly string[]).includes(method);
}
