/**
 * The text that names a landscape's axes, shared by the 3D view, the contour view and the slice
 * chart: the grid axis label, and for a Hessian-eigenvector axis which eigenvector it is and its
 * eigenvalue, "x: top eigenvector, λ = 12.3". The eigenvalue is the snapshot direction's
 * d^T H d, the curvature of the plotted landscape along that axis at the centre
 * (core/curvature/hessian-directions.ts); for a PCA axis, which principal component of the training path
 * it is ("x: PC1"). Pure, no DOM; in scene/ so that the scene needs nothing from app/.
 *
 * @example axisTitle("y", { method: "hessian", which: "bottom", eigenvalue: -0.0044 })
 *   // "y: bottom eigenvector, λ = -0.0044"
 */
import { formatValue } from "./format";

/** What a snapshot direction says about the axis it spans (snapshot.directions[k] for grid.axes[k]). */
export interface AxisDirection {
  method: string;
  which?: string;
  eigenvalue?: number;
}

const EIGENVECTOR_NAMES: Record<string, string> = {
  "top-1": "top eigenvector",
  "top-2": "2nd eigenvector",
  bottom: "bottom eigenvector",
};

/**
 * "top eigenvector, λ = 12.3" for a Hessian direction with a finite eigenvalue; null otherwise
 * (random and PCA directions, or a Hessian direction without a usable eigenvalue).
 */
export function eigenDescription(direction: AxisDirection | undefined): string | null {
  if (direction?.method !== "hessian") return null;
  const { eigenvalue } = direction;
  if (typeof eigenvalue !== "number" || !Number.isFinite(eigenvalue)) return null;
  const name = (direction.which && EIGENVECTOR_NAMES[direction.which]) ?? "eigenvector";
  return `${name}, λ = ${formatValue(eigenvalue, 3)}`;
}

/**
 * The axis label, followed by ": <eigenvector>, λ = <value>" for a Hessian direction, or by
 * ": PC<k>" for the k-th (1-based `index` + 1) principal component of a PCA plane.
 */
export function axisTitle(label: string, direction: AxisDirection | undefined, index = 0): string {
  if (direction?.method === "pca") return label === `PC${index + 1}` ? label : `${label}: PC${index + 1}`;
  const eigen = eigenDescription(direction);
  return eigen === null ? label : `${label}: ${eigen}`;
}

/**
 * One title per grid axis of a snapshot, in axis order.
 *
 * @example axisTitles(snapshot) // ["x: top eigenvector, λ = 12.3", "y: bottom eigenvector, λ = -0.0044"]
 */
export function axisTitles(snapshot: {
  grid: { axes: readonly { label: string }[] };
  directions?: readonly AxisDirection[];
}): string[] {
  return snapshot.grid.axes.map((axis, k) => axisTitle(axis.label, snapshot.directions?.[k], k));
}
