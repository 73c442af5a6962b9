/**
 * The surface as a mesh, shared by the VTK and OBJ exports: one vertex per grid point whose
 * (plotted) value is finite, one quad per grid cell whose four corners are all finite (2-D), or
 * one segment per pair of neighbouring finite points (1-D). Non-finite points are left out rather
 * than written as NaN, which ParaView's legacy ASCII reader and most OBJ readers cannot parse.
 *
 * @example const mesh = surfaceMesh(snapshot, { metric: "train_loss", log: true });
 */
import { referenceLog } from "./numbers";
import { axisValues, checkSurfaceView, pickSurface, type SurfaceView } from "./surface-view";

export interface MeshOptions {
  /** Surface to draw (default train_loss). */
  metric?: string;
  /** Plot ln(value + 0.1), the reference tool's --log (h52vtp.py). */
  log?: boolean;
}

export interface SurfaceMesh {
  /** The surface drawn, e.g. "train_loss". */
  metric: string;
  /** Name of the plotted quantity: the metric, or "log_<metric>" with log. */
  quantity: string;
  log: boolean;
  /** Number of grid axes (1 or 2). */
  dims: 1 | 2;
  /** Per kept vertex: grid coordinates (y is 0 for 1-D) and the plotted value. */
  x: Float64Array;
  y: Float64Array;
  value: Float32Array;
  /** Quads as vertex indices (a, b, c, d), counter-clockwise seen from +value; or 1-D segments (a, b). */
  cells: Int32Array;
  /** Vertices per cell: 4 (quads) or 2 (segments). */
  cellSize: 2 | 4;
  /** Number of grid points left out because their value is not finite. */
  skipped: number;
}

/**
 * Builds the mesh of one surface. Throws when the view is unusable, the metric is missing, or no
 * value is finite (nothing to draw).
 */
export function surfaceMesh(view: SurfaceView, opts: MeshOptions = {}): SurfaceMesh {
  checkSurfaceView(view);
  const { name, values } = pickSurface(view, opts.metric);
  const log = opts.log ?? false;
  const axes = view.grid.axes;
  const xs = axisValues(axes[0]);
  const ys = axes.length === 2 ? axisValues(axes[1]) : Float64Array.of(0);
  const nx = xs.length;
  const ny = ys.length;
  const index = new Int32Array(nx * ny).fill(-1);
  const plotted = new Float32Array(nx * ny);
  let kept = 0;
  for (let i = 0; i < nx * ny; i++) {
    plotted[i] = log ? referenceLog(values[i]) : values[i];
    if (Number.isFinite(plotted[i])) index[i] = kept++;
  }
  if (kept === 0) {
    throw new Error(
      `surface ${name} has no finite values${log ? " after ln(v + 0.1)" : ""}; nothing to draw`,
    );
  }
  const x = new Float64Array(kept);
  const y = new Float64Array(kept);
  const value = new Float32Array(kept);
  for (let i = 0; i < nx * ny; i++) {
    const k = index[i];
    if (k < 0) continue;
    x[k] = xs[i % nx];
    y[k] = ys[Math.floor(i / nx)];
    value[k] = plotted[i];
  }
  const cells: number[] = [];
  if (axes.length === 2) {
    for (let iy = 0; iy + 1 < ny; iy++) {
      for (let ix = 0; ix + 1 < nx; ix++) {
        const corners = [iy * nx + ix, iy * nx + ix + 1, (iy + 1) * nx + ix + 1, (iy + 1) * nx + ix].map(
          (g) => index[g],
        );
        if (corners.every((c) => c >= 0)) cells.push(...corners);
      }
    }
  } else {
    for (let ix = 0; ix + 1 < nx; ix++) {
      if (index[ix] >= 0 && index[ix + 1] >= 0) cells.push(index[ix], index[ix + 1]);
    }
  }
  return {
    metric: name,
    quantity: log ? `log_${name}` : name,
    log,
    dims: axes.length === 2 ? 2 : 1,
    x,
    y,
    value,
    cells: Int32Array.from(cells),
    cellSize: axes.length === 2 ? 4 : 2,
    skipped: nx * ny - kept,
  };
}
