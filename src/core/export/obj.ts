/**
 * Wavefront OBJ of a surface mesh for Blender, MeshLab or three.js: y is up, so a vertex is
 * `v x height -y` (1-D: `v x height 0`): in a right-handed y-up viewer the grid's y then runs away
 * from the camera, as in the reference tool's plot_2D.py (`v x height y` would mirror the surface).
 * Height is the value (or ln(value + 0.1) with log), or,
 * with height "normalized", that rescaled to [0, 1] over its finite range. Faces are quads, one per
 * grid cell with four finite corners, counter-clockwise seen from above (normals point up); a 1-D
 * landscape gives `l` segments. Vertex colours (`v x y z r g b`, viridis over the same range, read
 * by Blender and MeshLab) are optional. Non-finite points are left out and indices renumbered.
 *
 * @example surfaceToObj(snapshot, { height: "normalized", colors: true });
 */
import { type MeshOptions, surfaceMesh } from "./mesh";
import { float32Text } from "./numbers";
import type { SurfaceView } from "./surface-view";

export interface ObjOptions extends MeshOptions {
  /** "value" (default): the plotted value; "normalized": rescaled to [0, 1]. */
  height?: "value" | "normalized";
  /** Append viridis vertex colours (default false). */
  colors?: boolean;
}

/** Viridis at 9 stops (matplotlib's), interpolated linearly. */
const VIRIDIS = [
  [0.267, 0.005, 0.329],
  [0.278, 0.175, 0.483],
  [0.229, 0.322, 0.546],
  [0.173, 0.449, 0.558],
  [0.128, 0.567, 0.551],
  [0.153, 0.683, 0.502],
  [0.361, 0.785, 0.388],
  [0.666, 0.862, 0.196],
  [0.993, 0.906, 0.144],
];

/** Viridis colour of t in [0, 1] as r, g, b in [0, 1]. */
export function viridis(t: number): [number, number, number] {
  const u = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(u));
  const f = u - i;
  const [a, b] = [VIRIDIS[i], VIRIDIS[i + 1]];
  return [0, 1, 2].map((c) => a[c] + f * (b[c] - a[c])) as [number, number, number];
}

export function surfaceToObj(view: SurfaceView, opts: ObjOptions = {}): string {
  const m = surfaceMesh(view, opts);
  const normalized = opts.height === "normalized";
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of m.value) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi - lo;
  const unit = (v: number) => (span > 0 ? (v - lo) / span : 0);
  const what = m.log ? `ln(${m.metric} + 0.1)` : m.metric;
  const lines = [
    `# loss-landscape-lab ${m.dims}-D surface of ${m.metric}`,
    `# v x height -y (y up, right-handed); height = ${normalized ? `${what} rescaled from [${lo}, ${hi}] to [0, 1]` : what}`,
    `# ${m.value.length} vertices, ${m.cells.length / m.cellSize} ${m.cellSize === 4 ? "faces" : "lines"}, ${m.skipped} non-finite points left out`,
    `o ${m.quantity.replace(/\s+/g, "_")}`,
  ];
  for (let k = 0; k < m.value.length; k++) {
    const h = normalized ? unit(m.value[k]) : m.value[k];
    let line = `v ${float32Text(m.x[k])} ${float32Text(h)} ${float32Text(-m.y[k] + 0)}`;
    if (opts.colors)
      line += ` ${viridis(unit(m.value[k]))
        .map((c) => c.toFixed(4))
        .join(" ")}`;
    lines.push(line);
  }
  const keyword = m.cellSize === 4 ? "f" : "l";
  for (let c = 0; c < m.cells.length; c += m.cellSize) {
    // The mesh's quads run counter-clockwise seen from +value; (x, y, value) -> (x, value, -y) is a
    // rotation, so they stay counter-clockwise seen from +height (OBJ's front faces point up).
    const ids = Array.from(m.cells.subarray(c, c + m.cellSize), (id) => id + 1);
    lines.push(`${keyword} ${ids.join(" ")}`);
  }
  return `${lines.join("\n")}\n`;
}
