/**
 * The direction methods' registry: name -> validity rules and maker (DirectionMethodSpec,
 * plane.ts). makePlane (prepare.ts) looks the config's method up here, checks its rules and calls
 * its maker; it knows no method by name. Adding a method is a new direction-<name>.ts exporting a
 * spec plus its line below, and its name in DIRECTION_METHODS (directions/methods.ts, which the
 * config schema reads; it sits below experiment in the import order, so it cannot read this
 * table). The mapped type makes a name without a line, or a line without a name, a compile error.
 */
import type { DirectionMethod } from "../directions/methods";
import type { ModelKind } from "../model/architecture";
import { hessianDirectionMethod } from "./direction-hessian";
import { pcaDirections } from "./direction-pca";
import { randomDirections } from "./direction-random";
import type { DirectionMethodSpec } from "./plane";

export const DIRECTION_METHOD_REGISTRY: { readonly [M in DirectionMethod]: DirectionMethodSpec } = {
  random: randomDirections,
  pca: pcaDirections,
  "hessian-top2": hessianDirectionMethod("hessian-top2"),
  "hessian-top-bottom": hessianDirectionMethod("hessian-top-bottom"),
};

/**
 * The spec of `name` in `methods`; an unknown name throws, listing the known ones.
 *
 * @example directionMethodSpec("pca").axes // [2]
 */
export function directionMethodSpec(
  name: string,
  methods: Readonly<Record<string, DirectionMethodSpec>> = DIRECTION_METHOD_REGISTRY,
): DirectionMethodSpec {
  if (!Object.hasOwn(methods, name)) {
    throw new Error(
      `directions.method: unknown method ${JSON.stringify(name)}; expected one of ${Object.keys(methods).join(", ")}`,
    );
  }
  return methods[name];
}

const KIND_NAMES: Record<ModelKind, string> = {
  mlp: "MLPs",
  layers: "tfjs layers models",
  onnx: "ONNX models",
  gcn: "GCNs",
};

/**
 * Throws when a method's validity rules refuse the model's kind or the grid's number of axes,
 * with a message naming the method, what it takes and what it got.
 *
 * @example checkDirectionMethod("pca", pcaDirections, "mlp", 1) // throws: ... needs a 2-D grid ...
 */
export function checkDirectionMethod(
  name: string,
  spec: DirectionMethodSpec,
  kind: ModelKind,
  axes: number,
): void {
  if (spec.models !== "any" && !spec.models.includes(kind)) {
    const takes = spec.models.map((k) => KIND_NAMES[k]).join(" and ");
    throw new Error(`directions.method ${name} works on ${takes} only; this model is kind "${kind}"`);
  }
  if (!(spec.axes as readonly number[]).includes(axes)) {
    const [n] = spec.axes;
    throw new Error(
      `directions.method ${name} needs a ${n}-D grid (grid.y must ${n === 2 ? "not " : ""}be null)`,
    );
  }
}
