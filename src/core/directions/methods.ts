/**
 * The names of the direction methods: how the two axes of a landscape are chosen.
 *
 * - "random": Gaussian directions d ~ N(0, I), normalized against theta (filter, layer, model or
 *   none; Li et al. 2018), one seed per axis (random.ts, normalize.ts).
 * - "pca": the plane of the training trajectory, its two principal directions (Li et al. 2018,
 *   pca.ts); unit vectors, so normalization "none".
 * - "hessian-top2" / "hessian-top-bottom": Hessian eigenvectors of the training loss at the trained
 *   parameters (curvature/hessian-directions.ts); unit vectors, each carrying its eigenvalue.
 *
 * Only the names live here, low in the stack, because the config schema (config/schema.ts, below
 * experiment in the import order) validates `directions.method` against them. What each method
 * does (its maker and its validity rules: model kinds, grid) is registered in
 * experiment/direction-methods.ts, whose table is typed `{ [M in DirectionMethod]: ... }`, so a
 * name without a maker, or a maker without a name, does not compile.
 *
 * @example DIRECTION_METHODS.includes("pca") // true
 */
export const DIRECTION_METHODS = ["random", "pca", "hessian-top2", "hessian-top-bottom"] as const;

export type DirectionMethod = (typeof DIRECTION_METHODS)[number];
